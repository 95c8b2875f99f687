package dev.chorus.job;

import dev.chorus.id.UuidV7;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.opentelemetry.instrumentation.annotations.SpanAttribute;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs a job once at a time across every replica and records every run. The run record is the lock: a partial
 * unique index allows one {@code running} row per job, so a second trigger's insert finds the first and is
 * recorded as skipped. Nothing is held on a pooled connection between statements, so the lock survives any
 * connection pooling; a replica that dies mid-run leaves a deadline after which the next trigger takes over.
 */
@ApplicationScoped
public class JobRunner {

    private static final Logger LOG = Logger.getLogger(JobRunner.class);

    /** How long past its timeout a running row may stay before another replica treats its owner as dead. */
    private static final Duration ABANDON_GRACE = Duration.ofSeconds(30);

    private static final String ABANDON = """
            UPDATE job_runs SET status = 'failed', finished_at = now(),
                error = 'abandoned: the replica running it stopped before its deadline'
            WHERE job = $1 AND status = 'running' AND deadline_at < now()""";
    private static final String START = """
            INSERT INTO job_runs (id, job, trigger, node, status, started_at, deadline_at)
            VALUES ($1, $2, $3, $4, 'running', now(), now() + make_interval(secs => $5))
            ON CONFLICT (job) WHERE status = 'running' DO NOTHING
            RETURNING started_at""";
    private static final String SKIP = """
            INSERT INTO job_runs (id, job, trigger, node, status, started_at, finished_at, error)
            VALUES ($1, $2, $3, $4, 'skipped', now(), now(), 'a run of this job was still running')
            RETURNING started_at""";
    private static final String FINISH = """
            UPDATE job_runs SET status = $2, finished_at = now(), rows_affected = $3, error = $4, details = $5
            WHERE id = $1 RETURNING finished_at""";
    private static final String RECENT = """
            SELECT id, job, trigger, node, status, started_at, finished_at, rows_affected, error, details
            FROM job_runs WHERE job = $1 ORDER BY started_at DESC LIMIT $2""";

    private final Pool pool;
    private final CronConfig config;
    private final MeterRegistry metrics;
    private final String node;

    public JobRunner(Pool pool, CronConfig config, MeterRegistry metrics) {
        this.pool = pool;
        this.config = config;
        this.metrics = metrics;
        this.node = hostName() + "-" + UuidV7.next().toString().substring(24);
    }

    public Duration timeout(Job job) {
        CronConfig.JobSettings settings = config.jobs().get(job.name());
        return settings != null && settings.timeout().isPresent()
                ? settings.timeout().get()
                : config.defaultTimeout();
    }

    @WithSpan("job.run")
    public Uni<RunOutcome> run(@SpanAttribute("job") Job job, JobTrigger trigger) {
        UUID runId = UuidV7.next();
        Duration timeout = timeout(job);
        String triggerName = trigger.name().toLowerCase(Locale.ROOT);
        return pool.preparedQuery(ABANDON)
                .execute(Tuple.of(job.name()))
                .chain(() -> pool.preparedQuery(START)
                        .execute(Tuple.of(runId, job.name(), triggerName, node, timeout.toMillis() / 1000.0)))
                .chain(started -> {
                    if (!started.iterator().hasNext()) {
                        return pool.preparedQuery(SKIP)
                                .execute(Tuple.of(runId, job.name(), triggerName, node))
                                .map(rows -> {
                                    Instant at = instant(rows.iterator().next().getOffsetDateTime(0));
                                    count(job, JobRunStatus.SKIPPED);
                                    return new RunOutcome(
                                            runId,
                                            job.name(),
                                            trigger,
                                            node,
                                            JobRunStatus.SKIPPED,
                                            at,
                                            at,
                                            null,
                                            "a run of this job was still running",
                                            null);
                                });
                    }
                    Instant startedAt = instant(started.iterator().next().getOffsetDateTime(0));
                    return execute(job, runId, trigger, startedAt, timeout);
                });
    }

