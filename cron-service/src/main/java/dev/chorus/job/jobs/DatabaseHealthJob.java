package dev.chorus.job.jobs;

import dev.chorus.job.Job;
import dev.chorus.job.JobContext;
import dev.chorus.job.JobResult;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Records the database's size, its growth since the last snapshot, connections in use against max_connections,
 * and replication lag where a replica streams from it; into the run record, a table, and metrics.
 */
@ApplicationScoped
public class DatabaseHealthJob implements Job {

    private static final String MEASURE = """
            SELECT pg_database_size(current_database()) AS database_bytes,
                   (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections,
                   current_setting('max_connections')::int AS max_connections,
                   (SELECT max(extract(epoch FROM replay_lag)) FROM pg_stat_replication) AS replication_lag,
                   previous.database_bytes AS previous_bytes,
                   extract(epoch FROM now() - previous.taken_at) AS since_previous
            FROM (SELECT 1) AS one
            LEFT JOIN LATERAL (
                SELECT database_bytes, taken_at FROM database_health_snapshots ORDER BY taken_at DESC LIMIT 1
            ) AS previous ON true""";
    private static final String RECORD = """
            INSERT INTO database_health_snapshots
                (taken_at, database_bytes, connections, max_connections, replication_lag_seconds)
            VALUES (clock_timestamp(), $1, $2, $3, $4)""";
    private static final String FORGET_OLD =
            "DELETE FROM database_health_snapshots WHERE taken_at < now() - interval '90 days'";

    private final Pool pool;
    private volatile Map<String, Object> latest = Map.of();

    public DatabaseHealthJob(Pool pool, MeterRegistry metrics) {
        this.pool = pool;
        gauge(metrics, "chorus.db.size.bytes", "databaseBytes", "Database size at the last health snapshot");
        gauge(metrics, "chorus.db.connections", "connections", "Client connections at the last health snapshot");
        gauge(metrics, "chorus.db.max.connections", "maxConnections", "The server's max_connections");
        gauge(metrics, "chorus.db.replication.lag.seconds", "replicationLagSeconds", "Replay lag of the replicas");
    }

    @Override
    public String name() {
        return "database-health";
    }

    @Override
    public String description() {
        return "Snapshots database size and growth, connections against max_connections, and replication lag.";
    }

    @Override
    public Uni<JobResult> run(JobContext context) {
        return pool.query(MEASURE).execute().chain(rows -> {
            Row row = rows.iterator().next();
            long bytes = row.getLong("database_bytes");
            int connections = row.getLong("connections").intValue();
            int maxConnections = row.getInteger("max_connections");
            Double lag = row.getDouble("replication_lag");
            Long previous = row.getLong("previous_bytes");
            Map<String, Object> snapshot = new LinkedHashMap<>();
            snapshot.put("databaseBytes", bytes);
            snapshot.put("growthBytes", previous == null ? null : bytes - previous);
            snapshot.put("sinceSeconds", row.getDouble("since_previous"));
            snapshot.put("connections", connections);
            snapshot.put("maxConnections", maxConnections);
            snapshot.put("connectionUse", (double) connections / maxConnections);
            snapshot.put("replicationLagSeconds", lag);
            snapshot.values().removeIf(java.util.Objects::isNull);
            return pool.preparedQuery(RECORD)
                    .execute(io.vertx.mutiny.sqlclient.Tuple.of(bytes, connections, maxConnections, lag))
                    .chain(() -> pool.query(FORGET_OLD).execute())
                    .map(ignored -> {
                        latest = snapshot;
                        return new JobResult(1, snapshot);
                    });
        });
    }

    private void gauge(MeterRegistry metrics, String name, String key, String description) {
        Gauge.builder(
                        name,
                        this,
                        job -> job.latest.get(key) instanceof Number number ? number.doubleValue() : Double.NaN)
                .description(description)
                .register(metrics);
    }
}
