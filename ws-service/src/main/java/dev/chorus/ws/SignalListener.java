package dev.chorus.ws;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnection;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * LISTENs for {@link ChatSignals#CHANNEL} on one connection taken from the datasource's pool (so it has the same
 * address, credentials and TLS settings) and kept for the life of the replica. It hands each signal to the feeds.
 * When that connection is lost it takes another, and every local subscription is back-filled from the table, so
 * nothing signalled while it was down is missed.
 */
@ApplicationScoped
public class SignalListener {

    private static final Logger LOG = Logger.getLogger(SignalListener.class);

    private final Vertx vertx;
    private final Pool pool;
    private final ChatFeeds feeds;
    private final ObjectMapper json;
    private final WsConfig config;
    private final Counter reconnects;
    private volatile SqlConnection connection;
    private volatile boolean stopped;
    private boolean listenedBefore;

    public SignalListener(
            Vertx vertx, Pool pool, ChatFeeds feeds, ObjectMapper json, WsConfig config, MeterRegistry metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.feeds = feeds;
        this.json = json;
        this.config = config;
        this.reconnects = Counter.builder("chorus.ws.listen.reconnects")
                .description("Times the LISTEN connection was re-established after a loss")
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        listen();
    }

    void stop(@Observes ShutdownEvent event) {
        stopped = true;
        SqlConnection current = connection;
        if (current != null) {
            current.closeAndForget();
        }
    }

    private void listen() {
        if (stopped) {
            return;
        }
        pool.getConnection()
                .chain(taken -> {
                    PgConnection listening = PgConnection.cast(taken.getDelegate());
                    listening.notificationHandler(notification -> {
                        if (ChatSignals.CHANNEL.equals(notification.getChannel())) {
                            received(notification.getPayload());
                        }
                    });
                    listening.closeHandler(ignored -> lost());
                    connection = taken;
                    return taken.query("LISTEN " + ChatSignals.CHANNEL).execute();
                })
                .subscribe()
                .with(ignored -> listening(), failure -> {
                    LOG.warnf("Cannot LISTEN for chat signals (%s); retrying", failure.getMessage());
                    SqlConnection current = connection;
                    connection = null;
                    if (current != null) {
                        current.closeAndForget();
                    } else {
                        retryLater();
                    }
                });
    }

    private void lost() {
        connection = null;
        if (!stopped) {
            LOG.warn("The LISTEN connection was lost; reconnecting");
            retryLater();
        }
    }

    private void retryLater() {
        vertx.setTimer(config.listenRetry().toMillis(), ignored -> listen());
    }

    private synchronized void listening() {
        if (listenedBefore) {
            reconnects.increment();
            LOG.info("Listening for chat signals again; back-filling every subscription");
        }
        listenedBefore = true;
        feeds.resync();
    }

    private void received(String payload) {
        try {
            feeds.signal(json.readValue(payload, ChatSignal.class));
        } catch (Exception e) {
            LOG.warnf("Ignoring a malformed chat signal: %s", e.getMessage());
        }
    }
}
