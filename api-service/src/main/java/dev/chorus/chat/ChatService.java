package dev.chorus.chat;

import dev.chorus.chat.ChatDtos.ChatChange;
import dev.chorus.chat.ChatDtos.ChatPage;
import dev.chorus.chat.ChatDtos.ChatSummary;
import dev.chorus.chat.ChatDtos.ChatView;
import dev.chorus.chat.ChatDtos.NewChat;
import dev.chorus.message.Message;
import dev.chorus.message.MessageView;
import dev.chorus.problem.ApiException;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;

@ApplicationScoped
public class ChatService {

    /** "My chats" is one page: a person in more chats than this is not the client we design for yet. */
    static final int MY_CHATS_LIMIT = 500;

    private final ChatAccess access;
    private final ChatEvents events;
    private final MemberService members;

    public ChatService(ChatAccess access, ChatEvents events, MemberService members) {
        this.access = access;
        this.events = events;
        this.members = members;
    }

    @WithSpan
    @WithTransaction
    public Uni<ChatView> create(UUID userId, NewChat request) {
        Chat chat = new Chat(
                request.name().strip(),
                blankToNull(request.description()),
                request.visibility() != null ? request.visibility() : ChatVisibility.PRIVATE,
                Boolean.TRUE.equals(request.aiEnabled()),
                userId);
        ChatMember owner = new ChatMember(chat.id, userId, MemberRole.OWNER, Permissions.ALL);
        return chat.persist()
                .chain(() -> owner.persist())
                .chain(() -> events.append(chat, "chat.created", "Chat created", Map.of("by", userId)))
                .map(created -> ChatView.of(chat, owner));
    }

    @WithSpan
    @WithSession
    public Uni<List<ChatSummary>> mine(UUID userId) {
        return ChatMember.<ChatMember>find(
                        "userId = ?1 and leftAt is null and chatId in (select c.id from Chat c where c.deletedAt is null)",
                        userId)
                .range(0, MY_CHATS_LIMIT - 1)
                .list()
                .chain(memberships -> {
                    if (memberships.isEmpty()) {
                        return Uni.createFrom().item(List.of());
                    }
                    List<UUID> chatIds = memberships.stream().map(m -> m.chatId).toList();
                    return Chat.<Chat>list("id in ?1", chatIds).chain(chats -> Message.<Message>list(
                                    "from Message m where m.chatId in ?1 and m.seq = "
                                            + "(select c.lastMessageSeq from Chat c where c.id = m.chatId)",
                                    chatIds)
                            .map(lastMessages -> summaries(memberships, chats, lastMessages)));
                });
    }

    private static List<ChatSummary> summaries(
            List<ChatMember> memberships, List<Chat> chats, List<Message> lastMessages) {
        Map<UUID, Chat> chatById = chats.stream().collect(Collectors.toMap(c -> c.id, Function.identity()));
        Map<UUID, Message> lastByChat =
                lastMessages.stream().collect(Collectors.toMap(m -> m.chatId, Function.identity()));
        return memberships.stream()
                .map(member -> {
                    Chat chat = chatById.get(member.chatId);
                    Message last = lastByChat.get(member.chatId);
                    return new ChatSummary(
                            ChatView.of(chat, member),
                            Math.max(0, chat.lastMessageSeq - member.lastReadSeq),
                            last != null ? MessageView.of(last) : null);
                })
                .sorted((a, b) -> Long.compare(activity(b.chat()), activity(a.chat())))
                .toList();
    }

    private static long activity(ChatView chat) {
        Instant at = chat.lastMessageAt() != null ? chat.lastMessageAt() : chat.createdAt();
        return at.toEpochMilli();
    }

    /** Public chats, newest first; {@code before} is the id of the last chat of the previous page. */
    @WithSpan
    @WithSession
    public Uni<ChatPage> publicChats(UUID before, int limit) {
        String query =
                "visibility = ?1 and deletedAt is null" + (before != null ? " and id < ?2" : "") + " order by id desc";
        var found = before != null
                ? Chat.<Chat>find(query, ChatVisibility.PUBLIC, before)
                : Chat.<Chat>find(query, ChatVisibility.PUBLIC);
        return found.range(0, limit).list().map(chats -> {
            boolean more = chats.size() > limit;
            List<ChatView> page = chats.stream()
                    .limit(limit)
                    .map(chat -> ChatView.of(chat, null))
                    .toList();
            return new ChatPage(page, more ? page.getLast().id().toString() : null);
        });
    }

    @WithSpan
    @WithSession
    public Uni<ChatView> get(UUID chatId, UUID userId) {
        return access.load(chatId, userId).map(found -> {
            if (found.member() == null && found.chat().visibility != ChatVisibility.PUBLIC) {
                throw ApiException.notFound("No such chat.");
            }
            return ChatView.of(found.chat(), found.member());
        });
    }

    @WithSpan
    @WithTransaction
    public Uni<ChatView> update(UUID chatId, UUID userId, ChatChange change) {
        return access.require(chatId, userId, ChatAction.EDIT_CHAT).chain(found -> {
            Chat chat = found.chat();
            Map<String, Object> changed = new LinkedHashMap<>();
            if (change.name() != null && !change.name().isBlank()) {
                chat.name = change.name().strip();
                changed.put("name", chat.name);
            }
            if (change.description() != null) {
                chat.description = blankToNull(change.description());
                changed.put("description", chat.description == null ? "" : chat.description);
            }
            if (change.visibility() != null) {
                chat.visibility = change.visibility();
                changed.put("visibility", chat.visibility);
            }
            if (change.aiEnabled() != null) {
                chat.aiEnabled = change.aiEnabled();
                changed.put("aiEnabled", chat.aiEnabled);
            }
            if (changed.isEmpty()) {
                return Uni.createFrom().item(ChatView.of(chat, found.member()));
            }
            chat.updatedAt = Instant.now();
            changed.put("by", userId);
            return events.append(chat, "chat.updated", "Chat settings changed", changed)
                    .map(ignored -> ChatView.of(chat, found.member()));
        });
    }

    /** Soft-deletes the chat; the last event in its stream tells subscribers it is gone. */
    @WithSpan
    @WithTransaction
    public Uni<Void> delete(UUID chatId, UUID userId) {
        return access.require(chatId, userId, ChatAction.DELETE_CHAT)
                .chain(found -> events.append(found.chat(), "chat.deleted", "Chat deleted", Map.of("by", userId))
                        .invoke(() -> {
                            found.chat().deletedAt = Instant.now();
                            found.chat().updatedAt = found.chat().deletedAt;
                        }))
                .replaceWithVoid();
    }

    /** Anyone may join a public chat; joining again is harmless. */
    @WithSpan
    @WithTransaction
    public Uni<ChatView> joinPublic(UUID chatId, UUID userId) {
        return access.load(chatId, userId).chain(found -> {
            if (found.chat().visibility != ChatVisibility.PUBLIC && found.member() == null) {
                return Uni.createFrom().failure(ApiException.notFound("No such chat."));
            }
            if (found.member() != null) {
                return Uni.createFrom().item(ChatView.of(found.chat(), found.member()));
            }
            return members.join(found.chat(), userId, MemberRole.MEMBER, "public")
                    .map(member -> ChatView.of(found.chat(), member));
        });
    }

    static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value.strip();
    }
}
