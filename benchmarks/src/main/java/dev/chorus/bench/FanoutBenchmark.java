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
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

/**
 * Live delivery to every subscriber of a chat across two ws-service replicas, under a fixed message rate (open loop):
 * each message is due at its own time and carries that time, and each subscriber records when the message reached
 * it, so a replica that falls behind shows its queueing. Chats of 10, 100 and 1,000 subscribers, whose connections
 * are split evenly over the replicas, at rising deliveries per second (messages per second times subscribers). Every
 * subscriber must receive every stored message exactly once; missing and duplicate sequence numbers count as loss.
 */
public final class FanoutBenchmark {

    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(10);
    /** How long deliveries may still arrive after the last send before the missing ones count as lost. */
    private static final Duration DRAIN = Duration.ofSeconds(10);

    private static final double P99_GOAL_MILLIS = 50;
    private static final List<Integer> CHAT_SIZES = List.of(10, 100, 1_000);
    private static final List<Integer> DELIVERY_RATES =
            List.of(1_000, 2_000, 5_000, 10_000, 15_000, 20_000, 30_000, 40_000);
    private static final int REPLICAS = 2;
    private static final int SENDERS_PER_REPLICA = 2;
    private static final int HANDSHAKES_IN_FLIGHT = 100;

    private static final String MESSAGE_FRAME = "{\"type\":\"message\"";
    private static final String SUBSCRIBED_FRAME = "{\"type\":\"subscribed\"";
    private static final String SEQ_FIELD = "\"seq\":";
    private static final String LAST_SEQ_FIELD = "\"lastSeq\":";
    private static final String CONTENT_PREFIX = "fanout ";
    private static final String CONTENT_FIELD = "\"content\":\"" + CONTENT_PREFIX;

    private final Path root = Path.of("").toAbsolutePath();
    private final Path work = root.resolve("benchmarks/target/fanout");
    /** The newest sequence number of the chat under load, from acks and subscribed replies. */
    private final AtomicLong head = new AtomicLong();
    /** Connections the server closed, or that failed, while they should have stayed open. */
    private final AtomicInteger unexpectedCloses = new AtomicInteger();

    private ChorusApi chorus;
    private String token;
    private List<URI> replicas;
    private int steps;
    private volatile Step step;

    public static void main(String[] args) throws Exception {
        new FanoutBenchmark().run();
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        try (EmbeddedDatabase database = BenchServices.database(work, false)) {
            Map<String, String> environment = BenchServices.environment(database);
            BenchServices services = new BenchServices(root, work);
            try (ServiceProcess api = services.start("api-service", "api-service", environment);
                    ServiceProcess ws1 = services.start("ws-service", "ws-service-1", environment);
                    ServiceProcess ws2 = services.start("ws-service", "ws-service-2", environment)) {
                chorus = new ChorusApi(api.baseUrl());
                token = chorus.register("fanout@example.com");
                replicas = List.of(socketUri(ws1), socketUri(ws2));
                System.out.println("Warming up (not recorded):");
                sweep(10, List.of(1_000, 2_000, 1_000));
                List<Map<String, Object>> rows = new ArrayList<>();
                for (int size : CHAT_SIZES) {
                    rows.addAll(sweep(size, DELIVERY_RATES));
                }
                new Results("fanout", root).write(Map.of("rows", rows), table(rows), method());
            }
        }
    }

    private static URI socketUri(ServiceProcess ws) {
        return URI.create(ws.baseUrl().replace("http", "ws") + "/ws");
    }

    /**
     * One chat of {@code size} subscribers at each delivery rate in turn; stops raising the rate once p99 is far past
     * the goal or anything was lost. Every connection is the chat owner's: a user may hold any number, and one user
     * keeps presence from changing with every subscription, which would flood the chat while it is being set up.
     */
    private List<Map<String, Object>> sweep(int size, List<Integer> deliveryRates) throws Exception {
        String chatId = chorus.createChat(token, "fanout " + size);
        head.set(0);
        List<Subscriber> subscribers = openAll(size, i -> new Subscriber().open(replicas.get(i % REPLICAS), chatId));
        List<Sender> senders =
                openAll(REPLICAS * SENDERS_PER_REPLICA, i -> new Sender().open(replicas.get(i % REPLICAS)));
        List<Map<String, Object>> rows = new ArrayList<>();
        try {
            for (int deliveryRate : deliveryRates) {
                Map<String, Object> row = load(chatId, subscribers, senders, deliveryRate);
                rows.add(row);
                System.out.printf("%5d subscribers %6d deliveries/s  %s%n", size, deliveryRate, row);
                if ((double) row.get("p99Millis") > 10 * P99_GOAL_MILLIS || lossy(row)) {
                    break;
                }
            }
        } finally {
            step = null;
            List<Connection> connections = new ArrayList<>(subscribers);
            connections.addAll(senders);
            closeAll(connections);
        }
        return rows;
    }

