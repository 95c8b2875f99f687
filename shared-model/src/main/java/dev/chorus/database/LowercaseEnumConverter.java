package dev.chorus.database;

import jakarta.persistence.AttributeConverter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Stores an enum as its lowercase name, the form the migrations' CHECK constraints and the wire format use.
 * Subclasses only name the enum's values, so no reflection is needed (native images stay simple).
 */
public abstract class LowercaseEnumConverter<E extends Enum<E>> implements AttributeConverter<E, String> {

    private final Map<String, E> byColumnValue = new HashMap<>();

    protected LowercaseEnumConverter(E[] values) {
        for (E value : values) {
            byColumnValue.put(columnValue(value), value);
        }
    }

    public static String columnValue(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public String convertToDatabaseColumn(E value) {
        return value == null ? null : columnValue(value);
    }

    @Override
    public E convertToEntityAttribute(String column) {
        if (column == null) {
            return null;
        }
        E value = byColumnValue.get(column);
        if (value == null) {
            throw new IllegalStateException("unknown value in the database: " + column);
        }
        return value;
    }
}
