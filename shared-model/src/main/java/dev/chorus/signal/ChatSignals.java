package dev.chorus.signal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Publishes {@link ChatSignal}s on {@link #CHANNEL}, always outside the transaction that stored anything, so the
 * write path never waits on PostgreSQL's notification queue (see docs/websocket-protocol.md for the measurement).
 *
 * <p>Wake-ups are coalesced: while one NOTIFY is on its way, every chat that gets new entries joins the next one,
 * so a process sends at most one wake-up per database round trip however many messages it stores.
 */
@ApplicationScoped
public class ChatSignals {

    public static final String CHANNEL = "chorus_signals";

    /** A NOTIFY payload is limited to 8000 bytes; 100 chat ids take about 4000. */
    private static final int MAX_CHATS_PER_WAKE = 100;

    private static final Logger LOG = Logger.getLogger(ChatSignals.class);

    private final Pool pool;
    private final ObjectMapper json;
    private final Set<UUID> pendingWakes = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean waking = new AtomicBoolean();

    public ChatSignals(Pool pool, ObjectMapper json) {
        this.pool = pool;
        this.json = json;
    }

    public Uni<Void> publish(ChatSignal signal) {
        String payload;
        try {
            payload = json.writeValueAsString(signal);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return pool.preparedQuery("SELECT pg_notify($1, $2)")
                .execute(Tuple.of(CHANNEL, payload))
                .replaceWithVoid();
    }

    /** Fire and forget: a lost signal costs only latency, since every replica also polls the table. */
    public void publishLater(ChatSignal signal) {
        publish(signal)
                .subscribe()
                .with(
                        ignored -> {},
                        failure -> LOG.debugf("Signal %s not sent: %s", signal.kind(), failure.getMessage()));
    }

    /** Tells every replica that {@code chatId} has new entries; call it after the transaction committed. */
    public void wake(UUID chatId) {
        pendingWakes.add(chatId);
        flushWakes();
    }

    private void flushWakes() {
        if (!waking.compareAndSet(false, true)) {
            return;
        }
        List<UUID> batch = new ArrayList<>();
        for (Iterator<UUID> it = pendingWakes.iterator(); it.hasNext() && batch.size() < MAX_CHATS_PER_WAKE; ) {
            batch.add(it.next());
            it.remove();
        }
        if (batch.isEmpty()) {
            waking.set(false);
            // A wake added between draining and releasing the flag would otherwise wait for the next one.
            if (!pendingWakes.isEmpty()) {
                flushWakes();
            }
            return;
        }
        publish(ChatSignal.wake(batch))
                .subscribe()
                .with(
                        ignored -> {
                            waking.set(false);
                            flushWakes();
                        },
                        failure -> {
                            waking.set(false);
                            LOG.debugf("Wake-up not sent: %s", failure.getMessage());
                        });
    }
}
