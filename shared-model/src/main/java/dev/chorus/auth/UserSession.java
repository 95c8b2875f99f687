package dev.chorus.auth;

import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One refresh token, stored as its SHA-256 hash; a family is the chain of tokens one login rotated through. */
@Entity
@Table(name = "sessions")
public class UserSession extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "family_id", nullable = false)
    public UUID familyId;

    @Column(name = "token_hash", nullable = false)
    public byte[] tokenHash;

    @Column(name = "user_agent")
    public String userAgent;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "last_used_at")
    public Instant lastUsedAt;

    @Column(name = "expires_at", nullable = false)
    public Instant expiresAt;

    @Column(name = "rotated_at")
    public Instant rotatedAt;

    @Column(name = "revoked_at")
    public Instant revokedAt;

    @Column(name = "revoked_reason")
    public String revokedReason;

    protected UserSession() {}

    public UserSession(UUID userId, UUID familyId, byte[] tokenHash, String userAgent, Instant expiresAt) {
        this.id = UuidV7.next();
        this.userId = userId;
        this.familyId = familyId;
        this.tokenHash = tokenHash;
        this.userAgent = userAgent;
        this.createdAt = Instant.now();
        this.expiresAt = expiresAt;
    }
}
