package dev.chorus.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.local.LocalStack;
import dev.chorus.local.ServiceProcess;
import dev.chorus.local.StackOptions;
import io.restassured.http.ContentType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The packaged services as separate processes, as production runs them (the load balancer comes with the local
 * stack issue): one api-service and two ws-service replicas over one PostgreSQL. Whatever replica a message is
 * written on, it reaches subscribers on both, in order, once.
 */
class LiveDeliveryAcrossReplicasIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static LocalStack stack;
    private static String api;
    private static String replicaA;
    private static String replicaB;

    @BeforeAll
    static void startStack() throws Exception {
        StackOptions options = StackOptions.parse(
                new String[] {
                    "--ws-replicas",
                    "2",
                    "--cron-replicas",
                    "0",
                    "--no-lb",
                    "--logs",
                    "e2e-tests/target/live-delivery/logs"
                },
                Map.of(),
                ROOT);
        stack = LocalStack.start(options);
        api = stack.services().getFirst().baseUrl();
        List<String> ws = stack.services().stream()
                .filter(service -> service.name().startsWith("ws-service"))
                .map(ServiceProcess::baseUrl)
                .map(url -> url.replaceFirst("^http", "ws"))
                .toList();
        assertThat(ws).hasSize(2);
        replicaA = ws.get(0);
        replicaB = ws.get(1);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aMessagePostedOverRestReachesSubscribersOnEveryReplicaInOrder() throws Exception {
        String token = register();
        String chatId = createChat(token);
        try (ChatClient onA = ChatClient.connect(replicaA, token);
                ChatClient onB = ChatClient.connect(replicaB, token)) {
            for (ChatClient client : List.of(onA, onB)) {
                client.subscribe(chatId, 0);
                assertThat(client.replayUntilSubscribed()).containsExactly(1L);
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

            for (ChatClient client : List.of(onA, onB)) {
                List<JsonNode> entries = client.messages(20);
                for (int i = 0; i < 20; i++) {
                    assertThat(entries.get(i).get("seq").asLong()).isEqualTo(i + 2);
                    assertThat(entries.get(i).get("content").asText()).isEqualTo("message " + (i + 1));
                }
            }
        }
    }

    @Test
    void aMessageSentOnOneReplicaReachesASubscriberOnTheOther() throws Exception {
        String token = register();
        String chatId = createChat(token);
        try (ChatClient sender = ChatClient.connect(replicaA, token);
                ChatClient subscriber = ChatClient.connect(replicaB, token)) {
            subscriber.subscribe(chatId, 0);
            subscriber.replayUntilSubscribed();

            sender.send(ChatClient.frame("send", chatId)
                    .put("content", "across")
                    .put("clientMessageId", "x-1")
                    .put("requestId", "r1"));
            JsonNode ack = sender.next();
            assertThat(ack.get("type").asText()).isEqualTo("ack");

            JsonNode delivered = subscriber.messages(1).getFirst();
            assertThat(delivered.get("content").asText()).isEqualTo("across");
            assertThat(delivered.get("seq").asLong()).isEqualTo(ack.get("seq").asLong());
            assertThat(delivered.get("id").asText())
                    .isEqualTo(ack.get("messageId").asText());
        }
    }

    @Test
    void aClientThatDropsAndResumesOnTheOtherReplicaGetsExactlyWhatItMissed() throws Exception {
        String token = register();
        String chatId = createChat(token);
        long lastSeen;
        try (ChatClient onA = ChatClient.connect(replicaA, token)) {
            onA.subscribe(chatId, 0);
            onA.replayUntilSubscribed();
            sendAll(replicaA, token, chatId, 100, 5);
            lastSeen = onA.messages(5).getLast().get("seq").asLong();
        }

        List<Long> missed = sendAll(replicaB, token, chatId, 101, 7);

        try (ChatClient onB = ChatClient.connect(replicaB, token)) {
            onB.subscribe(chatId, lastSeen);
            assertThat(onB.replayUntilSubscribed())
                    .containsExactlyElementsOf(missed.stream().sorted().toList());
        }
    }

    @Test
    void theAssistantsAnswerStreamsToMembersOnBothReplicasThenIsStoredAsTheirConcatenation() throws Exception {
        String ownerToken = register();
        String chatId = createChat(ownerToken);
        given().baseUri(api)
                .contentType(ContentType.JSON)
                .auth()
                .oauth2(ownerToken)
                .body(Map.of("aiEnabled", true))
                .patch("/api/chats/{chatId}", chatId)
                .then()
                .statusCode(200);
        String memberEmail = "bo-" + UUID.randomUUID() + "@example.com";
        Registered member = registerAs(memberEmail);
        given().baseUri(api)
                .contentType(ContentType.JSON)
                .auth()
                .oauth2(ownerToken)
                .body(Map.of("userId", member.id(), "role", "member"))
                .post("/api/chats/{chatId}/members", chatId)
                .then()
                .statusCode(201);

        try (ChatClient ownerOnA = ChatClient.connect(replicaA, ownerToken);
                ChatClient memberOnB = ChatClient.connect(replicaB, member.token())) {
            for (ChatClient client : List.of(ownerOnA, memberOnB)) {
                client.subscribe(chatId, 0);
                client.replayUntilSubscribed();
            }
            given().baseUri(api)
                    .contentType(ContentType.JSON)
                    .auth()
                    .oauth2(ownerToken)
                    .body(Map.of("prompt", "Tell both replicas the same thing, word by word."))
                    .post("/api/chats/{chatId}/ai", chatId)
                    .then()
                    .statusCode(202);

            List<List<String>> deltasSeen = new ArrayList<>();
            for (ChatClient client : List.of(ownerOnA, memberOnB)) {
                List<String> deltas = new ArrayList<>();
                String stored = null;
                boolean ended = false;
                while (stored == null || !ended) {
                    JsonNode frame = client.next();
                    switch (frame.get("type").asText()) {
                        case "ai-delta" -> {
                            assertThat(frame.get("index").asInt()).isEqualTo(deltas.size());
                            deltas.add(frame.get("text").asText());
                        }
                        case "ai-end" -> {
                            assertThat(frame.get("status").asText()).isEqualTo("succeeded");
                            ended = true;
                        }
                        case "message" -> {
                            if (frame.get("message").get("role").asText().equals("assistant")) {
                                stored = frame.get("message").get("content").asText();
                            }
                        }
                        default -> throw new AssertionError("unexpected frame " + frame);
                    }
                }
                assertThat(deltas).isNotEmpty();
                assertThat(String.join("", deltas)).isEqualTo(stored);
                deltasSeen.add(deltas);
            }
            assertThat(deltasSeen.get(0)).isEqualTo(deltasSeen.get(1));
        }
    }

    private record Registered(String id, String token) {}

    private static Registered registerAs(String email) {
        io.restassured.path.json.JsonPath registered = given().baseUri(api)
                .contentType(ContentType.JSON)
                .body(Map.of("email", email, "password", "correct horse", "displayName", "Bo"))
                .post("/api/auth/register")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
        return new Registered(registered.getString("user.id"), registered.getString("accessToken"));
    }

    @Test
    void tenSendersOfFiveHundredMessagesAcrossBothReplicasReachEverySubscriberInSequenceOrder() throws Exception {
        int senders = 10;
        int perSender = 500;
        String token = register();
        String chatId = createChat(token);
        List<ChatClient> subscribers = List.of(
                ChatClient.connect(replicaA, token),
                ChatClient.connect(replicaB, token),
                ChatClient.connect(replicaA, token),
                ChatClient.connect(replicaB, token));
        for (ChatClient subscriber : subscribers) {
            subscriber.subscribe(chatId, 1);
            assertThat(subscriber.replayUntilSubscribed()).isEmpty();
        }

        ExecutorService pool = Executors.newFixedThreadPool(senders);
        try {
            List<Future<List<Long>>> acknowledged = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                String replica = s % 2 == 0 ? replicaA : replicaB;
                int senderNumber = s;
                acknowledged.add(pool.submit(() -> sendAll(replica, token, chatId, senderNumber, perSender)));
            }
            List<Long> acks = new ArrayList<>();
            for (Future<List<Long>> sender : acknowledged) {
                acks.addAll(sender.get());
            }
            List<Long> expected =
                    LongStream.rangeClosed(2, 1 + senders * perSender).boxed().toList();
            assertThat(acks).containsExactlyInAnyOrderElementsOf(expected);

            for (ChatClient subscriber : subscribers) {
                List<Long> delivered = subscriber.messages(senders * perSender).stream()
                        .map(entry -> entry.get("seq").asLong())
                        .toList();
                assertThat(delivered).containsExactlyElementsOf(expected);
            }
        } finally {
            pool.shutdownNow();
            subscribers.forEach(ChatClient::close);
        }
    }

    /** Sends all messages without waiting between them, then collects the acks' sequence numbers. */
    private static List<Long> sendAll(String replica, String token, String chatId, int sender, int count)
            throws Exception {
        try (ChatClient client = ChatClient.connect(replica, token)) {
            for (int i = 0; i < count; i++) {
                client.send(ChatClient.frame("send", chatId)
                        .put("content", "sender " + sender + " message " + i)
                        .put("clientMessageId", "s" + sender + "-" + i));
            }
            List<Long> seqs = new ArrayList<>();
            while (seqs.size() < count) {
                JsonNode frame = client.next();
                assertThat(frame.get("type").asText()).as(frame.toString()).isEqualTo("ack");
                seqs.add(frame.get("seq").asLong());
            }
            return seqs;
        }
    }

    private static String register() {
        return given().baseUri(api)
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
                .path("accessToken");
    }

    private static String createChat(String token) {
        return given().baseUri(api)
                .contentType(ContentType.JSON)
                .auth()
                .oauth2(token)
                .body(Map.of("name", "across replicas"))
                .post("/api/chats")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
    }
}
