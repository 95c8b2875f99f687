package dev.chorus.config;

import io.quarkus.runtime.configuration.ConfigurationException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A PostgreSQL URL in the {@code postgres://user:password@host:port/database?sslmode=require} form that Railway,
 * Heroku, Neon and Cloud SQL proxies hand out, turned into what the reactive client and the JDBC driver expect.
 *
 * <p>Error messages never repeat the URL, since it carries the password.
 */
public record DatabaseUrl(
        String host, int port, String database, String username, String password, Map<String, String> parameters) {

    private static final int DEFAULT_PORT = 5432;
    private static final Set<String> SCHEMES = Set.of("postgres", "postgresql");
    private static final Set<String> SSL_MODES =
            Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

    public static DatabaseUrl parse(String url) {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw invalid("it is not a URL (" + e.getReason() + ")");
        }
        if (uri.getScheme() == null || !SCHEMES.contains(uri.getScheme())) {
            throw invalid("it must start with postgres:// or postgresql://");
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            throw invalid("it names no host, or the host is not valid");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        String database = decode(path.startsWith("/") ? path.substring(1) : path);
        if (database.isBlank() || database.contains("/")) {
            throw invalid("it must name one database after the host, as in postgres://host:5432/chorus");
        }
        String username = null;
        String password = null;
        if (uri.getRawUserInfo() != null) {
            String[] userInfo = uri.getRawUserInfo().split(":", 2);
            username = decode(userInfo[0]);
            password = userInfo.length == 2 ? decode(userInfo[1]) : null;
        }
        Map<String, String> parameters = parseQuery(uri.getRawQuery());
        String sslMode = parameters.get("sslmode");
        if (sslMode != null && !SSL_MODES.contains(sslMode)) {
            throw invalid("sslmode must be one of "
                    + String.join(", ", SSL_MODES.stream().sorted().toList()));
        }
        return new DatabaseUrl(
                uri.getHost(),
                uri.getPort() == -1 ? DEFAULT_PORT : uri.getPort(),
                database,
                username,
                password,
                parameters);
    }

    /** For quarkus.datasource.reactive.url. */
    public String reactiveUrl() {
        return "postgresql://" + hostAndPort() + "/" + database + sslQuery();
    }

    /** For quarkus.datasource.jdbc.url. */
    public String jdbcUrl() {
        return "jdbc:postgresql://" + hostAndPort() + "/" + database + sslQuery();
    }

    public String sslMode() {
        return parameters.getOrDefault("sslmode", "prefer");
    }

    /** The URL without credentials: safe to log. */
    public String redacted() {
        return "postgres://" + hostAndPort() + "/" + database;
    }

    private String hostAndPort() {
        String printedHost = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return printedHost + ":" + port;
    }

    private String sslQuery() {
        return parameters.containsKey("sslmode") ? "?sslmode=" + parameters.get("sslmode") : "";
    }

    private static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> parameters = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return parameters;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            String[] keyValue = pair.split("=", 2);
            parameters.put(decode(keyValue[0]), keyValue.length == 2 ? decode(keyValue[1]) : "");
        }
        return parameters;
    }

    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("it has a malformed %-escape");
        }
    }

    private static InvalidDatabaseUrlException invalid(String reason) {
        return new InvalidDatabaseUrlException("DATABASE_URL is not valid: " + reason + ".");
    }

    /** A configuration error: Quarkus prints its message alone, one line, instead of a stack trace. */
    public static class InvalidDatabaseUrlException extends ConfigurationException {
        public InvalidDatabaseUrlException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return redacted();
    }
}
