package dev.chorus.ai;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.chorus.api.Api;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The service configured for Anthropic, against a local server in Anthropic's format that breaks off an answer
 * with an error event: the invocation is marked failed with the provider's error, and nothing is stored.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(AiProviderFailureTest.OverloadedAnthropic.class)
class AiProviderFailureTest {

    public static class OverloadedAnthropic implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "chorus.ai.provider", "anthropic",
                    "chorus.ai.anthropic.api-key", "test-key",
                    "chorus.ai.anthropic.retry-backoff", "10ms");
        }

        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(OverloadedStub.class));
        }
    }

    /** Streams the start of an answer, then Anthropic's overloaded error event. */
    public static class OverloadedStub implements QuarkusTestResourceLifecycleManager {
        private HttpServer server;

        @Override
        public Map<String, String> start() {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            byte[] body = ("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
                            + "\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5\",\"content\":[],"
                            + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":12,\"output_tokens\":1}}}\n\n"
                            + "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,"
                            + "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
                            + "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,"
                            + "\"delta\":{\"type\":\"text_delta\",\"text\":\"Partial \"}}\n\n"
                            + "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                            + "\"message\":\"Overloaded\"}}\n\n")
                    .getBytes(StandardCharsets.UTF_8);
            server.createContext("/v1/messages", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            });
            server.start();
            return Map.of(
                    "chorus.ai.anthropic.base-url",
                    "http://127.0.0.1:" + server.getAddress().getPort());
        }

        @Override
        public void stop() {
            if (server != null) {
                server.stop(0);
            }
        }
    }

    @Test
    void aProviderErrorMidAnswerMarksTheInvocationFailedAndStoresNothing() throws Exception {
        Api.User owner = Api.register("Owner");
        UUID chatId = AiAssistantTest.aiChat(owner);
        String id = owner.request()
                .body(Map.of("prompt", "Are you there?"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(202)
                .extract()
                .path("id");

        JsonPath ended = AiAssistantTest.awaitEnd(owner, chatId, id);
        assertThat(ended.getString("status")).isEqualTo("failed");
        assertThat(ended.getString("errorCode")).isEqualTo("overloaded_error");
        assertThat(ended.getString("errorMessage")).isEqualTo("Overloaded");
        assertThat(ended.getString("finishedAt")).isNotNull();
        AiAssistantTest.assertNoAnswerStored(owner, chatId);
    }
}
