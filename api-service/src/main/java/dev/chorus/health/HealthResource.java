package dev.chorus.health;

import io.smallrye.health.SmallRyeHealthReporter;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {

    private final SmallRyeHealthReporter reporter;

    public HealthResource(SmallRyeHealthReporter reporter) {
        this.reporter = reporter;
    }

    /** Liveness for load balancers and platforms: the process serves HTTP. Touches no dependency. */
    @GET
    @Path("health")
    public Liveness live() {
        return Liveness.UP;
    }

    /** Each dependency's state, from the same checks as /q/health/ready: 200 when all are up, 503 otherwise. */
    @GET
    @Path("api/health")
    public Uni<Response> dependencies() {
        return reporter.getReadinessAsync().map(health -> Response.status(health.isDown() ? 503 : 200)
                .entity(health.getPayload().toString())
                .build());
    }
}
