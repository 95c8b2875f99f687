package dev.chorus.message;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/**
 * One entry of a chat's ordered stream. New messages are written only through {@link MessageLog#append}, which
 * assigns the sequence number; the entity is for reading, editing and soft-deleting.
 */
@Entity
@Table(name = "messages")
public class Message extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "chat_id", nullable = false, updatable = false)
    public UUID chatId;

    @Column(nullable = false, updatable = false)
    public long seq;

    @Column(name = "sender_id", updatable = false)
    public UUID senderId;

    @Column(nullable = false, updatable = false)
    public MessageRole role;

    @Column(nullable = false)
    public String content;

    /** For system messages: what happened, for example {@code member.joined}; null for user and assistant. */
    @Column(updatable = false)
    public String event;

    /** Structured details of a system event or an assistant answer, as JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(updatable = false)
    public Map<String, Object> payload;

    @Column(name = "reply_to_id", updatable = false)
    public UUID replyToId;

    @Column(name = "client_message_id", updatable = false)
    public String clientMessageId;

    @Column(name = "created_at", nullable = false, updatable = false)
    public Instant createdAt;

    @Column(name = "edited_at")
    public Instant editedAt;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    protected Message() {}
}
