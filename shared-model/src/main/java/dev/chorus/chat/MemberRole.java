package dev.chorus.chat;

import dev.chorus.database.LowercaseEnumConverter;

/** Declared from the most to the least powerful. */
public enum MemberRole {
    OWNER,
    ADMIN,
    MEMBER;

    public boolean outranks(MemberRole other) {
        return ordinal() < other.ordinal();
    }

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<MemberRole> {
        public Converter() {
            super(values());
        }
    }
}
