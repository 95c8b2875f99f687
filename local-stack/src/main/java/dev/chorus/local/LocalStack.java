package dev.chorus.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The whole suite on one machine: PostgreSQL (embedded unless a URL is given), the migration run once, then every
 * service as its own process, the way a deploy does it. Closing it stops everything it started.
 */
public final class LocalStack implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final StackOptions options;
    private final EmbeddedDatabase embedded;
    private final String databaseUrl;
    private final List<ServiceProcess> services = new ArrayList<>();
    private ServiceProcess loadBalancer;
    private String loadBalancerNote;
    /** One signing secret per run, shared by the services that issue and verify access tokens. */
    private final String jwtSecret = newSecret();

    private LocalStack(StackOptions options, EmbeddedDatabase embedded, String databaseUrl) {
        this.options = options;
        this.embedded = embedded;
        this.databaseUrl = databaseUrl;
    }

    public static LocalStack start(StackOptions options) throws InterruptedException {
        for (String service : List.of("api-service", "ws-service", "cron-service")) {
            if (!Files.isRegularFile(options.jar(service))) {
                throw new IllegalStateException(
                        options.jar(service) + " is missing: build first (./mvnw package -DskipTests)");
            }
        }
        EmbeddedDatabase embedded = options.databaseUrl() == null
                ? EmbeddedDatabase.start(options.root().resolve(".chorus/postgres"), options.databasePort(), false)
                : null;
        LocalStack stack =
                new LocalStack(options, embedded, embedded != null ? embedded.databaseUrl() : options.databaseUrl());
        try {
            stack.migrate();
            stack.startReplicas("api-service", options.apiReplicas(), StackOptions.API_BASE_PORT);
            stack.startReplicas("ws-service", options.wsReplicas(), StackOptions.WS_BASE_PORT);
            stack.startReplicas("cron-service", options.cronReplicas(), StackOptions.CRON_BASE_PORT);
            for (ServiceProcess service : stack.services) {
                service.awaitHttpOk("/q/health/ready", START_TIMEOUT);
            }
            stack.startLoadBalancer();
            return stack;
        } catch (RuntimeException | InterruptedException e) {
            stack.close();
            throw e;
        }
    }

    public List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    /** The running process of a replica, e.g. {@code ws-service-2}. */
    public ServiceProcess service(String name) {
        return services.stream()
                .filter(service -> service.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no service named " + name));
    }

    /** Starts a replica that has ended (killed or stopped) again on its port, and waits until it is ready. */
    public ServiceProcess relaunch(String name) throws InterruptedException {
        ServiceProcess restarted = service(name).relaunch();
        services.set(services.indexOf(service(name)), restarted);
        restarted.awaitHttpOk("/q/health/ready", START_TIMEOUT);
        return restarted;
    }

    /** A rolling deploy's step: SIGTERM to a replica, then the same replica started again and ready. */
    public ServiceProcess restart(String name) throws InterruptedException {
        service(name).close();
        return relaunch(name);
    }

    /** The embedded PostgreSQL, to stop and start it; empty when the stack runs on a given database. */
    public java.util.Optional<EmbeddedDatabase> embeddedDatabase() {
        return java.util.Optional.ofNullable(embedded);
    }

    /** The address clients use: nginx in front of every replica, or null when it is not running. */
    public String publicUrl() {
        return loadBalancer == null ? null : "http://127.0.0.1:" + options.lbPort();
    }

    /** Why there is no load balancer, when there is none. */
    public String loadBalancerNote() {
        return loadBalancerNote;
    }

    private void startLoadBalancer() throws InterruptedException {
        if (options.lbPort() == StackOptions.NO_LOAD_BALANCER) {
            loadBalancerNote = "no load balancer (--no-lb)";
            return;
        }
        java.util.Optional<Path> nginx = LoadBalancer.findNginx();
        if (nginx.isEmpty()) {
            loadBalancerNote = "nginx is not installed, so there is no load balancer; the services answer on their"
                    + " own ports (install it with: sudo apt-get install nginx)";
            return;
        }
        loadBalancer = LoadBalancer.start(nginx.get(), options, replicasOf("api-service"), replicasOf("ws-service"));
        loadBalancer.awaitHttpOk("/api/health", START_TIMEOUT);
    }

    private List<ServiceProcess> replicasOf(String service) {
        return services.stream()
                .filter(replica -> replica.name().startsWith(service + "-"))
                .toList();
    }

    public String databaseUrl() {
        return databaseUrl;
    }

    /** The migration runs once, before any replica starts, exactly as in a deploy. */
    private void migrate() throws InterruptedException {
        try (ServiceProcess migration = ServiceProcess.start(
                "migration",
                options.jar("api-service"),
                0,
                Map.of(
                        "DATABASE_URL",
                        databaseUrl,
                        "CHORUS_DATABASE_MIGRATE",
                        "only",
                        "CHORUS_AUTH_JWT_SECRET",
                        jwtSecret),
                options.logs().resolve("migration.log"))) {
            int exitCode = migration.awaitExit(START_TIMEOUT);
            if (exitCode != 0) {
                throw new IllegalStateException(
                        "the migration failed (exit code " + exitCode + "), see " + migration.log());
            }
        }
    }

    private void startReplicas(String service, int replicas, int basePort) {
        for (int replica = 1; replica <= replicas; replica++) {
            String name = service + "-" + replica;
            services.add(ServiceProcess.start(
                    name,
                    options.jar(service),
                    basePort + replica - 1,
                    environment(),
                    options.logs().resolve(name + ".log")));
        }
    }

    private Map<String, String> environment() {
        Map<String, String> environment = new java.util.HashMap<>();
        environment.put("DATABASE_URL", databaseUrl);
        environment.put("CHORUS_AUTH_JWT_SECRET", jwtSecret);
        // Production logs JSON for Cloud Logging; on this machine people read the files.
        environment.put("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "false");
        if (options.lbPort() != StackOptions.NO_LOAD_BALANCER) {
            // The web page comes from the load balancer: its origin may call the API and open sockets.
            environment.put(
                    "CHORUS_CORS_ORIGINS",
                    "http://127.0.0.1:" + options.lbPort() + ",http://localhost:" + options.lbPort());
        }
        return environment;
    }

    /** Stops the load balancer, the services newest first, then the embedded database. */
    @Override
    public void close() {
        if (loadBalancer != null) {
            loadBalancer.close();
            loadBalancer = null;
        }
        for (ServiceProcess service : services.reversed()) {
            service.close();
        }
        services.clear();
        if (embedded != null) {
            embedded.close();
        }
    }

    public static void main(String[] args) throws InterruptedException {
        StackOptions options;
        try {
            options = StackOptions.parse(args, System.getenv(), Path.of("").toAbsolutePath());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println("Starting Chorus (logs in " + options.root().relativize(options.logs()) + "/) ...");
        LocalStack stack;
        try {
            stack = LocalStack.start(options);
        } catch (IllegalStateException e) {
            System.err.println("Chorus did not start: " + e.getMessage());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nStopping Chorus ...");
            stack.close();
            System.out.println("Stopped.");
        }));
        System.out.println(stack.describe());
        stack.watch();
    }

    String describe() {
        StringBuilder text = new StringBuilder("\nChorus is running. Ctrl-C stops everything.\n\n");
        for (ServiceProcess service : services) {
            text.append(String.format("  %-16s %s%n", service.name(), service.baseUrl()));
        }
        text.append(String.format("  %-16s %s%n", "database", redact(databaseUrl)));
        if (publicUrl() != null) {
            text.append(
                    String.format("  %-16s %s  (/api and /ws; /cron stays private)%n", "load balancer", publicUrl()));
            text.append(String.format(
                    "%n  Open %s in a browser for the chat page, or: curl %s/api/health%n", publicUrl(), publicUrl()));
        } else {
            text.append(String.format("%n  Note: %s%n", loadBalancerNote));
            text.append(String.format(
                    "%n  Try: curl %s/api/health%n", services.getFirst().baseUrl()));
        }
        return text.toString();
    }

    /** Blocks while the stack runs, reporting any service that ends on its own. */
    private void watch() throws InterruptedException {
        List<ServiceProcess> reported = new ArrayList<>();
        while (true) {
            for (ServiceProcess service : services()) {
                if (!service.isAlive() && !reported.contains(service)) {
                    System.err.println(service.name() + " stopped on its own; see " + service.log());
                    reported.add(service);
                }
            }
            Thread.sleep(1000);
        }
    }

    private static String newSecret() {
        byte[] bytes = new byte[32];
        new java.security.SecureRandom().nextBytes(bytes);
        return java.util.HexFormat.of().formatHex(bytes);
    }

    static String redact(String databaseUrl) {
        return databaseUrl.replaceFirst("://([^:@/]+):[^@/]*@", "://$1:****@");
    }
}