    /**
     * Sends for the warm-up and the measured time as one run, so the measured part starts in a steady state. Loss
     * counts over the whole run, latency over the messages due in the measured part.
     */
    private Map<String, Object> load(
            String chatId, List<Subscriber> subscribers, List<Sender> senders, int deliveryRate) throws Exception {
        double messageRate = (double) deliveryRate / subscribers.size();
        int messages = (int) Math.round(messageRate * (WARM_UP.toMillis() + MEASURE.toMillis()) / 1000);
        long intervalNanos = Math.round(1e9 / messageRate);
        long start = System.nanoTime() + 10_000_000;
        Step current = new Step(++steps, head.get(), messages, start + WARM_UP.toNanos());
        int closedBefore = unexpectedCloses.get();
        subscribers.forEach(subscriber -> subscriber.begin(current));
        step = current;
        for (int i = 0; i < messages; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            String id = current.number + "-" + i;
            senders.get(i % senders.size())
                    .send("{\"type\":\"send\",\"chatId\":\"" + chatId + "\",\"content\":\"" + CONTENT_PREFIX + due
                            + "\",\"clientMessageId\":\"fanout-" + id + "\",\"requestId\":\"" + id + "\"}");
        }
        long deadline = start + (messages - 1) * intervalNanos + DRAIN.toNanos();
        while (System.nanoTime() < deadline && !current.complete(subscribers.size())) {
            Thread.sleep(5);
        }

        List<long[]> latencies = new ArrayList<>();
        long missing = 0;
        long duplicates = 0;
        for (Subscriber subscriber : subscribers) {
            Tally tally = subscriber.finish();
            missing += current.stored.get() - tally.distinct();
            duplicates += tally.duplicates();
            latencies.add(tally.latencies());
        }
        long[] all = latencies.stream().flatMapToLong(Arrays::stream).toArray();
        long deliveringNanos =
                current.distinctDeliveries.get() == 0 ? 0 : current.lastDeliveryAt.get() - current.measuredFrom;
        double measuredSeconds = Math.max(MEASURE.toNanos(), deliveringNanos) / 1e9;
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("subscribers", subscribers.size());
        row.put("deliveryRate", deliveryRate);
        row.put("messageRate", Math.round(messageRate * 100) / 100.0);
        row.put("achievedDeliveriesPerSecond", Math.round(all.length / measuredSeconds));
        row.put("messages", messages);
        row.put("stored", current.stored.get());
        row.put("rejected", current.rejected.get());
        row.put("unanswered", messages - current.stored.get() - current.rejected.get());
        row.put("missing", missing);
        row.put("duplicates", duplicates);
        row.put("closed", unexpectedCloses.get() - closedBefore);
        row.putAll(Latencies.summary(all));
        return row;
    }

    private static boolean lossy(Map<String, Object> row) {
        return (int) row.get("rejected") > 0
                || (int) row.get("unanswered") > 0
                || (long) row.get("missing") > 0
                || (long) row.get("duplicates") > 0
                || (int) row.get("closed") > 0;
    }

