package dev.chorus.job.jobs;

import dev.chorus.job.Job;
import dev.chorus.job.JobContext;
import dev.chorus.job.JobResult;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Rebuilds the daily usage rows of yesterday and today (UTC) from the messages and AI invocations. Each day is
 * replaced whole in one transaction, so running it twice gives the same rows.
 */
@ApplicationScoped
public class UsageRollupJob implements Job {

    private static final String DAY_BOUNDS = """
            WITH bounds AS (SELECT ($1::date)::timestamp AT TIME ZONE 'UTC' AS day_start,
                                   ($1::date + 1)::timestamp AT TIME ZONE 'UTC' AS day_end)
            """;
    private static final String CHATS = DAY_BOUNDS + """
            INSERT INTO usage_daily_chat (day, chat_id, messages, ai_invocations, ai_input_tokens, ai_output_tokens)
            SELECT $1::date, chat_id, sum(messages), sum(invocations), sum(input_tokens), sum(output_tokens)
            FROM (
                SELECT m.chat_id, count(*) AS messages, 0 AS invocations, 0 AS input_tokens, 0 AS output_tokens
                FROM messages m, bounds b
                WHERE m.role = 'user' AND m.created_at >= b.day_start AND m.created_at < b.day_end
                GROUP BY m.chat_id
                UNION ALL
                SELECT a.chat_id, 0, count(*), coalesce(sum(a.input_tokens), 0), coalesce(sum(a.output_tokens), 0)
                FROM ai_invocations a, bounds b
                WHERE a.created_at >= b.day_start AND a.created_at < b.day_end
                GROUP BY a.chat_id) AS usage
            GROUP BY chat_id""";
    private static final String USERS = DAY_BOUNDS + """
            INSERT INTO usage_daily_user (day, user_id, messages, ai_invocations, ai_input_tokens, ai_output_tokens)
            SELECT $1::date, user_id, sum(messages), sum(invocations), sum(input_tokens), sum(output_tokens)
            FROM (
                SELECT m.sender_id AS user_id, count(*) AS messages, 0 AS invocations, 0 AS input_tokens,
                    0 AS output_tokens
                FROM messages m, bounds b
                WHERE m.role = 'user' AND m.sender_id IS NOT NULL
                  AND m.created_at >= b.day_start AND m.created_at < b.day_end
                GROUP BY m.sender_id
                UNION ALL
                SELECT a.requested_by, 0, count(*), coalesce(sum(a.input_tokens), 0), coalesce(sum(a.output_tokens), 0)
                FROM ai_invocations a, bounds b
                WHERE a.requested_by IS NOT NULL AND a.created_at >= b.day_start AND a.created_at < b.day_end
                GROUP BY a.requested_by) AS usage
            GROUP BY user_id""";

    private final Pool pool;

    public UsageRollupJob(Pool pool) {
        this.pool = pool;
    }

    @Override
    public String name() {
        return "usage-rollup";
    }

    @Override
    public String description() {
        return "Rebuilds yesterday's and today's usage per chat and per user (messages, AI invocations, tokens).";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        return rollUp(today.minusDays(1)).chain(yesterday -> rollUp(today)
                .map(rows -> new JobResult(
                        yesterday + rows,
                        Map.of("days", java.util.List.of(today.minusDays(1).toString(), today.toString())))));
    }

    /** Replaces one day's rows; the rows written. */
    public Uni<Long> rollUp(LocalDate day) {
        return pool.withTransaction(client -> replace(client, "usage_daily_chat", CHATS, day)
                .chain(chats -> replace(client, "usage_daily_user", USERS, day).map(users -> chats + users)));
    }

    private static Uni<Long> replace(SqlClient client, String table, String insert, LocalDate day) {
        return client.preparedQuery("DELETE FROM " + table + " WHERE day = $1")
                .execute(Tuple.of(day))
                .chain(() -> client.preparedQuery(insert).execute(Tuple.of(day)))
                .map(rows -> (long) rows.rowCount());
    }
}
