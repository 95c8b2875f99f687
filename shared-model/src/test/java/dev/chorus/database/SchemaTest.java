package dev.chorus.database;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;
import org.junit.jupiter.api.Test;

class SchemaTest {

    private static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");
    private static final Pattern VERSIONED = Pattern.compile("V(\\d+(?:[._]\\d+)*)__[a-z0-9_]+\\.sql");

    @Test
    void theRequiredVersionIsTheNewestMigration() throws IOException {
        List<MigrationVersion> versions = migrationFiles().stream()
                .map(name -> {
                    Matcher matcher = VERSIONED.matcher(name);
                    assertThat(matcher.matches())
                            .as("%s is named V<version>__<lowercase_words>.sql", name)
                            .isTrue();
                    return MigrationVersion.fromVersion(matcher.group(1).replace('_', '.'));
                })
                .sorted(Comparator.naturalOrder())
                .toList();

        assertThat(versions).isNotEmpty().doesNotHaveDuplicates();
        assertThat(versions.getLast()).isEqualTo(MigrationVersion.fromVersion(Schema.VERSION));
    }

    private static List<String> migrationFiles() throws IOException {
        try (Stream<Path> files = Files.list(MIGRATIONS)) {
            return files.map(file -> file.getFileName().toString()).toList();
        }
    }
}
