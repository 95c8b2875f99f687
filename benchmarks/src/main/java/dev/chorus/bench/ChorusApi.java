package dev.chorus.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Executors;

/** The REST calls benchmarks seed their data with. */
final class ChorusApi {

    static final ObjectMapper JSON = new ObjectMapper();

    final HttpClient http = HttpClient.newBuilder()
            .executor(
                    Executors.newFixedThreadPool(4, Thread.ofPlatform().daemon().factory()))
            .connectTimeout(Duration.ofSeconds(2))
            .build();
    final String base;

    ChorusApi(String base) {
        this.base = base;
    }

    /** Registers a user and answers its access token. */
    String register(String email) throws Exception {
        return post(
                        null,
                        "/api/auth/register",
                        Map.of("email", email, "password", "correct horse", "displayName", email))
                .get("accessToken")
                .asText();
    }

    String createChat(String token, String name) throws Exception {
        return post(token, "/api/chats", Map.of("name", name)).get("id").asText();
    }

    JsonNode post(String bearer, String path, Map<String, ?> body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (bearer != null) {
            request.header("Authorization", "Bearer " + bearer);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(
                    "POST " + path + " answered " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? null : JSON.readTree(response.body());
    }
}
