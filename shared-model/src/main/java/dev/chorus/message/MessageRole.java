package dev.chorus.message;

import dev.chorus.database.LowercaseEnumConverter;

public enum MessageRole {
    USER,
    ASSISTANT,
    SYSTEM;

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<MessageRole> {
        public Converter() {
            super(values());
        }
    }
}
