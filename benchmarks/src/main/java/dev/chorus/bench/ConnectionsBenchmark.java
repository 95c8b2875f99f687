package dev.chorus.bench;

import dev.chorus.local.EmbeddedDatabase;
import dev.chorus.local.ServiceProcess;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * How many idle connections one ws-service replica holds, and what each costs in resident memory. It opens
 * {@code count} authenticated WebSocket connections (18,000 by default: every process here may have at most 20,000
 * open files, a hard limit), a bounded number of handshakes at a time, and proves each one live with a ping frame
 * answered by pong. The replica's RSS is read before, right after, and once the connections have sat idle a while.
 */
public final class ConnectionsBenchmark {

    private static final int DEFAULT_COUNT = 18_000;
    private static final int WARM_UP_CONNECTIONS = 200;
    private static final int HANDSHAKES_IN_FLIGHT = 200;
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private static final int PROJECTED_CONNECTIONS = 50_000;
    /**
     * Client sockets are bound to these in turn: one source address has about 28,000 ephemeral ports
     * (net.ipv4.ip_local_port_range), so several keep the count from being capped by the client side.
     */
    private static final List<String> LOCAL_ADDRESSES = List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");

    private static final String PING = "{\"type\":\"ping\"}";

    private final Path root = Path.of("").toAbsolutePath();
    private final Path work = root.resolve("benchmarks/target/connections");
    private final int count;
    /** Daemon threads, so that they do not keep the JVM alive once the run is over. */
    private final ExecutorService clientThreads =
            Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().factory());

    private final List<HttpClient> clients = new ArrayList<>();
    private final AtomicInteger closes = new AtomicInteger();
    private URI socketUri;
    private String token;

    private ConnectionsBenchmark(int count) {
        this.count = count;
    }

    public static void main(String[] args) throws Exception {
        new ConnectionsBenchmark(args.length > 0 ? Integer.parseInt(args[0]) : DEFAULT_COUNT).run();
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        for (String address : LOCAL_ADDRESSES) {
            clients.add(HttpClient.newBuilder()
                    .executor(clientThreads)
                    .localAddress(InetAddress.getByName(address))
                    .connectTimeout(Duration.ofSeconds(10))
                    .build());
        }
        try (EmbeddedDatabase database = BenchServices.database(work, false)) {
            Map<String, String> environment = BenchServices.environment(database);
            BenchServices services = new BenchServices(root, work);
            try (ServiceProcess api = services.start("api-service", "api-service", environment);
                    ServiceProcess ws = services.start("ws-service", "ws-service", environment)) {
                token = new ChorusApi(api.baseUrl()).register("connections@example.com");
                socketUri = URI.create(ws.baseUrl().replace("http", "ws") + "/ws");
                Map<String, Object> result = measure(ws);
                new Results("connections", root).write(result, table(result), method());
                if ((int) result.get("failed") > 0
                        || (int) result.get("closedWhileIdle") > 0
                        || (int) result.get("answeredFinalPing") != (int) result.get("opened")) {
                    throw new IllegalStateException("not every connection opened and stayed open; see " + result);
                }
            }
        }
    }

    private Map<String, Object> measure(ServiceProcess ws) throws Exception {
        // The first connections load and compile the code on both ends; they are not what is measured.
        List<Idle> warmUp = inTurn(WARM_UP_CONNECTIONS, this::open).opened();
        warmUp.forEach(Idle::close);
        Thread.sleep(5_000);
        closes.set(0);
        long rssBefore = rssKilobytes(ws.pid());
        long liveHeapBefore = liveHeapBytes(ws);

        long started = System.nanoTime();
        Outcome<Idle> opening = inTurn(count, this::open);
        double openSeconds = (System.nanoTime() - started) / 1e9;
        List<Idle> idle = opening.opened();
        long rssOpen = rssKilobytes(ws.pid());
        System.out.printf(
                "%d of %d connections open in %.1f s; RSS %d MB before, %d MB now%n",
                idle.size(), count, openSeconds, rssBefore / 1024, rssOpen / 1024);

        Thread.sleep(SETTLE.toMillis());
        long rssSettled = rssKilobytes(ws.pid());
        long heapCommittedSettled = metricSum(metrics(ws), "jvm_memory_committed_bytes", "area=\"heap\"");
        long liveHeapSettled = liveHeapBytes(ws);
        int closedWhileIdle = closes.get();
        long serverConnections = metricSum(metrics(ws), "chorus_ws_connections", "");
        int answered = inTurn(idle.size(), i -> idle.get(i).ping().thenApply(ignored -> idle.get(i)))
                .opened()
                .size();
        idle.forEach(Idle::abort);

        long bytesPerConnection = idle.isEmpty() ? 0 : (rssSettled - rssBefore) * 1024 / idle.size();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("connections", count);
        result.put("opened", idle.size());
        result.put("failed", opening.failed());
        result.put("openSeconds", Math.round(openSeconds * 10) / 10.0);
        result.put("opensPerSecond", Math.round(idle.size() / openSeconds));
        result.put("rssBeforeMegabytes", rssBefore / 1024);
        result.put("rssOpenMegabytes", rssOpen / 1024);
        result.put("rssSettledMegabytes", rssSettled / 1024);
        result.put("bytesPerConnection", bytesPerConnection);
        result.put("heapCommittedSettledMegabytes", heapCommittedSettled / 1024 / 1024);
        long liveHeapPerConnection = idle.isEmpty() ? 0 : (liveHeapSettled - liveHeapBefore) / idle.size();
        result.put("liveHeapBytesPerConnection", liveHeapPerConnection);
        result.put(
                "liveHeapMegabytesFor" + PROJECTED_CONNECTIONS,
                (liveHeapBefore + liveHeapPerConnection * PROJECTED_CONNECTIONS) / 1024 / 1024);
        result.put(
                "projectedRssMegabytesFor" + PROJECTED_CONNECTIONS,
                (rssBefore * 1024 + bytesPerConnection * PROJECTED_CONNECTIONS) / 1024 / 1024);
        result.put("closedWhileIdle", closedWhileIdle);
        result.put("serverReportedConnections", serverConnections);
        result.put("answeredFinalPing", answered);
        System.out.println(result);
        return result;
    }

    private CompletableFuture<Idle> open(int number) {
        Idle connection = new Idle();
        return clients.get(number % clients.size())
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(socketUri, connection)
                .thenCompose(webSocket -> {
                    connection.socket = webSocket;
                    return connection.ping();
                })
                .thenApply(ignored -> connection);
    }

    private record Outcome<T>(List<T> opened, int failed) {}

    /**
     * Runs {@code count} operations with at most {@link #HANDSHAKES_IN_FLIGHT} at a time, so the replica is not
     * flooded with handshakes, and counts those that fail or take longer than 30 s instead of stopping at the first.
     */
    private static <T> Outcome<T> inTurn(int count, Function<Integer, CompletableFuture<T>> operation)
            throws InterruptedException {
        Semaphore inFlight = new Semaphore(HANDSHAKES_IN_FLIGHT);
        List<CompletableFuture<T>> running = new ArrayList<>(count);
        AtomicInteger failed = new AtomicInteger();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            running.add(operation.apply(i).orTimeout(30, TimeUnit.SECONDS).whenComplete((ignored, failure) -> {
                inFlight.release();
                if (failure != null && failed.incrementAndGet() <= 5) {
                    System.err.println("connection failed: " + failure);
                }
            }));
        }
        CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))
                .exceptionally(ignored -> null)
                .join();
        List<T> succeeded = running.stream()
                .filter(future -> !future.isCompletedExceptionally())
                .map(CompletableFuture::join)
                .toList();
        return new Outcome<>(succeeded, failed.get());
    }

    /**
     * The heap the replica's objects hold once garbage is gone: a full collection (jcmd GC.run), then the heap used
     * per its own metrics. RSS also counts heap the collector has committed but not filled, which depends on when it
     * last grew the heap; this does not.
     */
    private static long liveHeapBytes(ServiceProcess ws) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process gc = new ProcessBuilder(jcmd.toString(), Long.toString(ws.pid()), "GC.run")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        if (!gc.waitFor(60, TimeUnit.SECONDS) || gc.exitValue() != 0) {
            throw new IllegalStateException("jcmd GC.run failed on ws-service " + ws.pid());
        }
        return metricSum(metrics(ws), "jvm_memory_used_bytes", "area=\"heap\"");
    }

    private static String metrics(ServiceProcess ws) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(
                            HttpRequest.newBuilder(URI.create(ws.baseUrl() + "/q/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
        }
    }

    /** The sum of a Prometheus metric's series whose labels contain {@code label}; -1 if it has none. */
    private static long metricSum(String metrics, String name, String label) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .filter(line -> line.contains(label))
                .mapToLong(line -> Math.round(Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))))
                .reduce(Long::sum)
                .orElse(-1L);
    }

    private static long rssKilobytes(long pid) throws Exception {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        throw new IllegalStateException("no VmRSS for process " + pid);
    }

    /** One idle client connection: it answers the server's pings (the JDK does) and otherwise only sends pings. */
    private final class Idle implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile CompletableFuture<Void> pong = new CompletableFuture<>();
        private volatile boolean open;
        private volatile boolean closing;
        WebSocket socket;

        @Override
        public void onOpen(WebSocket webSocket) {
            open = true;
            webSocket.request(1);
        }

        CompletableFuture<Void> ping() {
            CompletableFuture<Void> answer = new CompletableFuture<>();
            pong = answer;
            return socket.sendText(PING, true).thenCompose(ignored -> answer);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                if (partial.toString().contains("\"type\":\"pong\"")) {
                    pong.complete(null);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (open && !closing && closes.incrementAndGet() <= 5) {
                System.err.println("connection closed by the server: " + statusCode + " " + reason);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (open && !closing && closes.incrementAndGet() <= 5) {
                System.err.println("connection failed: " + error);
            }
        }

        void close() {
            closing = true;
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(ignored -> null);
        }

        void abort() {
            closing = true;
            socket.abort();
        }
    }

    private String method() {
        return "Idle WebSocket connections to one ws-service replica (" + ServiceProcess.JVM_OPTIONS_DESCRIPTION
                + "), all of one user, opened "
                + HANDSHAKES_IN_FLIGHT + " handshakes at a time from " + LOCAL_ADDRESSES.size()
                + " loopback source addresses in turn; each counts as open once its ping frame has been answered"
                + " by pong. RSS (VmRSS) of the replica after " + WARM_UP_CONNECTIONS + " warm-up connections were"
                + " opened and closed, right after all were open, and after " + SETTLE.toSeconds() + " s idle;"
                + " bytes per connection = (settled − before) / opened, projected linearly to "
                + PROJECTED_CONNECTIONS + " connections. Live heap: the replica's heap in use (its"
                + " jvm_memory_used_bytes) right after a full collection (jcmd GC.run), after the warm-up and after"
                + " the idle time; per connection, and for " + PROJECTED_CONNECTIONS + " connections."
                + " Then every connection is pinged again. Embedded PostgreSQL"
                + " 17 (fsync off), api-service for the token, the load generator on the same machine; every process"
                + " may hold at most 20,000 open files here.";
    }

    private static String table(Map<String, Object> result) {
        return "| connections | opened | failed | time to open (s) | RSS before (MB) | RSS all open (MB) |"
                + " RSS after " + SETTLE.toSeconds() + " s idle (MB) | bytes per connection | projected RSS for "
                + PROJECTED_CONNECTIONS + " (MB) | heap committed after idle (MB) | live heap per connection (bytes) |"
                + " live heap for " + PROJECTED_CONNECTIONS
                + " (MB) | closed while idle | open per the replica | answered the final"
                + " ping |\n"
                + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
                + String.format(
                        "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                        result.get("connections"),
                        result.get("opened"),
                        result.get("failed"),
                        result.get("openSeconds"),
                        result.get("rssBeforeMegabytes"),
                        result.get("rssOpenMegabytes"),
                        result.get("rssSettledMegabytes"),
                        result.get("bytesPerConnection"),
                        result.get("projectedRssMegabytesFor" + PROJECTED_CONNECTIONS),
                        result.get("heapCommittedSettledMegabytes"),
                        result.get("liveHeapBytesPerConnection"),
                        result.get("liveHeapMegabytesFor" + PROJECTED_CONNECTIONS),
                        result.get("closedWhileIdle"),
                        result.get("serverReportedConnections"),
                        result.get("answeredFinalPing"));
    }
}
