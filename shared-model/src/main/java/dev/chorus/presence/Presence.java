package dev.chorus.presence;

import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One WebSocket connection's subscription to a chat, on one ws-service replica, kept alive by heartbeats. */
@Entity
@Table(name = "presence")
public class Presence extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "chat_id", nullable = false)
    public UUID chatId;

    @Column(name = "user_id", nullable = false)
    public UUID userId;

    @Column(name = "node_id", nullable = false)
    public String nodeId;

    @Column(name = "connection_id", nullable = false)
    public String connectionId;

    @Column(name = "connected_at", nullable = false)
    public Instant connectedAt;

    @Column(name = "heartbeat_at", nullable = false)
    public Instant heartbeatAt;

    protected Presence() {}

    public Presence(UUID chatId, UUID userId, String nodeId, String connectionId) {
        this.id = UuidV7.next();
        this.chatId = chatId;
        this.userId = userId;
        this.nodeId = nodeId;
        this.connectionId = connectionId;
        this.connectedAt = Instant.now();
        this.heartbeatAt = connectedAt;
    }
}
