package dev.chorus.config;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Turns the variables that platforms hand out into Quarkus settings: {@code PORT} into the HTTP port and
 * {@code DATABASE_URL} into the reactive and JDBC datasource settings.
 *
 * <p>Its ordinal sits between application.properties (250) and environment variables (300), so the usual Quarkus
 * keys, set as environment variables or system properties, still win.
 */
public class PlatformConfigSourceFactory implements ConfigSourceFactory {

    static final int ORDINAL = 275;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        return List.of(new PropertiesConfigSource(
                derive(value(context, "PORT"), value(context, "DATABASE_URL")), "chorus platform variables", ORDINAL));
    }

    @Override
    public OptionalInt getPriority() {
        return OptionalInt.of(ORDINAL);
    }

    static Map<String, String> derive(String port, String databaseUrl) {
        Map<String, String> settings = new HashMap<>();
        if (port != null && !port.isBlank()) {
            settings.put("quarkus.http.port", requirePort(port.strip()));
        }
        if (databaseUrl != null && !databaseUrl.isBlank()) {
            DatabaseUrl url = DatabaseUrl.parse(databaseUrl);
            settings.put("quarkus.datasource.reactive.url", url.reactiveUrl());
            settings.put("quarkus.datasource.jdbc.url", url.jdbcUrl());
            if (url.username() != null) {
                settings.put("quarkus.datasource.username", url.username());
            }
            if (url.password() != null) {
                settings.put("quarkus.datasource.password", url.password());
            }
            // libpq's "require" encrypts without checking the certificate; the reactive client needs to be told.
            if (url.sslMode().equals("require")) {
                settings.put("quarkus.datasource.reactive.trust-all", "true");
            }
        }
        return settings;
    }

    private static String requirePort(String port) {
        try {
            int number = Integer.parseInt(port);
            if (number >= 1 && number <= 65535) {
                return port;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ConfigurationException("PORT must be a number from 1 to 65535, not '" + port + "'.");
    }

    private static String value(ConfigSourceContext context, String name) {
        ConfigValue value = context.getValue(name);
        return value == null ? null : value.getValue();
    }
}
