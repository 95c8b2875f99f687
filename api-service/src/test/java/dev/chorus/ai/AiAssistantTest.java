package dev.chorus.ai;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.chorus.api.Api;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Asking the assistant through the API, with the local provider, against the real database. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class AiAssistantTest {

    @Test
    void theAnswerIsStoredOnceAsAnAssistantMessageWithItsModelAndTokens() throws Exception {
        Api.User owner = Api.register("Owner");
        UUID chatId = aiChat(owner);

        JsonPath invocation = owner.request()
                .body(Map.of("prompt", "What is Chorus?"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(202)
                .body("status", is("pending"))
                .extract()
                .jsonPath();
        JsonPath done = awaitEnd(owner, chatId, invocation.getString("id"));
        assertThat(done.getString("status")).isEqualTo("succeeded");
        assertThat(done.getInt("outputTokens")).isPositive();
        assertThat(done.getInt("inputTokens")).isPositive();

        JsonPath history = owner.request()
                .get("/api/chats/{c}/messages", chatId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        List<Map<String, Object>> messages = history.getList("messages");
        List<Map<String, Object>> answers = messages.stream()
                .filter(message -> message.get("role").equals("assistant"))
                .toList();
        assertThat(answers).hasSize(1);
        Map<String, Object> answer = answers.getFirst();
        assertThat(answer.get("id")).isEqualTo(done.getString("responseMessageId"));
        assertThat(answer.get("content"))
                .isEqualTo("You asked: Owner: What is Chorus? (a local model's answer, from 1 messages of context)");
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) answer.get("payload");
        assertThat(payload).containsEntry("model", done.getString("model")).containsKey("outputTokens");
        assertThat(messages.stream().filter(message -> "What is Chorus?".equals(message.get("content"))))
                .as("the prompt, stored as the asker's message")
                .hasSize(1);
    }

    @Test
    void theAssistantNeedsTheChatsSwitchAndTheMembersPermission() {
        Api.User owner = Api.register("Owner");
        UUID quiet = Api.chat(owner, "private");
        owner.request()
                .body(Map.of("prompt", "hello?"))
                .post("/api/chats/{c}/ai", quiet)
                .then()
                .statusCode(409)
                .contentType("application/problem+json")
                .body("type", is("ai-disabled"));

        UUID chatId = aiChat(owner);
        Api.User member = Api.register("Member");
        Api.addMember(owner, chatId, member, "member");
        owner.request()
                .body(Map.of(
                        "permissions",
                        Map.of("send", true, "invite", false, "invokeAi", false, "manageMembers", false)))
                .patch("/api/chats/{c}/members/{u}", chatId, member.id())
                .then()
                .statusCode(200);
        member.request()
                .body(Map.of("prompt", "may I?"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(403)
                .contentType("application/problem+json");
        Api.register("Stranger")
                .request()
                .body(Map.of("prompt", "hi"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(404);
        owner.request()
                .body(Map.of("prompt", "x".repeat(4001)))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void oneAnswerRunsAtATimeAndACancelledOneLeavesNoMessage() throws Exception {
        Api.User owner = Api.register("Owner");
        UUID chatId = aiChat(owner);
        String longPrompt = "word ".repeat(400);

        String running = owner.request()
                .body(Map.of("prompt", longPrompt))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        owner.request()
                .body(Map.of("prompt", "me too"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(409)
                .body("type", is("ai-busy"));

        owner.request()
                .post("/api/chats/{c}/ai/{i}/cancel", chatId, running)
                .then()
                .statusCode(200)
                .body("status", is("cancelled"));
        owner.request()
                .post("/api/chats/{c}/ai/{i}/cancel", chatId, running)
                .then()
                .statusCode(409)
                .body("type", is("ai-not-running"));

        Thread.sleep(2500);
        assertThat(owner.request()
                        .get("/api/chats/{c}/ai/{i}", chatId, running)
                        .then()
                        .statusCode(200)
                        .extract()
                        .path("status")
                        .toString())
                .isEqualTo("cancelled");
        assertNoAnswerStored(owner, chatId);

        String next = owner.request()
                .body(Map.of("prompt", "and now?"))
                .post("/api/chats/{c}/ai", chatId)
                .then()
                .statusCode(202)
                .extract()
                .path("id");
        assertThat(awaitEnd(owner, chatId, next).getString("status")).isEqualTo("succeeded");
    }

    /** The chat holds no assistant message: a failed, cancelled or timed-out answer leaves nothing behind. */
    static void assertNoAnswerStored(Api.User user, UUID chatId) {
        List<String> roles = user.request()
                .get("/api/chats/{c}/messages", chatId)
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("messages.role");
        assertThat(roles).doesNotContain("assistant");
    }

    static UUID aiChat(Api.User owner) {
        UUID chatId = Api.chat(owner, "private");
        owner.request()
                .body(Map.of("aiEnabled", true))
                .patch("/api/chats/{c}", chatId)
                .then()
                .statusCode(200);
        return chatId;
    }

    static JsonPath awaitEnd(Api.User user, UUID chatId, String invocationId) throws InterruptedException {
        for (int attempt = 0; attempt < 200; attempt++) {
            JsonPath invocation = user.request()
                    .get("/api/chats/{c}/ai/{i}", chatId, invocationId)
                    .then()
                    .statusCode(200)
                    .extract()
                    .jsonPath();
            String status = invocation.getString("status");
            if (!status.equals("pending") && !status.equals("streaming")) {
                return invocation;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("the answer did not end within 10 s");
    }
}
