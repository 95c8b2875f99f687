package dev.chorus.ai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.MultiEmitter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Claude, through Anthropic's streaming Messages API (server-sent events). JSON is handled as trees only, so the
 * native image needs no reflection for it.
 */
public class AnthropicProvider implements AiProvider, AutoCloseable {

    static final String API_VERSION = "2023-06-01";

    private static final Logger LOG = Logger.getLogger(AnthropicProvider.class);
    private static final Duration MAX_RETRY_AFTER = Duration.ofSeconds(10);
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final URI messagesUri;
    private final String apiKey;
    private final Duration idleTimeout;
    private final int maxRetries;
    private final Duration retryBackoff;
    private final ObjectMapper json;
    private final HttpClient http;
    private final MeterRegistry metrics;

    public AnthropicProvider(
            URI baseUrl,
            String apiKey,
            Duration connectTimeout,
            Duration idleTimeout,
            int maxRetries,
            Duration retryBackoff,
            ObjectMapper json,
            MeterRegistry metrics) {
        String base = baseUrl.toString();
        // Appended rather than resolved, so a base URL with a path (a proxy) keeps it.
        this.messagesUri =
                URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/messages");
        this.apiKey = apiKey;
        this.idleTimeout = idleTimeout;
        this.maxRetries = Math.max(0, maxRetries);
        this.retryBackoff = retryBackoff;
        this.json = json;
        this.metrics = metrics;
        this.http = HttpClient.newBuilder().connectTimeout(connectTimeout).build();
    }

    @Override
    public String name() {
        return "anthropic";
    }

    @Override
    public Multi<AiChunk> stream(AiRequest request) {
        return Multi.createFrom().emitter(emitter -> {
            StreamingCall call = new StreamingCall(request, emitter);
            emitter.onTermination(call::stop);
            try {
                Infrastructure.getDefaultWorkerPool().execute(call::run);
            } catch (RejectedExecutionException e) {
                emitter.fail(new AiProviderException("connection_failed", "No thread free to read the answer on", e));
            }
        });
    }

    /** Aborts the connections still open. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    private byte[] requestBody(AiRequest request) {
        ObjectNode body = json.createObjectNode();
        body.put("model", request.model());
        body.put("max_tokens", request.maxOutputTokens());
        if (request.system() != null && !request.system().isBlank()) {
            body.put("system", request.system());
        }
        ArrayNode messages = body.putArray("messages");
        for (Turn turn : request.turns()) {
            String role =
                    switch (turn.role()) {
                        case USER -> "user";
                        case ASSISTANT -> "assistant";
                    };
            messages.addObject().put("role", role).put("content", turn.content());
        }
        body.put("stream", true);
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree could not be written", e);
        }
    }

    private static AiProviderException connectionFailure(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof HttpConnectTimeoutException) {
            return new AiProviderException("connection_failed", "Connecting to Anthropic timed out", cause);
        }
        if (cause instanceof HttpTimeoutException) {
            return new AiProviderException("timeout", "Anthropic did not start answering in time", cause);
        }
        return new AiProviderException("connection_failed", "Could not reach Anthropic: " + cause, cause);
    }

    /** Every reason {@link #reason} gives, so that each series exists (at 0) before the first failure. */
    static final List<String> ERROR_REASONS =
            List.of("rate_limited", "overloaded", "server_error", "connection", "timeout", "api_error");

    /** The failure as operators group it: rate limits and overload are warnings, the rest errors. */
    static String reason(AiProviderException e) {
        if (e.httpStatus() == 429 || "rate_limit_error".equals(e.code())) {
            return "rate_limited";
        }
        if (e.httpStatus() == 529 || "overloaded_error".equals(e.code())) {
            return "overloaded";
        }
        if (e.httpStatus() >= 500) {
            return "server_error";
        }
        return switch (e.code()) {
            case "connection_failed", "stream_interrupted" -> "connection";
            case "timeout" -> "timeout";
            default -> "api_error";
        };
    }

    private static Optional<Duration> retryAfter(HttpHeaders headers) {
        return headers.firstValue("retry-after").flatMap(value -> {
            try {
                double seconds = Double.parseDouble(value.trim());
                if (!Double.isFinite(seconds)) {
                    return Optional.empty();
                }
                Duration wait = Duration.ofMillis((long) (Math.max(0, seconds) * 1000));
                return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
            } catch (NumberFormatException e) {
                // An HTTP date: rare from Anthropic, so the usual backoff does.
                return Optional.empty();
            }
        });
    }

    private static String orElse(String value, String fallback) {
        return value == null || value.isBlank() ? fallback : value;
    }

    private static void closeQuietly(InputStream stream) {
        if (stream == null) {
            return;
        }
        try {
            stream.close();
        } catch (IOException e) {
            // Closing only stops the reading; nothing is lost.
        }
    }

    /** One subscription to {@link #stream}: its attempts, read on a worker thread. */
    private final class StreamingCall {

