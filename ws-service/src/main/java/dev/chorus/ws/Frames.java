package dev.chorus.ws;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.chorus.message.MessageView;
import java.util.UUID;

/** The JSON frames of the WebSocket protocol (docs/websocket-protocol.md). */
public final class Frames {

    private Frames() {}

    /** Every frame a client sends; {@code type} says which fields matter. */
    public record ClientFrame(String type, UUID chatId, Long afterSeq, String requestId) {}

    /** Every frame the server sends carries its {@code type}. */
    public sealed interface ServerFrame permits Message, Subscribed, Unsubscribed, Error, Pong {
        String type();
    }

    /** A stored entry of a chat's stream, delivered in sequence order. */
    public record Message(String type, UUID chatId, MessageView message) implements ServerFrame {
        public Message(MessageView message) {
            this("message", message.chatId(), message);
        }
    }

    /** The replay is done: everything up to {@code lastSeq} was sent, and new entries follow live. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Subscribed(String type, UUID chatId, long lastSeq, String requestId) implements ServerFrame {
        public Subscribed(UUID chatId, long lastSeq, String requestId) {
            this("subscribed", chatId, lastSeq, requestId);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Unsubscribed(String type, UUID chatId, String requestId) implements ServerFrame {
        public Unsubscribed(UUID chatId, String requestId) {
            this("unsubscribed", chatId, requestId);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Error(String type, String code, String message, String requestId) implements ServerFrame {
        public Error(String code, String message, String requestId) {
            this("error", code, message, requestId);
        }
    }

    public record Pong(String type) implements ServerFrame {
        public static final Pong INSTANCE = new Pong("pong");
    }
}
