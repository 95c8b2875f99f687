package dev.chorus.ai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.UUID;

/** An invocation of the assistant as clients see it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record AiInvocationView(
        UUID id,
        UUID chatId,
        UUID requestedBy,
        AiInvocationStatus status,
        String provider,
        String model,
        UUID promptMessageId,
        UUID responseMessageId,
        Integer inputTokens,
        Integer outputTokens,
        Instant createdAt,
        Instant firstTokenAt,
        Instant finishedAt,
        String errorCode,
        String errorMessage) {

    static AiInvocationView of(AiInvocation invocation) {
        return new AiInvocationView(
                invocation.id,
                invocation.chatId,
                invocation.requestedBy,
                invocation.status,
                invocation.provider,
                invocation.model,
                invocation.promptMessageId,
                invocation.responseMessageId,
                invocation.inputTokens,
                invocation.outputTokens,
                invocation.createdAt,
                invocation.firstTokenAt,
                invocation.finishedAt,
                invocation.errorCode,
                invocation.errorMessage);
    }
}
