package dev.chorus.chat;

import dev.chorus.message.MessageView;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The bodies of the chat and member endpoints. */
public final class ChatDtos {

    private ChatDtos() {}

    public record NewChat(
            @NotBlank @Size(max = 100) String name,
            @Size(max = 1000) String description,
            ChatVisibility visibility,
            Boolean aiEnabled) {}

    /** Only the fields present change. */
    public record ChatChange(
            @Size(min = 1, max = 100) String name,
            @Size(max = 1000) String description,
            ChatVisibility visibility,
            Boolean aiEnabled) {}

    public record ChatView(
            UUID id,
            String name,
            String description,
            ChatVisibility visibility,
            boolean aiEnabled,
            long lastMessageSeq,
            Instant lastMessageAt,
            Instant createdAt,
            MembershipView membership) {

        static ChatView of(Chat chat, ChatMember membership) {
            return new ChatView(
                    chat.id,
                    chat.name,
                    chat.description,
                    chat.visibility,
                    chat.aiEnabled,
                    chat.lastMessageSeq,
                    chat.lastMessageAt,
                    chat.createdAt,
                    membership != null && membership.isActive() ? MembershipView.of(membership) : null);
        }
    }

    /** The caller's own membership of a chat. */
    public record MembershipView(MemberRole role, Permissions permissions, long lastReadSeq) {
        static MembershipView of(ChatMember member) {
            return new MembershipView(member.role, member.permissions(), member.lastReadSeq);
        }
    }

    /** One line of "my chats": the chat, how many entries I have not read, and the newest one. */
    public record ChatSummary(ChatView chat, long unreadCount, MessageView lastMessage) {}

    public record ChatPage(List<ChatView> chats, String nextCursor) {}

    public record MemberView(
            UUID userId, String displayName, MemberRole role, Permissions permissions, Instant joinedAt) {}

    public record NewMember(
            @NotNull UUID userId, MemberRole role, @Valid Permissions permissions) {}

    public record MemberChange(MemberRole role, @Valid Permissions permissions) {}
}
