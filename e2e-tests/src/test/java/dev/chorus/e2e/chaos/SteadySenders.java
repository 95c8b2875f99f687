package dev.chorus.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Senders that post messages at a steady pace through the load balancer, as a well-behaved client does: a failed or
 * unanswered post is sent again with the same client message id until it is acknowledged (201, or 200 when an
 * earlier attempt had already stored it).
 */
final class SteadySenders implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** A message that is still not acknowledged after this long counts as lost to the client. */
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(90);

    private final HttpClient http;
    private final String baseUrl;
    private final String chatId;
    private final ExecutorService threads;
    private final List<Future<?>> running = new ArrayList<>();
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final AtomicInteger sent = new AtomicInteger();
    private final AtomicInteger resentAlreadyStored = new AtomicInteger();
    private final AtomicInteger unacknowledged = new AtomicInteger();
    private volatile boolean stopping;

    private SteadySenders(HttpClient http, String baseUrl, String chatId, int senders) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.chatId = chatId;
        this.threads = Executors.newFixedThreadPool(senders);
    }

    /** One sender per token, each posting {@code perSecond} messages a second until {@link #stop()}. */
    static SteadySenders start(HttpClient http, String baseUrl, String chatId, List<String> tokens, int perSecond) {
        SteadySenders senders = new SteadySenders(http, baseUrl, chatId, tokens.size());
        for (int sender = 0; sender < tokens.size(); sender++) {
            String token = tokens.get(sender);
            String prefix = "sender" + sender + "-" + System.nanoTime() + "-";
            senders.running.add(senders.threads.submit(() -> senders.sendSteadily(token, prefix, perSecond)));
        }
        return senders;
    }

    private Void sendSteadily(String token, String prefix, int perSecond) throws InterruptedException {
        long intervalNanos = 1_000_000_000L / perSecond;
        long next = System.nanoTime();
        for (int i = 1; !stopping; i++) {
            sendUntilAcknowledged(token, prefix + i, "message " + prefix + i);
            next += intervalNanos;
            long pause = next - System.nanoTime();
            if (pause > 0) {
                Thread.sleep(pause / 1_000_000, (int) (pause % 1_000_000));
            }
        }
        return null;
    }

    private void sendUntilAcknowledged(String token, String clientMessageId, String content)
            throws InterruptedException {
        sent.incrementAndGet();
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/api/chats/" + chatId + "/messages"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.createObjectNode()
                        .put("content", content)
                        .put("clientMessageId", clientMessageId)
                        .toString()))
                .build();
        Instant giveUp = Instant.now().plus(GIVE_UP_AFTER);
        boolean retry = false;
        while (Instant.now().isBefore(giveUp)) {
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status == 201 || status == 200) {
                    JsonNode message = JSON.readTree(response.body());
                    acknowledged.put(clientMessageId, message.get("seq").asLong());
                    if (status == 200 && retry) {
                        resentAlreadyStored.incrementAndGet();
                    }
                    return;
                }
                failed("HTTP " + status);
                Thread.sleep(retryAfter(response));
            } catch (IOException e) {
                failed(e.getClass().getSimpleName());
                Thread.sleep(200);
            }
            retry = true;
        }
        unacknowledged.incrementAndGet();
    }

    private void failed(String outcome) {
        failures.computeIfAbsent(outcome, ignored -> new AtomicInteger()).incrementAndGet();
    }

    private static long retryAfter(HttpResponse<?> response) {
        long seconds = response.headers()
                .firstValue("Retry-After")
                .map(Long::parseLong)
                .orElse(0L);
        return seconds > 0 ? Math.min(seconds * 1000, 1000) : 200;
    }

    /** Stops sending new messages and waits until every message already started is acknowledged or given up. */
    void stop() throws Exception {
        stopping = true;
        for (Future<?> sender : running) {
            sender.get();
        }
    }

    /** Client message id to the sequence number its acknowledgement carried. */
    Map<String, Long> acknowledged() {
        return Map.copyOf(acknowledged);
    }

    int sent() {
        return sent.get();
    }

    int unacknowledged() {
        return unacknowledged.get();
    }

    /** Retries answered 200: the first attempt had stored the message though its answer never came back. */
    int resentAlreadyStored() {
        return resentAlreadyStored.get();
    }

    /** Failed attempts by outcome (HTTP status or exception), in a stable order for the report. */
    Map<String, Integer> failures() {
        Map<String, Integer> counts = new TreeMap<>();
        failures.forEach((outcome, count) -> counts.put(outcome, count.get()));
        return counts;
    }

    @Override
    public void close() {
        stopping = true;
        threads.shutdownNow();
    }
}
