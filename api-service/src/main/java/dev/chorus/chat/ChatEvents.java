package dev.chorus.chat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.message.AppendedMessage;
import dev.chorus.message.MessageLog;
import dev.chorus.message.NewMessage;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Chat events (membership changes, edits, deletions, chat changes) become system messages in the chat's own
 * sequence, so one ordered, resumable stream tells a client everything that changed.
 */
@ApplicationScoped
public class ChatEvents {

    private final MessageLog log;
    private final ObjectMapper json;

    public ChatEvents(MessageLog log, ObjectMapper json) {
        this.log = log;
        this.json = json;
    }

    /**
     * Appends an event in the current transaction; {@code text} is what a plain client shows. Pending entity changes
     * are flushed first, so the event follows what it describes; the chat's in-memory sequence catches up after.
     */
    public Uni<AppendedMessage> append(Chat chat, String event, String text, Map<String, Object> payload) {
        String payloadJson;
        try {
            payloadJson = json.writeValueAsString(payload);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        return Panache.flush()
                .chain(() -> log.append(NewMessage.system(chat.id, event, text, payloadJson)))
                .invoke(appended -> {
                    chat.lastMessageSeq = appended.seq();
                    chat.lastMessageAt = appended.createdAt();
                });
    }
}
