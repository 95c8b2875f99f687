package dev.chorus.chat;

import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "chats")
public class Chat extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(nullable = false)
    public String name;

    public String description;

    @Column(nullable = false)
    public ChatVisibility visibility;

    @Column(name = "ai_enabled", nullable = false)
    public boolean aiEnabled;

    @Column(name = "retention_days")
    public Integer retentionDays;

    @Column(name = "created_by")
    public UUID createdBy;

    /**
     * The last sequence number handed out. Only {@link dev.chorus.message.MessageLog} advances it, in SQL; the
     * entity never writes it, so a stale copy in a session can never move it back.
     */
    @Column(name = "last_message_seq", nullable = false, insertable = false, updatable = false)
    public long lastMessageSeq;

    @Column(name = "last_message_at", insertable = false, updatable = false)
    public Instant lastMessageAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    @Column(name = "deleted_at")
    public Instant deletedAt;

    protected Chat() {}

    public Chat(String name, String description, ChatVisibility visibility, boolean aiEnabled, UUID createdBy) {
        this.id = UuidV7.next();
        this.name = name;
        this.description = description;
        this.visibility = visibility;
        this.aiEnabled = aiEnabled;
        this.createdBy = createdBy;
        this.createdAt = Instant.now();
        this.updatedAt = createdAt;
    }
}
