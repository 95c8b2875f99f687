package dev.chorus.database;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.chorus.local.ServiceProcess;
import dev.chorus.testing.TestDatabase;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Start-up as an operator meets it: the packaged jar, configured through the environment, saying in one line what
 * is wrong instead of a stack trace.
 */
class StartupFailureIT {

    private static final Duration START = Duration.ofSeconds(60);

    @Test
    void aMalformedDatabaseUrlStopsStartUpWithOneLine() throws Exception {
        try (ServiceProcess service = start(Map.of("DATABASE_URL", "mysql://root:hunter2@db:3306/chorus"))) {
            assertThat(service.awaitExit(START)).isEqualTo(1);
            assertThat(service.output())
                    .contains("DATABASE_URL is not valid: it must start with postgres:// or postgresql://.")
                    .doesNotContain("hunter2");
            assertNoStackTrace(service.output());
        }
    }

    @Test
    void aWeakSigningSecretStopsStartUpWithOneLine() throws Exception {
        try (ServiceProcess service = start(
                Map.of("DATABASE_URL", TestDatabase.shared().databaseUrl(), "CHORUS_AUTH_JWT_SECRET", "too-short"))) {
            assertThat(service.awaitExit(START)).isEqualTo(1);
            assertThat(service.output()).contains("chorus.auth.jwt-secret must be at least 32 characters");
            assertNoStackTrace(service.output());
        }
    }

    @Test
    void aDatabaseThatIsDownStopsAMigratingStartWithOneLine() throws Exception {
        try (ServiceProcess service = start(Map.of(
                "DATABASE_URL",
                "postgres://chorus:hunter2@127.0.0.1:1/chorus",
                "CHORUS_DATABASE_MIGRATE",
                "at-start"))) {
            assertThat(service.awaitExit(START)).isEqualTo(1);
            assertThat(service.output())
                    .contains("Database migration against postgresql://127.0.0.1:1/chorus failed: ")
                    .doesNotContain("hunter2");
            assertNoStackTrace(service.output());
        }
    }

    @Test
    void aDatabaseWithoutTheSchemaKeepsTheServiceUnreadyAndSaysSo() throws Exception {
        TestDatabase empty = TestDatabase.shared().createEmptyDatabase();
        try (ServiceProcess service = start(Map.of("DATABASE_URL", empty.databaseUrl()))) {
            service.awaitLine(
                    line -> line.contains("Not ready: database has no Chorus schema: run the migration"), START);
            // The line can come before the HTTP server listens: the check runs as the start-up goes on.
            service.awaitHttpOk("/health", START);
            given().baseUri(service.baseUrl()).get("/q/health/ready").then().statusCode(503);
            given().baseUri(service.baseUrl()).get("/health").then().statusCode(200);
            assertNoStackTrace(service.output());
        }
    }

    @Test
    void aSchemaOlderThanTheBuildKeepsTheServiceUnreadyAndSaysSo() throws Exception {
        TestDatabase behind = TestDatabase.shared().createEmptyDatabase();
        try (Connection connection = behind.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE " + Schema.HISTORY_TABLE
                    + " (installed_rank int PRIMARY KEY, version text, success boolean NOT NULL)");
            statement.execute("INSERT INTO " + Schema.HISTORY_TABLE + " VALUES (1, '0.9', true)");
        }
        try (ServiceProcess service = start(Map.of("DATABASE_URL", behind.databaseUrl()))) {
            service.awaitLine(
                    line -> line.contains("schema is at version 0.9 but this build needs " + Schema.VERSION), START);
            service.awaitHttpOk("/health", START);
            given().baseUri(service.baseUrl())
                    .get("/api/health")
                    .then()
                    .statusCode(503)
                    .body("checks.find { it.name == 'database' }.data.state", is("schema_behind"));
        }
    }

    @Test
    void theMigrateOnlyModeMigratesAndExitsAndThenTheServiceIsReady() throws Exception {
        TestDatabase fresh = TestDatabase.shared().createEmptyDatabase();
        try (ServiceProcess migration =
                start(Map.of("DATABASE_URL", fresh.databaseUrl(), "CHORUS_DATABASE_MIGRATE", "only"))) {
            assertThat(migration.awaitExit(START)).isEqualTo(0);
            assertThat(migration.output()).contains("Database migrated: ");
        }
        try (ServiceProcess service = start(Map.of("DATABASE_URL", fresh.databaseUrl()))) {
            service.awaitLine(line -> line.contains("Listening on"), START);
            given().baseUri(service.baseUrl())
                    .get("/api/health")
                    .then()
                    .statusCode(200)
                    .body("checks.find { it.name == 'database' }.data.schemaVersion", is(Schema.VERSION));
        }
    }

    private static ServiceProcess start(Map<String, String> environment) {
        return ServiceProcess.startPackaged("api-service", environment);
    }

    private static void assertNoStackTrace(String output) {
        assertThat(output.lines().filter(line -> line.startsWith("\tat ") || line.startsWith("Caused by:")))
                .isEmpty();
    }
}
