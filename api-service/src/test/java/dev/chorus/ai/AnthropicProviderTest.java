package dev.chorus.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.chorus.ai.AiProvider.AiRequest;
import dev.chorus.ai.AiProvider.Role;
import dev.chorus.ai.AiProvider.Turn;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Against a local server that answers the way Anthropic's Messages API does, byte for byte in its event shapes. */
class AnthropicProviderTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String API_KEY = "sk-ant-api03-test-key";
    private static final String MODEL = "claude-sonnet-4-5";
    private static final AiRequest REQUEST = new AiRequest(
            MODEL,
            "You are Chorus.",
            List.of(
                    new Turn(Role.USER, "Ann: hello"),
                    new Turn(Role.ASSISTANT, "Hello Ann!"),
                    new Turn(Role.USER, "Ann: what is 2 + 2?")),
            256);

    private static final String TEXT_BLOCK_START = event("content_block_start", """
            {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}""");
    private static final String PING = event("ping", """
            {"type": "ping"}""");
    private static final String TEXT_BLOCK_STOP = event("content_block_stop", """
            {"type":"content_block_stop","index":0}""");
    private static final String MESSAGE_STOP = event("message_stop", """
            {"type":"message_stop"}""");

    private final ObjectMapper json = new ObjectMapper();
    private final io.micrometer.core.instrument.simple.SimpleMeterRegistry metrics =
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    private final Queue<Responder> responders = new ConcurrentLinkedQueue<>();
    private final List<ReceivedRequest> received = new CopyOnWriteArrayList<>();
    private final List<AnthropicProvider> providers = new ArrayList<>();
    private final CountDownLatch testOver = new CountDownLatch(1);
    private ExecutorService serverThreads;
    private HttpServer server;

    @BeforeEach
    void startServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serverThreads = Executors.newCachedThreadPool();
        server.setExecutor(serverThreads);
        server.createContext("/", exchange -> {
            try (exchange) {
                received.add(new ReceivedRequest(
                        exchange.getRequestMethod(),
                        exchange.getRequestURI().getPath(),
                        exchange.getRequestHeaders(),
                        json.readTree(exchange.getRequestBody().readAllBytes()),
                        System.nanoTime()));
                // The last responder answers every request from then on.
                Responder responder = responders.size() > 1 ? responders.poll() : responders.peek();
                responder.respond(exchange);
            } catch (IOException e) {
                // The client went away, which some tests do on purpose.
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
    }

    @AfterEach
    void stopServer() {
        testOver.countDown();
        providers.forEach(AnthropicProvider::close);
        server.stop(0);
        serverThreads.shutdownNow();
    }

    @Test
    void aNormalStreamYieldsTheTextInOrderThenFinishedWithTokensAndStopReason() {
        responders.add(streaming(answer("Hello", " Ann", "! 2 + 2 = 4.")));

        List<AiChunk> chunks =
                provider().stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(chunks)
                .containsExactly(
                        new AiChunk.Text("Hello"),
                        new AiChunk.Text(" Ann"),
                        new AiChunk.Text("! 2 + 2 = 4."),
                        new AiChunk.Finished(25, 15, "end_turn"));
    }

    @Test
    void theRequestCarriesKeyVersionModelLimitSystemPromptAndTheConversationAsRoles() throws Exception {
        responders.add(streaming(answer("4")));

        provider().stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(received).hasSize(1);
        ReceivedRequest request = received.getFirst();
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.path()).isEqualTo("/v1/messages");
        assertThat(request.headers().getFirst("x-api-key")).isEqualTo(API_KEY);
        assertThat(request.headers().getFirst("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(request.headers().getFirst("content-type")).isEqualTo("application/json");
        assertThat(request.headers().getFirst("accept")).isEqualTo("text/event-stream");
        assertThat(request.body()).isEqualTo(json.readTree("""
                {
                  "model": "claude-sonnet-4-5",
                  "max_tokens": 256,
                  "system": "You are Chorus.",
                  "messages": [
                    {"role": "user", "content": "Ann: hello"},
                    {"role": "assistant", "content": "Hello Ann!"},
                    {"role": "user", "content": "Ann: what is 2 + 2?"}
                  ],
                  "stream": true
                }"""));
    }

    @Test
    void aBlankSystemPromptIsLeftOutOfTheRequest() {
        responders.add(streaming(answer("4")));

        provider().stream(new AiRequest(MODEL, " ", REQUEST.turns(), 256))
                .collect()
                .asList()
                .await()
                .atMost(WAIT);

        assertThat(received.getFirst().body().has("system")).isFalse();
    }

    @Test
    void aBaseUrlWithAPathKeepsIt() {
        responders.add(streaming(answer("4")));
        URI baseUrl = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/anthropic/");

        provider(baseUrl, 0, WAIT).stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(received.getFirst().path()).isEqualTo("/anthropic/v1/messages");
    }

    @Test
    void thinkingAndToolInputAreNotPartOfTheText() {
        responders.add(streaming(
                messageStart(40),
                event("content_block_start", """
                        {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}"""),
                event("content_block_delta", """
                        {"type":"content_block_delta","index":0,\
                        "delta":{"type":"thinking_delta","thinking":"Two and two make four."}}"""),
                event("content_block_delta", """
                        {"type":"content_block_delta","index":0,\
                        "delta":{"type":"signature_delta","signature":"EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pk"}}"""),
                event("content_block_stop", """
                        {"type":"content_block_stop","index":0}"""),
                event("content_block_start", """
                        {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}"""),
                event("content_block_delta", """
                        {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Let me check."}}"""),
                event("content_block_stop", """
                        {"type":"content_block_stop","index":1}"""),
                event("content_block_start", """
                        {"type":"content_block_start","index":2,\
                        "content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"calculator",\
                        "input":{}}}"""),
                event("content_block_delta", """
                        {"type":"content_block_delta","index":2,\
                        "delta":{"type":"input_json_delta","partial_json":"{\\"expression\\": \\"2 + 2\\"}"}}"""),
                event("content_block_stop", """
                        {"type":"content_block_stop","index":2}"""),
                messageDelta("tool_use", 89),
                MESSAGE_STOP));

        List<AiChunk> chunks =
                provider().stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(chunks).containsExactly(new AiChunk.Text("Let me check."), new AiChunk.Finished(40, 89, "tool_use"));
    }

    @Test
    void commentsAndCarriageReturnLineEndingsAreUnderstood() {
        String stream = ": connected\n\n" + answer("Hello", " there") + ": bye\n";
        responders.add(streaming(stream.replace("\n", "\r\n")));

        List<AiChunk> chunks =
                provider().stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(chunks)
                .containsExactly(
                        new AiChunk.Text("Hello"),
                        new AiChunk.Text(" there"),
                        new AiChunk.Finished(25, 15, "end_turn"));
    }

    @Test
    void anErrorEventAfterSomeTextFailsWithTheProvidersCodeAndMessageAndIsNotRetried() {
        responders.add(streaming(messageStart(25), TEXT_BLOCK_START, textDelta("Hello"), event("error", """
                        {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}""")));

        AssertSubscriber<AiChunk> subscriber = subscribe(provider()).awaitFailure(WAIT);

        assertThat(subscriber.getItems()).containsExactly(new AiChunk.Text("Hello"));
        assertThat(subscriber.getFailure()).isInstanceOfSatisfying(AiProviderException.class, failure -> {
            assertThat(failure.code()).isEqualTo("overloaded_error");
            assertThat(failure.getMessage()).isEqualTo("Overloaded");
            assertThat(failure.httpStatus()).isZero();
        });
        assertThat(received).hasSize(1);
    }

    @Test
    void anOverloadedAnswerIsRetriedAndTheNextAttemptStreams() {
        responders.add(overloaded());
        responders.add(streaming(answer("Hi")));

        List<AiChunk> chunks =
                provider().stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(chunks).containsExactly(new AiChunk.Text("Hi"), new AiChunk.Finished(25, 15, "end_turn"));
        assertThat(received).hasSize(2);
    }

    @Test
    void overloadedOnEveryAttemptFailsWithOverloadedErrorAndStatus529() {
        responders.add(overloaded());

        AssertSubscriber<AiChunk> subscriber = subscribe(provider(2, WAIT)).awaitFailure(WAIT);

        assertThat(subscriber.getItems()).isEmpty();
        assertThat(subscriber.getFailure()).isInstanceOfSatisfying(AiProviderException.class, failure -> {
            assertThat(failure.code()).isEqualTo("overloaded_error");
            assertThat(failure.getMessage()).isEqualTo("Overloaded");
            assertThat(failure.httpStatus()).isEqualTo(529);
        });
        assertThat(received).hasSize(3);
        assertThat(providerErrors("overloaded"))
                .as("every failed attempt counts")
                .isEqualTo(3);
    }

    @Test
    void aRetryAfterHeaderSetsThePauseBeforeTheNextAttempt() {
        responders.add(failing(429, """
                {"type":"error","error":{"type":"rate_limit_error",\
                "message":"Number of request tokens has exceeded your per-minute rate limit"}}""", "retry-after", "1"));
        responders.add(streaming(answer("Hi")));

        provider().stream(REQUEST).collect().asList().await().atMost(WAIT);

        assertThat(received).hasSize(2);
        Duration pause = Duration.ofNanos(
                received.get(1).arrivedNanos() - received.get(0).arrivedNanos());
        assertThat(pause).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(providerErrors("rate_limited")).isEqualTo(1);
    }

    @Test
    void anInvalidRequestFailsAtOnceWithItsMessage() {
        responders.add(failing(400, """
                {"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"},\
                "request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"""));

        AssertSubscriber<AiChunk> subscriber = subscribe(provider()).awaitFailure(WAIT);

        assertThat(subscriber.getFailure()).isInstanceOfSatisfying(AiProviderException.class, failure -> {
            assertThat(failure.code()).isEqualTo("invalid_request_error");
            assertThat(failure.getMessage()).isEqualTo("max_tokens: Field required");
            assertThat(failure.httpStatus()).isEqualTo(400);
            assertThat(failure.retryable()).isFalse();
        });
        assertThat(received).hasSize(1);
        assertThat(providerErrors("api_error")).isEqualTo(1);
    }

    @Test
    void anErrorAnswerThatIsNotJsonIsReportedByItsStatus() {
        responders.add(failing(502, "<html><body>Bad Gateway</body></html>"));

        AssertSubscriber<AiChunk> subscriber = subscribe(provider(1, WAIT)).awaitFailure(WAIT);

        assertThat(subscriber.getFailure()).isInstanceOfSatisfying(AiProviderException.class, failure -> {
            assertThat(failure.code()).isEqualTo("http_502");
            assertThat(failure.getMessage()).contains("502");
            assertThat(failure.httpStatus()).isEqualTo(502);
        });
        assertThat(received).hasSize(2);
    }

    @Test
    void aStreamThatEndsBeforeMessageStopFailsAsInterruptedAfterTheTextItGot() {
        responders.add(streaming(messageStart(25), TEXT_BLOCK_START, textDelta("Hello"), textDelta(" there")));

        AssertSubscriber<AiChunk> subscriber = subscribe(provider()).awaitFailure(WAIT);

        assertThat(subscriber.getItems()).containsExactly(new AiChunk.Text("Hello"), new AiChunk.Text(" there"));
        assertThat(subscriber.getFailure())
                .isInstanceOfSatisfying(AiProviderException.class, failure -> assertThat(failure.code())
                        .isEqualTo("stream_interrupted"));
        assertThat(received).hasSize(1);
    }

    @Test
    void aConnectionCutMidStreamFailsAsInterruptedAfterTheTextItGot() {
        responders.add(exchange -> {
            exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
            // Announces more than it sends, so closing early breaks the connection rather than ending the body.
            exchange.sendResponseHeaders(200, 1_000_000);
            write(exchange, messageStart(25) + TEXT_BLOCK_START + textDelta("Hello"));
        });

        AssertSubscriber<AiChunk> subscriber = subscribe(provider()).awaitFailure(WAIT);

        assertThat(subscriber.getItems()).containsExactly(new AiChunk.Text("Hello"));
        assertThat(subscriber.getFailure())
                .isInstanceOfSatisfying(AiProviderException.class, failure -> assertThat(failure.code())
                        .isEqualTo("stream_interrupted"));
    }

    @Test
    void aServerThatIsNotListeningFailsWithConnectionFailed() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }

        AssertSubscriber<AiChunk> subscriber = subscribe(
                        provider(URI.create("http://127.0.0.1:" + closedPort), 1, WAIT))
                .awaitFailure(WAIT);

        assertThat(subscriber.getFailure()).isInstanceOfSatisfying(AiProviderException.class, failure -> {
            assertThat(failure.code()).isEqualTo("connection_failed");
            assertThat(failure.httpStatus()).isZero();
        });
    }

    @Test
    void silenceMidStreamLongerThanTheIdleTimeoutFailsWithTimeout() {
        responders.add(exchange -> {
            startStream(exchange);
            write(exchange, messageStart(25) + TEXT_BLOCK_START + textDelta("Hello"));
            testOver.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        });
        long start = System.nanoTime();

        AssertSubscriber<AiChunk> subscriber =
                subscribe(provider(0, Duration.ofMillis(300))).awaitFailure(WAIT);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        assertThat(subscriber.getItems()).containsExactly(new AiChunk.Text("Hello"));
        assertThat(subscriber.getFailure())
                .isInstanceOfSatisfying(AiProviderException.class, failure -> assertThat(failure.code())
                        .isEqualTo("timeout"));
    }

    @Test
    void noResponseWithinTheIdleTimeoutFailsWithTimeout() {
        responders.add(exchange -> testOver.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));

        AssertSubscriber<AiChunk> subscriber =
                subscribe(provider(0, Duration.ofMillis(300))).awaitFailure(WAIT);

        assertThat(subscriber.getFailure())
                .isInstanceOfSatisfying(AiProviderException.class, failure -> assertThat(failure.code())
                        .isEqualTo("timeout"));
    }

    @Test
    void aStreamThatKeepsSendingOutlastsTheIdleTimeout() {
        responders.add(exchange -> {
            startStream(exchange);
            write(exchange, messageStart(25) + TEXT_BLOCK_START);
            // 2 s in all, twice the idle timeout, in gaps a quarter of it: a slow machine's pauses stay well inside.
            for (int i = 0; i < 8; i++) {
                Thread.sleep(250);
                write(exchange, i % 2 == 0 ? PING : textDelta("."));
            }
            write(exchange, TEXT_BLOCK_STOP + messageDelta("end_turn", 15) + MESSAGE_STOP);
        });

        List<AiChunk> chunks = provider(0, Duration.ofSeconds(1)).stream(REQUEST)
                .collect()
                .asList()
                .await()
                .atMost(WAIT);

        assertThat(chunks).hasSize(5).last().isEqualTo(new AiChunk.Finished(25, 15, "end_turn"));
    }

    @Test
    void cancellingMidStreamStopsReadingAndLetsTheConnectionGo() throws InterruptedException {
        CountDownLatch clientLeft = new CountDownLatch(1);
        responders.add(exchange -> {
            startStream(exchange);
            write(exchange, messageStart(25) + TEXT_BLOCK_START + textDelta("first"));
            try {
                for (int i = 0; i < 250; i++) {
                    Thread.sleep(20);
                    write(exchange, PING);
                }
            } catch (IOException e) {
                clientLeft.countDown();
            }
        });

        AssertSubscriber<AiChunk> subscriber = subscribe(provider());
        subscriber.awaitItems(1, WAIT).cancel();

        assertThat(clientLeft.await(3, TimeUnit.SECONDS)).isTrue();
        assertThat(subscriber.getItems()).containsExactly(new AiChunk.Text("first"));
    }

    private AnthropicProvider provider() {
        return provider(2, WAIT);
    }

    private AnthropicProvider provider(int maxRetries, Duration idleTimeout) {
        return provider(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), maxRetries, idleTimeout);
    }

    private AnthropicProvider provider(URI baseUrl, int maxRetries, Duration idleTimeout) {
        AnthropicProvider provider = new AnthropicProvider(
                baseUrl, API_KEY, Duration.ofSeconds(2), idleTimeout, maxRetries, Duration.ofMillis(10), json, metrics);
        providers.add(provider);
        return provider;
    }

    private double providerErrors(String reason) {
        return metrics.counter("chorus.ai.provider.errors", "reason", reason).count();
    }

    private static AssertSubscriber<AiChunk> subscribe(AnthropicProvider provider) {
        return provider.stream(REQUEST).subscribe().withSubscriber(AssertSubscriber.<AiChunk>create(Long.MAX_VALUE));
    }

    // Anthropic's wire format: https://docs.anthropic.com/en/docs/build-with-claude/streaming

    private static String event(String type, String data) {
        return "event: " + type + "\ndata: " + data + "\n\n";
    }

    private static String messageStart(int inputTokens) {
        return event("message_start", """
                {"type":"message_start","message":{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message",\
                "role":"assistant","model":"claude-sonnet-4-5","content":[],"stop_reason":null,"stop_sequence":null,\
                "usage":{"input_tokens":%d,"output_tokens":1}}}""".formatted(inputTokens));
    }

    private static String textDelta(String text) {
        return event("content_block_delta", """
                {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":%s}}""".formatted(TextNode.valueOf(text)));
    }

    private static String messageDelta(String stopReason, int outputTokens) {
        return event("message_delta", """
                {"type":"message_delta","delta":{"stop_reason":"%s","stop_sequence":null},\
                "usage":{"output_tokens":%d}}""".formatted(stopReason, outputTokens));
    }

    /** A whole answer made of {@code pieces}, as 25 input and 15 output tokens. */
    private static String answer(String... pieces) {
        StringBuilder stream =
                new StringBuilder(messageStart(25)).append(TEXT_BLOCK_START).append(PING);
        for (String piece : pieces) {
            stream.append(textDelta(piece));
        }
        return stream.append(TEXT_BLOCK_STOP)
                .append(messageDelta("end_turn", 15))
                .append(MESSAGE_STOP)
                .toString();
    }

    private static Responder streaming(String... events) {
        return exchange -> {
            startStream(exchange);
            for (String event : events) {
                write(exchange, event);
            }
        };
    }

    private static Responder overloaded() {
        return failing(529, """
                {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"},\
                "request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}""");
    }

    private static Responder failing(int status, String body, String... headerNamesAndValues) {
        return exchange -> {
            for (int i = 0; i + 1 < headerNamesAndValues.length; i += 2) {
                exchange.getResponseHeaders().set(headerNamesAndValues[i], headerNamesAndValues[i + 1]);
            }
            exchange.getResponseHeaders().set("content-type", "application/json");
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
        };
    }

    private static void startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("content-type", "text/event-stream; charset=utf-8");
        exchange.getResponseHeaders().set("cache-control", "no-cache");
        exchange.sendResponseHeaders(200, 0);
    }

    private static void write(HttpExchange exchange, String events) throws IOException {
        OutputStream body = exchange.getResponseBody();
        body.write(events.getBytes(StandardCharsets.UTF_8));
        body.flush();
    }

    @FunctionalInterface
    private interface Responder {
        void respond(HttpExchange exchange) throws IOException, InterruptedException;
    }

    private record ReceivedRequest(String method, String path, Headers headers, JsonNode body, long arrivedNanos) {}
}
