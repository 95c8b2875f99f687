package dev.chorus.message;

import java.time.Instant;
import java.util.UUID;

/** What the database assigned when a message was appended. */
public record AppendedMessage(UUID id, UUID chatId, long seq, Instant createdAt) {}
