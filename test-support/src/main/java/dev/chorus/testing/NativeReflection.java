package dev.chorus.testing;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a native image needs registered: Jackson reads and writes records and enums by reflection, and Quarkus
 * registers only the types it sees in REST endpoints and entities. Types written or read with an
 * {@code ObjectMapper} by hand (WebSocket frames, NOTIFY payloads) must carry {@link RegisterForReflection}
 * themselves or through their enclosing class; this finds the ones that do not.
 */
public final class NativeReflection {

    private NativeReflection() {}

    /**
     * The project's records and enums reachable from {@code roots} (their nested classes, record components and
     * type arguments) that a native image would not have registered for reflection.
     */
    public static List<String> unregistered(Class<?>... roots) {
        Set<Class<?>> seen = new LinkedHashSet<>();
        Deque<Class<?>> pending = new ArrayDeque<>(Arrays.asList(roots));
        while (!pending.isEmpty()) {
            Class<?> type = pending.pop();
            if (!type.getName().startsWith("dev.chorus.") || !seen.add(type)) {
                continue;
            }
            pending.addAll(Arrays.asList(type.getDeclaredClasses()));
            if (type.isRecord()) {
                for (RecordComponent component : type.getRecordComponents()) {
                    collect(component.getGenericType(), pending);
                }
            }
        }
        return seen.stream()
                .filter(type -> type.isRecord() || type.isEnum())
                .filter(type -> !registered(type))
                .map(Class::getName)
                .toList();
    }

    private static void collect(Type type, Deque<Class<?>> pending) {
        switch (type) {
            case Class<?> plain -> pending.add(plain.isArray() ? plain.getComponentType() : plain);
            case ParameterizedType generic -> {
                collect(generic.getRawType(), pending);
                Arrays.stream(generic.getActualTypeArguments()).forEach(argument -> collect(argument, pending));
            }
            case GenericArrayType array -> collect(array.getGenericComponentType(), pending);
            default -> {
                // wildcards and type variables name no concrete type
            }
        }
    }

    private static boolean registered(Class<?> type) {
        if (type.isAnnotationPresent(RegisterForReflection.class)) {
            return true;
        }
        for (Class<?> outer = type.getEnclosingClass(); outer != null; outer = outer.getEnclosingClass()) {
            RegisterForReflection annotation = outer.getAnnotation(RegisterForReflection.class);
            if (annotation != null && !annotation.ignoreNested()) {
                return true;
            }
        }
        return false;
    }
}
