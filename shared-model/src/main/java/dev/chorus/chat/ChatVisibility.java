package dev.chorus.chat;

import dev.chorus.database.LowercaseEnumConverter;

public enum ChatVisibility {
    PRIVATE,
    PUBLIC;

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<ChatVisibility> {
        public Converter() {
            super(values());
        }
    }
}
