package dev.chorus.job;

import io.smallrye.mutiny.Uni;

/** A maintenance job. Implementations are CDI beans; the runner gives each one run at a time across replicas. */
public interface Job {

    /** The name in URLs, schedules and run records, e.g. "message-retention". */
    String name();

    /** What the job does, for GET /cron/jobs. */
    String description();

    /**
     * Does the work. A job that works in batches checks {@link JobContext#timeLeft()} between them, so that a
     * timed-out run stops instead of running on in the background.
     */
    Uni<JobResult> run(JobContext context);
}
