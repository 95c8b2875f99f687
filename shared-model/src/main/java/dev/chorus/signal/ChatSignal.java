package dev.chorus.signal;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/**
 * A notification between replicas about a chat, sent with PostgreSQL NOTIFY. Nothing here is stored: a wake-up
 * only tells replicas to look at the messages table sooner, and typing, read markers and presence changes are
 * passed on to the chat's subscribers as they are.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatSignal(Kind kind, UUID chatId, List<UUID> chatIds, UUID userId, Long seq) {

    public enum Kind {
        /** New entries were stored in {@code chatIds}. */
        WAKE,
        /** {@code userId} is typing in {@code chatId}. */
        TYPING,
        /** {@code userId} has read {@code chatId} up to {@code seq}. */
        READ,
        /** Who is online in {@code chatId} changed. */
        PRESENCE
    }

    public static ChatSignal wake(List<UUID> chatIds) {
        return new ChatSignal(Kind.WAKE, null, chatIds, null, null);
    }

    public static ChatSignal typing(UUID chatId, UUID userId) {
        return new ChatSignal(Kind.TYPING, chatId, null, userId, null);
    }

    public static ChatSignal read(UUID chatId, UUID userId, long seq) {
        return new ChatSignal(Kind.READ, chatId, null, userId, seq);
    }

    public static ChatSignal presence(UUID chatId) {
        return new ChatSignal(Kind.PRESENCE, chatId, null, null, null);
    }
}
