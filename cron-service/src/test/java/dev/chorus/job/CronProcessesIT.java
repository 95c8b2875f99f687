package dev.chorus.job;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.local.ServiceProcess;
import dev.chorus.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/** The packaged service as separate processes: one-shot runs for Railway's cron, and two replicas at once. */
class CronProcessesIT {

    private static final String SECRET = "integration-test-cron-secret-0123456789";

    private final TestDatabase database = TestDatabase.shared();

    @Test
    void theOneShotModeRunsTheJobRecordsItAndExitsWithItsOutcome() throws Exception {
        try (ServiceProcess once = start("cron-once", Map.of("CHORUS_CRON_RUN_ONCE", "expire-invites"))) {
            assertThat(once.awaitExit(Duration.ofSeconds(60))).isZero();
        }
        assertThat(count("SELECT count(*) FROM job_runs WHERE job = 'expire-invites' AND trigger = 'once'"
                        + " AND status = 'succeeded'"))
                .isPositive();

        try (ServiceProcess unknown = start("cron-once-unknown", Map.of("CHORUS_CRON_RUN_ONCE", "no-such-job"))) {
            assertThat(unknown.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
        }
    }

    @Test
    void twoReplicasTriggeredAtTheSameMomentRunTheJobOnceAndRecordOneSkip() throws Exception {
        seedSoftDeletedMessages(60_000);
        try (ServiceProcess first = start("cron-a", Map.of());
                ServiceProcess second = start("cron-b", Map.of())) {
            first.awaitHttpOk("/q/health/ready", Duration.ofSeconds(60));
            second.awaitHttpOk("/q/health/ready", Duration.ofSeconds(60));

            ExecutorService callers = Executors.newFixedThreadPool(2);
            CompletableFuture<String> onFirst = CompletableFuture.supplyAsync(() -> trigger(first), callers);
            CompletableFuture<String> onSecond = CompletableFuture.supplyAsync(() -> trigger(second), callers);

            assertThat(List.of(onFirst.get(), onSecond.get())).containsExactlyInAnyOrder("succeeded", "skipped");
            callers.shutdown();
        }
    }

    private ServiceProcess start(String name, Map<String, String> extra) {
        Map<String, String> environment = new java.util.HashMap<>(Map.of(
                "DATABASE_URL",
                database.databaseUrl(),
                "CHORUS_DATABASE_MIGRATE",
                "at-start",
                "CHORUS_CRON_SECRET",
                SECRET));
        environment.putAll(extra);
        return ServiceProcess.startPackaged(name, environment);
    }

    private static String trigger(ServiceProcess replica) {
        return given().baseUri(replica.baseUrl())
                .header(TriggerAuthentication.SECRET_HEADER, SECRET)
                .post("/cron/jobs/message-retention")
                .then()
                .statusCode(200)
                .extract()
                .path("status");
    }

    private void seedSoftDeletedMessages(int count) throws Exception {
        UUID user = UUID.randomUUID();
        UUID chat = UUID.randomUUID();
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO users (id, email, display_name, password_hash) VALUES ('" + user + "', '"
                    + user + "@example.com', 'Seed', 'x')");
            statement.execute(
                    "INSERT INTO chats (id, name, last_message_seq) VALUES ('" + chat + "', 'seed', " + count + ")");
            statement.execute("INSERT INTO messages (id, chat_id, seq, sender_id, role, content, deleted_at)"
                    + " SELECT gen_random_uuid(), '" + chat + "', n, '" + user + "', 'user', 'old',"
                    + " now() - interval '30 days' FROM generate_series(1, " + count + ") AS n");
        }
    }

    private long count(String query) throws Exception {
        try (Connection connection = database.connect();
                Statement statement = connection.createStatement();
                ResultSet result = statement.executeQuery(query)) {
            result.next();
            return result.getLong(1);
        }
    }
}
