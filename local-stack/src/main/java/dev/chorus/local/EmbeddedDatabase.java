package dev.chorus.local;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A real PostgreSQL from Maven Central's embedded binaries: no installation, no Docker. */
public final class EmbeddedDatabase implements AutoCloseable {

    private final EmbeddedPostgres server;
    private final Path dataDirectory;
    /** The server's command line while it was last up, to start it again exactly so (port and settings). */
    private List<String> serverCommand;

    private EmbeddedDatabase(EmbeddedPostgres server, Path dataDirectory) {
        this.server = server;
        this.dataDirectory = dataDirectory;
    }

    /**
     * Starts a new, empty server with its files in {@code directory}. With {@code throwAway} the server trades
     * durability for speed (tests); otherwise it keeps PostgreSQL's defaults.
     */
    public static EmbeddedDatabase start(Path directory, int port, boolean throwAway) {
        return start(directory, port, throwAway, Map.of());
    }

    /** As {@link #start(Path, int, boolean)}, with server settings of the caller's on top. */
    public static EmbeddedDatabase start(Path directory, int port, boolean throwAway, Map<String, String> settings) {
        Path workingDirectory = directory.toAbsolutePath();
        try {
            Path dataDirectory =
                    workingDirectory.resolve("data-" + ProcessHandle.current().pid());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setOverrideWorkingDirectory(workingDirectory.toFile())
                    .setDataDirectory(dataDirectory.toFile())
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
            settings.forEach(builder::setServerConfig);
            return new EmbeddedDatabase(builder.start(), dataDirectory);
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

    /**
     * Shuts the server down the way an operator's restart or a failover does (a fast shutdown: every session is
     * ended), keeping its data for {@link #startAgain()}. A signal rather than pg_ctl, which refuses to run as root.
     */
    public void stop() {
        try {
            serverCommand = serverCommand();
            long pid = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                    .getFirst()
                    .strip());
            run("kill", "-INT", Long.toString(pid));
            ProcessHandle postmaster = ProcessHandle.of(pid).orElse(null);
            if (postmaster != null) {
                postmaster.onExit().get(60, TimeUnit.SECONDS);
            }
        } catch (IOException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("could not stop PostgreSQL", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping PostgreSQL", e);
        }
    }

    /** Starts the server stopped by {@link #stop()} again, on the same port with the same settings. */
    public void startAgain() {
        if (serverCommand == null) {
            throw new IllegalStateException("the server was not stopped");
        }
        try {
            List<String> command = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                // As the embedded library does: the server refuses root, and is not root in a user namespace.
                command.addAll(List.of("unshare", "-U"));
            }
            command.addAll(serverCommand);
            new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(
                            dataDirectory.resolve("restarted.log").toFile()))
                    .start();
            java.time.Instant deadline = java.time.Instant.now().plusSeconds(60);
            while (!ready()) {
                if (java.time.Instant.now().isAfter(deadline)) {
                    throw new IllegalStateException("PostgreSQL did not become ready again within 60 s; see "
                            + dataDirectory.resolve("restarted.log"));
                }
                Thread.sleep(50);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL again", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting PostgreSQL", e);
        }
    }

    /** The server writes "ready" as the last line of postmaster.pid once it accepts connections. */
    private boolean ready() throws IOException {
        Path pidFile = dataDirectory.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return false;
        }
        List<String> lines = Files.readAllLines(pidFile);
        return !lines.isEmpty() && lines.getLast().strip().equals("ready");
    }

    /** The running server's command line, from postmaster.opts. */
    private List<String> serverCommand() throws IOException {
        List<String> words = new ArrayList<>();
        Matcher word = Pattern.compile("\"([^\"]*)\"|(\\S+)")
                .matcher(Files.readString(dataDirectory.resolve("postmaster.opts"))
                        .strip());
        while (word.find()) {
            words.add(word.group(1) != null ? word.group(1) : word.group(2));
        }
        return words;
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (process.waitFor() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + output);
        }
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
