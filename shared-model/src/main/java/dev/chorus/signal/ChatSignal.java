package dev.chorus.signal;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import java.util.UUID;

/**
 * A notification between replicas about a chat, sent with PostgreSQL NOTIFY. Nothing here is stored: a wake-up
 * only tells replicas to look at the messages table sooner, and typing, read markers and presence changes are
 * passed on to the chat's subscribers as they are.
 */
@RegisterForReflection
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ChatSignal(
        Kind kind,
        UUID chatId,
        List<UUID> chatIds,
        UUID userId,
        Long seq,
        UUID invocationId,
        String text,
        String status) {

    public enum Kind {
        /** New entries were stored in {@code chatIds}. */
        WAKE,
        /** {@code userId} is typing in {@code chatId}. */
        TYPING,
        /** {@code userId} has read {@code chatId} up to {@code seq}. */
        READ,
        /** Who is online in {@code chatId} changed. */
        PRESENCE,
        /** The assistant's answer {@code invocationId} in {@code chatId} grew by {@code text}; {@code seq} counts from 0. */
        AI_DELTA,
        /** The assistant's answer {@code invocationId} ended with {@code status} (its stored message follows, if any). */
        AI_END
    }

    public static ChatSignal wake(List<UUID> chatIds) {
        return new ChatSignal(Kind.WAKE, null, chatIds, null, null, null, null, null);
    }

    public static ChatSignal typing(UUID chatId, UUID userId) {
        return new ChatSignal(Kind.TYPING, chatId, null, userId, null, null, null, null);
    }

    public static ChatSignal read(UUID chatId, UUID userId, long seq) {
        return new ChatSignal(Kind.READ, chatId, null, userId, seq, null, null, null);
    }

    public static ChatSignal presence(UUID chatId) {
        return new ChatSignal(Kind.PRESENCE, chatId, null, null, null, null, null, null);
    }

    public static ChatSignal aiDelta(UUID chatId, UUID invocationId, long index, String text) {
        return new ChatSignal(Kind.AI_DELTA, chatId, null, null, index, invocationId, text, null);
    }

    public static ChatSignal aiEnd(UUID chatId, UUID invocationId, String status) {
        return new ChatSignal(Kind.AI_END, chatId, null, null, null, invocationId, null, status);
    }
}
