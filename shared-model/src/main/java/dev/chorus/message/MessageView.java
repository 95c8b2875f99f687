package dev.chorus.message;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** A stored message as clients see it, over REST and over the WebSocket alike. */
@RegisterForReflection
public record MessageView(
        UUID id,
        UUID chatId,
        long seq,
        UUID senderId,
        MessageRole role,
        String content,
        String event,
        Map<String, Object> payload,
        UUID replyToId,
        String clientMessageId,
        Instant createdAt,
        Instant editedAt,
        Instant deletedAt) {

    public static MessageView of(Message message) {
        return new MessageView(
                message.id,
                message.chatId,
                message.seq,
                message.senderId,
                message.role,
                message.deletedAt == null ? message.content : "",
                message.event,
                message.payload,
                message.replyToId,
                message.clientMessageId,
                message.createdAt,
                message.editedAt,
                message.deletedAt);
    }
}
