package dev.chorus.message;

import dev.chorus.database.LowercaseEnumConverter;
import io.quarkus.runtime.annotations.RegisterForReflection;

@RegisterForReflection
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
