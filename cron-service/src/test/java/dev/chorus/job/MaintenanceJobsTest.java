package dev.chorus.job;

import static dev.chorus.job.CronTriggerTest.secret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Each job against seeded rows of the real database: it does what it says, and nothing on a second run. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(GoogleOidcStub.class)
class MaintenanceJobsTest {

    @Inject
    Pool pool;

    @Test
    void expiredAndRevokedSessionsAreDeletedAndLiveOnesKept() {
        UUID user = user();
        UUID expired = session(user, "now() - interval '3 days'", null);
        UUID revoked = session(user, "now() + interval '20 days'", "now() - interval '2 days'");
        UUID live = session(user, "now() + interval '20 days'", null);
        UUID justRevoked = session(user, "now() + interval '20 days'", "now() - interval '1 hour'");

        assertThat(run("expired-sessions").getLong("rowsAffected")).isGreaterThanOrEqualTo(2);
        assertThat(exists("sessions", expired)).isFalse();
        assertThat(exists("sessions", revoked)).isFalse();
        assertThat(exists("sessions", live)).isTrue();
        assertThat(exists("sessions", justRevoked))
                .as("kept a day for auditing")
                .isTrue();
        assertThat(run("expired-sessions").getLong("rowsAffected")).isZero();
    }

    @Test
    void invitesPastTheirDateOrUsedUpExpire() {
        UUID chat = chat(user(), null);
        UUID pastDate = invite(chat, "now() - interval '1 minute'", null, 0);
        UUID usedUp = invite(chat, null, 3, 3);
        UUID open = invite(chat, "now() + interval '1 day'", 3, 1);

        assertThat(run("expire-invites").getLong("rowsAffected")).isGreaterThanOrEqualTo(2);
        assertThat(expired(pastDate)).isTrue();
        assertThat(expired(usedUp)).isTrue();
        assertThat(expired(open)).isFalse();
        assertThat(run("expire-invites").getLong("rowsAffected")).isZero();
    }

    @Test
    void answersAbandonedByADeadReplicaFailAndTheirEndReachesTheChat() throws Exception {
        UUID user = user();
        UUID chat = chat(user, null);
        UUID abandoned = invocation(chat, user, "streaming", "now() - interval '20 minutes'");
        // One running answer per chat (a unique index): the recent one is in another chat.
        UUID running = invocation(chat(user, null), user, "streaming", "now() - interval '1 minute'");
        UUID finished = invocation(chat, user, "succeeded", "now() - interval '20 minutes'");

        try (java.sql.Connection listener =
                dev.chorus.testing.TestDatabase.shared().connect()) {
            listener.createStatement().execute("LISTEN " + dev.chorus.signal.ChatSignals.CHANNEL);

            assertThat(run("abandoned-answers").getLong("rowsAffected")).isGreaterThanOrEqualTo(1);

            org.postgresql.PGNotification[] notifications =
                    listener.unwrap(org.postgresql.PGConnection.class).getNotifications(5000);
            assertThat(notifications)
                    .extracting(org.postgresql.PGNotification::getParameter)
                    .anySatisfy(
                            payload -> assertThat(payload).contains("\"ai_end\"", abandoned.toString(), "\"failed\""));
        }
        assertThat(sql(
                                "SELECT status || ' ' || coalesce(error_code, '-') FROM ai_invocations WHERE id = $1",
                                Tuple.of(abandoned))
                        .iterator()
                        .next()
                        .getString(0))
                .isEqualTo("failed abandoned");
        assertThat(status(running)).isEqualTo("streaming");
        assertThat(status(finished)).isEqualTo("succeeded");
        assertThat(run("abandoned-answers").getLong("rowsAffected")).isZero();
    }

    @Test
    void presenceOfDeadReplicasIsPruned() {
        UUID user = user();
        UUID chat = chat(user, null);
        UUID dead = presence(chat, user, "now() - interval '10 minutes'");
        UUID alive = presence(chat, user, "now()");

        assertThat(run("prune-presence").getLong("rowsAffected")).isGreaterThanOrEqualTo(1);
        assertThat(exists("presence", dead)).isFalse();
        assertThat(exists("presence", alive)).isTrue();
        assertThat(run("prune-presence").getLong("rowsAffected")).isZero();
    }

    @Test
    void rateLimitWindowsLongOverArePruned() {
        String subject = UUID.randomUUID().toString();
        sql(
                "INSERT INTO rate_limit_counters (bucket, subject, window_start, hits) VALUES"
                        + " ('test', $1, now() - interval '2 hours', 5), ('test', $1, now(), 1)",
                Tuple.of(subject));

        assertThat(run("prune-rate-limits").getLong("rowsAffected")).isGreaterThanOrEqualTo(1);
        assertThat(sql("SELECT count(*) FROM rate_limit_counters WHERE subject = $1", Tuple.of(subject))
                        .iterator()
                        .next()
                        .getLong(0))
                .isEqualTo(1);
        assertThat(run("prune-rate-limits").getLong("rowsAffected")).isZero();
    }