    /** The newest runs of a job, newest first. */
    public Uni<List<RunOutcome>> recent(String job, int limit) {
        return pool.preparedQuery(RECENT).execute(Tuple.of(job, limit)).map(this::outcomes);
    }

    private Uni<RunOutcome> execute(Job job, UUID runId, JobTrigger trigger, Instant startedAt, Duration timeout) {
        Timer.Sample sample = Timer.start(metrics);
        JobContext context = new JobContext(Instant.now().plus(timeout));
        return Uni.createFrom()
                .deferred(() -> job.run(context))
                .ifNoItem()
                .after(timeout)
                .failWith(TimeoutException::new)
                .map(result -> new Finished(JobRunStatus.SUCCEEDED, result, null))
                .onFailure()
                .recoverWithItem(failure -> {
                    if (failure instanceof TimeoutException) {
                        return new Finished(JobRunStatus.TIMED_OUT, null, "timed out after " + timeout);
                    }
                    LOG.errorf(failure, "Job %s failed", job.name());
                    return new Finished(JobRunStatus.FAILED, null, String.valueOf(failure.getMessage()));
                })
                .chain(finished -> record(job, runId, trigger, startedAt, finished))
                .invoke(outcome -> {
                    sample.stop(metrics.timer("chorus.cron.job.duration", "job", job.name()));
                    count(job, outcome.status());
                    LOG.infof(
                            "Job %s %s (%s rows)%s",
                            job.name(),
                            outcome.status().name().toLowerCase(Locale.ROOT),
                            outcome.rowsAffected(),
                            outcome.error() == null ? "" : ": " + outcome.error());
                });
    }

    private record Finished(JobRunStatus status, JobResult result, String error) {}

    private Uni<RunOutcome> record(Job job, UUID runId, JobTrigger trigger, Instant startedAt, Finished finished) {
        Long rows = finished.result() == null ? null : finished.result().rowsAffected();
        Map<String, Object> details =
                finished.result() == null ? null : finished.result().details();
        return pool.preparedQuery(FINISH)
                .execute(Tuple.of(
                        runId,
                        finished.status().name().toLowerCase(Locale.ROOT),
                        rows,
                        finished.error(),
                        details == null ? null : new JsonObject(details)))
                .map(updated -> new RunOutcome(
                        runId,
                        job.name(),
                        trigger,
                        node,
                        finished.status(),
                        startedAt,
                        instant(updated.iterator().next().getOffsetDateTime(0)),
                        rows,
                        finished.error(),
                        details));
    }

    private void count(Job job, JobRunStatus status) {
        metrics.counter(
                        "chorus.cron.job.runs",
                        "job",
                        job.name(),
                        "status",
                        status.name().toLowerCase(Locale.ROOT))
                .increment();
    }

    private List<RunOutcome> outcomes(RowSet<Row> rows) {
        List<RunOutcome> outcomes = new ArrayList<>();
        for (Iterator<Row> it = rows.iterator(); it.hasNext(); ) {
            Row row = it.next();
            Object details = row.getValue("details");
            outcomes.add(new RunOutcome(
                    row.getUUID("id"),
                    row.getString("job"),
                    JobTrigger.valueOf(row.getString("trigger").toUpperCase(Locale.ROOT)),
                    row.getString("node"),
                    JobRunStatus.valueOf(row.getString("status").toUpperCase(Locale.ROOT)),
                    instant(row.getOffsetDateTime("started_at")),
                    instant(row.getOffsetDateTime("finished_at")),
                    row.getLong("rows_affected"),
                    row.getString("error"),
                    details instanceof JsonObject object ? object.getMap() : null));
        }
        return outcomes;
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static String hostName() {
        String fromPlatform = System.getenv("HOSTNAME");
        if (fromPlatform != null && !fromPlatform.isBlank()) {
            return fromPlatform;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "cron";
        }
    }
}