    /** Opens {@code count} connections with a bounded number of handshakes in flight, not to flood the replicas. */
    private static <T> List<T> openAll(int count, IntFunction<CompletableFuture<T>> open) throws InterruptedException {
        Semaphore inFlight = new Semaphore(HANDSHAKES_IN_FLIGHT);
        List<CompletableFuture<T>> opening = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            opening.add(open.apply(i)
                    .orTimeout(30, TimeUnit.SECONDS)
                    .whenComplete((ignored, failure) -> inFlight.release()));
        }
        return opening.stream().map(CompletableFuture::join).toList();
    }

    private static void closeAll(List<? extends Connection> connections) {
        List<CompletableFuture<?>> closing = new ArrayList<>();
        for (Connection connection : connections) {
            closing.add(connection.close());
        }
        try {
            CompletableFuture.allOf(closing.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
        } catch (Exception notAllClosedInTime) {
            connections.forEach(Connection::abort);
        }
    }

    private CompletableFuture<WebSocket> connect(URI replica, WebSocket.Listener listener) {
        return chorus.http
                .newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(10))
                .buildAsync(replica, listener);
    }

    private static long numberAt(String text, int from) {
        int end = from;
        while (end < text.length() && (text.charAt(end) == '-' || Character.isDigit(text.charAt(end)))) {
            end++;
        }
        return Long.parseLong(text, from, end, 10);
    }

    /**
     * One run at one rate. The chat gets nothing else meanwhile, so its messages take the sequence numbers right
     * after {@code base}, in any order, as many as were stored.
     */
    private static final class Step {
        final int number;
        final long base;
        final int messages;
        final long measuredFrom;
        final AtomicInteger stored = new AtomicInteger();
        final AtomicInteger rejected = new AtomicInteger();
        final AtomicLong distinctDeliveries = new AtomicLong();
        final AtomicLong lastDeliveryAt = new AtomicLong(Long.MIN_VALUE);

        Step(int number, long base, int messages, long measuredFrom) {
            this.number = number;
            this.base = base;
            this.messages = messages;
            this.measuredFrom = measuredFrom;
        }

        void delivered(long at) {
            distinctDeliveries.incrementAndGet();
            lastDeliveryAt.accumulateAndGet(at, Math::max);
        }

        boolean complete(int subscribers) {
            int stored = this.stored.get();
            return stored + rejected.get() == messages && distinctDeliveries.get() == (long) stored * subscribers;
        }
    }

    private record Tally(long distinct, long duplicates, long[] latencies) {}

    /** A client connection that collects text messages, which may arrive in parts, and notices unexpected closes. */
    private abstract class Connection implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        private volatile boolean closing;
        WebSocket socket;

        abstract void received(String text, long at);

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            long at = System.nanoTime();
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                received(text, at);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!closing) {
                unexpectedCloses.incrementAndGet();
                System.err.println("connection closed by the server: " + statusCode + " " + reason);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closing) {
                unexpectedCloses.incrementAndGet();
                System.err.println("connection failed: " + error);
            }
        }

        CompletableFuture<?> close() {
            closing = true;
            return socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").exceptionally(ignored -> null);
        }

        void abort() {
            closing = true;
            socket.abort();
        }
    }

    /** A connection that follows the chat and records each message's arrival, keyed by sequence number. */
    private final class Subscriber extends Connection {
        private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
        private Step current;
        private BitSet seen = new BitSet();
        private long[] latencies = new long[0];
        private int measured;
        private long duplicates;

        CompletableFuture<Subscriber> open(URI replica, String chatId) {
            return connect(replica, this)
                    .thenCompose(webSocket -> {
                        socket = webSocket;
                        return webSocket.sendText(
                                "{\"type\":\"subscribe\",\"chatId\":\"" + chatId
                                        + "\",\"afterSeq\":0,\"requestId\":\"subscribe\"}",
                                true);
                    })
                    .thenCompose(ignored -> subscribed)
                    .thenApply(ignored -> this);
        }

        synchronized void begin(Step next) {
            current = next;
            seen = new BitSet(next.messages);
            latencies = new long[next.messages];
            measured = 0;
            duplicates = 0;
        }

        synchronized Tally finish() {
            return new Tally(seen.cardinality(), duplicates, Arrays.copyOf(latencies, measured));
        }

        /** Message frames are picked apart by hand: a full JSON parse per delivery would compete for the same cores. */
        @Override
        synchronized void received(String text, long at) {
            if (text.startsWith(MESSAGE_FRAME)) {
                delivered(text, at);
            } else if (text.startsWith(SUBSCRIBED_FRAME)) {
                long lastSeq = numberAt(text, text.indexOf(LAST_SEQ_FIELD) + LAST_SEQ_FIELD.length());
                head.accumulateAndGet(lastSeq, Math::max);
                subscribed.complete(null);
            } else if (text.contains("\"type\":\"error\"")) {
                subscribed.completeExceptionally(new IllegalStateException("subscribe refused: " + text));
                System.err.println("error frame: " + text);
            }
        }

        private void delivered(String text, long at) {
            int seqAt = text.indexOf(SEQ_FIELD);
            int contentAt = text.indexOf(CONTENT_FIELD);
            if (current == null || seqAt < 0 || contentAt < 0) {
                return; // the replay before the sweep, or a chat event
            }
            long index = numberAt(text, seqAt + SEQ_FIELD.length()) - current.base - 1;
            if (index < 0 || index >= current.messages) {
                return; // a late delivery from an earlier step, already counted as missing there
            }
            if (seen.get((int) index)) {
                duplicates++;
                return;
            }
            seen.set((int) index);
            current.delivered(at);
            long due = numberAt(text, contentAt + CONTENT_FIELD.length());
            if (due >= current.measuredFrom) {
                latencies[measured++] = at - due;
            }
        }
    }

    /**
     * A connection that sends and counts the answers. The JDK's WebSocket takes one send at a time, so sends queue
     * behind each other here; their latency still counts from the time they were due.
     */
    private final class Sender extends Connection {
        private CompletableFuture<WebSocket> sending;

        CompletableFuture<Sender> open(URI replica) {
            return connect(replica, this).thenApply(webSocket -> {
                socket = webSocket;
                sending = CompletableFuture.completedFuture(webSocket);
                return this;
            });
        }

        synchronized void send(String frame) {
            sending = sending.thenCompose(webSocket -> webSocket.sendText(frame, true));
        }

        @Override
        void received(String text, long at) {
            JsonNode frame;
            try {
                frame = ChorusApi.JSON.readTree(text);
            } catch (Exception e) {
                System.err.println("unreadable frame: " + text);
                return;
            }
            String type = frame.path("type").asText();
            if (type.equals("ack")) {
                head.accumulateAndGet(frame.path("seq").asLong(), Math::max);
            }
            Step current = step;
            if (current == null || !frame.path("requestId").asText().startsWith(current.number + "-")) {
                return;
            }
            if (type.equals("ack") && !frame.path("duplicate").asBoolean()) {
                current.stored.incrementAndGet();
            } else if (type.equals("ack") || type.equals("error")) {
                if (current.rejected.incrementAndGet() <= 5) {
                    System.err.println("send refused: " + text);
                }
            }
        }
    }

    private static String method() {
        return "Open loop: messages due at a fixed rate, sent through " + REPLICAS * SENDERS_PER_REPLICA
                + " WebSocket connections spread over two ws-service replicas, each carrying its due time; latency"
                + " from that time to the message's arrival at each subscriber, whose connections are split evenly"
                + " over the replicas. " + WARM_UP.toSeconds() + " s of warm-up, then " + MEASURE.toSeconds()
                + " s measured per rate, as one run. Loss over the whole run: every subscriber must receive every"
                + " stored message exactly once (by seq); what has not arrived " + DRAIN.toSeconds()
                + " s after the last send is missing. All connections are one user's. One api-service and two"
                + " ws-service replicas (" + ServiceProcess.JVM_OPTIONS_DESCRIPTION
                + " each), embedded PostgreSQL 17 (fsync off), rate and send limits"
                + " off, the load generator on the same machine.";
    }

    private static String table(List<Map<String, Object>> rows) {
        StringBuilder table = new StringBuilder(
                "| subscribers | deliveries (/s) | messages (/s) | achieved deliveries (/s) | failed sends | missing |"
                        + " duplicates | closed | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) |\n"
                        + "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map<String, Object> row : rows) {
            table.append(String.format(
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.get("subscribers"),
                    row.get("deliveryRate"),
                    row.get("messageRate"),
                    row.get("achievedDeliveriesPerSecond"),
                    (int) row.get("rejected") + (int) row.get("unanswered"),
                    row.get("missing"),
                    row.get("duplicates"),
                    row.get("closed"),
                    row.get("p50Millis"),
                    row.get("p99Millis"),
                    row.get("p999Millis"),
                    row.get("maxMillis")));
        }
        table.append("\nHighest delivery rate with p99 under ")
                .append((int) P99_GOAL_MILLIS)
                .append(" ms and no loss:");
        for (int size : CHAT_SIZES) {
            String best = rows.stream()
                    .filter(row -> (int) row.get("subscribers") == size)
                    .filter(row -> (double) row.get("p99Millis") < P99_GOAL_MILLIS && !lossy(row))
                    .map(row -> row.get("deliveryRate") + "/s")
                    .reduce((lower, higher) -> higher)
                    .orElse("none");
            table.append(" ").append(size).append(" subscribers: ").append(best).append(';');
        }
        table.setLength(table.length() - 1);
        return table.append('\n').toString();
    }
}
