package dev.chorus.ai;

import dev.chorus.chat.ChatAccess;
import dev.chorus.chat.ChatAction;
import dev.chorus.database.DatabaseErrors;
import dev.chorus.message.AppendedMessage;
import dev.chorus.message.MessageLog;
import dev.chorus.message.NewMessage;
import dev.chorus.problem.ApiException;
import dev.chorus.signal.ChatSignal;
import dev.chorus.signal.ChatSignals;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Asking the assistant: one running invocation per chat (the database's partial unique index decides, across
 * every replica), the answer streamed to the chat by {@link AnswerStreams}, cancellation from any replica.
 */
@ApplicationScoped
public class AiService {

    static final String ONE_RUNNING_PER_CHAT = "ai_invocations_one_running_per_chat";
    static final List<AiInvocationStatus> RUNNING = List.of(AiInvocationStatus.PENDING, AiInvocationStatus.STREAMING);

    private final ChatAccess access;
    private final MessageLog log;
    private final ChatSignals signals;
    private final AiProvider provider;
    private final AiConfig config;
    private final AnswerStreams streams;

    public AiService(
            ChatAccess access,
            MessageLog log,
            ChatSignals signals,
            AiProvider provider,
            AiConfig config,
            AnswerStreams streams) {
        this.access = access;
        this.log = log;
        this.signals = signals;
        this.provider = provider;
        this.config = config;
        this.streams = streams;
    }

    /**
     * Records the invocation (and the prompt, when one is given, as the caller's message) in one transaction, then
     * starts the answer. The answer runs on, whatever happens to the request that started it.
     */
    @WithSpan
    public Uni<AiInvocationView> invoke(UUID chatId, UUID userId, String prompt) {
        return Panache.withTransaction(() -> access.require(chatId, userId, ChatAction.INVOKE_AI)
                        .chain(found -> {
                            if (!found.chat().aiEnabled) {
                                return Uni.createFrom()
                                        .failure(ApiException.conflict(
                                                "ai-disabled", "The assistant is switched off in this chat."));
                            }
                            Uni<UUID> promptId = prompt == null || prompt.isBlank()
                                    ? Uni.createFrom().nullItem()
                                    : log.append(NewMessage.fromUser(chatId, userId, prompt.strip(), null, null))
                                            .map(AppendedMessage::id);
                            return promptId.chain(
                                    id -> new AiInvocation(chatId, userId, id, provider.name(), config.model())
                                            .<AiInvocation>persistAndFlush());
                        }))
                .onFailure(failure -> DatabaseErrors.isUniqueViolation(failure, ONE_RUNNING_PER_CHAT))
                .transform(failure -> ApiException.conflict(
                        "ai-busy", "The assistant is already answering in this chat; wait for it or cancel it."))
                .invoke(invocation -> {
                    if (invocation.promptMessageId != null) {
                        signals.wake(chatId);
                    }
                    streams.start(invocation);
                })
                .map(AiInvocationView::of);
    }

    @WithSpan
    @WithSession
    public Uni<AiInvocationView> find(UUID chatId, UUID userId, UUID invocationId) {
        return access.require(chatId, userId, ChatAction.READ)
                .chain(() -> invocation(chatId, invocationId))
                .map(AiInvocationView::of);
    }

    /** Stops a running answer; nothing of it is stored, and the chat hears that it ended. */
    @WithSpan
    public Uni<AiInvocationView> cancel(UUID chatId, UUID userId, UUID invocationId) {
        return Panache.withTransaction(() -> access.require(chatId, userId, ChatAction.INVOKE_AI)
                        .chain(() -> AiInvocation.update(
                                "status = ?1, finishedAt = ?2, errorCode = 'cancelled', errorMessage = ?3"
                                        + " where id = ?4 and chatId = ?5 and status in ?6",
                                AiInvocationStatus.CANCELLED,
                                Instant.now(),
                                "Cancelled by a member.",
                                invocationId,
                                chatId,
                                RUNNING))
                        .chain(updated -> invocation(chatId, invocationId).invoke(invocation -> {
                            if (updated == 0) {
                                throw ApiException.conflict("ai-not-running", "This answer has already ended.");
                            }
                        })))
                .invoke(invocation -> signals.publishLater(ChatSignal.aiEnd(chatId, invocationId, "cancelled")))
                .map(AiInvocationView::of);
    }

    private static Uni<AiInvocation> invocation(UUID chatId, UUID invocationId) {
        return AiInvocation.<AiInvocation>find("id = ?1 and chatId = ?2", invocationId, chatId)
                .firstResult()
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.notFound("No such invocation of the assistant."));
    }
}
