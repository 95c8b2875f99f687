package dev.chorus.observability;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.stream.Stream;

/**
 * Histogram buckets for every timer of HTTP routes and of Chorus itself, so that p50/p95/p99 are answerable from
 * Prometheus across replicas (client-side percentiles cannot be aggregated). A fixed set of buckets, from 1 ms to
 * two minutes (the assistant's answers), keeps the series per route small.
 */
@Singleton
public class MetricBuckets {

    static final double[] BUCKETS_NANOS = Stream.of(
                    Duration.ofMillis(1),
                    Duration.ofMillis(2),
                    Duration.ofMillis(5),
                    Duration.ofMillis(10),
                    Duration.ofMillis(25),
                    Duration.ofMillis(50),
                    Duration.ofMillis(100),
                    Duration.ofMillis(250),
                    Duration.ofMillis(500),
                    Duration.ofSeconds(1),
                    Duration.ofSeconds(2),
                    Duration.ofSeconds(5),
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(30),
                    Duration.ofSeconds(60),
                    Duration.ofSeconds(120))
            .mapToDouble(Duration::toNanos)
            .toArray();

    @Produces
    @Singleton
    public MeterFilter histogramBuckets() {
        return new MeterFilter() {
            @Override
            public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
                boolean ours = id.getName().equals("http.server.requests")
                        || id.getName().startsWith("chorus.");
                if (id.getType() != Meter.Type.TIMER || !ours) {
                    return config;
                }
                return DistributionStatisticConfig.builder()
                        .percentilesHistogram(false)
                        .serviceLevelObjectives(BUCKETS_NANOS)
                        .build()
                        .merge(config);
            }
        };
    }
}
