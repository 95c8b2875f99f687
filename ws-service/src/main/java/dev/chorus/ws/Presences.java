package dev.chorus.ws;

import dev.chorus.id.UuidV7;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Who is online in a chat, across all replicas: one {@code presence} row per subscribed connection and chat,
 * refreshed by this replica's heartbeat. A row whose heartbeat is older than three heartbeat intervals belongs to a
 * replica that died; it no longer counts, and cron-service deletes it. Every change is signalled so that each
 * replica re-reads the chat's presence.
 */
@ApplicationScoped
public class Presences {

    private static final Logger LOG = Logger.getLogger(Presences.class);

    private static final String JOIN = """
            INSERT INTO presence (id, chat_id, user_id, node_id, connection_id)
            VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (node_id, connection_id, chat_id) DO UPDATE SET heartbeat_at = now()""";
    private static final String LEAVE =
            "DELETE FROM presence WHERE node_id = $1 AND connection_id = $2 AND chat_id = $3";
    /**
     * Renews the given rows, recreating any pruned meanwhile, and drops this node's rows that were not renewed and
     * are older than one interval (a row joined after the list was taken is younger, and stays).
     */
    private static final String HEARTBEAT = """
            WITH renewed AS (
                INSERT INTO presence (id, chat_id, user_id, node_id, connection_id)
                SELECT gen_random_uuid(), entry.chat_id, entry.user_id, $1, entry.connection_id
                FROM unnest($2::uuid[], $3::uuid[], $4::text[]) AS entry (chat_id, user_id, connection_id)
                ON CONFLICT (node_id, connection_id, chat_id) DO UPDATE SET heartbeat_at = now()
                RETURNING id)
            DELETE FROM presence WHERE node_id = $1 AND id NOT IN (SELECT id FROM renewed)
                AND heartbeat_at < now() - make_interval(secs => $5)""";

    private static final String ONLINE = """
            SELECT chat_id, array_agg(DISTINCT user_id) AS users FROM presence
            WHERE chat_id = ANY($1) AND heartbeat_at > now() - make_interval(secs => $2)
            GROUP BY chat_id""";
    private static final String CLEAR_NODE = "DELETE FROM presence WHERE node_id = $1 RETURNING chat_id";

    /** One local subscription, as the heartbeat renews it. */
    public record Entry(UUID chatId, UUID userId, String connectionId) {}

    private final Pool pool;
    private final ChatSignals signals;
    private final WsConfig config;
    private final String nodeId = "ws-" + UuidV7.next();

    public Presences(Pool pool, ChatSignals signals, WsConfig config) {
        this.pool = pool;
        this.signals = signals;
        this.config = config;
    }

    public Uni<Void> join(UUID chatId, UUID userId, String connectionId) {
        return pool.preparedQuery(JOIN)
                .execute(Tuple.of(UuidV7.next(), chatId, userId, nodeId, connectionId))
                .invoke(() -> signals.publishLater(ChatSignal.presence(chatId)))
                .replaceWithVoid();
    }

    public void leave(UUID chatId, String connectionId) {
        pool.preparedQuery(LEAVE)
                .execute(Tuple.of(nodeId, connectionId, chatId))
                .subscribe()
                .with(
                        rows -> {
                            if (rows.rowCount() > 0) {
                                signals.publishLater(ChatSignal.presence(chatId));
                            }
                        },
                        failure -> LOG.debugf("Presence of %s not removed: %s", connectionId, failure.getMessage()));
    }

    /** Renews this replica's rows; a row whose connection is gone is dropped. */
    public Uni<Void> heartbeat(Collection<Entry> entries) {
        UUID[] chats = entries.stream().map(Entry::chatId).toArray(UUID[]::new);
        UUID[] users = entries.stream().map(Entry::userId).toArray(UUID[]::new);
        String[] connections = entries.stream().map(Entry::connectionId).toArray(String[]::new);
        return pool.preparedQuery(HEARTBEAT)
                .execute(Tuple.of(
                        nodeId,
                        chats,
                        users,
                        connections,
                        config.presenceHeartbeat().toMillis() / 1000.0))
                .replaceWithVoid();
    }

    /** The users online in each of {@code chatIds}; chats with nobody online are absent. */
    public Uni<Map<UUID, Set<UUID>>> online(Collection<UUID> chatIds) {
        return pool.preparedQuery(ONLINE)
                .execute(Tuple.of(chatIds.toArray(UUID[]::new), expiry()))
                .map(rows -> {
                    Map<UUID, Set<UUID>> online = new HashMap<>();
                    for (Row row : rows) {
                        online.put(row.getUUID("chat_id"), new LinkedHashSet<>(List.of(row.getArrayOfUUIDs("users"))));
                    }
                    return online;
                });
    }

    /** At shutdown: this replica's clients are no longer here. */
    public Uni<Void> clearNode() {
        return pool.preparedQuery(CLEAR_NODE)
                .execute(Tuple.of(nodeId))
                .chain(rows -> {
                    Set<UUID> chats = new LinkedHashSet<>();
                    rows.forEach(row -> chats.add(row.getUUID(0)));
                    return Multi.createFrom()
                            .iterable(chats)
                            .onItem()
                            .transformToUniAndMerge(chat -> signals.publish(ChatSignal.presence(chat)))
                            .collect()
                            .last();
                })
                .replaceWithVoid();
    }

    private double expiry() {
        return config.presenceHeartbeat().toMillis() * 3 / 1000.0;
    }
}
