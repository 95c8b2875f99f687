package dev.chorus.database;

import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when the database answers and its schema serves this build. */
@Readiness
@ApplicationScoped
public class DatabaseReadinessCheck implements AsyncHealthCheck {

    public static final String NAME = "database";

    private final DatabaseProbe probe;

    public DatabaseReadinessCheck(DatabaseProbe probe) {
        this.probe = probe;
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        return probe.probe().map(status -> {
            var response = HealthCheckResponse.named(NAME)
                    .status(status.isUp())
                    .withData("state", status.state().name().toLowerCase(java.util.Locale.ROOT))
                    .withData("requiredSchemaVersion", Schema.VERSION);
            if (status.schemaVersion() != null) {
                response.withData("schemaVersion", status.schemaVersion());
            }
            if (!status.isUp()) {
                response.withData("detail", status.describe());
            }
            return response.build();
        });
    }
}
