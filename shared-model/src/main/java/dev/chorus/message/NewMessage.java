package dev.chorus.message;

import dev.chorus.id.UuidV7;
import java.util.Objects;
import java.util.UUID;

/**
 * A message to append to a chat. {@code senderId} is null for assistant and system messages; {@code event} and
 * {@code payloadJson} describe system events.
 */
public record NewMessage(
        UUID id,
        UUID chatId,
        UUID senderId,
        MessageRole role,
        String content,
        String event,
        String payloadJson,
        UUID replyToId,
        String clientMessageId) {

    /** The longest content a person may send, over REST and over the WebSocket alike. */
    public static final int MAX_USER_CONTENT = 4000;

    /** The longest client message id. */
    public static final int MAX_CLIENT_MESSAGE_ID = 100;

    /** What a client message id may hold: printable ASCII, over REST and over the WebSocket alike. */
    public static final String CLIENT_MESSAGE_ID_PATTERN = "[\\x21-\\x7E]+";

    /** PostgreSQL's text cannot hold NUL: content with one would fail the transaction it shares with others. */
    public static final String WITHOUT_NUL_PATTERN = "(?s)[^\\x00]*";

    public NewMessage {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(chatId, "chatId");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(content, "content");
    }

    public static NewMessage fromUser(
            UUID chatId, UUID senderId, String content, UUID replyToId, String clientMessageId) {
        return new NewMessage(
                UuidV7.next(), chatId, senderId, MessageRole.USER, content, null, null, replyToId, clientMessageId);
    }

    public static NewMessage system(UUID chatId, String event, String content, String payloadJson) {
        return new NewMessage(UuidV7.next(), chatId, null, MessageRole.SYSTEM, content, event, payloadJson, null, null);
    }

    public static NewMessage fromAssistant(UUID chatId, String content, String payloadJson) {
        return new NewMessage(
                UuidV7.next(), chatId, null, MessageRole.ASSISTANT, content, null, payloadJson, null, null);
    }
}
