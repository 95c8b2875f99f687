package dev.chorus.job.jobs;

import dev.chorus.job.CronConfig;
import dev.chorus.job.Job;
import dev.chorus.job.JobContext;
import dev.chorus.job.JobResult;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ExpiredSessionsJob implements Job {

    private static final String DELETE = """
            DELETE FROM sessions
            WHERE expires_at < now() - make_interval(secs => $1)
               OR revoked_at < now() - make_interval(secs => $1)""";

    private final Pool pool;
    private final CronConfig config;

    public ExpiredSessionsJob(Pool pool, CronConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Override
    public String name() {
        return "expired-sessions";
    }

    @Override
    public String description() {
        return "Deletes refresh-token sessions that expired or were revoked (kept a day for auditing).";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        return pool.preparedQuery(DELETE)
                .execute(Tuple.of(config.sessionKeep().toSeconds()))
                .map(rows -> JobResult.rows(rows.rowCount()));
    }
}
