package dev.chorus.observability;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The reactive pool's configured size, next to Vert.x's own pool metrics (connections in use, waiting requests),
 * so that saturation is a ratio an alert can use.
 */
@Startup
@ApplicationScoped
public class PoolCapacity {

    public PoolCapacity(
            MeterRegistry metrics, @ConfigProperty(name = "quarkus.datasource.reactive.max-size") int maxSize) {
        Gauge.builder("chorus.db.pool.max.size", () -> maxSize)
                .description("The most connections the service's reactive pool opens")
                .register(metrics);
    }
}
