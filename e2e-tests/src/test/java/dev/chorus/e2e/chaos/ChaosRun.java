package dev.chorus.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.local.LocalStack;
import dev.chorus.local.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;

/**
 * One chaos scenario: five users in a chat with 20 subscribers spread over the ws-service replicas, every user
 * sending steadily through the load balancer while something breaks, and then the check every scenario ends
 * with — every acknowledged message was delivered to every subscriber exactly once, in order, and is stored once.
 */
final class ChaosRun {

    static final int USERS = 5;
    static final int SUBSCRIBERS = 20;
    static final int MESSAGES_PER_SECOND_PER_SENDER = 6;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final LocalStack stack;
    private final HttpClient http;
    private final String name;
    private final String lb;
    private final List<String> tokens = new ArrayList<>();
    private final List<ResumingSubscriber> subscribers = new ArrayList<>();
    private final Map<String, Integer> connectionsAtStart = new LinkedHashMap<>();
    private String chatId;
    private SteadySenders senders;

    private ChaosRun(LocalStack stack, HttpClient http, String name) {
        this.stack = stack;
        this.http = http;
        this.name = name;
        this.lb = stack.publicUrl();
    }

    /** A chat, its members and the subscribers, all through the load balancer; then the senders start. */
    static ChaosRun begin(LocalStack stack, HttpClient http, ScheduledExecutorService scheduler, String name)
            throws Exception {
        ChaosRun run = new ChaosRun(stack, http, name);
        run.setUp(scheduler);
        return run;
    }

    private void setUp(ScheduledExecutorService scheduler) throws Exception {
        List<String> userIds = new ArrayList<>();
        for (int user = 0; user < USERS; user++) {
            JsonNode registered = post(
                    null,
                    "/api/auth/register",
                    Map.of(
                            "email", "chaos-" + UUID.randomUUID() + "@example.com",
                            "password", "correct horse",
                            "displayName", "Chaos " + user),
                    201);
            tokens.add(registered.get("accessToken").asText());
            userIds.add(registered.get("user").get("id").asText());
        }
        chatId = post(tokens.getFirst(), "/api/chats", Map.of("name", name), 201)
                .get("id")
                .asText();
        for (String userId : userIds.subList(1, USERS)) {
            post(
                    tokens.getFirst(),
                    "/api/chats/" + chatId + "/members",
                    Map.of("userId", userId, "role", "member"),
                    201);
        }
        String ws = lb.replaceFirst("^http", "ws");
        for (int subscriber = 0; subscriber < SUBSCRIBERS; subscriber++) {
            ResumingSubscriber client =
                    new ResumingSubscriber(http, scheduler, ws, tokens.get(subscriber % USERS), chatId);
            subscribers.add(client);
            client.start();
        }
        for (ResumingSubscriber subscriber : subscribers) {
            subscriber.awaitSubscribed(Duration.ofSeconds(20));
        }
        for (ServiceProcess replica : replicas("ws-service")) {
            connectionsAtStart.put(replica.name(), openConnections(replica));
        }
        senders = SteadySenders.start(http, lb, chatId, tokens, MESSAGES_PER_SECOND_PER_SENDER);
    }

    /** How many of this chat's sockets a replica held when the load began. */
    int connectionsAtStart(String replica) {
        return connectionsAtStart.getOrDefault(replica, 0);
    }

