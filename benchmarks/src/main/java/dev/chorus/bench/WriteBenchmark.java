package dev.chorus.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.local.EmbeddedDatabase;
import dev.chorus.local.ServiceProcess;
import java.net.URI;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The write path at its limit (closed loop): WebSocket connections to one ws-service each keep a window of sends
 * waiting for their acks, to one hot chat and spread over many chats; next to pgbench inserting one row per
 * transaction into a table shaped like messages on the same, durable PostgreSQL as the ceiling of one-row writes.
 */
public final class WriteBenchmark {

    /** The first phase runs in a fresh JVM: after 3 s its rate was still climbing for 10 s more. */
    private static final Duration WARM_UP = Duration.ofSeconds(10);

    private static final Duration MEASURE = Duration.ofSeconds(10);
    private static final int CONNECTIONS = 8;
    private static final int WINDOW = 32;
    private static final int SPREAD_CHATS = 100;
    private static final int PGBENCH_CLIENTS = 8;

    private final Path root = Path.of("").toAbsolutePath();
    private final Path work = root.resolve("benchmarks/target/writes");

    public static void main(String[] args) throws Exception {
        new WriteBenchmark().run();
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        try (EmbeddedDatabase database = BenchServices.database(work, true)) {
            Map<String, String> environment = BenchServices.environment(database);
            BenchServices services = new BenchServices(root, work);
            List<Map<String, Object>> rows = new ArrayList<>();
            try (ServiceProcess api = services.start("api-service", "api-service", environment);
                    ServiceProcess ws = services.start("ws-service", "ws-service", environment)) {
                services.writeStatementProfile(database, "start");
                rows.add(pgbench(database));
                services.writeStatementProfile(database, "pgbench");
                ChorusApi chorus = new ChorusApi(api.baseUrl());
                String token = chorus.register("writer@example.com");
                List<String> chats = new ArrayList<>();
                for (int i = 0; i < SPREAD_CHATS; i++) {
                    chats.add(chorus.createChat(token, "writes " + i));
                }
                URI socket = URI.create(ws.baseUrl().replace("http", "ws") + "/ws");
                rows.add(sends(chorus, socket, ws, token, "one hot chat", List.of(chats.getFirst())));
                services.writeStatementProfile(database, "hot-chat");
                rows.add(sends(chorus, socket, ws, token, "spread over " + SPREAD_CHATS + " chats", chats));
                services.writeStatementProfile(database, "spread");
            }
            new Results("writes", root)
                    .write(
                            Map.of("rows", rows),
                            table(rows),
                            "Closed loop: " + CONNECTIONS + " WebSocket connections to one ws-service, each keeping "
                                    + WINDOW + " sends waiting for their acks; " + WARM_UP.toSeconds()
                                    + " s of warm-up, then " + MEASURE.toSeconds() + " s counted. Latency from"
                                    + " send to ack. The ceiling: pgbench (" + PGBENCH_CLIENTS + " clients) inserting"
                                    + " one row per transaction into a table with the messages table's shape and"
                                    + " indexes. Embedded PostgreSQL 17 with its durable defaults (fsync and"
                                    + " synchronous commit on); services, PostgreSQL, pgbench and the load generator"
                                    + " share the machine.");
        }
    }

