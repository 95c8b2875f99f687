package dev.chorus.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.message.MessageRole;
import dev.chorus.message.MessageView;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Live delivery on this replica. The messages table is the source of truth: every few milliseconds one query asks
 * for the newest sequence number of each chat someone here follows, and new entries are read once per chat and
 * handed to each subscriber in order. Writers do nothing beyond committing, so the write path pays nothing for
 * delivery, and a message from api-service or any replica is found the same way.
 *
 * <p>A subscriber that is behind (it just subscribed, or it missed entries) reads its own gap from the table
 * before it is live. All state here is touched only on one Vert.x context, so it needs no locks.
 */
@ApplicationScoped
public class ChatFeeds {

    private static final Logger LOG = Logger.getLogger(ChatFeeds.class);

    private static final String HEADS = "SELECT id, last_message_seq FROM chats WHERE id = ANY($1)";
    private static final String ENTRIES = """
            SELECT id, chat_id, seq, sender_id, role, content, event, payload, reply_to_id, client_message_id,
                created_at, edited_at, deleted_at
            FROM messages WHERE chat_id = $1 AND seq > $2 ORDER BY seq LIMIT $3""";

    private final Vertx vertx;
    private final Pool pool;
    private final ObjectMapper json;
    private final WsConfig config;

    private final Map<UUID, Feed> feeds = new HashMap<>();
    private Context context;
    private long timer = -1;
    private boolean polling;
    private boolean pollFailing;

    public ChatFeeds(Vertx vertx, Pool pool, ObjectMapper json, WsConfig config) {
        this.vertx = vertx;
        this.pool = pool;
        this.json = json;
        this.config = config;
    }

