package dev.chorus.usage;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.LocalDate;
import java.util.UUID;

/** One chat's usage on one day (UTC), written by the rollup job. */
@Entity
@Table(name = "usage_daily_chat")
@IdClass(UsageDailyChat.Key.class)
public class UsageDailyChat extends PanacheEntityBase {

    @Id
    public LocalDate day;

    @Id
    @Column(name = "chat_id")
    public UUID chatId;

    public long messages;

    @Column(name = "ai_invocations")
    public long aiInvocations;

    @Column(name = "ai_input_tokens")
    public long aiInputTokens;

    @Column(name = "ai_output_tokens")
    public long aiOutputTokens;

    public record Key(LocalDate day, UUID chatId) implements Serializable {}
}
