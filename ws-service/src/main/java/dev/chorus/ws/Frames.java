package dev.chorus.ws;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.chorus.message.MessageView;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * The JSON frames of the WebSocket protocol (docs/websocket-protocol.md). Written and read with an ObjectMapper by
 * hand, so registered for reflection (every nested record) for the native image.
 */
@RegisterForReflection
public final class Frames {

    private Frames() {}

    /** Every frame a client sends; {@code type} says which fields matter. */
    public record ClientFrame(
            String type,
            UUID chatId,
            Long afterSeq,
            String content,
            String clientMessageId,
            UUID replyToId,
            Long seq,
            String token,
            String requestId) {}

    /** Every frame the server sends carries its {@code type}. */
    public sealed interface ServerFrame
            permits Message,
                    Subscribed,
                    Unsubscribed,
                    Ack,
                    Typing,
                    Read,
                    ReadMarked,
                    Presence,
                    AiDelta,
                    AiEnd,
                    Authenticated,
                    Error,
                    Pong {
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

    /**
     * The message is stored: its id and sequence number. {@code duplicate} is true when the client message id was
     * already used and this is the first message, not a new one. The message itself arrives as a message frame.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Ack(
            String type,
            String requestId,
            String clientMessageId,
            UUID chatId,
            UUID messageId,
            long seq,
            boolean duplicate)
            implements ServerFrame {
        public Ack(String requestId, MessageView message, boolean duplicate) {
            this("ack", requestId, message.clientMessageId(), message.chatId(), message.id(), message.seq(), duplicate);
        }
    }

    /** {@code userId} is typing; show it for a few seconds unless another typing frame follows. */
    public record Typing(String type, UUID chatId, UUID userId) implements ServerFrame {
        public Typing(UUID chatId, UUID userId) {
            this("typing", chatId, userId);
        }
    }

    /** {@code userId} has read the chat up to {@code seq}, on any device. */
    public record Read(String type, UUID chatId, UUID userId, long seq) implements ServerFrame {
        public Read(UUID chatId, UUID userId, long seq) {
            this("read", chatId, userId, seq);
        }
    }

    /** The reply to a read frame: the caller's marker after the move (never backwards, never past the newest). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record ReadMarked(String type, UUID chatId, long seq, String requestId) implements ServerFrame {
        public ReadMarked(UUID chatId, long seq, String requestId) {
            this("read-marked", chatId, seq, requestId);
        }
    }

    /** Everyone online in the chat, on every replica; sent after subscribing and whenever it changes. */
    public record Presence(String type, UUID chatId, List<UUID> online) implements ServerFrame {
        public Presence(UUID chatId, List<UUID> online) {
            this("presence", chatId, online);
        }
    }

    /**
     * A piece of the assistant's answer, streamed to every subscriber while it is written; {@code index} counts
     * from 0 per invocation, so a client can put pieces in order and notice a missing one. The finished answer is
     * stored as one assistant message, which arrives as a message frame like any other.
     */
    public record AiDelta(String type, UUID chatId, UUID invocationId, long index, String text) implements ServerFrame {
        public AiDelta(UUID chatId, UUID invocationId, long index, String text) {
            this("ai-delta", chatId, invocationId, index, text);
        }
    }

    /**
     * The answer's stream ended: {@code succeeded} (its stored message follows as a message frame), or
     * {@code failed}, {@code cancelled} or {@code timed_out} (nothing is stored; discard the pieces).
     */
    public record AiEnd(String type, UUID chatId, UUID invocationId, String status) implements ServerFrame {
        public AiEnd(UUID chatId, UUID invocationId, String status) {
            this("ai-end", chatId, invocationId, status);
        }
    }

    /** The new access token was accepted; the connection now lives until {@code expiresAt}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Authenticated(String type, Instant expiresAt, String requestId) implements ServerFrame {
        public Authenticated(Instant expiresAt, String requestId) {
            this("authenticated", expiresAt, requestId);
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
