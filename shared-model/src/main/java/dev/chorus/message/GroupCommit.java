package dev.chorus.message;

import dev.chorus.chat.ChatAction;
import dev.chorus.chat.ChatMember;
import dev.chorus.chat.ChatPolicy;
import dev.chorus.chat.MemberRole;
import dev.chorus.chat.Permissions;
import dev.chorus.database.DatabaseErrors;
import dev.chorus.problem.DatabaseUnavailable;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Stores user messages many per transaction. While a transaction is on its way, the messages that arrive from every
 * connection and request of this process queue, and the next transaction takes them all: one commit, one lock per
 * chat and one insert however many messages it carries. An idle server stores each message alone, at once. One
 * transaction at a time keeps the arrival order: a connection's messages to a chat get rising sequence numbers.
 *
 * <p>Correctness is {@link MessageLog}'s: the transaction locks its chats' rows in id order (the same lock a single
 * append takes, so every writer of a chat still queues on one row), then sees every message and membership
 * committed before it, checks each sender's right to send, and numbers its own messages after the stored ones. Whatever makes a shared transaction
 * fail (a client message id raced in from another chat, a deadlock, a value the database refuses) sends each of its
 * messages into a transaction of its own, in order, which answers each precisely; losing the database fails them
 * all.
 */
final class GroupCommit {

    /** Enough to amortise a commit; small enough that one transaction's statements stay short. */
    private static final int MAX_MESSAGES_PER_TRANSACTION = 200;

    private static final String LOCK_CHATS = """
            SELECT id, last_message_seq FROM chats
            WHERE id = ANY($1) AND deleted_at IS NULL
            ORDER BY id
            FOR UPDATE""";

    /**
     * One index probe per message. As a plain join, a planner whose statistics lag a fast-growing table hashes the
     * whole table instead: the benchmark's send rate halved within seconds. LIMIT keeps the lookup a nested loop.
     */
    static final String FIND_SENT = """
            SELECT m.*
            FROM unnest($1::uuid[], $2::text[]) AS sent(sender_id, client_message_id)
            CROSS JOIN LATERAL (
                SELECT * FROM messages
                WHERE messages.sender_id = sent.sender_id AND messages.client_message_id = sent.client_message_id
                LIMIT 1) m""";

    private static final String FIND_SENDERS = """
            SELECT member.chat_id, member.user_id, member.role, member.can_send, member.can_invite,
                member.can_invoke_ai, member.can_manage_members
            FROM chat_members member
            JOIN unnest($1::uuid[], $2::uuid[]) AS sender(chat_id, user_id)
                ON member.chat_id = sender.chat_id AND member.user_id = sender.user_id
            WHERE member.left_at IS NULL""";

    private static final String FIND_REPLIED_TO = "SELECT id, chat_id FROM messages WHERE id = ANY($1)";

    private static final String INSERT = """
            INSERT INTO messages (id, chat_id, seq, sender_id, role, content, reply_to_id, client_message_id)
            SELECT id, chat_id, seq, sender_id, 'user', content, reply_to_id, client_message_id
            FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::uuid[], $5::text[], $6::uuid[], $7::text[])
                AS new(id, chat_id, seq, sender_id, content, reply_to_id, client_message_id)
            RETURNING created_at""";

    private static final String ADVANCE_CHATS = """
            UPDATE chats SET last_message_seq = advanced.seq, last_message_at = now()
            FROM unnest($1::uuid[], $2::bigint[]) AS advanced(id, seq)
            WHERE chats.id = advanced.id""";

    private static final Logger LOG = Logger.getLogger(GroupCommit.class);

    private final Pool pool;
    private final DistributionSummary messagesPerCommit;
    private final Counter retried;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    /** One transaction at a time: a connection's messages to a chat are numbered in the order they arrived. */
    private final AtomicBoolean writing = new AtomicBoolean();

    GroupCommit(Pool pool, MeterRegistry registry) {
        this.pool = pool;
        this.messagesPerCommit = DistributionSummary.builder("chorus.messages.per.commit")
                .description("User messages stored by one shared transaction")
                .register(registry);
        this.retried = Counter.builder("chorus.messages.group.commit.retries")
                .description("Shared transactions that failed, their messages then stored one by one")
                .register(registry);
    }

    /** Stores a user message once per client message id; the answer comes on the caller's Vert.x context. */
    Uni<SendResult> store(NewMessage message) {
        return Uni.createFrom().emitter(emitter -> {
            queue.add(new Pending(message, emitter, Vertx.currentContext()));
            startTransaction();
        });
    }

