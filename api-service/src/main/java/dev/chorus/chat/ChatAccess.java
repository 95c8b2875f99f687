package dev.chorus.chat;

import dev.chorus.problem.ApiException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/**
 * Loads a chat with the caller's membership and applies {@link ChatPolicy}. Strangers get 404 for private chats,
 * so that their existence does not leak, and 403 for public ones.
 */
@ApplicationScoped
public class ChatAccess {

    /** The chat and the caller's membership (null when the caller is not an active member). */
    public record Access(Chat chat, ChatMember member) {}

    public Uni<Access> load(UUID chatId, UUID userId) {
        return Chat.<Chat>findById(chatId).chain(chat -> {
            if (chat == null || chat.deletedAt != null) {
                return Uni.createFrom().failure(ApiException.notFound("No such chat."));
            }
            return ChatMember.<ChatMember>find("chatId = ?1 and userId = ?2", chatId, userId)
                    .firstResult()
                    .map(member -> new Access(chat, member != null && member.isActive() ? member : null));
        });
    }

    /** The access, if the caller may take the action; otherwise the failure a client should see. */
    public Uni<Access> require(UUID chatId, UUID userId, ChatAction action) {
        return load(chatId, userId).map(access -> {
            if (access.member() == null) {
                throw access.chat().visibility == ChatVisibility.PUBLIC
                        ? ApiException.forbidden("Join this chat first.")
                        : ApiException.notFound("No such chat.");
            }
            if (!ChatPolicy.allows(access.member(), action)) {
                throw ApiException.forbidden("Your role or permissions in this chat do not allow this.");
            }
            return access;
        });
    }
}
