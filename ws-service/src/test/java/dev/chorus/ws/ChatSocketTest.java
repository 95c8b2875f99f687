package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.chorus.chat.Permissions;
import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class ChatSocketTest extends SocketTestBase {

    @Test
    void aSubscriberGetsWhatItMissedThenTheReplyThenNewEntriesLive() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        append(chat, 3);

        try (Client client = connect(user)) {
            client.send(new JsonObject()
                    .put("type", "subscribe")
                    .put("chatId", chat.toString())
                    .put("afterSeq", 1)
                    .put("requestId", "r1"));
            assertThat(client.next().getJsonObject("message").getLong("seq")).isEqualTo(2);
            assertThat(client.next().getJsonObject("message").getLong("seq")).isEqualTo(3);
            JsonObject subscribed = client.next();
            assertThat(subscribed.getString("type")).isEqualTo("subscribed");
            assertThat(subscribed.getLong("lastSeq")).isEqualTo(3);
            assertThat(subscribed.getString("requestId")).isEqualTo("r1");

            append(chat, 2);

            assertThat(client.next().getJsonObject("message").getLong("seq")).isEqualTo(4);
            assertThat(client.next().getJsonObject("message").getLong("seq")).isEqualTo(5);
        }
    }

    @Test
    void resumingFromTheLastSeenSequenceDeliversExactlyTheRestInOrder() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        append(chat, 2);
        long lastSeen;
        try (Client client = connect(user)) {
            client.subscribe(chat, 0);
            lastSeen = client.messagesUntilSubscribed().getLast();
        }

        append(chat, 30);

        try (Client client = connect(user)) {
            client.subscribe(chat, lastSeen);
            List<Long> seqs = client.messagesUntilSubscribed();
            assertThat(seqs)
                    .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(lastSeen + 1, lastSeen + 30)
                            .boxed()
                            .toList());
        }
    }

    @Test
    void manyWritersOnOneChatReachEverySubscriberInSequenceOrder() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client first = connect(user);
                Client second = connect(user)) {
            first.subscribe(chat, 0);
            second.subscribe(chat, 0);
            long start = first.messagesUntilSubscribed().stream()
                    .mapToLong(Long::longValue)
                    .max()
                    .orElse(0);
            second.messagesUntilSubscribed();

            List<Thread> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                Thread writer = new Thread(() -> append(chat, 50));
                writers.add(writer);
                writer.start();
            }
            for (Thread writer : writers) {
                writer.join();
            }

            List<Long> expected = java.util.stream.LongStream.rangeClosed(start + 1, start + 200)
                    .boxed()
                    .toList();
            assertThat(first.messages(200)).containsExactlyElementsOf(expected);
            assertThat(second.messages(200)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void aSentMessageIsAcknowledgedWithItsSequenceAndDeliveredToSubscribers() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client client = connect(user)) {
            client.subscribe(chat, 0);
            client.messagesUntilSubscribed();

            client.send(sendFrame(chat, "hello", "c-1", "r1"));

            List<JsonObject> frames = List.of(client.next(), client.next());
            JsonObject ack = frames.stream()
                    .filter(f -> f.getString("type").equals("ack"))
                    .findFirst()
                    .orElseThrow();
            JsonObject message = frames.stream()
                    .filter(f -> f.getString("type").equals("message"))
                    .findFirst()
                    .orElseThrow();
            assertThat(ack.getString("requestId")).isEqualTo("r1");
            assertThat(ack.getBoolean("duplicate")).isFalse();
            assertThat(message.getJsonObject("message").getString("id")).isEqualTo(ack.getString("messageId"));
            assertThat(message.getJsonObject("message").getLong("seq")).isEqualTo(ack.getLong("seq"));
            assertThat(message.getJsonObject("message").getString("content")).isEqualTo("hello");
        }
    }

    @Test
    void resendingTheSameClientMessageIdAcknowledgesTheFirstMessageAndStoresNothing() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client client = connect(user)) {
            client.send(sendFrame(chat, "once", "c-1", "r1"));
            JsonObject first = client.next();
            client.send(sendFrame(chat, "once", "c-1", "r2"));
            JsonObject second = client.next();

            assertThat(second.getBoolean("duplicate")).isTrue();
            assertThat(second.getString("messageId")).isEqualTo(first.getString("messageId"));
            assertThat(second.getLong("seq")).isEqualTo(first.getLong("seq"));
        }
    }

    @Test
    void concurrentSendersOverTheSocketReachEverySubscriberInOrder() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client first = connect(user);
                Client second = connect(user)) {
            first.subscribe(chat, 0);
            second.subscribe(chat, 0);
            assertThat(first.messagesUntilSubscribed()).isEmpty();
            assertThat(second.messagesUntilSubscribed()).isEmpty();
            long start = 0;

            List<Client> senders = new ArrayList<>();
            for (int s = 0; s < 4; s++) {
                senders.add(connect(user));
            }
            for (int i = 0; i < 50; i++) {
                for (int s = 0; s < senders.size(); s++) {
                    senders.get(s).send(sendFrame(chat, "m", "s" + s + "-" + i, null));
                }
            }
            List<Long> acknowledged = new ArrayList<>();
            for (Client sender : senders) {
                for (int i = 0; i < 50; i++) {
                    JsonObject ack = sender.next();
                    assertThat(ack.getString("type")).isEqualTo("ack");
                    acknowledged.add(ack.getLong("seq"));
                }
                sender.close();
            }

            List<Long> expected = java.util.stream.LongStream.rangeClosed(start + 1, start + 200)
                    .boxed()
                    .toList();
            assertThat(acknowledged).containsExactlyInAnyOrderElementsOf(expected);
            assertThat(first.messages(200)).containsExactlyElementsOf(expected);
            assertThat(second.messages(200)).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void sendingNeedsMembershipThePermissionAndContent() throws Exception {
        UUID owner = newUser();
        UUID chat = newChat(owner);
        UUID muted = newUser();
        join(chat, muted, "member", new Permissions(false, false, false, false));

        try (Client stranger = connect(newUser());
                Client mutedClient = connect(muted);
                Client ownerClient = connect(owner)) {
            stranger.send(sendFrame(chat, "hi", null, "a"));
            assertThat(stranger.next().getString("code")).isEqualTo("not-a-member");
            mutedClient.send(sendFrame(chat, "hi", null, "b"));
            assertThat(mutedClient.next().getString("code")).isEqualTo("forbidden");
            ownerClient.send(sendFrame(chat, " ", null, "c"));
            assertThat(ownerClient.next().getString("code")).isEqualTo("invalid-frame");
            ownerClient.send(sendFrame(chat, "x".repeat(4001), null, "d"));
            assertThat(ownerClient.next().getString("code")).isEqualTo("invalid-frame");
            ownerClient.send(sendFrame(chat, "nul \u0000 inside", null, "e"));
            assertThat(ownerClient.next().getString("code")).isEqualTo("invalid-frame");
            ownerClient.send(sendFrame(chat, "fine", "not printable\u0001", "f"));
            assertThat(ownerClient.next().getString("code")).isEqualTo("invalid-frame");
        }
    }

    @Test
    void floodingBeyondTheConnectionsRateGetsErrorsWhileOtherConnectionsKeepServing() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client flooder = connect(user);
                Client bystander = connect(user)) {
            for (int i = 0; i < 150; i++) {
                flooder.send(sendFrame(chat, "flood", "f-" + i, null));
            }
            int acks = 0;
            int limited = 0;
            for (int i = 0; i < 150; i++) {
                JsonObject frame = flooder.next();
                if (frame.getString("type").equals("ack")) {
                    acks++;
                } else {
                    assertThat(frame.getString("code")).isEqualTo("rate-limited");
                    limited++;
                }
            }
            // The burst of 100, plus what the rate of 10 per second refills while the frames are handled.
            assertThat(acks).isBetween(100, 149);
            assertThat(limited).isEqualTo(150 - acks);

            bystander.send(sendFrame(chat, "still here", "b-1", "b"));
            assertThat(bystander.next().getString("type")).isEqualTo("ack");
        }
    }

    @Test
    void aStrangerCannotSubscribe() throws Exception {
        UUID owner = newUser();
        UUID chat = newChat(owner);
        try (Client stranger = connect(newUser())) {
            stranger.send(new JsonObject()
                    .put("type", "subscribe")
                    .put("chatId", chat.toString())
                    .put("requestId", "x"));
            JsonObject error = stranger.next();
            assertThat(error.getString("type")).isEqualTo("error");
            assertThat(error.getString("code")).isEqualTo("not-a-member");
            assertThat(error.getString("requestId")).isEqualTo("x");
        }
    }

    @Test
    void evenItsOwnerCannotSubscribeToADeletedChat() throws Exception {
        UUID owner = newUser();
        UUID chat = newChat(owner);
        sql("UPDATE chats SET deleted_at = now() WHERE id = $1", Tuple.of(chat));
        try (Client client = connect(owner)) {
            client.subscribe(chat, 0);
            assertThat(client.next().getString("code")).isEqualTo("not-a-member");
        }
    }

    @Test
    void badFramesGetErrorsAndTheConnectionKeepsServing() throws Exception {
        try (Client client = connect(newUser())) {
            client.sendText("{not json");
            assertThat(client.next().getString("code")).isEqualTo("malformed-frame");
            client.send(new JsonObject().put("type", "dance"));
            assertThat(client.next().getString("code")).isEqualTo("unknown-type");
            client.send(new JsonObject().put("type", "subscribe"));
            assertThat(client.next().getString("code")).isEqualTo("invalid-frame");
            client.send(new JsonObject().put("type", "ping"));
            assertThat(client.next().getString("type")).isEqualTo("pong");
        }
    }

    @Test
    void aFrameOverTheSizeLimitClosesTheSocketWithMessageTooBig() throws Exception {
        try (Client client = connect(newUser())) {
            client.sendText("{\"type\":\"ping\",\"requestId\":\"" + "x".repeat(70_000) + "\"}");
            assertThat(client.closeCode()).isEqualTo(1009);
        }
    }

    @Test
    void pagesOfOtherSitesCannotOpenASocket() throws Exception {
        assertThatThrownBy(() -> open(token(newUser()), "https://evil.example")).hasMessageContaining("403");
        try (Client allowed = new Client(open(token(newUser()), "http://localhost:8080"))) {
            allowed.send(new JsonObject().put("type", "ping"));
            assertThat(allowed.next().getString("type")).isEqualTo("pong");
        }
    }

    @Test
    void theUpgradeNeedsAValidAccessToken() {
        assertThatThrownBy(() -> open(null, null)).hasMessageContaining("401");
        assertThatThrownBy(() -> open("not-a-token", null)).hasMessageContaining("401");
    }
}
