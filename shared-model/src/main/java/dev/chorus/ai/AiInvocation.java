package dev.chorus.ai;

import dev.chorus.id.UuidV7;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/** One request to the assistant: who asked, how it went, and what it cost. */
@Entity
@Table(name = "ai_invocations")
public class AiInvocation extends PanacheEntityBase {

    @Id
    public UUID id;

    @Column(name = "chat_id", nullable = false)
    public UUID chatId;

    @Column(name = "requested_by")
    public UUID requestedBy;

    @Column(name = "prompt_message_id")
    public UUID promptMessageId;

    @Column(name = "response_message_id")
    public UUID responseMessageId;

    @Column(nullable = false)
    public AiInvocationStatus status;

    @Column(nullable = false)
    public String provider;

    @Column(nullable = false)
    public String model;

    @Column(name = "input_tokens")
    public Integer inputTokens;

    @Column(name = "output_tokens")
    public Integer outputTokens;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "first_token_at")
    public Instant firstTokenAt;

    @Column(name = "finished_at")
    public Instant finishedAt;

    @Column(name = "error_code")
    public String errorCode;

    @Column(name = "error_message")
    public String errorMessage;

    protected AiInvocation() {}

    public AiInvocation(UUID chatId, UUID requestedBy, UUID promptMessageId, String provider, String model) {
        this.id = UuidV7.next();
        this.chatId = chatId;
        this.requestedBy = requestedBy;
        this.promptMessageId = promptMessageId;
        this.provider = provider;
        this.model = model;
        this.status = AiInvocationStatus.PENDING;
        this.createdAt = Instant.now();
    }
}
