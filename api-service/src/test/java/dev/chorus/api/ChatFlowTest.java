package dev.chorus.api;

import static dev.chorus.api.Api.anonymous;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Chats, members, invites and messages as app clients use them. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class ChatFlowTest {

    @Test
    void aNewChatIsOwnedByItsCreatorAndStartsWithAnEvent() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");

        owner.request()
                .get("/api/chats/{id}", chatId)
                .then()
                .statusCode(200)
                .body("membership.role", is("owner"))
                .body("visibility", is("private"))
                .body("lastMessageSeq", is(1));
        owner.request()
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages[0].role", is("system"))
                .body("messages[0].event", is("chat.created"));
    }

    @Test
    void myChatsShowUnreadCountsAndTheNewestEntry() {
        Api.User owner = Api.register("Owner");
        Api.User reader = Api.register("Reader");
        UUID chatId = Api.chat(owner, "private");
        Api.addMember(owner, chatId, reader, "member");
        Api.send(owner, chatId, "first");
        Api.send(owner, chatId, "second");

        reader.request()
                .get("/api/chats")
                .then()
                .statusCode(200)
                .body("find { it.chat.id == '%s' }.unreadCount".formatted(chatId), is(4))
                .body("find { it.chat.id == '%s' }.lastMessage.content".formatted(chatId), is("second"));

        reader.request()
                .body(Map.of("seq", 4))
                .post("/api/chats/{id}/read", chatId)
                .then()
                .body("lastReadSeq", is(4));
        reader.request()
                .get("/api/chats")
                .then()
                .body("find { it.chat.id == '%s' }.unreadCount".formatted(chatId), is(0));
    }

    @Test
    void resendingWithTheSameClientMessageIdReturnsTheFirstMessage() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");
        Map<String, Object> body = Map.of("content", "only once", "clientMessageId", "c-123");

        String first = owner.request()
                .body(body)
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        owner.request()
                .body(body)
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(200)
                .body("id", is(first));

        owner.request()
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages.findAll { it.role == 'user' }", hasSize(1));
    }

    @Test
    void historyPagesInBothDirectionsInSequenceOrder() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");
        for (int i = 1; i <= 5; i++) {
            Api.send(owner, chatId, "m" + i);
        }

        owner.request()
                .queryParam("after", 2)
                .queryParam("limit", 2)
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages.seq", contains(3, 4))
                .body("hasMore", is(true));
        owner.request()
                .queryParam("before", 5)
                .queryParam("limit", 2)
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages.seq", contains(3, 4))
                .body("hasMore", is(true));
        owner.request()
                .queryParam("limit", 3)
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages.content", contains("m3", "m4", "m5"));
        owner.request()
                .queryParam("limit", 50)
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages.seq", contains(1, 2, 3, 4, 5, 6))
                .body("messages[0].event", is("chat.created"))
                .body("hasMore", is(false));
        owner.request()
                .queryParam("after", 6)
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(200)
                .body("messages", empty())
                .body("hasMore", is(false));
    }

    @Test
    void theAuthorEditsAndDeletesAndTheContentIsGoneFromEveryRead() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");
        UUID messageId = Api.send(owner, chatId, "tpyo");

        owner.request()
                .body(Map.of("content", "typo"))
                .patch("/api/chats/{c}/messages/{m}", chatId, messageId)
                .then()
                .statusCode(200)
                .body("content", is("typo"))
                .body("editedAt", notNullValue());
        owner.request()
                .delete("/api/chats/{c}/messages/{m}", chatId, messageId)
                .then()
                .statusCode(204);

        owner.request()
                .get("/api/chats/{c}/messages/{m}", chatId, messageId)
                .then()
                .body("content", is(""))
                .body("deletedAt", notNullValue());
        owner.request()
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body("messages.content", not(hasItem("typo")))
                .body("messages.event", hasItem("message.edited"))
                .body("messages.event", hasItem("message.deleted"));
    }

    @Test
    void aReplyMustPointIntoTheSameChat() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");
        UUID other = Api.chat(owner, "private");
        UUID elsewhere = Api.send(owner, other, "elsewhere");
        UUID here = Api.send(owner, chatId, "here");

        owner.request()
                .body(Map.of("content", "reply", "replyToId", here))
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(201)
                .body("replyToId", is(here.toString()));
        owner.request()
                .body(Map.of("content", "reply", "replyToId", elsewhere))
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(400)
                .body("type", is("invalid-reply"));
    }

    @Test
    void membershipChangesAppearInTheChatAsSystemMessages() {
        Api.User owner = Api.register("Owner");
        Api.User guest = Api.register("Guest");
        UUID chatId = Api.chat(owner, "private");

        Api.addMember(owner, chatId, guest, "member");
        guest.request().post("/api/chats/{id}/leave", chatId).then().statusCode(204);

        owner.request()
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .body(
                        "messages.findAll { it.role == 'system' }.event",
                        contains("chat.created", "member.joined", "member.left"))
                .body("messages.findAll { it.role == 'system' }.senderId", everyItem(nullValue()));
    }

    @Test
    void invitesPreviewPubliclyAndAdmitUpToTheirMaximum() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");
        String code = owner.request()
                .body(Map.of("maxUses", 1, "expiresInSeconds", 3600))
                .post("/api/chats/{id}/invites", chatId)
                .then()
                .statusCode(201)
                .extract()
                .path("code");

        anonymous().get("/api/invites/{code}", code).then().statusCode(200).body("chatId", is(chatId.toString()));
        Api.User first = Api.register("First");
        first.request()
                .post("/api/invites/{code}/join", code)
                .then()
                .statusCode(200)
                .body("membership.role", is("member"));
        first.request().post("/api/invites/{code}/join", code).then().statusCode(200);
        Api.register("Second")
                .request()
                .post("/api/invites/{code}/join", code)
                .then()
                .statusCode(410)
                .body("type", is("invite-unusable"));
    }

    @Test
    void aRevokedInviteAdmitsNobody() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");
        Map<String, Object> invite = owner.request()
                .body(Map.of())
                .post("/api/chats/{id}/invites", chatId)
                .then()
                .extract()
                .as(Map.class);

        owner.request()
                .delete("/api/chats/{c}/invites/{i}", chatId, invite.get("id"))
                .then()
                .statusCode(204);

        Api.register("Late")
                .request()
                .post("/api/invites/{code}/join", invite.get("code"))
                .then()
                .statusCode(410);
        owner.request().get("/api/chats/{id}/invites", chatId).then().body("[0].usable", is(false));
    }

    @Test
    void publicChatsAreListedAndOpenToJoin() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "public");
        Api.User visitor = Api.register("Visitor");

        visitor.request().get("/api/chats/public").then().statusCode(200).body("chats.id", hasItem(chatId.toString()));
        visitor.request()
                .post("/api/chats/{id}/join", chatId)
                .then()
                .statusCode(200)
                .body("membership.role", is("member"));
        Api.send(visitor, chatId, "hello all");
    }

    @Test
    void rolesChangeOnlyDownwardFromTheActor() {
        Api.User owner = Api.register("Owner");
        Api.User admin = Api.register("Admin");
        Api.User member = Api.register("Member");
        UUID chatId = Api.chat(owner, "private");
        Api.addMember(owner, chatId, admin, "admin");
        Api.addMember(owner, chatId, member, "member");

        admin.request()
                .body(Map.of("role", "admin"))
                .patch("/api/chats/{c}/members/{u}", chatId, member.id())
                .then()
                .statusCode(403);
        owner.request()
                .body(Map.of(
                        "permissions",
                        Map.of("send", false, "invite", false, "invokeAi", false, "manageMembers", false)))
                .patch("/api/chats/{c}/members/{u}", chatId, member.id())
                .then()
                .statusCode(200)
                .body("permissions.send", is(false));
        member.request()
                .body(Map.of("content", "muted?"))
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(403);
        admin.request()
                .delete("/api/chats/{c}/members/{u}", chatId, owner.id())
                .then()
                .statusCode(403);
        owner.request()
                .get("/api/chats/{id}/members", chatId)
                .then()
                .body("role", contains("owner", "admin", "member"));
    }

    @Test
    void deletingAChatEndsItForEveryone() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");

        owner.request().delete("/api/chats/{id}", chatId).then().statusCode(204);

        owner.request().get("/api/chats/{id}", chatId).then().statusCode(404);
        owner.request().get("/api/chats").then().body("chat.id", not(hasItem(chatId.toString())));
    }

    @Test
    void renamingIsAnAdminsJobAndLeavesAnEvent() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");

        owner.request()
                .body(Map.of("name", "Renamed", "description", "about things"))
                .patch("/api/chats/{id}", chatId)
                .then()
                .statusCode(200)
                .body("name", is("Renamed"))
                .body("lastMessageSeq", greaterThan(1));
        owner.request().get("/api/chats/{id}/messages", chatId).then().body("messages.event", hasItem("chat.updated"));
    }

    @Test
    void badInputGetsProblemDocumentsNotStackTraces() {
        Api.User owner = Api.register("Owner");
        UUID chatId = Api.chat(owner, "private");

        owner.request()
                .body("{not json")
                .post("/api/chats")
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        owner.request()
                .body(Map.of("name", "x", "colour", "red"))
                .post("/api/chats")
                .then()
                .statusCode(400)
                .body("detail", is("Unknown field 'colour'."));
        owner.request()
                .body(Map.of("content", "x".repeat(4001)))
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("content"));
        owner.request()
                .body(Map.of("content", "nul \u0000 inside"))
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(400)
                .body("errors.field", hasItem("content"));
        owner.request()
                .body(Map.of("content", "x".repeat(70_000)))
                .post("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(413)
                .contentType("application/problem+json");
        owner.request().get("/api/chats/not-a-uuid").then().statusCode(404).contentType("application/problem+json");
        owner.request().get("/api/nothing-here").then().statusCode(404).contentType("application/problem+json");
        owner.request()
                .queryParam("limit", 1000)
                .get("/api/chats/{id}/messages", chatId)
                .then()
                .statusCode(400)
                .contentType("application/problem+json");
        List.of("/api/chats", "/api/me")
                .forEach(path -> anonymous().get(path).then().statusCode(401));
    }
}
