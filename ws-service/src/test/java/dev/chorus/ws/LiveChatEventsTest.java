package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.chat.Permissions;
import dev.chorus.message.NewMessage;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import dev.chorus.testing.PostgresTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Typing, read markers, presence, token lifetime, slow consumers and metrics, through real sockets. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class LiveChatEventsTest extends SocketTestBase {

    @Inject
    MeterRegistry metrics;

    @Inject
    ChatSignals signals;

    @Test
    void typingReachesTheOtherSubscribersButNotTheTypist() throws Exception {
        UUID alice = newUser();
        UUID chat = newChat(alice);
        UUID bob = joined(chat);
        try (Client aliceClient = connect(alice);
                Client bobClient = connect(bob)) {
            aliceClient.send(frame("typing", chat));
            assertThat(aliceClient.next().getString("code")).isEqualTo("not-subscribed");

            subscribed(aliceClient, chat);
            subscribed(bobClient, chat);
            aliceClient.send(frame("typing", chat));

            JsonObject typing = bobClient.nextEphemeral("typing");
            assertThat(typing.getString("chatId")).isEqualTo(chat.toString());
            assertThat(typing.getString("userId")).isEqualTo(alice.toString());
            assertThat(aliceClient.pollEphemeral("typing", Duration.ofMillis(500)))
                    .isNull();
        }
    }

    @Test
    void aReadMarkerIsStoredNeverMovesBackAndReachesTheChat() throws Exception {
        UUID alice = newUser();
        UUID chat = newChat(alice);
        UUID bob = joined(chat);
        append(chat, 3);
        try (Client aliceClient = connect(alice);
                Client bobClient = connect(bob);
                Client stranger = connect(newUser())) {
            subscribed(bobClient, chat);

            aliceClient.send(frame("read", chat).put("seq", 99).put("requestId", "r1"));
            JsonObject marked = aliceClient.next();
            assertThat(marked.getString("type")).isEqualTo("read-marked");
            assertThat(marked.getLong("seq")).isEqualTo(3);
            assertThat(marked.getString("requestId")).isEqualTo("r1");
            JsonObject read = bobClient.nextEphemeral("read");
            assertThat(read.getString("userId")).isEqualTo(alice.toString());
            assertThat(read.getLong("seq")).isEqualTo(3);

            aliceClient.send(frame("read", chat).put("seq", 1));
            assertThat(aliceClient.next().getLong("seq")).isEqualTo(3);
            long stored = sql(
                            "SELECT last_read_seq FROM chat_members WHERE chat_id = $1 AND user_id = $2",
                            Tuple.of(chat, alice))
                    .iterator()
                    .next()
                    .getLong(0);
            assertThat(stored).isEqualTo(3);

            stranger.send(frame("read", chat).put("seq", 1));
            assertThat(stranger.next().getString("code")).isEqualTo("not-a-member");
        }
    }

    @Test
    void presenceListsWhoIsOnlineAndIgnoresRowsOfDeadReplicas() throws Exception {
        UUID alice = newUser();
        UUID chat = newChat(alice);
        UUID bob = joined(chat);
        UUID ghost = joined(chat);
        sql(
                "INSERT INTO presence (id, chat_id, user_id, node_id, connection_id, heartbeat_at)"
                        + " VALUES ($1, $2, $3, 'ws-dead-replica', 'gone', now() - interval '1 hour')",
                Tuple.of(UUID.randomUUID(), chat, ghost));

        try (Client aliceClient = connect(alice)) {
            subscribed(aliceClient, chat);
            assertThat(online(aliceClient.nextEphemeral("presence"))).containsExactly(alice);

            try (Client bobClient = connect(bob)) {
                subscribed(bobClient, chat);
                assertThat(online(bobClient.nextEphemeral("presence"))).containsExactlyInAnyOrder(alice, bob);
                assertThat(online(aliceClient.nextEphemeral("presence"))).containsExactlyInAnyOrder(alice, bob);
            }

            assertThat(online(aliceClient.nextEphemeral("presence"))).containsExactly(alice);
        }
    }

    @Test
    void aRemovedMembersSubscriptionEndsWithTheRemoval() throws Exception {
        UUID alice = newUser();
        UUID chat = newChat(alice);
        UUID bob = joined(chat);
        try (Client bobClient = connect(bob)) {
            subscribed(bobClient, chat);

            sql("UPDATE chat_members SET left_at = now() WHERE chat_id = $1 AND user_id = $2", Tuple.of(chat, bob));
            appendEvent(chat, "member.removed", "A member was removed", "{\"userId\":\"" + bob + "\"}");

            assertThat(bobClient.next().getJsonObject("message").getString("event"))
                    .isEqualTo("member.removed");
            JsonObject ended = bobClient.next();
            assertThat(ended.getString("code")).isEqualTo("not-a-member");

            append(chat, 1);
            bobClient.send(new JsonObject().put("type", "ping"));
            assertThat(bobClient.next().getString("type"))
                    .as("no entry after the removal")
                    .isEqualTo("pong");
        }
    }

    @Test
    void theAssistantsPiecesReachEverySubscriberInOrderThenItsEnd() throws Exception {
        UUID alice = newUser();
        UUID chat = newChat(alice);
        UUID bob = joined(chat);
        UUID invocation = UUID.randomUUID();
        try (Client aliceClient = connect(alice);
                Client bobClient = connect(bob)) {
            subscribed(aliceClient, chat);
            subscribed(bobClient, chat);

            List<String> pieces = List.of("Hel", "lo, ", "world");
            for (int i = 0; i < pieces.size(); i++) {
                ChatSignal delta = ChatSignal.aiDelta(chat, invocation, i, pieces.get(i));
                await(() -> signals.publish(delta));
            }
            await(() -> signals.publish(ChatSignal.aiEnd(chat, invocation, "succeeded")));

            for (Client client : List.of(aliceClient, bobClient)) {
                StringBuilder answer = new StringBuilder();
                for (int i = 0; i < pieces.size(); i++) {
                    JsonObject delta = client.next();
                    assertThat(delta.getString("type")).isEqualTo("ai-delta");
                    assertThat(delta.getString("invocationId")).isEqualTo(invocation.toString());
                    assertThat(delta.getLong("index")).isEqualTo(i);
                    answer.append(delta.getString("text"));
                }
                assertThat(answer).hasToString("Hello, world");
                JsonObject end = client.next();
                assertThat(end.getString("type")).isEqualTo("ai-end");
                assertThat(end.getString("status")).isEqualTo("succeeded");
            }
        }
    }

    @Test
    void aBrowserCarriesTheTokenInTheSubprotocolHeader() throws Exception {
        String carried = "quarkus-http-upgrade#Authorization#"
                + URLEncoder.encode("Bearer " + token(newUser()), StandardCharsets.UTF_8);
        try (Client browser =
                new Client(open(null, "http://localhost:8080", options -> options.addSubProtocol("chorus.v1")
                        .addSubProtocol(carried)))) {
            assertThat(browser.socket().subProtocol()).isEqualTo("chorus.v1");
            browser.send(new JsonObject().put("type", "ping"));
            assertThat(browser.next().getString("type")).isEqualTo("pong");
        }
    }

    @Test
    void theConnectionClosesWhenItsTokenExpiresUnlessAFreshOneArrives() throws Exception {
        UUID user = newUser();
        try (Client expiring = new Client(open(token(user, Duration.ofSeconds(2)), null));
                Client renewed = new Client(open(token(user, Duration.ofSeconds(2)), null))) {
            renewed.send(new JsonObject().put("type", "auth").put("token", token(newUser())));
            assertThat(renewed.next().getString("code")).isEqualTo("invalid-token");
            renewed.send(new JsonObject()
                    .put("type", "auth")
                    .put("token", token(user))
                    .put("requestId", "a1"));
            JsonObject authenticated = renewed.next();
            assertThat(authenticated.getString("type")).isEqualTo("authenticated");
            assertThat(authenticated.getString("requestId")).isEqualTo("a1");

            assertThat(expiring.closeCode()).isEqualTo(1008);

            renewed.send(new JsonObject().put("type", "ping"));
            assertThat(renewed.next().getString("type")).isEqualTo("pong");
            assertThat(renewed.socket().isClosed()).isFalse();
        }
    }

    @Test
    void aClientThatStopsReadingIsCutOffWhileTheOthersKeepReceiving() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client slow = connect(user);
                Client reader = connect(user)) {
            subscribed(slow, chat);
            subscribed(reader, chat);
            slow.socket().pause();

            String bulky = "x".repeat(NewMessage.MAX_USER_CONTENT);
            int sent = 0;
            double cutOffsBefore = cutOffs();
            while (cutOffs() == cutOffsBefore && sent < 20_000) {
                for (int i = 0; i < 50; i++) {
                    NewMessage message = NewMessage.fromUser(chat, user, bulky, null, null);
                    await(() -> log.send(message));
                    sent++;
                }
                // The reader keeps up; the slow client's frames pile up in the server until it is cut off.
                assertThat(reader.messages(50)).hasSize(50);
            }
            assertThat(cutOffs()).isEqualTo(cutOffsBefore + 1);
            slow.socket().resume();
            assertThat(slow.closeCode()).isEqualTo(4008);

            NewMessage after = NewMessage.fromUser(chat, user, "after", null, null);
            await(() -> log.send(after));
            assertThat(reader.messages(1)).containsExactly((long) sent + 1);
        }
    }

    @Test
    void theSignalConnectionComesBackAfterTheDatabaseDropsIt() throws Exception {
        UUID alice = newUser();
        UUID chat = newChat(alice);
        UUID bob = joined(chat);
        append(chat, 1);
        try (Client aliceClient = connect(alice);
                Client bobClient = connect(bob)) {
            subscribed(bobClient, chat);
            await(() -> pool.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%'")
                    .execute());

            JsonObject read = null;
            for (int attempt = 0; attempt < 20 && read == null; attempt++) {
                aliceClient.send(frame("read", chat).put("seq", 1));
                aliceClient.next();
                read = bobClient.pollEphemeral("read", Duration.ofMillis(500));
            }
            assertThat(read)
                    .as("a read marker passed on after the LISTEN connection returned")
                    .isNotNull();
            append(chat, 1);
            assertThat(bobClient.messages(1)).containsExactly(2L);
        }
    }

    @Test
    void metricsCountConnectionsSubscriptionsAndDeliveries() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client client = connect(user)) {
            subscribed(client, chat);
            append(chat, 2);
            client.messages(2);

            String metrics = RestAssured.get("/q/metrics")
                    .then()
                    .statusCode(200)
                    .extract()
                    .asString();
            assertThat(value(metrics, "chorus_ws_connections")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "chorus_ws_subscriptions")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "chorus_ws_deliveries_total")).isGreaterThanOrEqualTo(2);
            assertThat(value(metrics, "chorus_ws_delivery_lag_seconds_count")).isGreaterThanOrEqualTo(1);
            assertThat(value(metrics, "chorus_ws_connects_total")).isGreaterThanOrEqualTo(1);
            assertThat(metrics).contains("chorus_ws_slow_consumer_disconnects_total", "chorus_ws_outbound_queued");
        }
    }

    private double cutOffs() {
        return metrics.counter("chorus.ws.slow.consumer.disconnects").count();
    }

    private static double value(String metrics, String name) {
        return metrics.lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private UUID joined(UUID chat) {
        UUID user = newUser();
        join(chat, user, "member", Permissions.ALL);
        return user;
    }

    private static void subscribed(Client client, UUID chat) throws InterruptedException {
        client.subscribe(chat, 0);
        client.messagesUntilSubscribed();
    }

    private static JsonObject frame(String type, UUID chat) {
        return new JsonObject().put("type", type).put("chatId", chat.toString());
    }

    private static Set<UUID> online(JsonObject presence) {
        JsonArray online = presence.getJsonArray("online");
        return online.stream().map(id -> UUID.fromString((String) id)).collect(Collectors.toSet());
    }
}
