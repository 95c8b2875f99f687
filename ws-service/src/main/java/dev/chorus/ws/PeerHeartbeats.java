package dev.chorus.ws;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Finds dead peers. The server pings every connection (quarkus.websockets-next.server.auto-ping-interval); a
 * connection that answers nothing, neither pong nor frame, for the heartbeat timeout is closed with
 * {@link CloseCodes#HEARTBEAT_TIMEOUT}, which frees its subscriptions and presence instead of waiting for TCP.
 */
@ApplicationScoped
public class PeerHeartbeats {

    private static final Logger LOG = Logger.getLogger(PeerHeartbeats.class);

    private final Vertx vertx;
    private final OpenConnections connections;
    private final WsConfig config;
    private final Map<String, Long> lastHeard = new ConcurrentHashMap<>();
    private long timer = -1;

    public PeerHeartbeats(Vertx vertx, OpenConnections connections, WsConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.connections = connections;
        this.config = config;
        // Registered here, at start-up, so the gauge is there before the first connection.
        metrics.gauge(
                "chorus.ws.connections", connections, open -> open.listAll().size());
    }

    void start(@Observes StartupEvent event) {
        long every = Math.max(100, config.heartbeatTimeout().toMillis() / 4);
        timer = vertx.setPeriodic(every, id -> sweep());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    void heard(WebSocketConnection connection) {
        lastHeard.put(connection.id(), System.nanoTime());
    }

    void closed(WebSocketConnection connection) {
        lastHeard.remove(connection.id());
    }

    private void sweep() {
        long deadline = System.nanoTime() - config.heartbeatTimeout().toNanos();
        for (WebSocketConnection connection : connections) {
            Long heard = lastHeard.get(connection.id());
            if (heard != null && heard < deadline && lastHeard.remove(connection.id(), heard)) {
                LOG.debugf("Closing %s: nothing heard for %s", connection.id(), config.heartbeatTimeout());
                connection
                        .close(new CloseReason(CloseCodes.HEARTBEAT_TIMEOUT, "No heartbeat."))
                        .subscribe()
                        .with(ignored -> {}, failure -> {});
            }
        }
    }
}
