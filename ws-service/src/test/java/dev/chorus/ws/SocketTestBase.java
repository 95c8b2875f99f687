package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.chat.Permissions;
import dev.chorus.message.MessageLog;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Real WebSocket clients against the running service, and the chats and users they need. */
abstract class SocketTestBase {

    @TestHTTPResource("/ws")
    URI endpoint;

    @Inject
    Vertx vertx;

    @Inject
    MessageLog log;

    @Inject
    Pool pool;

    @ConfigProperty(name = "chorus.auth.jwt-secret")
    String secret;

    static JsonObject sendFrame(UUID chat, String content, String clientMessageId, String requestId) {
        JsonObject frame = new JsonObject()
                .put("type", "send")
                .put("chatId", chat.toString())
                .put("content", content);
        if (clientMessageId != null) {
            frame.put("clientMessageId", clientMessageId);
        }
        if (requestId != null) {
            frame.put("requestId", requestId);
        }
        return frame;
    }

    Client connect(UUID user) throws Exception {
        return new Client(open(token(user), null));
    }

    String token(UUID user) {
        return token(user, Duration.ofMinutes(5));
    }

    String token(UUID user, Duration lifetime) {
        return Jwt.issuer("chorus").subject(user.toString()).expiresIn(lifetime).signWithSecret(secret);
    }

    WebSocketHolder open(String token, String origin) throws Exception {
        return open(token, origin, null);
    }

    WebSocketHolder open(String token, String origin, java.util.function.Consumer<WebSocketConnectOptions> customize)
            throws Exception {
        BlockingQueue<JsonObject> frames = new LinkedBlockingQueue<>();
        BlockingQueue<JsonObject> ephemeral = new LinkedBlockingQueue<>();
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(endpoint.getHost())
                .setPort(endpoint.getPort())
                .setURI(endpoint.getPath());
        if (token != null) {
            options.addHeader("Authorization", "Bearer " + token);
        }
        // Vert.x sends an Origin of its own unless told not to; only the tests that act as a page send one.
        if (origin != null) {
            options.addHeader("Origin", origin);
        } else {
            options.setAllowOriginHeader(false);
        }
        if (customize != null) {
            customize.accept(options);
        }
        WebSocket socket = vertx.createWebSocketClient()
                .connect(options)
                .toCompletionStage()
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        java.util.concurrent.CompletableFuture<Short> closed = new java.util.concurrent.CompletableFuture<>();
        socket.textMessageHandler(text -> {
            JsonObject frame = new JsonObject(text);
            (EPHEMERAL.contains(frame.getString("type")) ? ephemeral : frames).add(frame);
        });
        socket.closeHandler(ignored -> closed.complete(socket.closeStatusCode()));
        return new WebSocketHolder(socket, frames, ephemeral, closed);
    }

    /** Typing, read markers and presence come whenever they happen; tests of them read them apart from the rest. */
    static final java.util.Set<String> EPHEMERAL = java.util.Set.of("presence", "typing", "read");

    record WebSocketHolder(
            WebSocket socket,
            BlockingQueue<JsonObject> frames,
            BlockingQueue<JsonObject> ephemeral,
            java.util.concurrent.CompletableFuture<Short> closed) {}

    static final class Client implements AutoCloseable {
        private final WebSocketHolder holder;

        Client(WebSocketHolder holder) {
            this.holder = holder;
        }

        void send(JsonObject frame) {
            sendText(frame.encode());
        }

        void sendText(String text) {
            holder.socket().writeTextMessage(text);
        }

        void subscribe(UUID chat, long afterSeq) {
            send(new JsonObject()
                    .put("type", "subscribe")
                    .put("chatId", chat.toString())
                    .put("afterSeq", afterSeq));
        }

