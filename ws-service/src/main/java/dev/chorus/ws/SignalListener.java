package dev.chorus.ws;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * LISTENs for {@link ChatSignals#CHANNEL} on a connection of its own and hands each signal to the feeds. When that
 * connection is lost it is opened again, and every local subscription is back-filled from the table, so nothing
 * signalled while it was down is missed.
 */
@ApplicationScoped
public class SignalListener {

    private static final Logger LOG = Logger.getLogger(SignalListener.class);

    private final Vertx vertx;
    private final ChatFeeds feeds;
    private final ObjectMapper json;
    private final Config config;
    private final WsConfig wsConfig;
    private final Counter reconnects;
    private PgSubscriber subscriber;
    private boolean listenedBefore;

    public SignalListener(
            Vertx vertx, ChatFeeds feeds, ObjectMapper json, Config config, WsConfig wsConfig, MeterRegistry metrics) {
        this.vertx = vertx;
        this.feeds = feeds;
        this.json = json;
        this.config = config;
        this.wsConfig = wsConfig;
        this.reconnects = Counter.builder("chorus.ws.listen.reconnects")
                .description("Times the LISTEN connection was re-established after a loss")
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        long retryMillis = wsConfig.listenRetry().toMillis();
        subscriber = PgSubscriber.subscriber(vertx, connectOptions());
        subscriber.reconnectPolicy(attempts -> retryMillis);
        subscriber.channel(ChatSignals.CHANNEL).handler(this::received).subscribeHandler(ignored -> listening());
        connect(retryMillis);
    }

    void stop(@Observes ShutdownEvent event) {
        if (subscriber != null) {
            subscriber.close();
        }
    }

    /** The reconnect policy covers a lost connection; a first attempt that fails is retried here. */
    private void connect(long retryMillis) {
        subscriber.connect().onFailure(failure -> {
            LOG.warnf("Cannot LISTEN for chat signals yet (%s); retrying", failure.getMessage());
            vertx.setTimer(retryMillis, ignored -> connect(retryMillis));
        });
    }

    private void listening() {
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

    private PgConnectOptions connectOptions() {
        String url =
                config.getValue("quarkus.datasource.reactive.url", String.class).replaceFirst("^vertx-reactive:", "");
        PgConnectOptions options = PgConnectOptions.fromUri(url);
        config.getOptionalValue("quarkus.datasource.username", String.class).ifPresent(options::setUser);
        config.getOptionalValue("quarkus.datasource.password", String.class).ifPresent(options::setPassword);
        if (config.getOptionalValue("quarkus.datasource.reactive.trust-all", Boolean.class)
                .orElse(false)) {
            options.setTrustAll(true);
        }
        return options;
    }
}