    @Test
    void retentionRemovesSoftDeletedMessagesAfterTheGraceAndMessagesPastTheChatsRetention() {
        UUID user = user();
        UUID keepForever = chat(user, null);
        UUID oneDay = chat(user, 1);
        UUID deletedLongAgo = message(keepForever, user, "now() - interval '30 days'", "now() - interval '8 days'");
        UUID deletedRecently = message(keepForever, user, "now() - interval '30 days'", "now() - interval '1 day'");
        UUID oldButKept = message(keepForever, user, "now() - interval '30 days'", null);
        UUID pastRetention = message(oneDay, user, "now() - interval '2 days'", null);
        UUID withinRetention = message(oneDay, user, "now() - interval '1 hour'", null);

        JsonPath first = run("message-retention");
        assertThat(first.getLong("details.softDeleted")).isGreaterThanOrEqualTo(1);
        assertThat(first.getLong("details.pastRetention")).isGreaterThanOrEqualTo(1);
        assertThat(exists("messages", deletedLongAgo)).isFalse();
        assertThat(exists("messages", pastRetention)).isFalse();
        assertThat(exists("messages", deletedRecently)).isTrue();
        assertThat(exists("messages", oldButKept)).isTrue();
        assertThat(exists("messages", withinRetention)).isTrue();
        assertThat(run("message-retention").getLong("rowsAffected")).isZero();
    }

    @Test
    void retentionDeletes200000RowsInBatchesWhileWritersKeepWritingToTheSameChat() throws Exception {
        UUID user = user();
        UUID chat = chat(user, null);
        sql("""
                WITH rows AS (
                    INSERT INTO messages (id, chat_id, seq, sender_id, role, content, created_at, deleted_at)
                    SELECT gen_random_uuid(), $1, n, $2, 'user', 'old', now() - interval '40 days',
                        now() - interval '30 days'
                    FROM generate_series(1, 200000) AS n
                    RETURNING 1)
                UPDATE chats SET last_message_seq = (SELECT count(*) FROM rows) WHERE id = $1""", Tuple.of(chat, user));

        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        AtomicInteger written = new AtomicInteger();
        ExecutorService background = Executors.newSingleThreadExecutor();
        CompletableFuture<JsonPath> retention =
                CompletableFuture.supplyAsync(() -> run("message-retention"), background);
        while (!retention.isDone()) {
            try {
                sql("""
                        WITH next AS (
                            UPDATE chats SET last_message_seq = last_message_seq + 1 WHERE id = $1
                            RETURNING last_message_seq)
                        INSERT INTO messages (id, chat_id, seq, sender_id, role, content)
                        SELECT $3, $1, next.last_message_seq, $2, 'user', 'still writing' FROM next""", Tuple.of(chat, user, UUID.randomUUID()));
                written.incrementAndGet();
            } catch (Throwable e) {
                writeFailure.set(e);
                break;
            }
        }

        JsonPath run = retention.get();
        background.shutdown();
        assertThat(writeFailure.get()).isNull();
        assertThat(run.getString("status")).isEqualTo("succeeded");
        assertThat(run.getLong("details.softDeleted")).isGreaterThanOrEqualTo(200_000);
        assertThat(written.get()).as("messages stored while the job ran").isPositive();
        assertThat(sql("SELECT count(*) FROM messages WHERE chat_id = $1", Tuple.of(chat))
                        .iterator()
                        .next()
                        .getLong(0))
                .isEqualTo(written.get());
    }

    @Test
    void theUsageRollupGivesTheSameRowsWhenRunTwice() {
        UUID user = user();
        UUID chat = chat(user, null);
        for (int i = 0; i < 3; i++) {
            message(chat, user, "now()", null);
        }
        sql(
                "INSERT INTO ai_invocations (id, chat_id, requested_by, status, provider, model, input_tokens,"
                        + " output_tokens) VALUES (gen_random_uuid(), $1, $2, 'succeeded', 'local', 'echo', 100, 40)",
                Tuple.of(chat, user));

        run("usage-rollup");
        List<String> first = usage(chat, user);
        run("usage-rollup");
        assertThat(usage(chat, user)).isEqualTo(first);
        assertThat(first).containsExactly("chat 3 1 100 40", "user 3 1 100 40");
    }

