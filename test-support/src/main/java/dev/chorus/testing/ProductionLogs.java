package dev.chorus.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What a packaged service (the prod profile) writes to its console: one JSON object per line with Cloud Logging's
 * field names, and never a secret it was given.
 */
public final class ProductionLogs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ProductionLogs() {}

    /** The log @QuarkusIntegrationTest keeps of the packaged application. */
    public static Path ofIntegrationTest() {
        return Path.of("target/quarkus.log");
    }

    public static void assertCloudLoggingJson(Path log, String... secrets) throws IOException {
        String text = Files.readString(log);
        // The JVM itself may print plain warnings before logging starts; everything the application logs is JSON.
        List<String> lines = text.lines().filter(line -> line.startsWith("{")).toList();
        assertThat(lines).as("JSON log lines in %s", log).isNotEmpty();
        for (String line : lines) {
            JsonNode entry = JSON.readTree(line);
            assertThat(entry.has("severity") && entry.has("message") && entry.has("time"))
                    .as("severity, message and time in %s", line)
                    .isTrue();
        }
        assertThat(lines)
                .anySatisfy(line ->
                        assertThat(JSON.readTree(line).path("message").asText()).contains("started in"));
        for (String secret : secrets) {
            assertThat(text).as("the log never shows a secret").doesNotContain(secret);
        }
    }
}
