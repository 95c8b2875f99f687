package dev.chorus.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.local.LocalStack;
import dev.chorus.local.ServiceProcess;
import dev.chorus.local.StackOptions;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The suite as production runs it, without the load balancer yet: a message posted over REST to api-service reaches
 * subscribers connected to two different ws-service replicas, through the database alone.
 */
class CrossReplicaDeliveryIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void aMessagePostedOverRestReachesSubscribersOnEveryReplicaInOrder() throws Exception {
        StackOptions options = StackOptions.parse(
                new String[] {
                    "--ws-replicas", "2", "--cron-replicas", "0", "--logs", "e2e-tests/target/cross-replica/logs"
                },
                Map.of(),
                ROOT);
        try (LocalStack stack = LocalStack.start(options)) {
            String api = stack.services().getFirst().baseUrl();
            List<ServiceProcess> wsReplicas = stack.services().stream()
                    .filter(service -> service.name().startsWith("ws-service"))
                    .toList();
            assertThat(wsReplicas).hasSize(2);

            JsonPath ada = given().baseUri(api)
                    .contentType(ContentType.JSON)
                    .body(Map.of(
                            "email",
                            "ada-" + UUID.randomUUID() + "@example.com",
                            "password",
                            "correct horse",
                            "displayName",
                            "Ada"))
                    .post("/api/auth/register")
                    .then()
                    .statusCode(201)
                    .extract()
                    .jsonPath();
            String token = ada.getString("accessToken");
            String chatId = given().baseUri(api)
                    .contentType(ContentType.JSON)
                    .auth()
                    .oauth2(token)
                    .body(Map.of("name", "across replicas"))
                    .post("/api/chats")
                    .then()
                    .statusCode(201)
                    .extract()
                    .path("id");

            List<Subscriber> subscribers = new ArrayList<>();
            for (ServiceProcess replica : wsReplicas) {
                Subscriber subscriber = Subscriber.connect(replica, token);
                subscriber.send("{\"type\":\"subscribe\",\"chatId\":\"" + chatId + "\",\"afterSeq\":0}");
                assertThat(subscriber.next()).contains("\"seq\":1");
                assertThat(subscriber.next()).contains("\"type\":\"subscribed\"");
                subscribers.add(subscriber);
            }

            for (int i = 1; i <= 20; i++) {
                given().baseUri(api)
                        .contentType(ContentType.JSON)
                        .auth()
                        .oauth2(token)
                        .body(Map.of("content", "message " + i, "clientMessageId", "m-" + i))
                        .post("/api/chats/{chatId}/messages", chatId)
                        .then()
                        .statusCode(201);
            }

            for (Subscriber subscriber : subscribers) {
                for (int seq = 2; seq <= 21; seq++) {
                    String frame = subscriber.next();
                    assertThat(frame)
                            .contains("\"seq\":" + seq + ",")
                            .contains("\"content\":\"message " + (seq - 1) + "\"");
                }
                subscriber.close();
            }
        }
    }

    /** A chat client on the JDK's own WebSocket. */
    private static final class Subscriber implements WebSocket.Listener {
        private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        static Subscriber connect(ServiceProcess replica, String token) throws Exception {
            Subscriber subscriber = new Subscriber();
            subscriber.socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create("ws://127.0.0.1:" + replica.port() + "/ws"), subscriber)
                    .get(10, TimeUnit.SECONDS);
            return subscriber;
        }

        void send(String text) {
            socket.sendText(text, true).join();
        }

        String next() throws InterruptedException {
            String frame = frames.poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return frame;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                frames.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        void close() {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }
    }
}
