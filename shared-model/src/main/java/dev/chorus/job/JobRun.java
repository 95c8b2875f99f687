package dev.chorus.job;

import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One run of a maintenance job, recorded whatever its outcome. */
@Entity
@Table(name = "job_runs")
public class JobRun extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String job;

    @Column(nullable = false)
    public JobTrigger trigger;

    /** The replica that ran it. */
    @Column(nullable = false)
    public String node;

    @Column(name = "started_at", nullable = false)
    public Instant startedAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(nullable = false)
    public JobRunStatus status;

    @Column(name = "rows_affected")
    public Long rowsAffected;

    public String error;

    protected JobRun() {}

    public JobRun(String job, JobTrigger trigger, String node, JobRunStatus status) {
        this.id = UuidV7.next();
        this.job = job;
        this.trigger = trigger;
        this.node = node;
        this.status = status;
        this.startedAt = Instant.now();
    }
}
