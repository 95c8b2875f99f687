package dev.chorus.chat;

import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Iterator;
import java.util.UUID;

/** How far each member has read a chat; every service moves the marker this way, and every replica hears of it. */
@ApplicationScoped
public class ReadMarkers {

    /** Never backwards, never past the newest entry; one statement, so concurrent marks cannot lose the larger one. */
    private static final String ADVANCE = """
            UPDATE chat_members m
            SET last_read_seq = GREATEST(m.last_read_seq, LEAST($3, c.last_message_seq))
            FROM chats c
            WHERE c.id = m.chat_id AND c.deleted_at IS NULL
              AND m.chat_id = $1 AND m.user_id = $2 AND m.left_at IS NULL
            RETURNING m.last_read_seq""";

    private final Pool pool;
    private final ChatSignals signals;

    public ReadMarkers(Pool pool, ChatSignals signals) {
        this.pool = pool;
        this.signals = signals;
    }

    /** The member's marker after the move, or null when the user is not an active member of the chat. */
    public Uni<Long> advance(UUID chatId, UUID userId, long seq) {
        return pool.preparedQuery(ADVANCE)
                .execute(Tuple.of(chatId, userId, seq))
                .map(rows -> {
                    Iterator<Row> it = rows.iterator();
                    if (!it.hasNext()) {
                        return null;
                    }
                    long marker = it.next().getLong(0);
                    signals.publishLater(ChatSignal.read(chatId, userId, marker));
                    return marker;
                });
    }
}
