package dev.chorus.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A real PostgreSQL from Maven Central's embedded binaries: no installation, no Docker. */
public final class EmbeddedDatabase implements AutoCloseable {

    private final EmbeddedPostgres server;

    private EmbeddedDatabase(EmbeddedPostgres server) {
        this.server = server;
    }

    /**
     * Starts a new, empty server with its files in {@code directory}. With {@code throwAway} the server trades
     * durability for speed (tests); otherwise it keeps PostgreSQL's defaults.
     */
    public static EmbeddedDatabase start(Path directory, int port, boolean throwAway) {
        Path workingDirectory = directory.toAbsolutePath();
        try {
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(workingDirectory.toFile())
                    .setDataDirectory(workingDirectory
                            .resolve("data-" + ProcessHandle.current().pid())
                            .toFile())
                    .setCleanDataDirectory(true)
                    .setServerConfig("max_connections", "300");
            if (port != 0) {
                builder.setPort(port);
            }
            if (throwAway) {
                builder.setServerConfig("fsync", "off")
                        .setServerConfig("synchronous_commit", "off")
                        .setServerConfig("full_page_writes", "off");
            }
            return new EmbeddedDatabase(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start embedded PostgreSQL in " + workingDirectory, e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** The superuser's database, in the form platforms hand out as DATABASE_URL. */
    public String databaseUrl() {
        return "postgres://postgres:postgres@127.0.0.1:" + port() + "/postgres";
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            System.err.println("could not stop embedded PostgreSQL: " + e.getMessage());
        }
    }
}
