package dev.chorus.job;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * One-shot mode for Railway's cron model: with {@code CHORUS_CRON_RUN_ONCE=<job>} (or {@code maintenance}) the
 * service runs that job once at start, then exits with 0 when it succeeded or was skipped and 1 otherwise.
 */
@ApplicationScoped
public class RunOnce {

    public static final String MAINTENANCE = "maintenance";

    private static final Logger LOG = Logger.getLogger(RunOnce.class);

    private final Jobs jobs;
    private final JobRunner runner;
    private final CronConfig config;

    public RunOnce(Jobs jobs, JobRunner runner, CronConfig config) {
        this.jobs = jobs;
        this.runner = runner;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        config.runOnce().ifPresent(name -> {
            List<Job> selected = name.equals(MAINTENANCE)
                    ? List.copyOf(jobs.all())
                    : jobs.find(name).map(List::of).orElse(List.of());
            if (selected.isEmpty()) {
                LOG.errorf(
                        "No job is named '%s'; the jobs are %s",
                        name, jobs.all().stream().map(Job::name).toList());
                Quarkus.asyncExit(1);
                return;
            }
            io.smallrye.mutiny.Multi.createFrom()
                    .iterable(selected)
                    .onItem()
                    .transformToUniAndConcatenate(job -> runner.run(job, JobTrigger.ONCE))
                    .collect()
                    .asList()
                    .subscribe()
                    .with(runs -> Quarkus.asyncExit(runs.stream().anyMatch(RunOutcome::failed) ? 1 : 0), failure -> {
                        LOG.error("The one-shot run failed", failure);
                        Quarkus.asyncExit(1);
                    });
        });
    }
}