    private void startTransaction() {
        while (!queue.isEmpty() && writing.compareAndSet(false, true)) {
            List<Pending> batch = new ArrayList<>();
            for (Pending next; batch.size() < MAX_MESSAGES_PER_TRANSACTION && (next = queue.poll()) != null; ) {
                batch.add(next);
            }
            if (batch.isEmpty()) {
                writing.set(false);
                continue;
            }
            storeBatch(batch).subscribe().with(done -> nextTransaction(), failure -> {
                LOG.errorf(failure, "Answering %d messages failed", batch.size());
                nextTransaction();
            });
            return;
        }
    }

    private void nextTransaction() {
        writing.set(false);
        startTransaction();
    }

    /**
     * Completes once every message of the batch has its answer. A lost database fails them all, unretried: whether
     * a commit whose answer was lost went through is unknown, and clients resend with their client message ids.
     */
    private Uni<Void> storeBatch(List<Pending> batch) {
        return pool.withTransaction(connection -> write(connection, batch))
                .onItemOrFailure()
                .transformToUni((outcomes, failure) -> {
                    if (failure == null) {
                        messagesPerCommit.record(batch.size());
                        outcomes.forEach(Outcome::deliver);
                        return Uni.createFrom().voidItem();
                    }
                    if (DatabaseUnavailable.causes(failure)) {
                        batch.forEach(
                                pending -> Outcome.failed(pending, failure).deliver());
                        return Uni.createFrom().voidItem();
                    }
                    return batch.size() == 1 ? answerLoser(batch.getFirst(), failure) : storeOneByOne(batch, failure);
                });
    }

    /** In arrival order, so that a retry cannot number a connection's messages out of order either. */
    private Uni<Void> storeOneByOne(List<Pending> batch, Throwable failure) {
        retried.increment();
        LOG.debugf("Storing %d messages one by one: %s", batch.size(), DatabaseErrors.oneLine(failure));
        return Multi.createFrom()
                .iterable(batch)
                .onItem()
                .transformToUniAndConcatenate(pending -> storeBatch(List.of(pending)))
                .collect()
                .last()
                .replaceWithVoid();
    }

    /**
     * A message alone fails when another transaction stored its client message id first (in another chat: one in
     * the same chat queues on the chat's lock and sees it), or when the database does.
     */
    private Uni<Void> answerLoser(Pending pending, Throwable failure) {
        NewMessage message = pending.message();
        if (!DatabaseErrors.isUniqueViolation(failure, MessageLog.CLIENT_MESSAGE_ID_CONSTRAINT)) {
            Outcome.failed(pending, failure).deliver();
            return Uni.createFrom().voidItem();
        }
        return pool.preparedQuery(FIND_SENT)
                .execute(Tuple.tuple()
                        .addArrayOfUUID(new UUID[] {message.senderId()})
                        .addArrayOfString(new String[] {message.clientMessageId()}))
                .map(rows -> rows.size() == 0
                        ? Outcome.failed(pending, failure)
                        : Outcome.stored(pending, MessageView.of(rows.iterator().next()), false))
                .onFailure()
                .recoverWithItem(lookupFailure -> Outcome.failed(pending, lookupFailure))
                .invoke(Outcome::deliver)
                .replaceWithVoid();
    }

