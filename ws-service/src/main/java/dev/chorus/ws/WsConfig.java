package dev.chorus.ws;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/** Validated at start-up: without the secret api-service signs with, no client could ever connect. */
@ConfigMapping(prefix = "chorus")
public interface WsConfig {

    @WithName("auth.jwt-secret")
    @Size(min = 32, message = "must be at least 32 characters (CHORUS_AUTH_JWT_SECRET)")
    String jwtSecret();

    /** How often each replica looks for new entries in the chats its clients follow. */
    @WithName("ws.poll-interval")
    @WithDefault("25ms")
    Duration pollInterval();

    /** Web origins allowed to open a socket (the same list as the API's CORS origins). */
    @WithName("ws.allowed-origins")
    java.util.List<String> allowedOrigins();

    /** Messages one connection may send per second, once its burst is spent. */
    @WithName("ws.send-rate")
    @WithDefault("10")
    double sendRate();

    /** Messages one connection may send at once before the rate applies. */
    @WithName("ws.send-burst")
    @WithDefault("100")
    int sendBurst();

    /** The most entries read from the database in one go, for a replay or a burst. */
    @WithName("ws.batch-size")
    @WithDefault("500")
    int batchSize();

    /** Frames one connection may have waiting for the network before it counts as a slow consumer and is closed. */
    @WithName("ws.max-queued-frames")
    @WithDefault("2000")
    int maxQueuedFrames();

    /** A connection that answers no ping and sends no frame for this long is closed as dead. */
    @WithName("ws.heartbeat-timeout")
    @WithDefault("60s")
    Duration heartbeatTimeout();

    /** How often this replica renews its presence rows; a row is stale after three intervals. */
    @WithName("ws.presence-heartbeat")
    @WithDefault("30s")
    Duration presenceHeartbeat();

    /** A connection's typing reaches the chat at most this often. */
    @WithName("ws.typing-interval")
    @WithDefault("2s")
    Duration typingInterval();

    /** On shutdown, how long sends being stored may take before every connection is closed. */
    @WithName("ws.drain-timeout")
    @WithDefault("5s")
    Duration drainTimeout();

    /** How soon a lost LISTEN connection is opened again. */
    @WithName("ws.listen-retry")
    @WithDefault("1s")
    Duration listenRetry();
}
