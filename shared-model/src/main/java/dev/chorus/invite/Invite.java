package dev.chorus.invite;

import dev.chorus.chat.MemberRole;
import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

@Entity
@Table(name = "invites")
public class Invite extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "chat_id", nullable = false)
    public UUID chatId;

    @Column(nullable = false)
    public String code;

    @Column(name = "created_by")
    public UUID createdBy;

    @Column(nullable = false)
    public MemberRole role;

    /** Null means unlimited. */
    @Column(name = "max_uses")
    public Integer maxUses;

    @Column(nullable = false)
    public int uses;

    @Column(name = "expires_at")
    public Instant expiresAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    /** Set by the maintenance job once the invite is used up or past its date. */
    @Column(name = "expired_at")
    public Instant expiredAt;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    protected Invite() {}

    public Invite(UUID chatId, String code, UUID createdBy, MemberRole role, Integer maxUses, Instant expiresAt) {
        this.id = UuidV7.next();
        this.chatId = chatId;
        this.code = code;
        this.createdBy = createdBy;
        this.role = role;
        this.maxUses = maxUses;
        this.expiresAt = expiresAt;
        this.createdAt = Instant.now();
    }

    public boolean isUsable(Instant now) {
        return revokedAt == null
                && expiredAt == null
                && (expiresAt == null || now.isBefore(expiresAt))
                && (maxUses == null || uses < maxUses);
    }
}
