package dev.chorus.ai;

import dev.chorus.ai.AiProvider.Role;
import dev.chorus.ai.AiProvider.Turn;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

/**
 * The recent history the model sees, newest first until the token budget is spent, then in order. People's
 * messages carry their names; turns of the same side are merged, and the conversation starts and ends with a
 * person, as the Messages API requires.
 */
@ApplicationScoped
public class ConversationContext {

    private static final String RECENT = """
            SELECT m.role, m.content, u.display_name FROM messages m LEFT JOIN users u ON u.id = m.sender_id
            WHERE m.chat_id = $1 AND m.deleted_at IS NULL AND m.role IN ('user', 'assistant')
            ORDER BY m.seq DESC LIMIT 500""";

    /** A rough token count (about four characters each), good enough to stay inside a budget. */
    static int estimateTokens(String text) {
        return text.length() / 4 + 1;
    }

    private final Pool pool;
    private final AiConfig config;

    public ConversationContext(Pool pool, AiConfig config) {
        this.pool = pool;
        this.config = config;
    }

    public Uni<List<Turn>> recent(UUID chatId) {
        return pool.preparedQuery(RECENT).execute(Tuple.of(chatId)).map(rows -> {
            List<Turn> newestFirst = new ArrayList<>();
            int budget = config.contextTokens();
            for (Row row : rows) {
                boolean assistant = row.getString("role").equals("assistant");
                String content = assistant ? row.getString("content") : nameOf(row) + ": " + row.getString("content");
                budget -= estimateTokens(content);
                if (budget < 0 && !newestFirst.isEmpty()) {
                    break;
                }
                newestFirst.add(new Turn(assistant ? Role.ASSISTANT : Role.USER, content));
            }
            Collections.reverse(newestFirst);
            return alternating(newestFirst);
        });
    }

    private static String nameOf(Row row) {
        String name = row.getString("display_name");
        return name == null ? "Someone" : name;
    }

    static List<Turn> alternating(List<Turn> turns) {
        List<Turn> merged = new ArrayList<>();
        for (Turn turn : turns) {
            if (merged.isEmpty() && turn.role() == Role.ASSISTANT) {
                continue;
            }
            if (!merged.isEmpty() && merged.getLast().role() == turn.role()) {
                Turn last = merged.removeLast();
                merged.add(new Turn(turn.role(), last.content() + "\n" + turn.content()));
            } else {
                merged.add(turn);
            }
        }
        if (merged.isEmpty() || merged.getLast().role() == Role.ASSISTANT) {
            merged.add(new Turn(Role.USER, "(The chat asks the assistant to go on.)"));
        }
        return merged;
    }
}
