package dev.chorus.bench;

import dev.chorus.local.EmbeddedDatabase;
import dev.chorus.local.ServiceProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How every benchmark starts the packaged services it measures. */
final class BenchServices {

    private final Path root;
    private final Path work;

    BenchServices(Path root, Path work) {
        this.root = root;
        this.work = work;
    }

    /**
     * What every service needs, with the limits that would otherwise be measured instead of the service: per-address
     * REST limits, the per-connection send rate, and a token that outlives the longest run. The first service started
     * applies the migrations.
     */
    static Map<String, String> environment(EmbeddedDatabase database) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DATABASE_URL", database.databaseUrl());
        environment.put("CHORUS_AUTH_JWT_SECRET", "benchmark-secret-0123456789abcdefghijklmnopqrstuv");
        environment.put("CHORUS_DATABASE_MIGRATE", "at-start");
        environment.put("CHORUS_RATE_LIMIT_ENABLED", "false");
        environment.put("CHORUS_AUTH_ACCESS_TOKEN_TTL", "2h");
        environment.put("CHORUS_WS_SEND_RATE", "1000000");
        environment.put("CHORUS_WS_SEND_BURST", "1000000");
        environment.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        return environment;
    }

    /**
     * Starts {@code service}'s packaged jar as {@code name} and waits until it is ready. With CHORUS_BENCH_PROFILE set,
     * it records a JFR profile next to its log; CHORUS_BENCH_JVM_OPTIONS (space-separated) go to every service's JVM,
     * not to the load generator's.
     */
    ServiceProcess start(String service, String name, Map<String, String> environment) throws InterruptedException {
        List<String> jvmOptions = new ArrayList<>(extraJvmOptions());
        if (profiling()) {
            jvmOptions.add("-XX:StartFlightRecording=settings=profile,filename=" + work.resolve(name + ".jfr"));
        }
        ServiceProcess process = ServiceProcess.start(
                name,
                root.resolve(service + "/target/quarkus-app/quarkus-run.jar"),
                0,
                environment,
                work.resolve(name + ".log"),
                jvmOptions);
        process.awaitHttpOk("/q/health/ready", Duration.ofSeconds(90));
        return process;
    }

    static boolean profiling() {
        return System.getenv("CHORUS_BENCH_PROFILE") != null;
    }

    /**
     * The benchmark's PostgreSQL: durable (PostgreSQL's defaults) or trading durability for speed. With
     * CHORUS_BENCH_PROFILE set, it also keeps statement statistics for {@link #writeStatementProfile}.
     */
    static EmbeddedDatabase database(Path work, boolean durable) {
        return EmbeddedDatabase.start(
                work.resolve("postgres"),
                0,
                !durable,
                profiling() ? Map.of("shared_preload_libraries", "pg_stat_statements") : Map.of());
    }

    /**
     * With CHORUS_BENCH_PROFILE set, writes the statements that took the server's time since the last call, the
     * costliest first, to {@code statements-<phase>.txt} next to the services' profiles; otherwise does nothing.
     */
    void writeStatementProfile(EmbeddedDatabase database, String phase) throws Exception {
        if (!profiling()) {
            return;
        }
        StringBuilder profile = new StringBuilder("total ms | calls | mean ms | rows | statement\n");
        try (Connection connection = DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres", "postgres", "postgres");
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
            try (ResultSet rows = statement.executeQuery(STATEMENT_PROFILE)) {
                while (rows.next()) {
                    profile.append(String.format(
                            "%.1f | %d | %.3f | %d | %s%n",
                            rows.getDouble(1), rows.getLong(2), rows.getDouble(3), rows.getLong(4), rows.getString(5)));
                }
            }
            statement.execute("SELECT pg_stat_statements_reset()");
        }
        Files.writeString(work.resolve("statements-" + phase + ".txt"), profile);
    }

    private static final String STATEMENT_PROFILE = """
            SELECT total_exec_time, calls, mean_exec_time, rows, regexp_replace(query, '\\s+', ' ', 'g')
            FROM pg_stat_statements
            ORDER BY total_exec_time DESC
            LIMIT 20""";

    /**
     * The CPU time {@code service} has used so far. This machine's speed varies by the hour; a service's CPU per
     * request or message compares builds where throughput and latency cannot.
     */
    static Duration cpuTime(ServiceProcess service) {
        return ProcessHandle.of(service.pid())
                .flatMap(process -> process.info().totalCpuDuration())
                .orElseThrow(() -> new IllegalStateException(service.name() + " reports no CPU time"));
    }

    /** CHORUS_BENCH_JVM_OPTIONS, space-separated: options for the services' JVMs, not the load generator's. */
    static List<String> extraJvmOptions() {
        String extra = System.getenv("CHORUS_BENCH_JVM_OPTIONS");
        return extra == null || extra.isBlank()
                ? List.of()
                : List.of(extra.strip().split("\\s+"));
    }
}
