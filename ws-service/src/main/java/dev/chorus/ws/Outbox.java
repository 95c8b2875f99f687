package dev.chorus.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Every frame the server sends goes through here. Each connection may have a bounded number of frames written but
 * not yet taken by the network; a client that stops reading fills that allowance and is disconnected with
 * {@link CloseCodes#SLOW_CONSUMER}, so one slow reader can neither grow the server's memory nor hold up the others.
 */
@ApplicationScoped
public class Outbox {

    private static final Logger LOG = Logger.getLogger(Outbox.class);

    private final ObjectMapper json;
    private final WsConfig config;
    private final Map<String, AtomicInteger> pending = new ConcurrentHashMap<>();
    private final Counter slowConsumers;
    private final Counter framesSent;

    public Outbox(ObjectMapper json, WsConfig config, MeterRegistry metrics) {
        this.json = json;
        this.config = config;
        this.slowConsumers = Counter.builder("chorus.ws.slow.consumer.disconnects")
                .description("Connections closed because their outbound queue was full")
                .register(metrics);
        this.framesSent = Counter.builder("chorus.ws.frames.sent")
                .description("Frames written to clients")
                .register(metrics);
        metrics.gauge("chorus.ws.outbound.queued", pending, Outbox::queuedFrames);
    }

    public void send(WebSocketConnection connection, Frames.ServerFrame frame) {
        String text;
        try {
            text = json.writeValueAsString(frame);
        } catch (JsonProcessingException e) {
            LOG.error("Could not write a frame", e);
            return;
        }
        AtomicInteger queued = pending.computeIfAbsent(connection.id(), id -> new AtomicInteger());
        if (queued.incrementAndGet() > config.maxQueuedFrames()) {
            queued.decrementAndGet();
            if (pending.remove(connection.id(), queued)) {
                slowConsumers.increment();
                LOG.infof("Closing slow consumer %s: %d frames queued", connection.id(), config.maxQueuedFrames());
                connection
                        .close(new CloseReason(CloseCodes.SLOW_CONSUMER, "Too slow reading; reconnect and resume."))
                        .subscribe()
                        .with(ignored -> {}, failure -> {});
            }
            return;
        }
        connection
                .sendText(text)
                .subscribe()
                .with(
                        sent -> {
                            queued.decrementAndGet();
                            framesSent.increment();
                        },
                        failure -> {
                            queued.decrementAndGet();
                            LOG.debugf("Send to %s failed: %s", connection.id(), failure.getMessage());
                        });
    }

    void closed(WebSocketConnection connection) {
        pending.remove(connection.id());
    }

    private static double queuedFrames(Map<String, AtomicInteger> pending) {
        return pending.values().stream().mapToInt(AtomicInteger::get).sum();
    }
}