    @Test
    void theHealthSnapshotRecordsSizeGrowthAndConnectionsIntoTheRunAndMetrics() {
        run("database-health");
        JsonPath second = run("database-health");
        assertThat(second.getLong("details.databaseBytes")).isPositive();
        assertThat(second.getMap("details")).containsKey("growthBytes");
        assertThat(second.getInt("details.connections")).isPositive();
        assertThat(second.getInt("details.maxConnections")).isPositive();
        String metrics = io.restassured.RestAssured.get("/q/metrics")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        assertThat(metrics).contains("chorus_db_size_bytes", "chorus_db_connections", "chorus_cron_job_runs_total");
    }

    private JsonPath run(String job) {
        return secret().post("/cron/jobs/" + job)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    private List<String> usage(UUID chat, UUID user) {
        List<String> rows = new ArrayList<>();
        for (Row row : sql(
                "SELECT 'chat', messages, ai_invocations, ai_input_tokens, ai_output_tokens FROM usage_daily_chat"
                        + " WHERE chat_id = $1 AND day = (now() AT TIME ZONE 'UTC')::date"
                        + " UNION ALL SELECT 'user', messages, ai_invocations, ai_input_tokens, ai_output_tokens"
                        + " FROM usage_daily_user WHERE user_id = $2 AND day = (now() AT TIME ZONE 'UTC')::date",
                Tuple.of(chat, user))) {
            rows.add(row.getString(0) + " " + row.getLong(1) + " " + row.getLong(2) + " " + row.getLong(3) + " "
                    + row.getLong(4));
        }
        return rows;
    }

    private UUID user() {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, 'Tester', 'x')",
                Tuple.of(id, id + "@example.com"));
        return id;
    }

    private UUID chat(UUID owner, Integer retentionDays) {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO chats (id, name, created_by, retention_days) VALUES ($1, 'jobs', $2, $3)",
                Tuple.of(id, owner, retentionDays));
        return id;
    }

    private UUID session(UUID user, String expiresAt, String revokedAt) {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO sessions (id, user_id, family_id, token_hash, expires_at, revoked_at) VALUES ($1, $2, $1,"
                        + " decode(replace($1::text, '-', ''), 'hex'), " + expiresAt + ", "
                        + (revokedAt == null ? "NULL" : revokedAt) + ")",
                Tuple.of(id, user));
        return id;
    }

    private UUID invite(UUID chat, String expiresAt, Integer maxUses, int uses) {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO invites (id, chat_id, code, max_uses, uses, expires_at) VALUES ($1, $2, $3, $4, $5, "
                        + (expiresAt == null ? "NULL" : expiresAt) + ")",
                Tuple.of(id, chat, id.toString(), maxUses, uses));
        return id;
    }

    private UUID presence(UUID chat, UUID user, String heartbeatAt) {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO presence (id, chat_id, user_id, node_id, connection_id, heartbeat_at) VALUES ($1, $2, $3,"
                        + " 'ws-test', $4, " + heartbeatAt + ")",
                Tuple.of(id, chat, user, id.toString()));
        return id;
    }

    /** Appends like MessageLog (next seq of the chat), with the given creation and deletion times. */
    private UUID message(UUID chat, UUID sender, String createdAt, String deletedAt) {
        UUID id = UUID.randomUUID();
        sql(
                "WITH next AS (UPDATE chats SET last_message_seq = last_message_seq + 1 WHERE id = $2"
                        + " RETURNING last_message_seq)"
                        + " INSERT INTO messages (id, chat_id, seq, sender_id, role, content, created_at, deleted_at)"
                        + " SELECT $1, $2, next.last_message_seq, $3, 'user', 'hi', " + createdAt + ", "
                        + (deletedAt == null ? "NULL" : deletedAt) + " FROM next",
                Tuple.of(id, chat, sender));
        return id;
    }

    private UUID invocation(UUID chat, UUID user, String status, String createdAt) {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO ai_invocations (id, chat_id, requested_by, status, provider, model, created_at)"
                        + " VALUES ($1, $2, $3, $4, 'local', 'test', " + createdAt + ")",
                Tuple.of(id, chat, user, status));
        return id;
    }

    private String status(UUID invocation) {
        return sql("SELECT status FROM ai_invocations WHERE id = $1", Tuple.of(invocation))
                .iterator()
                .next()
                .getString(0);
    }

    private boolean exists(String table, UUID id) {
        return sql("SELECT 1 FROM " + table + " WHERE id = $1", Tuple.of(id)).rowCount() == 1;
    }

    private boolean expired(UUID invite) {
        return sql("SELECT 1 FROM invites WHERE id = $1 AND expired_at IS NOT NULL", Tuple.of(invite))
                        .rowCount()
                == 1;
    }

    private RowSet<Row> sql(String statement, Tuple arguments) {
        return pool.preparedQuery(statement).execute(arguments).await().indefinitely();
    }
}