    private Uni<List<Outcome>> write(SqlConnection connection, List<Pending> batch) {
        Set<UUID> chatIds = new LinkedHashSet<>();
        Set<MemberKey> members = new LinkedHashSet<>();
        Set<UUID> repliedTo = new HashSet<>();
        List<UUID> senders = new ArrayList<>();
        List<String> clientMessageIds = new ArrayList<>();
        for (Pending pending : batch) {
            NewMessage message = pending.message();
            chatIds.add(message.chatId());
            members.add(new MemberKey(message.chatId(), message.senderId()));
            if (message.replyToId() != null) {
                repliedTo.add(message.replyToId());
            }
            if (message.clientMessageId() != null) {
                senders.add(message.senderId());
                clientMessageIds.add(message.clientMessageId());
            }
        }
        Batch state = new Batch(batch);
        // One round trip for the reads and one for the writes: the server runs a connection's statements in the
        // order they were sent, so the reads behind the lock still see everything committed before it, and a
        // failed statement fails the rest with the transaction.
        List<Uni<Void>> reads = new ArrayList<>();
        reads.add(connection
                .preparedQuery(LOCK_CHATS)
                .execute(Tuple.tuple().addArrayOfUUID(chatIds.toArray(UUID[]::new)))
                .invoke(rows -> rows.forEach(row -> state.lastSeq.put(row.getUUID(0), row.getLong(1))))
                .replaceWithVoid());
        reads.add(connection
                .preparedQuery(FIND_SENDERS)
                .execute(Tuple.tuple()
                        .addArrayOfUUID(members.stream().map(MemberKey::chatId).toArray(UUID[]::new))
                        .addArrayOfUUID(members.stream().map(MemberKey::userId).toArray(UUID[]::new)))
                .invoke(rows -> rows.forEach(row ->
                        state.maySend.put(new MemberKey(row.getUUID("chat_id"), row.getUUID("user_id")), maySend(row))))
                .replaceWithVoid());
        if (!senders.isEmpty()) {
            reads.add(connection
                    .preparedQuery(FIND_SENT)
                    .execute(Tuple.tuple()
                            .addArrayOfUUID(senders.toArray(UUID[]::new))
                            .addArrayOfString(clientMessageIds.toArray(String[]::new)))
                    .invoke(rows -> rows.forEach(row -> state.alreadySent.put(
                            new ClientKey(row.getUUID("sender_id"), row.getString("client_message_id")),
                            MessageView.of(row))))
                    .replaceWithVoid());
        }
        if (!repliedTo.isEmpty()) {
            reads.add(connection
                    .preparedQuery(FIND_REPLIED_TO)
                    .execute(Tuple.tuple().addArrayOfUUID(repliedTo.toArray(UUID[]::new)))
                    .invoke(rows -> rows.forEach(row -> state.chatOfMessage.put(row.getUUID(0), row.getUUID(1))))
                    .replaceWithVoid());
        }
        return Uni.combine()
                .all()
                .unis(reads)
                .discardItems()
                .invoke(state::number)
                .chain(() -> state.inserts.isEmpty() ? Uni.createFrom().voidItem() : insert(connection, state))
                .map(ignored -> state.outcomes());
    }

    private static Uni<Void> insert(SqlConnection connection, Batch state) {
        List<NewMessage> inserts = state.inserts;
        Tuple columns = Tuple.tuple()
                .addArrayOfUUID(inserts.stream().map(NewMessage::id).toArray(UUID[]::new))
                .addArrayOfUUID(inserts.stream().map(NewMessage::chatId).toArray(UUID[]::new))
                .addArrayOfLong(state.seqs.toArray(Long[]::new))
                .addArrayOfUUID(inserts.stream().map(NewMessage::senderId).toArray(UUID[]::new))
                .addArrayOfString(inserts.stream().map(NewMessage::content).toArray(String[]::new))
                .addArrayOfUUID(inserts.stream().map(NewMessage::replyToId).toArray(UUID[]::new))
                .addArrayOfString(
                        inserts.stream().map(NewMessage::clientMessageId).toArray(String[]::new));
        Tuple advanced = Tuple.tuple()
                .addArrayOfUUID(state.lastSeq.keySet().toArray(UUID[]::new))
                .addArrayOfLong(state.lastSeq.values().toArray(Long[]::new));
        return Uni.combine()
                .all()
                .unis(
                        connection
                                .preparedQuery(INSERT)
                                .execute(columns)
                                .invoke(rows -> state.createdAt = rows.iterator()
                                        .next()
                                        .getOffsetDateTime(0)
                                        .toInstant()),
                        connection.preparedQuery(ADVANCE_CHATS).execute(advanced))
                .discardItems();
    }

    /** The one policy, applied to the member row as this transaction sees it. */
    private static boolean maySend(Row row) {
        ChatMember member = new ChatMember(
                row.getUUID("chat_id"),
                row.getUUID("user_id"),
                MemberRole.valueOf(row.getString("role").toUpperCase(Locale.ROOT)),
                new Permissions(
                        row.getBoolean("can_send"),
                        row.getBoolean("can_invite"),
                        row.getBoolean("can_invoke_ai"),
                        row.getBoolean("can_manage_members")));
        return ChatPolicy.allows(member, ChatAction.SEND);
    }

    private record MemberKey(UUID chatId, UUID userId) {}

    private record ClientKey(UUID senderId, String clientMessageId) {}