        private final AiRequest request;
        private final MultiEmitter<? super AiChunk> emitter;
        private final CountDownLatch stopped = new CountDownLatch(1);
        private volatile CompletableFuture<HttpResponse<InputStream>> pendingResponse;
        private volatile InputStream body;

        // Touched by the worker thread only.
        private boolean textEmitted;
        private Duration retryAfter;
        private int inputTokens;
        private int outputTokens;
        private String stopReason;

        StreamingCall(AiRequest request, MultiEmitter<? super AiChunk> emitter) {
            this.request = request;
            this.emitter = emitter;
        }

        /** Runs when the subscriber cancels, and after completion or failure too. */
        void stop() {
            stopped.countDown();
            CompletableFuture<HttpResponse<InputStream>> pending = pendingResponse;
            if (pending != null) {
                pending.cancel(true);
            }
            closeQuietly(body);
        }

        private boolean isStopped() {
            return stopped.getCount() == 0;
        }

        void run() {
            try {
                byte[] requestBody = requestBody(request);
                for (int attempt = 1; ; attempt++) {
                    try {
                        streamOnce(requestBody);
                        return;
                    } catch (AiProviderException e) {
                        if (isStopped()) {
                            return;
                        }
                        metrics.counter("chorus.ai.provider.errors", "reason", reason(e))
                                .increment();
                        // Once text went out, another attempt would repeat it.
                        if (!e.retryable() || textEmitted || attempt > maxRetries) {
                            emitter.fail(e);
                            return;
                        }
                        Duration pause = retryAfter != null ? retryAfter : retryBackoff.multipliedBy(attempt);
                        LOG.warnf(
                                "Anthropic attempt %d failed (%s: %s); retrying in %d ms",
                                attempt, e.code(), e.getMessage(), pause.toMillis());
                        if (stopped.await(pause.toNanos(), TimeUnit.NANOSECONDS)) {
                            return;
                        }
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                emitter.fail(new AiProviderException("stream_interrupted", "Interrupted while waiting to retry", e));
            } catch (RuntimeException e) {
                if (!isStopped()) {
                    emitter.fail(e);
                }
            }
        }

        private void streamOnce(byte[] requestBody) {
            retryAfter = null;
            inputTokens = 0;
            outputTokens = 0;
            stopReason = null;
            HttpRequest httpRequest = HttpRequest.newBuilder(messagesUri)
                    // Until the response headers; the watchdog covers the body.
                    .timeout(idleTimeout)
                    .header("x-api-key", apiKey)
                    .header("anthropic-version", API_VERSION)
                    .header("content-type", "application/json")
                    .header("accept", "text/event-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(requestBody))
                    .build();
            HttpResponse<InputStream> response = send(httpRequest);
            if (response == null) {
                return;
            }
            InputStream in = response.body();
            body = in;
            // stop() may have run before body was set, and then could not close it.
            if (isStopped()) {
                closeQuietly(in);
                return;
            }
            IdleWatchdog watchdog = new IdleWatchdog(in);
            watchdog.start();
            try {
                if (response.statusCode() / 100 != 2) {
                    throw httpFailure(response, in);
                }
                readEvents(in, watchdog);
            } finally {
                watchdog.stop();
                body = null;
                closeQuietly(in);
            }
        }

        /** The response with its headers, or null when the subscriber cancelled meanwhile. */
        private HttpResponse<InputStream> send(HttpRequest httpRequest) {
            CompletableFuture<HttpResponse<InputStream>> response =
                    http.sendAsync(httpRequest, HttpResponse.BodyHandlers.ofInputStream());
            pendingResponse = response;
            if (isStopped()) {
                response.cancel(true);
            }
            try {
                return response.get();
            } catch (CancellationException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                response.cancel(true);
                throw new AiProviderException("connection_failed", "Interrupted while connecting to Anthropic", e);
            } catch (ExecutionException e) {
                throw connectionFailure(e);
            } finally {
                pendingResponse = null;
            }
        }

        private AiProviderException httpFailure(HttpResponse<InputStream> response, InputStream in) {
            int status = response.statusCode();
            if (status == 429 || status == 529) {
                retryAfter = retryAfter(response.headers()).orElse(null);
            }
            JsonNode error;
            try {
                JsonNode parsed = json.readTree(in.readNBytes(MAX_ERROR_BODY_BYTES));
                error = parsed == null ? MissingNode.getInstance() : parsed.path("error");
            } catch (IOException e) {
                error = MissingNode.getInstance();
            }
            return new AiProviderException(
                    orElse(error.path("type").textValue(), "http_" + status),
                    orElse(error.path("message").textValue(), "Anthropic answered with HTTP status " + status),
                    status);
        }

        /** Reads server-sent events until {@code message_stop}; fails on anything else that ends the stream. */
        private void readEvents(InputStream in, IdleWatchdog watchdog) {
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            String eventName = null;
            StringBuilder data = new StringBuilder();
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    watchdog.touch();
                    if (line.isEmpty()) {
                        if (!data.isEmpty() && handle(eventName, data.toString())) {
                            return;
                        }
                        eventName = null;
                        data.setLength(0);
                    } else if (!line.startsWith(":")) {
                        int colon = line.indexOf(':');
                        String field = colon < 0 ? line : line.substring(0, colon);
                        String value = colon < 0 ? "" : line.substring(colon + 1);
                        if (value.startsWith(" ")) {
                            value = value.substring(1);
                        }
                        if (field.equals("event")) {
                            eventName = value;
                        } else if (field.equals("data")) {
                            if (!data.isEmpty()) {
                                data.append('\n');
                            }
                            data.append(value);
                        }
                    }
                }
            } catch (IOException e) {
                throw interruption(watchdog, e);
            }
            throw interruption(watchdog, null);
        }

        private AiProviderException interruption(IdleWatchdog watchdog, IOException cause) {
            if (watchdog.fired()) {
                return new AiProviderException(
                        "timeout", "Anthropic sent nothing for " + idleTimeout.toMillis() + " ms", cause);
            }
            String message = "The answer broke off before it was complete";
            return cause == null
                    ? new AiProviderException("stream_interrupted", message, 0)
                    : new AiProviderException("stream_interrupted", message + ": " + cause.getMessage(), cause);
        }

        /** Handles one event; true when the answer is complete. */
        private boolean handle(String eventName, String data) {
            JsonNode event;
            try {
                event = json.readTree(data);
            } catch (JsonProcessingException e) {
                throw new AiProviderException("invalid_response", "Anthropic sent an event that is not JSON", e);
            }
            String type = eventName != null ? eventName : event.path("type").textValue();
            if (type == null) {
                return false;
            }
            switch (type) {
                case "message_start" -> countTokens(event.path("message").path("usage"));
                case "content_block_start" -> {
                    JsonNode block = event.path("content_block");
                    if ("text".equals(block.path("type").textValue())) {
                        emitText(block.path("text").textValue());
                    }
                }
                case "content_block_delta" -> {
                    JsonNode delta = event.path("delta");
                    // Thinking, signatures and tool input are not part of the answer's text.
                    if ("text_delta".equals(delta.path("type").textValue())) {
                        emitText(delta.path("text").textValue());
                    }
                }
                case "message_delta" -> {
                    String reason = event.path("delta").path("stop_reason").textValue();
                    if (reason != null) {
                        stopReason = reason;
                    }
                    countTokens(event.path("usage"));
                }
                case "message_stop" -> {
                    emitter.emit(new AiChunk.Finished(inputTokens, outputTokens, stopReason));
                    emitter.complete();
                    return true;
                }
                case "error" -> {
                    JsonNode error = event.path("error");
                    throw new AiProviderException(
                            orElse(error.path("type").textValue(), "error"),
                            orElse(error.path("message").textValue(), "Anthropic reported an error mid-answer"),
                            0);
                }
                default -> {
                    // ping, content_block_stop, and event types added later
                }
            }
            return false;
        }

        /** The counts are cumulative: message_start has the input, each message_delta the output so far. */
        private void countTokens(JsonNode usage) {
            inputTokens = usage.path("input_tokens").asInt(inputTokens);
            outputTokens = usage.path("output_tokens").asInt(outputTokens);
        }

        private void emitText(String text) {
            if (text != null && !text.isEmpty()) {
                textEmitted = true;
                emitter.emit(new AiChunk.Text(text));
            }
        }
    }

