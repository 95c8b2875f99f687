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
 * jar). Each service starts {@code runs} times per mode on an embedded PostgreSQL.
 *
 * <p>With {@code --native}, it measures the native executables ({@code <service>/target/*-runner}) that a native
 * build left instead, and writes {@code startup-native}: the release workflow runs it after compiling each service.
 */
public final class StartupBenchmark {

    private static final List<String> SERVICES = List.of("api-service", "ws-service", "cron-service");
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

    private final Path root;
    private final int runs;
    private final boolean nativeExecutables;
    private final Path work;
    private String databaseUrl;

    private StartupBenchmark(Path root, int runs, boolean nativeExecutables) {
        this.root = root;
        this.runs = runs;
        this.nativeExecutables = nativeExecutables;
        this.work = root.resolve("benchmarks/target/startup");
    }

    public static void main(String[] args) throws Exception {
        List<String> arguments = new ArrayList<>(List.of(args));
        boolean nativeExecutables = arguments.remove("--native");
        int runs = arguments.isEmpty() ? 5 : Integer.parseInt(arguments.getFirst());
        new StartupBenchmark(Path.of("").toAbsolutePath(), runs, nativeExecutables).run();
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        Map<String, Path> executables = nativeExecutables ? executables() : Map.of();
        try (EmbeddedDatabase database = BenchServices.database(work, false)) {
            databaseUrl = database.databaseUrl();
            List<Map<String, Object>> rows = new ArrayList<>();
            if (nativeExecutables) {
                migrate(executables.values().iterator().next());
                for (Map.Entry<String, Path> executable : executables.entrySet()) {
                    rows.add(measure(executable.getKey(), "native", executable.getValue(), List.of()));
                }
            } else {
                migrate(jar("api-service"));
                for (String service : SERVICES) {
                    Path cache = work.resolve(service + ".aot");
                    train(service, cache);
                    rows.add(measure(service, "JVM", jar(service), List.of()));
                    rows.add(measure(service, "JVM + AOT cache", jar(service), List.of("-XX:AOTCache=" + cache)));
                }
            }
            Results results = new Results(nativeExecutables ? "startup-native" : "startup", root);
            results.write(
                    Map.of("runs", runs, "services", rows),
                    table(rows),
                    "Time from starting the process to the first 200 of /q/health/ready (polled every 5 ms), and"
                            + " resident memory (VmRSS) at that moment; median, best and worst of " + runs
                            + " starts per row, each service alone on an embedded PostgreSQL 17 (fsync off)"
                            + (nativeExecutables
                                    ? "."
                                    : ", its heap sized as in a 512 MiB container (-XX:MaxRAM=512m)."));
        }
    }

    /** The native executables a native build left, by service; at least one, or there is nothing to measure. */
    private Map<String, Path> executables() throws Exception {
        Map<String, Path> executables = new LinkedHashMap<>();
        for (String service : SERVICES) {
            Path target = root.resolve(service).resolve("target");
            if (Files.isDirectory(target)) {
                try (var files = Files.list(target)) {
                    files.filter(file -> file.getFileName().toString().endsWith("-runner"))
                            .filter(Files::isExecutable)
                            .findFirst()
                            .ifPresent(executable -> executables.put(service, executable));
                }
            }
        }
        if (executables.isEmpty()) {
            throw new IllegalStateException("--native found no <service>/target/*-runner: build one first with"
                    + " deploy/scripts/native-verify.sh <service> (GraalVM or Mandrel needed)");
        }
        return executables;
    }

    /**
     * A jar, or a native executable: any service applies the migrations with CHORUS_DATABASE_MIGRATE=only. A JVM
     * sizes its heap as in the 512 MiB containers the services are deployed in, not from this machine's memory:
     * its initial heap, which the collector's first regions are touched from, is then 8 MB instead of 375.
     */
    private ServiceProcess start(String name, Path program, Map<String, String> environment, List<String> jvmOptions) {
        Path log = work.resolve(name + ".log");
        List<String> options = new ArrayList<>(List.of("-XX:MaxRAM=512m"));
        options.addAll(BenchServices.extraJvmOptions());
        options.addAll(jvmOptions);
        return program.toString().endsWith(".jar")
                ? ServiceProcess.start(name, program, 0, environment, log, options)
                : ServiceProcess.startExecutable(name, program, 0, environment, log);
    }

    private void migrate(Path program) throws Exception {
        Map<String, String> environment = environment();
        environment.put("CHORUS_DATABASE_MIGRATE", "only");
        try (ServiceProcess migration = start("migration", program, environment, List.of())) {
            if (migration.awaitExit(Duration.ofSeconds(90)) != 0) {
                throw new IllegalStateException("the migration failed; see " + migration.log());
            }
        }
    }

    /** A training run records the AOT cache when the JVM exits: start, serve a little, stop with SIGTERM. */
    private void train(String service, Path cache) throws Exception {
        Files.deleteIfExists(cache);
        try (ServiceProcess training =
                start(service + "-training", jar(service), environment(), List.of("-XX:AOTCacheOutput=" + cache))) {
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

    private Map<String, Object> measure(String service, String mode, Path program, List<String> jvmOptions)
            throws Exception {
        List<Long> readyMillis = new ArrayList<>();
        List<Long> rssMegabytes = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            long started = System.nanoTime();
            try (ServiceProcess process = start(service, program, environment(), jvmOptions)) {
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
