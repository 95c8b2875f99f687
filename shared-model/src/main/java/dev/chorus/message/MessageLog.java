package dev.chorus.message;

import dev.chorus.database.LowercaseEnumConverter;
import dev.chorus.signal.ChatSignals;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/**
 * The one way to add a message to a chat, used by every writer in every service.
 *
 * <p>The sequence number comes from {@code chats.last_message_seq}, advanced by an UPDATE in the same statement
 * that inserts the message. The UPDATE takes the chat row's lock, so concurrent writers to one chat, from any
 * replica, queue on that row and each sees the value its predecessor committed: no duplicate and no lost update.
 * If the transaction rolls back, the increment rolls back with it: no gap. Writers to different chats do not
 * touch the same row and do not wait for each other. Keep the rest of a transaction that appends short: the row
 * lock is held until commit.
 */
@ApplicationScoped
public class MessageLog {

    /** The partial unique index that makes a client message id an idempotency key per sender. */
    public static final String CLIENT_MESSAGE_ID_CONSTRAINT = "messages_sender_client_message_id_key";

    private final ChatSignals signals;
    private final GroupCommit groupCommit;

    public MessageLog(ChatSignals signals, Pool pool, MeterRegistry registry) {
        this.signals = signals;
        this.groupCommit = new GroupCommit(pool, registry);
    }

    private static final String APPEND = """
            WITH next AS (
                UPDATE chats SET last_message_seq = last_message_seq + 1, last_message_at = now()
                WHERE id = :chatId AND deleted_at IS NULL
                RETURNING last_message_seq)
            INSERT INTO messages
                (id, chat_id, seq, sender_id, role, content, event, payload, reply_to_id, client_message_id)
            SELECT :id, :chatId, next.last_message_seq, CAST(:senderId AS uuid), :role, :content,
                CAST(:event AS text), CAST(CAST(:payload AS text) AS jsonb), CAST(:replyToId AS uuid), CAST(:clientMessageId AS text)
            FROM next
            RETURNING seq, created_at""";

    /**
     * Appends a message in the current transaction. Fails with {@link UnknownChatException} when the chat does not
     * exist or is deleted, and with the database's unique violation on {@link #CLIENT_MESSAGE_ID_CONSTRAINT} when
     * the sender already used the client message id (the transaction is then lost: look the first one up in a new
     * one).
     */
    public Uni<AppendedMessage> append(NewMessage message) {
        return Panache.getSession()
                .chain(session -> session.createNativeQuery(APPEND, Object[].class)
                        .setParameter("id", message.id())
                        .setParameter("chatId", message.chatId())
                        .setParameter("senderId", message.senderId())
                        .setParameter("role", LowercaseEnumConverter.columnValue(message.role()))
                        .setParameter("content", message.content())
                        .setParameter("event", message.event())
                        .setParameter("payload", message.payloadJson())
                        .setParameter("replyToId", message.replyToId())
                        .setParameter("clientMessageId", message.clientMessageId())
                        .getResultList())
                .map(rows -> toAppended(message, rows));
    }

    private static AppendedMessage toAppended(NewMessage message, List<Object[]> rows) {
        if (rows.isEmpty()) {
            throw new UnknownChatException(message.chatId());
        }
        Object[] row = rows.get(0);
        return new AppendedMessage(message.id(), message.chatId(), ((Number) row[0]).longValue(), instant(row[1]));
    }

    private static Instant instant(Object timestamp) {
        return switch (timestamp) {
            case Instant instant -> instant;
            case OffsetDateTime offsetDateTime -> offsetDateTime.toInstant();
            case java.sql.Timestamp sqlTimestamp -> sqlTimestamp.toInstant();
            default -> throw new IllegalStateException("unexpected timestamp type " + timestamp.getClass());
        };
    }

    /**
     * Sends a user message once per client message id; every service sends this way. The message is stored with
     * the others that arrive meanwhile, in one transaction ({@link GroupCommit}). A retry with the same id answers
     * the first message and writes nothing, even when two attempts race: the chat's row lock or the unique index
     * decides, and the loser reads the winner's message. The same transaction checks that the sender is an active
     * member allowed to send ({@link SendRefusedException} otherwise), so no separate check can go stale before the
     * commit. The caller checks that an earlier message it gets back belongs to the same chat.
     */
    public Uni<SendResult> send(NewMessage message) {
        return groupCommit.store(message).invoke(result -> {
            if (result.created()) {
                signals.wake(message.chatId());
            }
        });
    }

    /** The message a sender already sent with this client message id, if any. */
    public Uni<Message> findByClientMessageId(UUID senderId, String clientMessageId) {
        return Message.find("senderId = ?1 and clientMessageId = ?2", senderId, clientMessageId)
                .firstResult();
    }
}
