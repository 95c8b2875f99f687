package dev.chorus.ws;

import dev.chorus.message.MessageView;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Live delivery on this replica. The messages table is the source of truth: every few milliseconds one query asks
 * for the newest sequence number of each chat someone here follows, and new entries are read once per chat and
 * handed to each subscriber in order. Writers do nothing beyond committing, so the write path pays nothing for
 * delivery, and a message from api-service or any replica is found the same way.
 *
 * <p>A subscriber that is behind (it just subscribed, or it missed entries) reads its own gap from the table
 * before it is live. All state here is touched only on one Vert.x context, so it needs no locks.
 *
 * <p>Writers also publish a coalesced wake-up ({@link ChatSignals#wake}) after they commit, which makes the next
 * poll happen at once instead of up to one interval later; the poll stays the safety net for anything missed.
 * Typing, read markers and presence arrive as {@link ChatSignal}s and go to the chat's live subscribers.
 */
@ApplicationScoped
public class ChatFeeds {

    private static final Logger LOG = Logger.getLogger(ChatFeeds.class);

    private static final String HEADS = "SELECT id, last_message_seq FROM chats WHERE id = ANY($1)";
    private static final String STILL_MEMBER = """
            SELECT 1 FROM chat_members m JOIN chats c ON c.id = m.chat_id
            WHERE m.chat_id = $1 AND m.user_id = $2 AND m.left_at IS NULL AND c.deleted_at IS NULL""";
    private static final String ENTRIES =
            "SELECT " + MessageView.COLUMNS + " FROM messages WHERE chat_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";

    private final Vertx vertx;
    private final Pool pool;
    private final Outbox outbox;
    private final Presences presences;
    private final ChatSignals signals;
    private final WsConfig config;

    private final Map<UUID, Feed> feeds = new HashMap<>();
    private final Set<UUID> presenceStale = new LinkedHashSet<>();
    private final AtomicInteger subscriptions = new AtomicInteger();
    private final Counter deliveries;
    private final Timer deliveryLag;
    private Context context;
    private long pollTimer = -1;
    private long heartbeatTimer = -1;
    private boolean polling;
    /** Failed polls in a row: an outage is logged when it starts, every 200 polls (about 5 s) and when it ends. */
    private long pollFailures;

    private boolean pollAgain;
    private boolean readingPresence;

    public ChatFeeds(
            Vertx vertx,
            Pool pool,
            Outbox outbox,
            Presences presences,
            ChatSignals signals,
            WsConfig config,
            MeterRegistry metrics) {
        this.vertx = vertx;
        this.pool = pool;
        this.outbox = outbox;
        this.presences = presences;
        this.signals = signals;
        this.config = config;
        metrics.gauge("chorus.ws.subscriptions", subscriptions);
        this.deliveries = Counter.builder("chorus.ws.deliveries")
                .description("Chat entries delivered to subscribers, replays included")
                .register(metrics);
        this.deliveryLag = Timer.builder("chorus.ws.delivery.lag")
                .description("From an entry's creation to its live delivery to a subscriber")
                .register(metrics);
    }

    void start(@Observes StartupEvent event) {
        context = vertx.getOrCreateContext();
        context.runOnContext(ignored -> {
            pollTimer = vertx.setPeriodic(config.pollInterval().toMillis(), id -> poll());
            heartbeatTimer = vertx.setPeriodic(config.presenceHeartbeat().toMillis(), id -> heartbeat());
        });
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(pollTimer);
        vertx.cancelTimer(heartbeatTimer);
    }

    /** Replays {@code chatId} after {@code afterSeq}, answers with a subscribed frame, then delivers live. */
    public void subscribe(WebSocketConnection connection, UUID userId, UUID chatId, long afterSeq, String requestId) {
        context.runOnContext(ignored -> {
            Feed feed = feeds.computeIfAbsent(chatId, Feed::new);
            remove(feed, connection);
            Subscriber subscriber = new Subscriber(connection, userId, feed, afterSeq, requestId);
            feed.subscribers.add(subscriber);
            subscriptions.incrementAndGet();
            catchUp(subscriber);
        });
    }

    public void unsubscribe(WebSocketConnection connection, UUID chatId) {
        context.runOnContext(ignored -> {
            Feed feed = feeds.get(chatId);
            if (feed != null) {
                remove(feed, connection);
                dropIfUnused(feed);
            }
        });
    }

    public void disconnected(WebSocketConnection connection) {
        context.runOnContext(ignored -> {
            for (Feed feed : List.copyOf(feeds.values())) {
                remove(feed, connection);
                dropIfUnused(feed);
            }
        });
    }

    /** Passes typing on to the chat, at most once per typing interval per connection; only subscribers may type. */
    public void typing(WebSocketConnection connection, UUID chatId, String requestId) {
        context.runOnContext(ignored -> {
            Subscriber subscriber = liveSubscriber(connection, chatId);
            if (subscriber == null) {
                outbox.send(
                        connection,
                        new Frames.Error("not-subscribed", "Subscribe to the chat before typing in it.", requestId));
                return;
            }
            Instant now = Instant.now();
            if (subscriber.typingAt == null
                    || Duration.between(subscriber.typingAt, now).compareTo(config.typingInterval()) >= 0) {
                subscriber.typingAt = now;
                signals.publishLater(ChatSignal.typing(chatId, subscriber.userId));
            }
        });
    }

    /** A signal from any replica (this one included), heard through LISTEN. */
    public void signal(ChatSignal signal) {
        context.runOnContext(ignored -> {
            switch (signal.kind()) {
                case WAKE -> {
                    if (signal.chatIds() != null && signal.chatIds().stream().anyMatch(feeds::containsKey)) {
                        requestPoll();
                    }
                }
                case TYPING -> {
                    Feed feed = feeds.get(signal.chatId());
                    if (feed != null) {
                        Frames.Typing frame = new Frames.Typing(signal.chatId(), signal.userId());
                        feed.live()
                                .filter(s -> !s.userId.equals(signal.userId()))
                                .forEach(s -> outbox.send(s.connection, frame));
                    }
                }
                case READ ->
                    toLiveSubscribers(signal.chatId(), new Frames.Read(signal.chatId(), signal.userId(), signal.seq()));
                case AI_DELTA ->
                    toLiveSubscribers(
                            signal.chatId(),
                            new Frames.AiDelta(signal.chatId(), signal.invocationId(), signal.seq(), signal.text()));
                case AI_END ->
                    toLiveSubscribers(
                            signal.chatId(), new Frames.AiEnd(signal.chatId(), signal.invocationId(), signal.status()));
                case PRESENCE -> {
                    if (feeds.containsKey(signal.chatId())) {
                        presenceStale.add(signal.chatId());
                        readPresence();
                    }
                }
            }
        });
    }

    private void toLiveSubscribers(UUID chatId, Frames.ServerFrame frame) {
        Feed feed = feeds.get(chatId);
        if (feed != null) {
            feed.live().forEach(s -> outbox.send(s.connection, frame));
        }
    }

    /** After the signal connection came back: anything signalled meanwhile is found in the tables. */
    public void resync() {
        context.runOnContext(ignored -> {
            requestPoll();
            presenceStale.addAll(feeds.keySet());
            readPresence();
        });
    }

    private Subscriber liveSubscriber(WebSocketConnection connection, UUID chatId) {
        Feed feed = feeds.get(chatId);
        return feed == null
                ? null
                : feed.live()
                        .filter(s -> s.connection.id().equals(connection.id()))
                        .findFirst()
                        .orElse(null);
    }

    private void remove(Feed feed, WebSocketConnection connection) {
        feed.subscribers.stream()
                .filter(s -> s.connection.id().equals(connection.id()))
                .toList()
                .forEach(this::drop);
    }

    private void drop(Subscriber subscriber) {
        if (subscriber.feed.subscribers.remove(subscriber)) {
            subscriptions.decrementAndGet();
            if (subscriber.present) {
                presences.leave(subscriber.feed.chatId, subscriber.connection.id());
            }
        }
    }

    /**
     * Membership is checked at subscribe; when the chat says someone left, was removed, or the chat was deleted,
     * the affected subscriptions are checked again and ended if the user is no longer an active member.
     */
    private void afterEntry(Feed feed, MessageView entry) {
        feed.subscribers.stream()
                .filter(s -> mayEndMembership(entry, s))
                .toList()
                .forEach(this::recheckMembership);
    }

    private static boolean mayEndMembership(MessageView entry, Subscriber subscriber) {
        if (entry.event() == null) {
            return false;
        }
        return switch (entry.event()) {
            case "chat.deleted" -> true;
            case "member.removed", "member.left" ->
                entry.payload() != null
                        && subscriber
                                .userId
                                .toString()
                                .equals(String.valueOf(entry.payload().get("userId")));
            default -> false;
        };
    }

    /** Whether the user is an active member of the live chat, which is all reading it takes. */
    public Uni<Boolean> isMember(UUID chatId, UUID userId) {
        return pool.preparedQuery(STILL_MEMBER)
                .execute(Tuple.of(chatId, userId))
                .map(rows -> rows.rowCount() > 0);
    }

    private void recheckMembership(Subscriber subscriber) {
        isMember(subscriber.feed.chatId, subscriber.userId)
                .subscribe()
                .with(
                        member -> context.runOnContext(ignored -> {
                            if (!member && subscriber.feed.subscribers.contains(subscriber)) {
                                drop(subscriber);
                                dropIfUnused(subscriber.feed);
                                outbox.send(
                                        subscriber.connection,
                                        new Frames.Error(
                                                "not-a-member",
                                                "You are no longer a member of this chat; the subscription ended.",
                                                null));
                            }
                        }),
                        failure -> LOG.warnf("Membership check failed: %s", failure.getMessage()));
    }

    private void dropIfUnused(Feed feed) {
        if (feed.subscribers.isEmpty()) {
            feeds.remove(feed.chatId);
            presenceStale.remove(feed.chatId);
        }
    }

    private void requestPoll() {
        if (polling) {
            pollAgain = true;
        } else {
            poll();
        }
    }

    /** One query for the heads of every followed chat; new entries are read once per chat that moved. */
    private void poll() {
        if (polling || feeds.isEmpty()) {
            return;
        }
        polling = true;
        pollAgain = false;
        UUID[] chatIds = feeds.keySet().toArray(UUID[]::new);
        pool.preparedQuery(HEADS)
                .execute(Tuple.of(chatIds))
                .subscribe()
                .with(
                        rows -> context.runOnContext(ignored -> {
                            polling = false;
                            if (pollFailures > 0) {
                                LOG.infof("Polling chat heads works again after %d failed polls", pollFailures);
                                pollFailures = 0;
                            }
                            for (Row row : rows) {
                                Feed feed = feeds.get(row.getUUID("id"));
                                if (feed != null) {
                                    advance(feed, row.getLong("last_message_seq"));
                                }
                            }
                            if (pollAgain) {
                                poll();
                            }
                        }),
                        failure -> context.runOnContext(ignored -> {
                            polling = false;
                            if (pollFailures++ % 200 == 0) {
                                LOG.warnf(
                                        "Polling chat heads failed (%d in a row): %s",
                                        pollFailures, failure.getMessage());
                            }
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
                                        if (entry.createdAt() != null) {
                                            deliveryLag.record(Duration.between(entry.createdAt(), Instant.now()));
                                        }
                                    }
                                }
                                afterEntry(feed, entry);
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
                            if (entries.stream().anyMatch(entry -> mayEndMembership(entry, subscriber))) {
                                recheckMembership(subscriber);
                            }
                            boolean more = entries.size() == config.batchSize()
                                    || subscriber.again
                                    || subscriber.feed.head > subscriber.lastSent;
                            if (!subscriber.live && entries.size() < config.batchSize()) {
                                subscriber.live = true;
                                outbox.send(
                                        subscriber.connection,
                                        new Frames.Subscribed(
                                                subscriber.feed.chatId, subscriber.lastSent, subscriber.requestId));
                                join(subscriber);
                            }
                            if (more && !entries.isEmpty()) {
                                catchUp(subscriber);
                            }
                        }),
                        failure -> context.runOnContext(ignored -> {
                            subscriber.catchingUp = false;
                            LOG.warnf("Replay of chat %s failed: %s", subscriber.feed.chatId, failure.getMessage());
                            outbox.send(
                                    subscriber.connection,
                                    new Frames.Error(
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

    /** Records the live subscriber as online in the chat; every replica then re-reads the chat's presence. */
    private void join(Subscriber subscriber) {
        presences
                .join(subscriber.feed.chatId, subscriber.userId, subscriber.connection.id())
                .subscribe()
                .with(
                        ignored -> context.runOnContext(done -> {
                            if (subscriber.feed.subscribers.contains(subscriber)) {
                                subscriber.present = true;
                            } else {
                                presences.leave(subscriber.feed.chatId, subscriber.connection.id());
                            }
                        }),
                        failure -> LOG.warnf(
                                "Presence in chat %s not recorded: %s", subscriber.feed.chatId, failure.getMessage()));
    }

    /** Re-reads who is online in the chats marked stale and tells subscribers what changed. */
    private void readPresence() {
        if (readingPresence || presenceStale.isEmpty()) {
            return;
        }
        readingPresence = true;
        List<UUID> chatIds = List.copyOf(presenceStale);
        presenceStale.clear();
        presences
                .online(chatIds)
                .subscribe()
                .with(
                        online -> context.runOnContext(ignored -> {
                            readingPresence = false;
                            for (UUID chatId : chatIds) {
                                Feed feed = feeds.get(chatId);
                                if (feed != null) {
                                    showPresence(feed, online.getOrDefault(chatId, Set.of()));
                                }
                            }
                            readPresence();
                        }),
                        failure -> context.runOnContext(ignored -> {
                            readingPresence = false;
                            presenceStale.addAll(chatIds);
                            LOG.warnf("Reading presence failed: %s", failure.getMessage());
                        }));
    }

    private void showPresence(Feed feed, Set<UUID> online) {
        boolean changed = !online.equals(feed.online);
        feed.online = online;
        Frames.Presence frame = new Frames.Presence(feed.chatId, List.copyOf(online));
        feed.live().filter(s -> changed || !s.presenceShown).forEach(s -> {
            s.presenceShown = true;
            outbox.send(s.connection, frame);
        });
    }

    /** Renews this replica's presence rows, then re-reads every followed chat's presence to drop dead replicas. */
    private void heartbeat() {
        List<Presences.Entry> entries = new ArrayList<>();
        feeds.values().forEach(feed -> feed.subscribers.stream()
                .filter(s -> s.present)
                .forEach(s -> entries.add(new Presences.Entry(feed.chatId, s.userId, s.connection.id()))));
        presences
                .heartbeat(entries)
                .subscribe()
                .with(
                        ignored -> context.runOnContext(done -> {
                            presenceStale.addAll(feeds.keySet());
                            readPresence();
                        }),
                        failure -> LOG.warnf("Presence heartbeat failed: %s", failure.getMessage()));
    }

    private static List<MessageView> views(RowSet<Row> rows) {
        List<MessageView> views = new ArrayList<>();
        for (Row row : rows) {
            views.add(MessageView.of(row));
        }
        return views;
    }

    private static final class Feed {
        final UUID chatId;
        final Set<Subscriber> subscribers = new LinkedHashSet<>();
        long head = -1;
        boolean fetching;
        Set<UUID> online = Set.of();

        Feed(UUID chatId) {
            this.chatId = chatId;
        }

        java.util.stream.Stream<Subscriber> live() {
            return subscribers.stream().filter(s -> s.live);
        }
    }

    private final class Subscriber {
        final WebSocketConnection connection;
        final UUID userId;
        final Feed feed;
        final String requestId;
        long lastSent;
        boolean live;
        boolean catchingUp;
        boolean again;
        boolean present;
        boolean presenceShown;
        Instant typingAt;

        Subscriber(WebSocketConnection connection, UUID userId, Feed feed, long afterSeq, String requestId) {
            this.connection = connection;
            this.userId = userId;
            this.feed = feed;
            this.lastSent = afterSeq;
            this.requestId = requestId;
        }

        void send(MessageView entry) {
            lastSent = entry.seq();
            deliveries.increment();
            outbox.send(connection, new Frames.Message(entry));
        }
    }
}
