package dev.chorus.api;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** A client of the API as an app would be one: real HTTP, JSON bodies, bearer tokens. */
public final class Api {

    private Api() {}

    /** A registered user with a fresh access token. */
    public record User(UUID id, String email, String password, String accessToken, String refreshToken) {

        public RequestSpecification request() {
            return given().contentType(ContentType.JSON).auth().oauth2(accessToken);
        }
    }

    public static RequestSpecification anonymous() {
        return given().contentType(ContentType.JSON);
    }

    public static User register(String name) {
        String email = name.toLowerCase() + "-" + UUID.randomUUID() + "@example.com";
        String password = "correct horse " + name;
        Response response = anonymous()
                .body(Map.of("email", email, "password", password, "displayName", name))
                .post("/api/auth/register")
                .then()
                .statusCode(201)
                .extract()
                .response();
        return new User(
                UUID.fromString(response.path("user.id")),
                email,
                password,
                response.path("accessToken"),
                response.path("refreshToken"));
    }

    /** Creates a chat owned by {@code owner} and returns its id. */
    public static UUID chat(User owner, String visibility) {
        String id = owner.request()
                .body(Map.of("name", "chat " + UUID.randomUUID(), "visibility", visibility))
                .post("/api/chats")
                .then()
                .log()
                .ifValidationFails()
                .statusCode(201)
                .extract()
                .path("id");
        return UUID.fromString(id);
    }

    public static void addMember(User actor, UUID chatId, User member, String role) {
        actor.request()
                .body(Map.of("userId", member.id(), "role", role))
                .post("/api/chats/{chatId}/members", chatId)
                .then()
                .statusCode(201);
    }

    /** Sends a message and returns its id. */
    public static UUID send(User sender, UUID chatId, String content) {
        String id = sender.request()
                .body(Map.of("content", content))
                .post("/api/chats/{chatId}/messages", chatId)
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        return UUID.fromString(id);
    }
}