    void start(@Observes StartupEvent event) {
        context = vertx.getOrCreateContext();
        context.runOnContext(
                ignored -> timer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll()));
    }

    void stop(@Observes ShutdownEvent event) {
        if (timer != -1) {
            vertx.cancelTimer(timer);
        }
    }

    /** Replays {@code chatId} after {@code afterSeq}, answers with a subscribed frame, then delivers live. */
    public void subscribe(WebSocketConnection connection, UUID chatId, long afterSeq, String requestId) {
        context.runOnContext(ignored -> {
            Feed feed = feeds.computeIfAbsent(chatId, Feed::new);
            feed.subscribers.removeIf(s -> s.connection.id().equals(connection.id()));
            Subscriber subscriber = new Subscriber(connection, feed, afterSeq, requestId);
            feed.subscribers.add(subscriber);
            catchUp(subscriber);
        });
    }

    public void unsubscribe(WebSocketConnection connection, UUID chatId) {
        context.runOnContext(ignored -> {
            Feed feed = feeds.get(chatId);
            if (feed != null) {
                feed.subscribers.removeIf(s -> s.connection.id().equals(connection.id()));
                dropIfUnused(feed);
            }
        });
    }

    public void disconnected(WebSocketConnection connection) {
        context.runOnContext(ignored -> {
            for (Feed feed : List.copyOf(feeds.values())) {
                feed.subscribers.removeIf(s -> s.connection.id().equals(connection.id()));
                dropIfUnused(feed);
            }
        });
    }

    private void dropIfUnused(Feed feed) {
        if (feed.subscribers.isEmpty()) {
            feeds.remove(feed.chatId);
        }
    }

    /** One query for the heads of every followed chat; new entries are read once per chat that moved. */
    private void poll() {
        if (polling || feeds.isEmpty()) {
            return;
        }
        polling = true;
        UUID[] chatIds = feeds.keySet().toArray(UUID[]::new);
        pool.preparedQuery(HEADS)
                .execute(Tuple.of(chatIds))
                .subscribe()
                .with(
                        rows -> context.runOnContext(ignored -> {
                            polling = false;
                            for (Row row : rows) {
                                Feed feed = feeds.get(row.getUUID("id"));
                                if (feed != null) {
                                    advance(feed, row.getLong("last_message_seq"));
                                }
                            }
                        }),
                        failure -> context.runOnContext(ignored -> {
                            polling = false;
                            LOG.warnf("Polling chat heads failed: %s", failure.getMessage());
                        }));
    }

    private void advance(Feed feed, long head) {
        if (head <= feed.head || feed.fetching) {
            return;
        }
        if (feed.head < 0) {
            // First sight of this chat: subscribers are catching up on their own; just remember where it stands.
            feed.head = head;
            feed.subscribers.stream().filter(s -> s.live && s.lastSent < head).forEach(this::catchUp);
            return;
        }
        feed.fetching = true;
        long from = feed.head;
        read(feed.chatId, from)
                .subscribe()
                .with(
                        entries -> context.runOnContext(ignored -> {
                            feed.fetching = false;
                            for (MessageView entry : entries) {
                                feed.head = Math.max(feed.head, entry.seq());
                                for (Subscriber subscriber : feed.subscribers) {
                                    if (subscriber.live
                                            && !subscriber.catchingUp
                                            && subscriber.lastSent == entry.seq() - 1) {
                                        subscriber.send(entry);
                                    }
                                }
                            }
                            // Anyone who could not take an entry in order (behind, or replaying) reads the gap itself.
                            feed.subscribers.stream()
                                    .filter(s -> s.live && s.lastSent < feed.head)
                                    .forEach(this::catchUp);
                        }),
                        failure -> context.runOnContext(ignored -> {
                            feed.fetching = false;
                            LOG.warnf("Reading chat %s failed: %s", feed.chatId, failure.getMessage());
                        }));
    }

    /** Reads what the subscriber has not had yet, in batches, until it has everything the feed knows of. */
    private void catchUp(Subscriber subscriber) {
        if (subscriber.catchingUp) {
            subscriber.again = true;
            return;
        }
        subscriber.catchingUp = true;
        subscriber.again = false;
        read(subscriber.feed.chatId, subscriber.lastSent)
                .subscribe()
                .with(
                        entries -> context.runOnContext(ignored -> {
                            subscriber.catchingUp = false;
                            if (!subscriber.feed.subscribers.contains(subscriber)) {
                                return;
                            }
                            for (MessageView entry : entries) {
                                if (entry.seq() == subscriber.lastSent + 1) {
                                    subscriber.send(entry);
                                }
                            }
                            boolean more = entries.size() == config.batchSize()
                                    || subscriber.again
                                    || subscriber.feed.head > subscriber.lastSent;
                            if (!subscriber.live && entries.size() < config.batchSize()) {
                                subscriber.live = true;
                                subscriber.sendFrame(new Frames.Subscribed(
                                        subscriber.feed.chatId, subscriber.lastSent, subscriber.requestId));
                            }
                            if (more && !entries.isEmpty()) {
                                catchUp(subscriber);
                            }
                        }),
                        failure -> context.runOnContext(ignored -> {
                            subscriber.catchingUp = false;
                            LOG.warnf("Replay of chat %s failed: %s", subscriber.feed.chatId, failure.getMessage());
                            subscriber.sendFrame(new Frames.Error(
                                    "replay-failed",
                                    "Could not read the chat; subscribe again.",
                                    subscriber.requestId));
                        }));
    }

    private io.smallrye.mutiny.Uni<List<MessageView>> read(UUID chatId, long afterSeq) {
        return pool.preparedQuery(ENTRIES)
                .execute(Tuple.of(chatId, afterSeq, config.batchSize()))
                .map(ChatFeeds::views);
    }

    private static List<MessageView> views(RowSet<Row> rows) {
        List<MessageView> views = new ArrayList<>();
        for (Row row : rows) {
            boolean deleted = row.getValue("deleted_at") != null;
            Object payload = row.getValue("payload");
            views.add(new MessageView(
                    row.getUUID("id"),
                    row.getUUID("chat_id"),
                    row.getLong("seq"),
                    row.getUUID("sender_id"),
                    MessageRole.valueOf(row.getString("role").toUpperCase(Locale.ROOT)),
                    deleted ? "" : row.getString("content"),
                    row.getString("event"),
                    payload instanceof JsonObject object ? object.getMap() : null,
                    row.getUUID("reply_to_id"),
                    row.getString("client_message_id"),
                    instant(row.getOffsetDateTime("created_at")),
                    instant(row.getOffsetDateTime("edited_at")),
                    instant(row.getOffsetDateTime("deleted_at"))));
        }
        return views;
    }

    private static java.time.Instant instant(OffsetDateTime time) {
        return time == null ? null : time.toInstant();
    }

    private static final class Feed {
        final UUID chatId;
        final Set<Subscriber> subscribers = new LinkedHashSet<>();
        long head = -1;
        boolean fetching;

        Feed(UUID chatId) {
            this.chatId = chatId;
        }
    }

    private final class Subscriber {
        final WebSocketConnection connection;
        final Feed feed;
        final String requestId;
        long lastSent;
        boolean live;
        boolean catchingUp;
        boolean again;

        Subscriber(WebSocketConnection connection, Feed feed, long afterSeq, String requestId) {
            this.connection = connection;
            this.feed = feed;
            this.lastSent = afterSeq;
            this.requestId = requestId;
        }

        void send(MessageView entry) {
            lastSent = entry.seq();
            sendFrame(new Frames.Message(entry));
        }

        void sendFrame(Frames.ServerFrame frame) {
            String text;
            try {
                text = json.writeValueAsString(frame);
            } catch (JsonProcessingException e) {
                LOG.error("Could not write a frame", e);
                return;
            }
            connection
                    .sendText(text)
                    .subscribe()
                    .with(
                            sent -> {},
                            failure -> LOG.debugf("Send to %s failed: %s", connection.id(), failure.getMessage()));
        }
    }
}
