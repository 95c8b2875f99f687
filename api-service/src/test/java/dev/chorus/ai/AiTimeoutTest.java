package dev.chorus.ai;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.api.Api;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.path.json.JsonPath;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** An answer slower than the timeout is stopped, recorded as timed out, and leaves no message. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(AiTimeoutTest.SlowModelShortTimeout.class)
class AiTimeoutTest {

    public static class SlowModelShortTimeout implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("chorus.ai.timeout", "1s", "chorus.ai.local.word-delay", "200ms");
        }
    }

    @Test
    void anAnswerOverItsTimeoutIsRecordedAsTimedOutAndStoresNothing() throws Exception {
        Api.User owner = Api.register("Owner");
        UUID chatId = AiAssistantTest.aiChat(owner);
        String id = owner.request()
                .body(Map.of("prompt", "tell me a long story"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(202)
                .extract()
                .path("id");

        JsonPath ended = AiAssistantTest.awaitEnd(owner, chatId, id);
        assertThat(ended.getString("status")).isEqualTo("timed_out");
        assertThat(ended.getString("errorCode")).isEqualTo("timeout");
        assertThat(ended.getString("responseMessageId")).isNull();
        AiAssistantTest.assertNoAnswerStored(owner, chatId);
    }
}
