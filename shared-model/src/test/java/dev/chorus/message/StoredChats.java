package dev.chorus.message;

import dev.chorus.chat.Chat;
import dev.chorus.chat.ChatMember;
import dev.chorus.chat.ChatVisibility;
import dev.chorus.chat.MemberRole;
import dev.chorus.chat.Permissions;
import dev.chorus.user.User;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/** Users, chats and what the message tests read back, straight from the database. */
final class StoredChats {

    private StoredChats() {}

    static UUID newUserId() {
        User user = new User(UUID.randomUUID() + "@example.com", "Writer", "not-a-real-hash");
        await(() -> Panache.withTransaction(user::persist));
        return user.id;
    }

    /** A chat without members: enough for appends, which check no sender. */
    static UUID newChatId() {
        Chat chat = new Chat("busy", null, ChatVisibility.PRIVATE, false, null);
        await(() -> Panache.withTransaction(chat::persist));
        return chat.id;
    }

    static UUID newChatId(UUID owner) {
        UUID chatId = newChatId();
        ChatMember member = new ChatMember(chatId, owner, MemberRole.OWNER, new Permissions(true, true, true, true));
        await(() -> Panache.withTransaction(member::persist));
        return chatId;
    }

    static void join(UUID chatId, UUID userId, Permissions permissions) {
        ChatMember member = new ChatMember(chatId, userId, MemberRole.MEMBER, permissions);
        await(() -> Panache.withTransaction(member::persist));
    }

    static List<Long> storedSeqs(UUID chatId) {
        return await(() -> Panache.withSession(() -> Message.<Message>find("chatId = ?1 order by seq", chatId)
                        .list()))
                .stream()
                .map(message -> message.seq)
                .toList();
    }

    static long lastMessageSeq(UUID chatId) {
        return await(() -> Panache.withSession(() -> Chat.<Chat>findById(chatId))).lastMessageSeq;
    }

    static <T> T await(Supplier<Uni<T>> work) {
        try {
            return VertxContextSupport.subscribeAndAwait(work::get);
        } catch (Throwable e) {
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new RuntimeException(e);
        }
    }
}
