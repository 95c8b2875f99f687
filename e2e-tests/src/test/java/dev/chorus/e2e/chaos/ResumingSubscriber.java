package dev.chorus.e2e.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A chat client that stays subscribed whatever happens to the replica it landed on: when its socket ends it
 * connects again through the load balancer and resumes after the last sequence number it saw, as the protocol
 * tells clients to (docs/websocket-protocol.md). It records every message frame it gets, duplicates included.
 */
final class ResumingSubscriber implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration RECONNECT_DELAY = Duration.ofMillis(250);

    private final HttpClient http;
    private final ScheduledExecutorService scheduler;
    private final URI endpoint;
    private final String token;
    private final String chatId;
    private final List<Long> delivered = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private long lastSeq;
    private int connections;
    private boolean subscribed;
    private boolean closing;
    private WebSocket socket;

    ResumingSubscriber(
            HttpClient http, ScheduledExecutorService scheduler, String wsBaseUrl, String token, String chatId) {
        this.http = http;
        this.scheduler = scheduler;
        this.endpoint = URI.create(wsBaseUrl + "/ws");
        this.token = token;
        this.chatId = chatId;
    }

    /** Connects and subscribes from the chat's first entry. */
    void start() {
        connect();
    }

    private void connect() {
        synchronized (this) {
            if (closing) {
                return;
            }
        }
        http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(endpoint, new Connection())
                .whenComplete((opened, failure) -> {
                    if (failure != null) {
                        reconnectLater();
                        return;
                    }
                    long afterSeq;
                    synchronized (this) {
                        socket = opened;
                        connections++;
                        afterSeq = lastSeq;
                    }
                    String subscribe = JSON.createObjectNode()
                            .put("type", "subscribe")
                            .put("chatId", chatId)
                            .put("afterSeq", afterSeq)
                            .toString();
                    opened.sendText(subscribe, true).exceptionally(ignored -> null);
                });
    }

    private void reconnectLater() {
        synchronized (this) {
            subscribed = false;
            if (closing) {
                return;
            }
        }
        scheduler.schedule(this::connect, RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void received(JsonNode frame) {
        switch (frame.path("type").asText()) {
            case "message" -> {
                long seq = frame.path("message").path("seq").asLong();
                delivered.add(seq);
                lastSeq = Math.max(lastSeq, seq);
                notifyAll();
            }
            case "subscribed" -> {
                subscribed = true;
                notifyAll();
            }
            case "error" -> errors.add(frame.toString());
            default -> {
                // presence, typing, read markers and pongs are not what this client counts
            }
        }
    }

    /** Waits until the first subscription is confirmed. */
    synchronized void awaitSubscribed(Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (!subscribed && Instant.now().isBefore(deadline)) {
            wait(100);
        }
        if (!subscribed) {
            throw new IllegalStateException("not subscribed within " + timeout);
        }
    }

    /** Waits until the client has seen {@code seq}; false when it has not within the timeout. */
    synchronized boolean awaitSeq(long seq, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (lastSeq < seq && Instant.now().isBefore(deadline)) {
            wait(100);
        }
        return lastSeq >= seq;
    }

    synchronized List<Long> delivered() {
        return List.copyOf(delivered);
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    /** Sockets this client has opened: 1 plus its reconnects. */
    synchronized int connections() {
        return connections;
    }

    @Override
    public void close() {
        WebSocket open;
        synchronized (this) {
            closing = true;
            open = socket;
        }
        if (open != null && !open.isOutputClosed()) {
            open.sendClose(WebSocket.NORMAL_CLOSURE, "done")
                    .orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(ignored -> null)
                    .join();
        }
    }

    /** The listener of one socket: each reconnect gets its own, so that a dead socket's events stay its own. */
    private final class Connection implements WebSocket.Listener {

        private final StringBuilder partial = new StringBuilder();
        private boolean ended;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                try {
                    received(JSON.readTree(partial.toString()));
                } catch (Exception e) {
                    synchronized (ResumingSubscriber.this) {
                        errors.add("unparseable frame: " + partial);
                    }
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            ended();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            ended();
        }

        private void ended() {
            if (!ended) {
                ended = true;
                reconnectLater();
            }
        }
    }
}
