package dev.chorus.message;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Pages of a chat's stream for one of its active members, in one statement: the membership check and the page
 * together, read as views without entities. The hottest read of the API (docs/benchmarks.md).
 */
@ApplicationScoped
public class MessageHistory {

    private static final String PAGE = """
            SELECT page.* FROM chat_members member
            JOIN chats chat ON chat.id = member.chat_id AND chat.deleted_at IS NULL
            CROSS JOIN LATERAL (
                SELECT * FROM messages WHERE chat_id = member.chat_id AND seq %s $3 ORDER BY seq %s LIMIT $4) page
            WHERE member.chat_id = $1 AND member.user_id = $2 AND member.left_at IS NULL
            ORDER BY page.seq""";

    private static final String AFTER = PAGE.formatted(">", "ASC");
    private static final String BEFORE = PAGE.formatted("<", "DESC");

    private final Pool pool;

    public MessageHistory(Pool pool) {
        this.pool = pool;
    }

    /**
     * Up to {@code count} entries after {@code after} (the oldest of them), or else before {@code before} (the
     * newest of them; the newest of the chat without it), ascending. Empty when there are none, and also when the
     * user is not an active member of a live chat: the caller tells these apart.
     */
    public Uni<List<MessageView>> page(UUID chatId, UUID userId, Long after, Long before, int count) {
        String query = after != null ? AFTER : BEFORE;
        long bound = after != null ? after : before != null ? before : Long.MAX_VALUE;
        return pool.preparedQuery(query)
                .execute(Tuple.of(chatId, userId, bound, count))
                .map(rows -> {
                    List<MessageView> views = new ArrayList<>(rows.size());
                    for (Row row : rows) {
                        views.add(MessageView.of(row));
                    }
                    return views;
                });
    }
}
