package dev.chorus.ws;

import io.quarkus.runtime.ShutdownDelayInitiatedEvent;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.OpenConnections;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Graceful shutdown (SIGTERM on every deploy). Readiness turns down and new upgrades are refused, sends already
 * being stored finish and are acknowledged, then every client is told to reconnect elsewhere with
 * {@link CloseCodes#GOING_AWAY}; a client resumes from its last sequence number, so nothing is lost. All of it fits
 * in Cloud Run's 10 seconds between SIGTERM and SIGKILL: 1 s of shutdown delay, up to 5 s for sends, 2 s for the
 * closes and 1 s for the presence rows.
 */
@ApplicationScoped
public class Drain implements HttpUpgradeCheck {

    private static final Logger LOG = Logger.getLogger(Drain.class);
    private static final CloseReason GOING_AWAY =
            new CloseReason(CloseCodes.GOING_AWAY, "Server restarting; reconnect and resume.");

    private final OpenConnections connections;
    private final Presences presences;
    private final WsConfig config;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean draining;

    public Drain(OpenConnections connections, Presences presences, WsConfig config) {
        this.connections = connections;
        this.presences = presences;
        this.config = config;
    }

    boolean draining() {
        return draining;
    }

    /** Wraps work that must finish before the connections close (storing and acknowledging a send). */
    <T> Uni<T> inFlight(Uni<T> work) {
        return Uni.createFrom().deferred(() -> {
            inFlight.incrementAndGet();
            return work.onTermination().invoke(inFlight::decrementAndGet);
        });
    }

    /**
     * An upgrade that passed the check just before draining began completes after the sweep below: the connection
     * is registered then, and its {@code @OnOpen} comes after that, so it closes itself here rather than wait for
     * the HTTP server's shutdown to drop it with 1000.
     */
    void opened(WebSocketConnection connection) {
        if (draining) {
            close(connection).subscribe().with(ignored -> {});
        }
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return draining ? CheckResult.rejectUpgrade(503) : CheckResult.permitUpgrade();
    }

    /**
     * Quarkus closes the HTTP server before it fires {@link ShutdownEvent}, which would drop every socket with
     * 1000; the shutdown delay's event comes first, while the sockets are still open.
     */
    void onShutdownDelay(@Observes ShutdownDelayInitiatedEvent event) {
        drain();
    }

    void onShutdown(@Observes @Priority(1) ShutdownEvent event) {
        drain();
    }

    private synchronized void drain() {
        if (draining) {
            return;
        }
        draining = true;
        long deadline = System.nanoTime() + config.drainTimeout().toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            sleep(Duration.ofMillis(10));
        }
        List<Uni<Void>> closing = new ArrayList<>();
        for (WebSocketConnection connection : connections) {
            closing.add(close(connection));
        }
        LOG.infof("Draining: closed %d connections with %d", closing.size(), CloseCodes.GOING_AWAY);
        try {
            if (!closing.isEmpty()) {
                Uni.join().all(closing).andCollectFailures().await().atMost(Duration.ofSeconds(2));
            }
            presences.clearNode().await().atMost(Duration.ofSeconds(1));
        } catch (RuntimeException e) {
            LOG.warnf("Drain did not finish cleanly: %s", e.getMessage());
        }
    }

    private static Uni<Void> close(WebSocketConnection connection) {
        return connection.close(GOING_AWAY).onFailure().recoverWithNull();
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