    private Map<String, Object> pgbench(EmbeddedDatabase database) throws Exception {
        Path script = work.resolve("one-row-insert.sql");
        Files.writeString(
                script,
                "INSERT INTO one_row_messages (chat_id, content) VALUES"
                        + " ('0194f3a0-0000-7000-8000-000000000001', 'benchmark message');\n");
        psql(
                database,
                "CREATE TABLE one_row_messages (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), chat_id uuid NOT NULL,"
                        + " seq bigint, content text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
        Process process = new ProcessBuilder(
                        pgbenchCommand(),
                        "-h",
                        "127.0.0.1",
                        "-p",
                        String.valueOf(database.port()),
                        "-U",
                        "postgres",
                        "-n",
                        "-c",
                        String.valueOf(PGBENCH_CLIENTS),
                        "-j",
                        "2",
                        "-T",
                        String.valueOf(MEASURE.toSeconds()),
                        "-f",
                        script.toString(),
                        "postgres")
                .redirectErrorStream(true)
                .start();
        String output = new String(process.getInputStream().readAllBytes());
        if (process.waitFor() != 0) {
            throw new IllegalStateException("pgbench failed:\n" + output);
        }
        Matcher tps = Pattern.compile("tps = ([0-9.]+)").matcher(output);
        Matcher latency = Pattern.compile("latency average = ([0-9.]+) ms").matcher(output);
        if (!tps.find()) {
            throw new IllegalStateException("no tps in pgbench's output:\n" + output);
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("writer", "pgbench, one-row insert per transaction");
        row.put("perSecond", Math.round(Double.parseDouble(tps.group(1))));
        row.put("errors", 0);
        row.put("latencyAverageMillis", latency.find() ? Double.parseDouble(latency.group(1)) : null);
        System.out.println(row);
        return row;
    }

    private static void psql(EmbeddedDatabase database, String sql) throws Exception {
        try (var connection = java.sql.DriverManager.getConnection(
                        "jdbc:postgresql://127.0.0.1:" + database.port() + "/postgres", "postgres", "postgres");
                var statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String pgbenchCommand() throws Exception {
        String configured = System.getenv("PGBENCH");
        if (configured != null) {
            return configured;
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(version -> version.resolve("bin/pgbench"))
                    .filter(Files::isExecutable)
                    .findFirst()
                    .map(Path::toString)
                    .orElse("pgbench");
        } catch (java.nio.file.NoSuchFileException e) {
            return "pgbench";
        }
    }

    private Map<String, Object> sends(
            ChorusApi chorus, URI socket, ServiceProcess ws, String token, String name, List<String> chats)
            throws Exception {
        Load load = new Load(chats, name.split(" ")[0]);
        List<WebSocket> sockets = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            Sender sender = new Sender(load, i);
            WebSocket webSocket = chorus.http
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(socket, sender)
                    .get(10, TimeUnit.SECONDS);
            sockets.add(webSocket);
            sender.open(webSocket);
        }
        Thread.sleep(WARM_UP.toMillis());
        Duration cpuBefore = BenchServices.cpuTime(ws);
        load.measuring(true);
        List<Integer> perSecondSeries = new ArrayList<>();
        for (long second = 0; second < MEASURE.toSeconds(); second++) {
            int before = load.acked.get();
            Thread.sleep(1000);
            perSecondSeries.add(load.acked.get() - before);
        }
        load.measuring(false);
        Duration serviceCpu = BenchServices.cpuTime(ws).minus(cpuBefore);
        load.stop();
        for (WebSocket webSocket : sockets) {
            webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(ignored -> null);
        }
        long[] latencies = load.latencies.stream().mapToLong(Long::longValue).toArray();
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("writer", "acknowledged WebSocket sends, " + name);
        row.put("perSecond", Math.round(latencies.length / (MEASURE.toMillis() / 1000.0)));
        row.put("errors", load.errors.get());
        row.putAll(Latencies.summary(latencies));
        row.put("perSecondSeries", perSecondSeries);
        row.put(
                "serviceCpuMicrosPerAck",
                latencies.length == 0 ? null : serviceCpu.toNanos() / 1000 / latencies.length);
        System.out.println(row);
        return row;
    }

    /** What every sender connection shares: the chats to write to, and what was measured. */
    private static final class Load {
        final List<String> chats;
        final String scenario;
        final ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        final AtomicInteger errors = new AtomicInteger();
        final AtomicInteger acked = new AtomicInteger();
        final AtomicLong sequence = new AtomicLong();
        volatile boolean measuring;
        volatile boolean running = true;

        Load(List<String> chats, String scenario) {
            this.chats = chats;
            this.scenario = scenario;
        }

        void measuring(boolean on) {
            measuring = on;
        }

        void stop() {
            running = false;
        }
    }

    /** One connection: sends {@link #WINDOW} messages, then one more for every ack. */
    private static final class Sender implements WebSocket.Listener {
        private final Load load;
        private final int number;
        private final Map<String, Long> sentAt = new ConcurrentHashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private CompletableFuture<WebSocket> sending;
        private WebSocket webSocket;

        Sender(Load load, int number) {
            this.load = load;
            this.number = number;
        }

        void open(WebSocket webSocket) {
            this.webSocket = webSocket;
            sending = CompletableFuture.completedFuture(webSocket);
            for (int i = 0; i < WINDOW; i++) {
                sendNext();
            }
        }

        private synchronized void sendNext() {
            if (!load.running) {
                return;
            }
            long n = load.sequence.incrementAndGet();
            String chat = load.chats.get((int) (n % load.chats.size()));
            String requestId = number + "-" + n;
            String frame = "{\"type\":\"send\",\"chatId\":\"" + chat + "\",\"content\":\"benchmark message " + n
                    + "\",\"clientMessageId\":\"" + load.scenario + "-" + requestId + "\",\"requestId\":\"" + requestId
                    + "\"}";
            sentAt.put(requestId, System.nanoTime());
            sending = sending.thenCompose(ws -> ws.sendText(frame, true));
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(text);
            }
            webSocket.request(1);
            return null;
        }

        private void received(String text) {
            try {
                JsonNode frame = ChorusApi.JSON.readTree(text);
                String type = frame.path("type").asText();
                if (!type.equals("ack") && !type.equals("error")) {
                    return;
                }
                Long sent = sentAt.remove(frame.path("requestId").asText());
                if (type.equals("error")) {
                    load.errors.incrementAndGet();
                    System.err.println("error frame: " + text);
                } else if (sent != null && load.measuring) {
                    load.latencies.add(System.nanoTime() - sent);
                    load.acked.incrementAndGet();
                }
                sendNext();
            } catch (Exception e) {
                load.errors.incrementAndGet();
                System.err.println("unreadable frame " + text + ": " + e);
            }
        }
    }

    private static String table(List<Map<String, Object>> rows) {
        StringBuilder table = new StringBuilder(
                "| writer | per second | errors | p50 (ms) | p99 (ms) | p99.9 (ms) | ws-service CPU per ack (µs) | each"
                        + " counted second |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map<String, Object> row : rows) {
            table.append(String.format(
                    "| %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.get("writer"),
                    row.get("perSecond"),
                    row.get("errors"),
                    row.getOrDefault("p50Millis", "–"),
                    row.getOrDefault("p99Millis", "–"),
                    row.getOrDefault("p999Millis", "–"),
                    row.getOrDefault("serviceCpuMicrosPerAck", "–"),
                    row.containsKey("perSecondSeries")
                            ? ((List<?>) row.get("perSecondSeries"))
                                    .stream().map(String::valueOf).collect(Collectors.joining(" "))
                            : "–"));
        }
        return table.toString();
    }
}