        /** The next typing, read or presence frame of the given type, skipping others. */
        JsonObject nextEphemeral(String type) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < deadline) {
                JsonObject frame = holder.ephemeral().poll(100, TimeUnit.MILLISECONDS);
                if (frame != null && frame.getString("type").equals(type)) {
                    return frame;
                }
            }
            throw new AssertionError("no " + type + " frame within 10 s");
        }

        /** Null when no typing, read or presence frame of that type comes within the wait. */
        JsonObject pollEphemeral(String type, Duration wait) throws InterruptedException {
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() < deadline) {
                JsonObject frame = holder.ephemeral().poll(20, TimeUnit.MILLISECONDS);
                if (frame != null && frame.getString("type").equals(type)) {
                    return frame;
                }
            }
            return null;
        }

        WebSocket socket() {
            return holder.socket();
        }

        JsonObject next() throws InterruptedException {
            JsonObject frame = holder.frames().poll(10, TimeUnit.SECONDS);
            assertThat(frame).as("a frame within 10 s").isNotNull();
            return frame;
        }

        List<Long> messagesUntilSubscribed() throws InterruptedException {
            List<Long> seqs = new ArrayList<>();
            for (JsonObject frame = next(); !frame.getString("type").equals("subscribed"); frame = next()) {
                seqs.add(frame.getJsonObject("message").getLong("seq"));
            }
            return seqs;
        }

        List<Long> messages(int count) throws InterruptedException {
            List<Long> seqs = new ArrayList<>();
            while (seqs.size() < count) {
                JsonObject frame = next();
                assertThat(frame.getString("type")).isEqualTo("message");
                seqs.add(frame.getJsonObject("message").getLong("seq"));
            }
            return seqs;
        }

        java.util.concurrent.CompletableFuture<Short> closed() {
            return holder.closed();
        }

        int closeCode() throws Exception {
            return holder.closed().get(10, TimeUnit.SECONDS);
        }

        @Override
        public void close() throws Exception {
            if (!holder.socket().isClosed()) {
                holder.socket()
                        .close()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(5, TimeUnit.SECONDS);
            }
        }
    }

    UUID newUser() {
        UUID id = UUID.randomUUID();
        sql(
                "INSERT INTO users (id, email, display_name, password_hash) VALUES ($1, $2, 'Tester', 'not-a-real-hash')",
                Tuple.of(id, id + "@example.com"));
        return id;
    }

    UUID newChat(UUID owner) {
        UUID id = UUID.randomUUID();
        sql("INSERT INTO chats (id, name, created_by) VALUES ($1, 'live', $2)", Tuple.of(id, owner));
        join(id, owner, "owner", Permissions.ALL);
        return id;
    }

    void join(UUID chat, UUID user, String role, Permissions permissions) {
        sql(
                """
                INSERT INTO chat_members
                    (id, chat_id, user_id, role, can_send, can_invite, can_invoke_ai, can_manage_members)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
                Tuple.from(List.of(
                        UUID.randomUUID(),
                        chat,
                        user,
                        role,
                        permissions.send(),
                        permissions.invite(),
                        permissions.invokeAi(),
                        permissions.manageMembers())));
    }

    /** System entries, as api-service appends them for chat events: the next seq of the chat, in one statement. */
    void append(UUID chat, int count) {
        for (int i = 0; i < count; i++) {
            appendEvent(chat, "test.event", "entry", null);
        }
    }

    void appendEvent(UUID chat, String event, String content, String payloadJson) {
        sql("""
                WITH next AS (
                    UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = now()
                    WHERE id = $1 RETURNING last_message_seq)
                INSERT INTO messages (id, chat_id, seq, role, content, event, payload)
                SELECT $2, $1, next.last_message_seq, 'system', $3, $4, CAST(CAST($5 AS text) AS jsonb) FROM next""", Tuple.of(chat, UUID.randomUUID(), content, event, payloadJson));
    }

    RowSet<Row> sql(String statement, Tuple arguments) {
        return pool.preparedQuery(statement).execute(arguments).await().atMost(Duration.ofSeconds(30));
    }

    static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work::get);
        } catch (Throwable e) {
            throw new RuntimeException(e);
        }
    }
}
