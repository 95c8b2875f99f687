package dev.chorus.health;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;

@Path("/health")
public class HealthResource {

    /** Liveness for load balancers and platforms: the process serves HTTP. Touches no dependency. */
    @GET
    public Liveness live() {
        return Liveness.UP;
    }
}
