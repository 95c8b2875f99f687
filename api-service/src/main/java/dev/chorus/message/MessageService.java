package dev.chorus.message;

import dev.chorus.chat.ChatAccess;
import dev.chorus.chat.ChatAction;
import dev.chorus.chat.ChatEvents;
import dev.chorus.chat.ChatMember;
import dev.chorus.chat.ChatPolicy;
import dev.chorus.chat.ReadMarkers;
import dev.chorus.problem.ApiException;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

@ApplicationScoped
public class MessageService {

    public static final int MAX_CONTENT = NewMessage.MAX_USER_CONTENT;

    private final ChatAccess access;
    private final MessageLog log;
    private final ChatEvents events;
    private final ReadMarkers readMarkers;
    private final MessageHistory history;

    public MessageService(
            ChatAccess access, MessageLog log, ChatEvents events, ReadMarkers readMarkers, MessageHistory history) {
        this.access = access;
        this.history = history;
        this.log = log;
        this.events = events;
        this.readMarkers = readMarkers;
    }

    public record SendRequest(
            @NotBlank
            @Size(max = MAX_CONTENT)
            @Pattern(regexp = NewMessage.WITHOUT_NUL_PATTERN, message = "must not contain NUL characters")
            String content,

            @Size(min = 1, max = NewMessage.MAX_CLIENT_MESSAGE_ID)
            @Pattern(regexp = NewMessage.CLIENT_MESSAGE_ID_PATTERN, message = "must be printable ASCII")
            String clientMessageId,

            UUID replyToId) {}

    public record EditRequest(
            @NotBlank
            @Size(max = MAX_CONTENT)
            @Pattern(regexp = NewMessage.WITHOUT_NUL_PATTERN, message = "must not contain NUL characters")
            String content) {}

    public record ReadMarker(@PositiveOrZero long seq) {}

    /** A page of a chat's stream, always in ascending sequence order. */
    public record MessagePage(List<MessageView> messages, boolean hasMore) {}

    /** The stored message, and whether this request created it or an earlier one with the same client id did. */
    public record Sent(MessageView message, boolean created) {}

    /**
     * Sends a message once per client message id (see {@link MessageLog#send}, whose transaction checks the sender's
     * right to send). Only a refusal needs the access check, for the answer a client should see.
     */
    @WithSpan
    public Uni<Sent> send(UUID chatId, UUID senderId, SendRequest request) {
        return log.send(NewMessage.fromUser(
                        chatId, senderId, request.content(), request.replyToId(), request.clientMessageId()))
                .map(result -> {
                    if (!result.message().chatId().equals(chatId)) {
                        throw ApiException.conflict(
                                "client-message-id-reused", "This client message id was used for another chat.");
                    }
                    return new Sent(result.message(), result.created());
                })
                .onFailure(InvalidReplyException.class)
                .transform(
                        failure -> ApiException.badRequest("invalid-reply", "replyToId names no message of this chat."))
                .onFailure(
                        failure -> failure instanceof SendRefusedException || failure instanceof UnknownChatException)
                .recoverWithUni(() -> Panache.withSession(() -> access.require(chatId, senderId, ChatAction.SEND))
                        .map(allowedMeanwhile -> {
                            throw ApiException.conflict(
                                    "membership-changed", "Your membership changed while sending; send again.");
                        }));
    }

    /**
     * A page of history: after {@code after} (ascending, for catching up), before {@code before} (for scrolling
     * back), or the newest messages when neither is given. One statement checks membership and reads the page; only
     * an empty answer needs the access check, to tell an empty page from a refusal.
     */
    @WithSpan
    public Uni<MessagePage> history(UUID chatId, UUID userId, Long after, Long before, int limit) {
        if (after != null && before != null) {
            return Uni.createFrom()
                    .failure(ApiException.badRequest("invalid-range", "Give either after or before, not both."));
        }
        return history.page(chatId, userId, after, before, limit + 1).chain(views -> {
            if (views.isEmpty()) {
                return Panache.withSession(() -> access.require(chatId, userId, ChatAction.READ))
                        .map(allowed -> new MessagePage(List.of(), false));
            }
            boolean hasMore = views.size() > limit;
            List<MessageView> page =
                    !hasMore ? views : after != null ? views.subList(0, limit) : views.subList(1, views.size());
            return Uni.createFrom().item(new MessagePage(page, hasMore));
        });
    }

    @WithSpan
    @WithSession
    public Uni<MessageView> get(UUID chatId, UUID userId, UUID messageId) {
        return access.require(chatId, userId, ChatAction.READ)
                .chain(found -> find(chatId, messageId))
                .map(MessageView::of);
    }

    /** Only the author edits, and only their own live user messages; members learn of it by a message.edited event. */
    @WithSpan
    @WithTransaction
    public Uni<MessageView> edit(UUID chatId, UUID userId, UUID messageId, EditRequest request) {
        return access.require(chatId, userId, ChatAction.READ)
                .chain(found -> find(chatId, messageId).chain(message -> {
                    if (message.role != MessageRole.USER || !userId.equals(message.senderId)) {
                        return Uni.createFrom().failure(ApiException.forbidden("Only the author may edit a message."));
                    }
                    if (message.deletedAt != null) {
                        return Uni.createFrom()
                                .failure(ApiException.gone("message-deleted", "The message was deleted."));
                    }
                    message.content = request.content();
                    message.editedAt = Instant.now();
                    return events.append(
                                    found.chat(),
                                    "message.edited",
                                    "A message was edited",
                                    Map.of("messageId", messageId, "seq", message.seq, "by", userId))
                            .map(ignored -> MessageView.of(message));
                }));
    }

    /** Soft delete by the author or an admin: the content is erased at once, the entry stays in the sequence. */
    @WithSpan
    @WithTransaction
    public Uni<Void> delete(UUID chatId, UUID userId, UUID messageId) {
        return access.require(chatId, userId, ChatAction.READ)
                .chain(found -> find(chatId, messageId).chain(message -> {
                    if (!mayDelete(found.member(), message)) {
                        return Uni.createFrom()
                                .failure(ApiException.forbidden("Only the author or an admin may delete a message."));
                    }
                    if (message.deletedAt != null) {
                        return Uni.createFrom().voidItem();
                    }
                    message.content = "";
                    message.deletedAt = Instant.now();
                    return events.append(
                                    found.chat(),
                                    "message.deleted",
                                    "A message was deleted",
                                    Map.of("messageId", messageId, "seq", message.seq, "by", userId))
                            .replaceWithVoid();
                }));
    }

    /** Moves the caller's read marker (never back, never past the end); every replica passes it on to the chat. */
    @WithSpan
    @WithSession
    public Uni<Long> markRead(UUID chatId, UUID userId, long seq) {
        return access.require(chatId, userId, ChatAction.READ).chain(found -> readMarkers.advance(chatId, userId, seq));
    }

    private static boolean mayDelete(ChatMember member, Message message) {
        boolean own = message.role == MessageRole.USER && member.userId.equals(message.senderId);
        return own || ChatPolicy.allows(member, ChatAction.DELETE_OTHERS_MESSAGES);
    }

    private static Uni<Message> find(UUID chatId, UUID messageId) {
        return Message.<Message>find("id = ?1 and chatId = ?2", messageId, chatId)
                .firstResult()
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.notFound("No such message."));
    }
}
