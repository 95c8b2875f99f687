package dev.chorus.database;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Switches Flyway off in a process that does not migrate ({@code chorus.database.migrate=off}, every production
 * replica): an active Flyway builds its instance and reads its configuration at every start, a third of a second
 * here, for a migration that only the deploy's migration step runs.
 *
 * <p>Same ordinal as {@link dev.chorus.config.PlatformConfigSourceFactory}: {@code QUARKUS_FLYWAY_ACTIVE}, set as an
 * environment variable or system property, still wins.
 */
public class FlywayActivation implements ConfigSourceFactory {

    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue migrate = context.getValue("chorus.database.migrate");
        return List.of(new PropertiesConfigSource(
                Map.of(
                        "quarkus.flyway.active",
                        Boolean.toString(migrates(migrate == null ? null : migrate.getValue()))),
                "chorus flyway activation",
                ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    /** Any value but {@code off} (the default) migrates; DatabaseConfig refuses the ones it does not know. */
    static boolean migrates(String migrate) {
        return migrate != null
                && !migrate.isBlank()
                && !migrate.strip().toLowerCase(Locale.ROOT).equals("off");
    }
}
