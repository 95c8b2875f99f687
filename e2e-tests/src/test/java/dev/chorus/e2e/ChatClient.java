package dev.chorus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A chat client on the JDK's own WebSocket, speaking the protocol of docs/websocket-protocol.md. */
final class ChatClient implements WebSocket.Listener, AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    /** Frames that come whenever they happen; the tests here read them apart from the rest. */
    private static final Set<String> EPHEMERAL = Set.of("presence", "typing", "read");

    private final BlockingQueue<JsonNode> frames = new LinkedBlockingQueue<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    static ChatClient connect(String wsBaseUrl, String token) throws Exception {
        ChatClient client = new ChatClient();
        client.socket = HTTP.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .buildAsync(URI.create(wsBaseUrl + "/ws"), client)
                .get(10, TimeUnit.SECONDS);
        return client;
    }

    void send(ObjectNode frame) {
        // The JDK allows one outstanding send per socket; callers on several threads take turns.
        synchronized (this) {
            socket.sendText(frame.toString(), true).join();
        }
    }

    static ObjectNode frame(String type, String chatId) {
        return JSON.createObjectNode().put("type", type).put("chatId", chatId);
    }

    void subscribe(String chatId, long afterSeq) {
        send(frame("subscribe", chatId).put("afterSeq", afterSeq));
    }

    /** The sequence numbers replayed before the subscribed reply. */
    List<Long> replayUntilSubscribed() throws InterruptedException {
        List<Long> seqs = new ArrayList<>();
        for (JsonNode frame = next(); !frame.get("type").asText().equals("subscribed"); frame = next()) {
            seqs.add(frame.get("message").get("seq").asLong());
        }
        return seqs;
    }

    JsonNode next() throws InterruptedException {
        JsonNode frame = frames.poll(20, TimeUnit.SECONDS);
        assertThat(frame).as("a frame within 20 s").isNotNull();
        return frame;
    }

    /** The next {@code count} message frames' entries. */
    List<JsonNode> messages(int count) throws InterruptedException {
        List<JsonNode> entries = new ArrayList<>();
        while (entries.size() < count) {
            JsonNode frame = next();
            assertThat(frame.get("type").asText()).as(frame.toString()).isEqualTo("message");
            entries.add(frame.get("message"));
        }
        return entries;
    }

    int closeCode() throws Exception {
        return closed.get(20, TimeUnit.SECONDS);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            try {
                JsonNode frame = JSON.readTree(partial.toString());
                if (!EPHEMERAL.contains(frame.get("type").asText())) {
                    frames.add(frame);
                }
            } catch (Exception e) {
                frames.add(JSON.createObjectNode().put("type", "unparseable").put("text", partial.toString()));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
    }

    @Override
    public void close() {
        if (!closed.isDone()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done")
                    .orTimeout(5, TimeUnit.SECONDS)
                    .exceptionally(ignored -> null)
                    .join();
        }
    }
}
