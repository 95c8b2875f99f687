package dev.chorus.job.jobs;

import dev.chorus.job.Job;
import dev.chorus.job.JobContext;
import dev.chorus.job.JobResult;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class InviteExpiryJob implements Job {

    private static final String EXPIRE = """
            UPDATE invites SET expired_at = now()
            WHERE expired_at IS NULL AND revoked_at IS NULL
              AND (expires_at < now() OR (max_uses IS NOT NULL AND uses >= max_uses))""";

    private final Pool pool;

    public InviteExpiryJob(Pool pool) {
        this.pool = pool;
    }

    @Override
    public String name() {
        return "expire-invites";
    }

    @Override
    public String description() {
        return "Marks invites past their expiry date or with every use taken as expired.";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        return pool.query(EXPIRE).execute().map(rows -> JobResult.rows(rows.rowCount()));
    }
}
