package dev.chorus.message;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Row;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Locale;
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

    /** The columns {@link #of(Row)} reads, for plain SQL on the messages table. */
    public static final String COLUMNS = "id, chat_id, seq, sender_id, role, content, event, payload, reply_to_id,"
            + " client_message_id, created_at, edited_at, deleted_at";

    /** A row of {@link #COLUMNS}, read with the reactive client rather than as an entity. */
    public static MessageView of(Row row) {
        OffsetDateTime deletedAt = row.getOffsetDateTime("deleted_at");
        return new MessageView(
                row.getUUID("id"),
                row.getUUID("chat_id"),
                row.getLong("seq"),
                row.getUUID("sender_id"),
                MessageRole.valueOf(row.getString("role").toUpperCase(Locale.ROOT)),
                deletedAt == null ? row.getString("content") : "",
                row.getString("event"),
                row.getValue("payload") instanceof JsonObject payload ? payload.getMap() : null,
                row.getUUID("reply_to_id"),
                row.getString("client_message_id"),
                instant(row.getOffsetDateTime("created_at")),
                instant(row.getOffsetDateTime("edited_at")),
                instant(deletedAt));
    }

    private static Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

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
