package dev.chorus.chat;

import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** A user's membership of a chat; a member who left keeps the row with {@code leftAt} set. */
@Entity
@Table(name = "chat_members")
public class ChatMember extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "chat_id", nullable = false)
    public UUID chatId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(nullable = false)
    public MemberRole role;

    @Column(name = "can_send", nullable = false)
    public boolean canSend;

    @Column(name = "can_invite", nullable = false)
    public boolean canInvite;

    @Column(name = "can_invoke_ai", nullable = false)
    public boolean canInvokeAi;

    @Column(name = "can_manage_members", nullable = false)
    public boolean canManageMembers;

    @Column(name = "joined_at", nullable = false)
    public Instant joinedAt;

    @Column(name = "left_at")
    public Instant leftAt;

    @Column(name = "last_read_seq", nullable = false)
    public long lastReadSeq;

    protected ChatMember() {}

    public ChatMember(UUID chatId, UUID userId, MemberRole role, Permissions permissions) {
        this.id = UuidV7.next();
        this.chatId = chatId;
        this.userId = userId;
        this.role = role;
        this.joinedAt = Instant.now();
        grant(permissions);
    }

    public Permissions permissions() {
        return new Permissions(canSend, canInvite, canInvokeAi, canManageMembers);
    }

    public void grant(Permissions permissions) {
        this.canSend = permissions.send();
        this.canInvite = permissions.invite();
        this.canInvokeAi = permissions.invokeAi();
        this.canManageMembers = permissions.manageMembers();
    }

    public boolean isActive() {
        return leftAt == null;
    }
}