    /**
     * Closes the body when nothing arrived for the idle timeout, which ends the blocked read; the reader then
     * asks {@link #fired()} to tell a timeout from a broken connection.
     */
    private final class IdleWatchdog {

        private final InputStream body;
        private volatile long lastActivity = System.nanoTime();
        private volatile boolean fired;
        private volatile ScheduledFuture<?> nextCheck;
        private volatile boolean stopped;

        IdleWatchdog(InputStream body) {
            this.body = body;
        }

        void start() {
            schedule(idleTimeout.toNanos());
        }

        void touch() {
            lastActivity = System.nanoTime();
        }

        boolean fired() {
            return fired;
        }

        void stop() {
            stopped = true;
            ScheduledFuture<?> check = nextCheck;
            if (check != null) {
                check.cancel(false);
            }
        }

        private void schedule(long delayNanos) {
            try {
                nextCheck =
                        Infrastructure.getDefaultWorkerPool().schedule(this::check, delayNanos, TimeUnit.NANOSECONDS);
            } catch (RejectedExecutionException e) {
                // Shutting down: the connection is about to be closed anyway.
            }
        }

        private void check() {
            if (stopped) {
                return;
            }
            long remaining = idleTimeout.toNanos() - (System.nanoTime() - lastActivity);
            if (remaining > 0) {
                schedule(remaining);
                return;
            }
            fired = true;
            closeQuietly(body);
        }
    }
}
