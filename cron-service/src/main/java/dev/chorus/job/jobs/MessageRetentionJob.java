package dev.chorus.job.jobs;

import dev.chorus.job.CronConfig;
import dev.chorus.job.Job;
import dev.chorus.job.JobContext;
import dev.chorus.job.JobResult;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Hard-deletes messages in small batches, each its own short statement, so writers to the same chats never wait
 * long: rows another transaction holds are skipped and taken by a later run.
 */
@ApplicationScoped
public class MessageRetentionJob implements Job {

    private static final String DELETED_PAST_GRACE = """
            DELETE FROM messages WHERE id IN (
                SELECT id FROM messages
                WHERE deleted_at < now() - make_interval(secs => $1)
                LIMIT $2 FOR UPDATE SKIP LOCKED)""";
    private static final String PAST_RETENTION = """
            DELETE FROM messages WHERE id IN (
                SELECT m.id FROM messages m JOIN chats c ON c.id = m.chat_id
                WHERE c.retention_days IS NOT NULL
                  AND m.created_at < now() - make_interval(days => c.retention_days)
                LIMIT $1 FOR UPDATE OF m SKIP LOCKED)""";

    private final Pool pool;
    private final CronConfig config;

    public MessageRetentionJob(Pool pool, CronConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Override
    public String name() {
        return "message-retention";
    }

    @Override
    public String description() {
        return "Hard-deletes soft-deleted messages after the grace period, and messages older than their chat's "
                + "retention, in small batches.";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        int batch = config.retention().batchSize();
        Tuple deleted = Tuple.of(config.retention().deletedGrace().toSeconds(), batch);
        Tuple expired = Tuple.of(batch);
        return inBatches(DELETED_PAST_GRACE, deleted, batch, context, 0)
                .chain(softDeleted -> inBatches(PAST_RETENTION, expired, batch, context, 0)
                        .map(pastRetention -> new JobResult(
                                softDeleted + pastRetention,
                                Map.of("softDeleted", softDeleted, "pastRetention", pastRetention))));
    }

    private Uni<Long> inBatches(String statement, Tuple arguments, int batch, JobContext context, long sofar) {
        return pool.preparedQuery(statement).execute(arguments).chain(rows -> {
            long total = sofar + rows.rowCount();
            return rows.rowCount() == batch && context.timeLeft()
                    ? inBatches(statement, arguments, batch, context, total)
                    : Uni.createFrom().item(total);
        });
    }
}
