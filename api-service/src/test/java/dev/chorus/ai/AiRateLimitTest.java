package dev.chorus.ai;

import dev.chorus.api.Api;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(AiRateLimitTest.TightLimits.class)
class AiRateLimitTest {

    public static class TightLimits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A day's window: with the default minute, a run across a minute boundary starts a fresh window and the
            // third request passes.
            return Map.of(
                    "chorus.rate-limit.enabled", "true",
                    "chorus.rate-limit.buckets.ai-invoke.per-user", "2",
                    "chorus.rate-limit.buckets.ai-invoke.per-chat", "100",
                    "chorus.rate-limit.buckets.ai-invoke.window", "24h");
        }
    }

    @Test
    void askingMoreOftenThanTheLimitGets429WithRetryAfter() throws Exception {
        Api.User owner = Api.register("Owner");
        for (int i = 0; i < 2; i++) {
            UUID chatId = AiAssistantTest.aiChat(owner);
            String id = owner.request()
                    .body(Map.of("prompt", "question " + i))
                    .post("/api/chats/{c}/ai", chatId)
                    .then()
                    .statusCode(202)
                    .extract()
                    .path("id");
            AiAssistantTest.awaitEnd(owner, chatId, id);
        }
        owner.request()
                .body(Map.of("prompt", "one more"))
                .post("/api/chats/{c}/ai", AiAssistantTest.aiChat(owner))
                .then()
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
    }
}
