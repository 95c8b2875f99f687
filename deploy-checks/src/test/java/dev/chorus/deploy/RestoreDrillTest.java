package dev.chorus.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/scripts/restore-drill.sh against a real PostgreSQL: a migrated, seeded Chorus database is dumped, restored
 * into a scratch database and checked, as an operator does after a backup or a point-in-time clone.
 */
class RestoreDrillTest {

    private static final Commands SHELL = Commands.IN_REPOSITORY;
    private static EmbeddedPostgres server;

    @BeforeAll
    static void startServer() throws Exception {
        server = EmbeddedPostgres.builder()
                .setOverrideWorkingDirectory(
                        Path.of("target/drill-postgres").toAbsolutePath().toFile())
                .start();
    }

    @AfterAll
    static void stopServer() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aDumpRestoresIntoAScratchDatabaseAndPassesEveryCheck() throws Exception {
        String source = seededDatabase("chorus_healthy");

        Commands.Result drill = drill(source);

        assertThat(drill.exitCode()).as(drill.output()).isZero();
        assertThat(drill.output())
                .containsPattern("ok +schema version \\d+")
                .contains("ok   foreign keys checked")
                .contains("ok   sequence numbers per chat (0 holes left by retention)")
                .contains("ok   every table has as many rows as the source's")
                .contains("ok   every chat's sequence is the source's (2 chats)")
                .contains("messages 75")
                .contains("restore drill passed");
        assertThat(scratchDatabases())
                .as("the scratch database is dropped afterwards")
                .isZero();
    }

    @Test
    void messagesPastTheirChatsHeadFailTheDrill() throws Exception {
        String source = seededDatabase("chorus_broken_head");
        try (Connection connection = connect(source);
                Statement statement = connection.createStatement()) {
            statement.execute("UPDATE chats SET last_message_seq = last_message_seq - 2 WHERE name = 'general'");
        }

        Commands.Result drill = drill(source);

        assertThat(drill.exitCode()).as(drill.output()).isEqualTo(1);
        assertThat(drill.output())
                .contains("FAIL 2 messages have a sequence number beyond their chat's head")
                .contains("restore drill FAILED");
        assertThat(scratchDatabases()).isZero();
    }

    @Test
    void anUnknownOptionIsAUsageError() throws Exception {
        Commands.Result drill = SHELL.run("deploy/scripts/restore-drill.sh", "--admin", "x");

        assertThat(drill.exitCode()).isEqualTo(2);
        assertThat(drill.output()).contains("unknown option: --admin").contains("--source-url URL");
    }

    private static Commands.Result drill(String sourceDatabase) throws Exception {
        return SHELL.run(
                "deploy/scripts/restore-drill.sh", "--admin-url", url("postgres"), "--source-url", url(sourceDatabase));
    }

    /** A new database with every migration applied and two chats' worth of users, members and messages. */
    private static String seededDatabase(String name) throws SQLException {
        try (Connection admin = connect("postgres");
                Statement statement = admin.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        Flyway.configure()
                .dataSource(jdbcUrl(name), "postgres", "postgres")
                .locations("filesystem:"
                        + Path.of("../shared-model/src/main/resources/db/migration")
                                .toAbsolutePath())
                .load()
                .migrate();
        try (Connection connection = connect(name);
                Statement statement = connection.createStatement()) {
            UUID ada = UUID.randomUUID();
            UUID bo = UUID.randomUUID();
            statement.execute(
                    "INSERT INTO users (id, email, display_name, password_hash) VALUES ('%s', 'ada@example.com',"
                                    .formatted(ada)
                            + " 'Ada', 'x'), ('%s', 'bo@example.com', 'Bo', 'x')".formatted(bo));
            seedChat(statement, "general", ada, bo, 50);
            seedChat(statement, "random", bo, ada, 25);
        }
        return name;
    }

    private static void seedChat(Statement statement, String name, UUID owner, UUID member, int messages)
            throws SQLException {
        UUID chat = UUID.randomUUID();
        statement.execute("INSERT INTO chats (id, name, created_by, last_message_seq) VALUES ('%s', '%s', '%s', %d)"
                .formatted(chat, name, owner, messages));
        statement.execute(("INSERT INTO chat_members (id, chat_id, user_id, role, last_read_seq) VALUES"
                        + " ('%s', '%s', '%s', 'owner', %d), ('%s', '%s', '%s', 'member', 3)")
                .formatted(UUID.randomUUID(), chat, owner, messages, UUID.randomUUID(), chat, member));
        statement.execute(("INSERT INTO messages (id, chat_id, seq, sender_id, role, content, client_message_id)"
                        + " SELECT gen_random_uuid(), '%s', seq, CASE WHEN seq %% 2 = 0 THEN '%s' ELSE '%s' END::uuid,"
                        + " 'user', 'message ' || seq, '%s-' || seq FROM generate_series(1, %d) AS seq")
                .formatted(chat, owner, member, name, messages));
        // A reply, so that the messages' reference to themselves is restored and checked too.
        statement.execute(
                ("UPDATE messages SET reply_to_id = (SELECT id FROM messages WHERE chat_id = '%s' AND seq = 1)"
                                + " WHERE chat_id = '%s' AND seq = 2")
                        .formatted(chat, chat));
    }

    private static int scratchDatabases() throws SQLException {
        try (Connection admin = connect("postgres");
                Statement statement = admin.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT count(*) FROM pg_database WHERE datname LIKE 'chorus_restore_drill_%'")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static Connection connect(String database) throws SQLException {
        return DriverManager.getConnection(jdbcUrl(database), "postgres", "postgres");
    }

    private static String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + server.getPort() + "/" + database;
    }

    private static String url(String database) {
        return "postgres://postgres:postgres@127.0.0.1:" + server.getPort() + "/" + database;
    }
}