    /**
     * Stops the senders, waits for every subscriber to catch up with the chat's stored history, prints the counts
     * and checks them.
     */
    void finishAndCheck() throws Exception {
        senders.stop();
        List<JsonNode> history = history();
        List<Long> storedSeqs =
                history.stream().map(entry -> entry.get("seq").asLong()).toList();
        long newest = storedSeqs.getLast();
        for (ResumingSubscriber subscriber : subscribers) {
            subscriber.awaitSeq(newest, Duration.ofSeconds(60));
        }
        Map<String, Long> acknowledged = senders.acknowledged();
        Map<String, List<Long>> storedByClientId = new HashMap<>();
        for (JsonNode entry : history) {
            if (entry.hasNonNull("clientMessageId")) {
                storedByClientId
                        .computeIfAbsent(entry.get("clientMessageId").asText(), ignored -> new ArrayList<>())
                        .add(entry.get("seq").asLong());
            }
        }
        long storedTwice = storedByClientId.values().stream()
                .filter(seqs -> seqs.size() > 1)
                .count();
        long acknowledgedButNotStoredAsAcknowledged = acknowledged.entrySet().stream()
                .filter(ack -> !List.of(ack.getValue()).equals(storedByClientId.get(ack.getKey())))
                .count();

        int minimum = Integer.MAX_VALUE;
        int maximum = 0;
        int duplicates = 0;
        int gaps = 0;
        int outOfOrder = 0;
        int reconnects = 0;
        List<String> errors = new ArrayList<>();
        for (ResumingSubscriber subscriber : subscribers) {
            List<Long> delivered = subscriber.delivered();
            minimum = Math.min(minimum, delivered.size());
            maximum = Math.max(maximum, delivered.size());
            duplicates += delivered.size() - (int) delivered.stream().distinct().count();
            gaps += (int)
                    storedSeqs.stream().filter(seq -> !delivered.contains(seq)).count();
            for (int i = 1; i < delivered.size(); i++) {
                if (delivered.get(i) <= delivered.get(i - 1)) {
                    outOfOrder++;
                }
            }
            reconnects += subscriber.connections() - 1;
            errors.addAll(subscriber.errors());
        }

        System.out.printf(
                """
                [chaos] %s
                  sent %d, acknowledged %d, unacknowledged %d, failed attempts %s, retries answered 200 (already stored) %d
                  stored %d entries (seq %d..%d), %d of them sent here; stored twice %d, acknowledged but not stored as acknowledged %d
                  subscribers %d (sockets at start %s), reconnects %d, error frames %d
                  delivered per subscriber %d..%d of %d, duplicates %d, gaps %d, out of order %d
                """,
                name,
                senders.sent(),
                acknowledged.size(),
                senders.unacknowledged(),
                senders.failures(),
                senders.resentAlreadyStored(),
                history.size(),
                storedSeqs.getFirst(),
                newest,
                storedByClientId.size(),
                storedTwice,
                acknowledgedButNotStoredAsAcknowledged,
                subscribers.size(),
                connectionsAtStart,
                reconnects,
                errors.size(),
                minimum,
                maximum,
                storedSeqs.size(),
                duplicates,
                gaps,
                outOfOrder);

        assertThat(senders.unacknowledged()).as("messages never acknowledged").isZero();
        assertThat(senders.failures()).as("failed attempts: never a 500").doesNotContainKey("HTTP 500");
        assertThat(acknowledged).as("acknowledged messages").hasSize(senders.sent());
        assertThat(storedByClientId).as("messages sent here, as stored").hasSize(acknowledged.size());
        assertThat(storedTwice).as("messages stored twice").isZero();
        assertThat(acknowledgedButNotStoredAsAcknowledged)
                .as("acknowledged messages missing from the history or under another seq")
                .isZero();
        assertThat(storedSeqs).as("the chat's sequence").isEqualTo(consecutive(storedSeqs.getFirst(), newest));
        assertThat(errors).as("error frames").isEmpty();
        for (ResumingSubscriber subscriber : subscribers) {
            assertThat(subscriber.delivered())
                    .as("what a subscriber got: every entry once, in order")
                    .isEqualTo(storedSeqs);
        }
    }

    private static List<Long> consecutive(long first, long last) {
        List<Long> seqs = new ArrayList<>();
        for (long seq = first; seq <= last; seq++) {
            seqs.add(seq);
        }
        return seqs;
    }

    /** The chat's whole stored history, oldest first, read page by page through the load balancer. */
    private List<JsonNode> history() throws IOException, InterruptedException {
        List<JsonNode> entries = new ArrayList<>();
        long after = 0;
        while (true) {
            JsonNode page = get(tokens.getFirst(), "/api/chats/" + chatId + "/messages?limit=200&after=" + after);
            page.get("messages").forEach(entries::add);
            if (!page.get("hasMore").asBoolean()) {
                return entries;
            }
            after = entries.getLast().get("seq").asLong();
        }
    }

    void close() {
        if (senders != null) {
            senders.close();
        }
        subscribers.forEach(ResumingSubscriber::close);
    }

    private List<ServiceProcess> replicas(String service) {
        return stack.services().stream()
                .filter(replica -> replica.name().startsWith(service + "-"))
                .toList();
    }

    private int openConnections(ServiceProcess replica) throws IOException, InterruptedException {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(replica.baseUrl() + "/q/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        return metrics.lines()
                .filter(line -> line.startsWith("chorus_ws_connections "))
                .map(line -> (int) Double.parseDouble(line.substring(line.indexOf(' ') + 1)))
                .findFirst()
                .orElse(0);
    }

    private JsonNode post(String token, String path, Map<String, String> body, int expectedStatus)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(lb + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("POST %s: %s", path, response.body())
                .isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    private JsonNode get(String token, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(lb + path))
                        .header("Authorization", "Bearer " + token)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode())
                .as("GET %s: %s", path, response.body())
                .isEqualTo(200);
        return JSON.readTree(response.body());
    }
}
