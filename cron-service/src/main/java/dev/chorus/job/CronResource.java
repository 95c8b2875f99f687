package dev.chorus.job;

import dev.chorus.problem.ApiException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.resteasy.reactive.RestPath;

/**
 * Triggers and the job list. A run answers 200 when it succeeded or was skipped (another replica is running it), 500
 * when it failed or timed out, so that Cloud Scheduler counts and retries it; maintenance answers 207 when some
 * jobs failed.
 */
@Path("/cron")
public class CronResource {

    private static final int MULTI_STATUS = 207;

    private final Jobs jobs;
    private final JobRunner runner;
    private final CronSchedule schedule;

    public CronResource(Jobs jobs, JobRunner runner, CronSchedule schedule) {
        this.jobs = jobs;
        this.runner = runner;
        this.schedule = schedule;
    }

    public record JobView(
            String name, String description, Duration timeout, String schedule, List<RunOutcome> lastRuns) {}

    public record MaintenanceReport(boolean succeeded, List<RunOutcome> runs) {}

    @GET
    @Path("jobs")
    public Uni<List<JobView>> list() {
        return Multi.createFrom()
                .iterable(jobs.all())
                .onItem()
                .transformToUniAndConcatenate(job -> runner.recent(job.name(), 5)
                        .map(runs -> new JobView(
                                job.name(),
                                job.description(),
                                runner.timeout(job),
                                schedule.expression(job).orElse(null),
                                runs)))
                .collect()
                .asList();
    }

    @POST
    @Path("jobs/{name}")
    public Uni<Response> run(@RestPath String name, @Context ContainerRequestContext request) {
        Job job = jobs.find(name).orElseThrow(() -> ApiException.notFound("No job is named '" + name + "'."));
        return runner.run(job, trigger(request)).map(outcome -> Response.status(outcome.failed() ? 500 : 200)
                .entity(outcome)
                .build());
    }

    @POST
    @Path("maintenance")
    public Uni<Response> maintenance(@Context ContainerRequestContext request) {
        JobTrigger trigger = trigger(request);
        return Multi.createFrom()
                .iterable(jobs.all())
                .onItem()
                .transformToUniAndConcatenate(job -> runner.run(job, trigger))
                .collect()
                .asList()
                .map(runs -> {
                    boolean succeeded = runs.stream().noneMatch(RunOutcome::failed);
                    return Response.status(succeeded ? 200 : MULTI_STATUS)
                            .entity(new MaintenanceReport(succeeded, runs))
                            .build();
                });
    }

    private static JobTrigger trigger(ContainerRequestContext request) {
        return Optional.ofNullable((JobTrigger) request.getProperty(TriggerAuthentication.TRIGGER_PROPERTY))
                .orElseThrow(() -> ApiException.unauthorized("Not authenticated."));
    }
}
