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
public class PresencePruneJob implements Job {

    private static final String PRUNE = "DELETE FROM presence WHERE heartbeat_at < now() - make_interval(secs => $1)";

    private final Pool pool;
    private final CronConfig config;

    public PresencePruneJob(Pool pool, CronConfig config) {
        this.pool = pool;
        this.config = config;
    }

    @Override
    public String name() {
        return "prune-presence";
    }

    @Override
    public String description() {
        return "Deletes presence rows left by ws-service replicas that stopped sending heartbeats.";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        return pool.preparedQuery(PRUNE)
                .execute(Tuple.of(config.presenceStaleAfter().toSeconds()))
                .map(rows -> JobResult.rows(rows.rowCount()));
    }
}
