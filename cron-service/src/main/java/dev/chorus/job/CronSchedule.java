package dev.chorus.job;

import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The in-process schedule, for running without Cloud Scheduler or Railway: each job with a cron expression in
 * configuration runs on it, when {@code chorus.cron.schedule-enabled} is true. Single-flight still holds, so
 * several replicas with the same schedule run each job once per tick.
 */
@ApplicationScoped
public class CronSchedule {

    private static final Logger LOG = Logger.getLogger(CronSchedule.class);

    private final Jobs jobs;
    private final JobRunner runner;
    private final CronConfig config;
    private final Scheduler scheduler;

    public CronSchedule(Jobs jobs, JobRunner runner, CronConfig config, Scheduler scheduler) {
        this.jobs = jobs;
        this.runner = runner;
        this.config = config;
        this.scheduler = scheduler;
    }

    public Optional<String> expression(Job job) {
        CronConfig.JobSettings settings = config.jobs().get(job.name());
        return settings == null ? Optional.empty() : settings.schedule();
    }

    void start(@Observes StartupEvent event) {
        if (!config.scheduleEnabled()) {
            return;
        }
        for (Job job : jobs.all()) {
            expression(job).ifPresent(cron -> {
                scheduler
                        .newJob("chorus-" + job.name())
                        .setCron(cron)
                        .setAsyncTask(execution ->
                                runner.run(job, JobTrigger.SCHEDULE).replaceWithVoid())
                        .schedule();
                LOG.infof("Scheduled %s at '%s'", job.name(), cron);
            });
        }
    }
}
