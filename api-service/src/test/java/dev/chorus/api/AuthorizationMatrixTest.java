package dev.chorus.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * Every chat endpoint, called by everyone who might call it, against the exact status each must get. Each call runs
 * on fresh fixtures, so no call's success changes what the next one sees.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class AuthorizationMatrixTest {

    enum Caller {
        ANONYMOUS,
        STRANGER,
        MEMBER,
        ADMIN,
        OWNER
    }

    /** A private chat with one member of each role, a message by the member, and an invite. */
    record Fixture(Map<Caller, Api.User> users, UUID chatId, UUID memberMessage, String inviteCode, UUID inviteId) {}

    record Endpoint(String name, Function<Fixture, Integer> call, Map<Caller, Integer> expected) {}

    @Test
    void eachCallerGetsExactlyTheStatusTheRulesGive() {
        List<String> mismatches = new ArrayList<>();
        for (Endpoint endpoint : endpoints()) {
            for (Caller caller : Caller.values()) {
                Fixture fixture = fixture();
                int status = endpoint.call().apply(withCaller(fixture, caller));
                int expected = endpoint.expected().get(caller);
                if (status != expected) {
                    mismatches.add(endpoint.name() + " as " + caller + ": expected " + expected + ", got " + status);
                }
            }
        }
        assertThat(mismatches).isEmpty();
    }

    private static List<Endpoint> endpoints() {
        return List.of(
                endpoint("GET chat", f -> as(f).get("/api/chats/{c}", f.chatId()), 401, 404, 200, 200, 200),
                endpoint(
                        "PATCH chat",
                        f -> as(f).body(Map.of("name", "n")).patch("/api/chats/{c}", f.chatId()),
                        401,
                        404,
                        403,
                        200,
                        200),
                endpoint("DELETE chat", f -> as(f).delete("/api/chats/{c}", f.chatId()), 401, 404, 403, 403, 204),
                endpoint("GET members", f -> as(f).get("/api/chats/{c}/members", f.chatId()), 401, 404, 200, 200, 200),
                endpoint(
                        "POST member",
                        f -> as(f).body(Map.of("userId", Api.register("New").id()))
                                .post("/api/chats/{c}/members", f.chatId()),
                        401,
                        404,
                        403,
                        201,
                        201),
                endpoint(
                        "PATCH member (the member)",
                        f -> as(f).body(Map.of("role", "member"))
                                .patch(
                                        "/api/chats/{c}/members/{u}",
                                        f.chatId(),
                                        f.users().get(Caller.MEMBER).id()),
                        401,
                        404,
                        403,
                        200,
                        200),
                endpoint(
                        "DELETE member (the admin)",
                        f -> as(f).delete(
                                        "/api/chats/{c}/members/{u}",
                                        f.chatId(),
                                        f.users().get(Caller.ADMIN).id()),
                        401,
                        404,
                        403,
                        204,
                        204),
                endpoint("POST leave", f -> as(f).post("/api/chats/{c}/leave", f.chatId()), 401, 404, 204, 204, 409),
                endpoint(
                        "POST message",
                        f -> as(f).body(Map.of("content", "hi")).post("/api/chats/{c}/messages", f.chatId()),
                        401,
                        404,
                        201,
                        201,
                        201),
                endpoint(
                        "GET messages", f -> as(f).get("/api/chats/{c}/messages", f.chatId()), 401, 404, 200, 200, 200),
                endpoint(
                        "PATCH the member's message",
                        f -> as(f).body(Map.of("content", "edited"))
                                .patch("/api/chats/{c}/messages/{m}", f.chatId(), f.memberMessage()),
                        401,
                        404,
                        200,
                        403,
                        403),
                endpoint(
                        "DELETE the member's message",
                        f -> as(f).delete("/api/chats/{c}/messages/{m}", f.chatId(), f.memberMessage()),
                        401,
                        404,
                        204,
                        204,
                        204),
                endpoint(
                        "POST read",
                        f -> as(f).body(Map.of("seq", 1)).post("/api/chats/{c}/read", f.chatId()),
                        401,
                        404,
                        200,
                        200,
                        200),
                endpoint(
                        "POST invite",
                        f -> as(f).body(Map.of()).post("/api/chats/{c}/invites", f.chatId()),
                        401,
                        404,
                        403,
                        201,
                        201),
                endpoint(
                        "POST admin invite",
                        f -> as(f).body(Map.of("role", "admin")).post("/api/chats/{c}/invites", f.chatId()),
                        401,
                        404,
                        403,
                        403,
                        201),
                endpoint("GET invites", f -> as(f).get("/api/chats/{c}/invites", f.chatId()), 401, 404, 403, 200, 200),
                endpoint(
                        "DELETE invite",
                        f -> as(f).delete("/api/chats/{c}/invites/{i}", f.chatId(), f.inviteId()),
                        401,
                        404,
                        403,
                        204,
                        204),
                endpoint(
                        "GET invite preview",
                        f -> as(f).get("/api/invites/{code}", f.inviteCode()),
                        200,
                        200,
                        200,
                        200,
                        200),
                endpoint(
                        "POST join by invite",
                        f -> as(f).post("/api/invites/{code}/join", f.inviteCode()),
                        401,
                        200,
                        200,
                        200,
                        200));
    }

    private static Endpoint endpoint(
            String name,
            Function<Fixture, io.restassured.response.Response> call,
            int anonymous,
            int stranger,
            int member,
            int admin,
            int owner) {
        Map<Caller, Integer> expected = new LinkedHashMap<>();
        expected.put(Caller.ANONYMOUS, anonymous);
        expected.put(Caller.STRANGER, stranger);
        expected.put(Caller.MEMBER, member);
        expected.put(Caller.ADMIN, admin);
        expected.put(Caller.OWNER, owner);
        return new Endpoint(name, f -> call.apply(f).statusCode(), expected);
    }

    private static final ThreadLocal<Caller> CURRENT = new ThreadLocal<>();

    private static Fixture withCaller(Fixture fixture, Caller caller) {
        CURRENT.set(caller);
        return fixture;
    }

    private static RequestSpecification as(Fixture fixture) {
        Caller caller = CURRENT.get();
        RequestSpecification request = given().contentType(ContentType.JSON);
        return caller == Caller.ANONYMOUS
                ? request
                : request.auth().oauth2(fixture.users().get(caller).accessToken());
    }

    private static Fixture fixture() {
        Map<Caller, Api.User> users = new LinkedHashMap<>();
        for (Caller caller : List.of(Caller.STRANGER, Caller.MEMBER, Caller.ADMIN, Caller.OWNER)) {
            users.put(caller, Api.register(caller.name()));
        }
        Api.User owner = users.get(Caller.OWNER);
        UUID chatId = Api.chat(owner, "private");
        Api.addMember(owner, chatId, users.get(Caller.ADMIN), "admin");
        Api.addMember(owner, chatId, users.get(Caller.MEMBER), "member");
        UUID message = Api.send(users.get(Caller.MEMBER), chatId, "by the member");
        Map<String, Object> invite = owner.request()
                .body(Map.of())
                .post("/api/chats/{c}/invites", chatId)
                .then()
                .statusCode(201)
                .extract()
                .as(Map.class);
        return new Fixture(
                users, chatId, message, (String) invite.get("code"), UUID.fromString((String) invite.get("id")));
    }
}
