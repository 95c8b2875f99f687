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
public class RateLimitPruneJob implements Job {

    private static final String PRUNE =
            "DELETE FROM rate_limit_counters WHERE window_start < now() - make_interval(secs => $1)";

    private final Pool pool;
    private final CronConfig config;

    public RateLimitPruneJob(Pool pool, CronConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Override
    public String name() {
        return "prune-rate-limits";
    }

    @Override
    public String description() {
        return "Deletes api-service rate-limit counters of windows long over.";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        return pool.preparedQuery(PRUNE)
                .execute(Tuple.of(config.rateLimitKeep().toSeconds()))
                .map(rows -> JobResult.rows(rows.rowCount()));
    }
}
