package dev.chorus.ai;

import dev.chorus.database.LowercaseEnumConverter;

public enum AiInvocationStatus {
    PENDING,
    STREAMING,
    SUCCEEDED,
    FAILED,
    CANCELLED,
    TIMED_OUT;

    public boolean isRunning() {
        return this == PENDING || this == STREAMING;
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<AiInvocationStatus> {
        public Converter() {
            super(values());
        }
    }
}
