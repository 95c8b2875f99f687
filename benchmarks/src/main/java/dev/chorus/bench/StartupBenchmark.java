package dev.chorus.bench;

import dev.chorus.local.EmbeddedDatabase;
import dev.chorus.local.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up of each packaged service: the time from starting its process to the first ready health check (its
 * database up and its schema recent enough), and its resident memory at that moment. On the JVM, and on the JVM
 * with the JDK's AOT cache (JEP 483/514: classes loaded and linked ahead, recorded by a training run of the same
 * jar). Each service starts {@code --runs} times per mode on an embedded PostgreSQL.
 */
public final class StartupBenchmark {

    private static final List<String> SERVICES = List.of("api-service", "ws-service", "cron-service");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final Path root;
    private final int runs;
    private final Path work;
    private String databaseUrl;

    private StartupBenchmark(Path root, int runs) {
        this.root = root;
        this.runs = runs;
        this.work = root.resolve("benchmarks/target/startup");
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        new StartupBenchmark(Path.of("").toAbsolutePath(), runs).run();
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        try (EmbeddedDatabase database = EmbeddedDatabase.start(work.resolve("postgres"), 0, true)) {
            databaseUrl = database.databaseUrl();
            migrate();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (String service : SERVICES) {
                Path cache = work.resolve(service + ".aot");
                train(service, cache);
                rows.add(measure(service, "JVM", List.of()));
                rows.add(measure(service, "JVM + AOT cache", List.of("-XX:AOTCache=" + cache)));
            }
            Results results = new Results("startup", root);
            results.write(
                    Map.of("runs", runs, "services", rows),
                    table(rows),
                    "Time from starting the process to the first 200 of /q/health/ready (polled every 5 ms), and"
                            + " resident memory (VmRSS) at that moment; median, best and worst of " + runs
                            + " starts per row, each service alone on an embedded PostgreSQL 17 (fsync off).");
        }
    }

    private void migrate() throws Exception {
        Map<String, String> environment = environment();
        environment.put("CHORUS_DATABASE_MIGRATE", "only");
        try (ServiceProcess migration =
                ServiceProcess.start("migration", jar("api-service"), 0, environment, work.resolve("migration.log"))) {
            if (migration.awaitExit(Duration.ofSeconds(90)) != 0) {
                throw new IllegalStateException("the migration failed; see " + migration.log());
            }
        }
    }

    /** A training run records the AOT cache when the JVM exits: start, serve a little, stop with SIGTERM. */
    private void train(String service, Path cache) throws Exception {
        Files.deleteIfExists(cache);
        try (ServiceProcess training = ServiceProcess.start(
                service + "-training",
                jar(service),
                0,
                environment(),
                work.resolve(service + "-training.log"),
                List.of("-XX:AOTCacheOutput=" + cache))) {
            awaitReady(training);
            for (int i = 0; i < 20; i++) {
                get(training, "/q/health/ready");
                get(training, "/q/metrics");
            }
        }
        if (!Files.isRegularFile(cache)) {
            throw new IllegalStateException("the training run of " + service + " wrote no AOT cache (" + cache + ")");
        }
    }

    private Map<String, Object> measure(String service, String mode, List<String> jvmOptions) throws Exception {
        List<Long> readyMillis = new ArrayList<>();
        List<Long> rssMegabytes = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            long started = System.nanoTime();
            try (ServiceProcess process = ServiceProcess.start(
                    service, jar(service), 0, environment(), work.resolve(service + ".log"), jvmOptions)) {
                awaitReady(process);
                readyMillis.add((System.nanoTime() - started) / 1_000_000);
                rssMegabytes.add(rssKilobytes(process.pid()) / 1024);
            }
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("service", service);
        row.put("mode", mode);
        row.put("readyMillis", Stats.of(readyMillis));
        row.put("rssMegabytes", Stats.of(rssMegabytes));
        System.out.printf(
                "%-13s %-16s ready %s ms, RSS %s MB%n", service, mode, Stats.of(readyMillis), Stats.of(rssMegabytes));
        return row;
    }

    private static void awaitReady(ServiceProcess process) throws Exception {
        HttpRequest ready = HttpRequest.newBuilder(URI.create(process.baseUrl() + "/q/health/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(process.name() + " exited; see " + process.log());
            }
            try {
                if (HTTP.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notListeningYet) {
                // polled again below
            }
            Thread.sleep(5);
        }
        throw new IllegalStateException(process.name() + " was not ready within 90 s; see " + process.log());
    }

    private static void get(ServiceProcess process, String path) throws Exception {
        HTTP.send(
                HttpRequest.newBuilder(URI.create(process.baseUrl() + path)).build(),
                HttpResponse.BodyHandlers.discarding());
    }

    private static long rssKilobytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("DATABASE_URL", databaseUrl);
        environment.put("CHORUS_AUTH_JWT_SECRET", "benchmark-secret-0123456789abcdefghijklmnopqrstuv");
        environment.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        return environment;
    }

    private Path jar(String service) {
        return root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static String table(List<Map<String, Object>> rows) {
        StringBuilder table = new StringBuilder(
                "| service | mode | ready (ms): median (best–worst) | RSS when ready (MB): median (best–worst) |\n"
                        + "| --- | --- | --- | --- |\n");
        for (Map<String, Object> row : rows) {
            table.append(String.format(
                    "| %s | %s | %s | %s |%n",
                    row.get("service"), row.get("mode"), row.get("readyMillis"), row.get("rssMegabytes")));
        }
        return table.toString();
    }
}