    /** What one transaction learned and decided, message by message, in arrival order. */
    private static final class Batch {
        final List<Pending> pending;
        final Map<UUID, Long> lastSeq = new HashMap<>();
        final Map<MemberKey, Boolean> maySend = new HashMap<>();
        final Map<ClientKey, MessageView> alreadySent = new HashMap<>();
        final Map<UUID, UUID> chatOfMessage = new HashMap<>();
        final List<NewMessage> inserts = new ArrayList<>();
        final List<Long> seqs = new ArrayList<>();
        final Map<ClientKey, NewMessage> sentInThisBatch = new HashMap<>();
        final List<Function<Instant, Outcome>> decisions = new ArrayList<>();
        Instant createdAt;

        Batch(List<Pending> pending) {
            this.pending = pending;
        }

        void number() {
            for (Pending each : pending) {
                NewMessage message = each.message();
                ClientKey key = message.clientMessageId() == null
                        ? null
                        : new ClientKey(message.senderId(), message.clientMessageId());
                Long last = lastSeq.get(message.chatId());
                Boolean sender = maySend.get(new MemberKey(message.chatId(), message.senderId()));
                if (last == null) {
                    decisions.add(createdAt -> Outcome.failed(each, new UnknownChatException(message.chatId())));
                } else if (sender == null) {
                    decisions.add(createdAt ->
                            Outcome.failed(each, new SendRefusedException(SendRefusedException.Reason.NOT_A_MEMBER)));
                } else if (!sender) {
                    decisions.add(createdAt ->
                            Outcome.failed(each, new SendRefusedException(SendRefusedException.Reason.NOT_ALLOWED)));
                } else if (key != null && alreadySent.containsKey(key)) {
                    MessageView earlier = alreadySent.get(key);
                    decisions.add(createdAt -> Outcome.stored(each, earlier, false));
                } else if (key != null && sentInThisBatch.containsKey(key)) {
                    NewMessage first = sentInThisBatch.get(key);
                    long firstSeq = seqs.get(inserts.indexOf(first));
                    decisions.add(createdAt -> Outcome.stored(each, viewOf(first, firstSeq, createdAt), false));
                } else if (message.replyToId() != null
                        && !message.chatId().equals(chatOfMessage.get(message.replyToId()))) {
                    decisions.add(createdAt -> Outcome.failed(each, new InvalidReplyException()));
                } else {
                    long seq = last + 1;
                    lastSeq.put(message.chatId(), seq);
                    inserts.add(message);
                    seqs.add(seq);
                    if (key != null) {
                        sentInThisBatch.put(key, message);
                    }
                    decisions.add(createdAt -> Outcome.stored(each, viewOf(message, seq, createdAt), true));
                }
            }
            lastSeq.keySet().retainAll(inserts.stream().map(NewMessage::chatId).toList());
        }

        List<Outcome> outcomes() {
            return decisions.stream().map(decision -> decision.apply(createdAt)).toList();
        }

        private static MessageView viewOf(NewMessage message, long seq, Instant createdAt) {
            return new MessageView(
                    message.id(),
                    message.chatId(),
                    seq,
                    message.senderId(),
                    MessageRole.USER,
                    message.content(),
                    null,
                    null,
                    message.replyToId(),
                    message.clientMessageId(),
                    createdAt,
                    null,
                    null);
        }
    }

    private record Outcome(Pending pending, SendResult result, Throwable failure) {
        static Outcome stored(Pending pending, MessageView message, boolean created) {
            return new Outcome(pending, new SendResult(message, created), null);
        }

        static Outcome failed(Pending pending, Throwable failure) {
            return new Outcome(pending, null, failure);
        }

        void deliver() {
            pending.onContext(() -> {
                if (failure != null) {
                    pending.emitter().fail(failure);
                } else {
                    pending.emitter().complete(result);
                }
            });
        }
    }

    private static final class Pending {
        private final NewMessage message;
        private final UniEmitter<? super SendResult> emitter;
        private final Context context;

        Pending(NewMessage message, UniEmitter<? super SendResult> emitter, Context context) {
            this.message = message;
            this.emitter = emitter;
            this.context = context;
        }

        NewMessage message() {
            return message;
        }

        UniEmitter<? super SendResult> emitter() {
            return emitter;
        }

        void onContext(Runnable action) {
            if (context == null) {
                action.run();
            } else {
                context.runOnContext(ignored -> action.run());
            }
        }
    }
}
