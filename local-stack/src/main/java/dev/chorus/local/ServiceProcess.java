package dev.chorus.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A packaged Chorus service running as its own process, started the way a platform starts it: a jar, a port and
 * environment variables. Its output goes to a log file.
 */
public final class ServiceProcess implements AutoCloseable {

    /** The heap of a 512 MiB container, which the services are deployed in; it takes precedence over the options file's. */
    public static final String HEAP = "-Xmx512m";

    /** The JVM options of {@link #jvmOptions(Path)}, as benchmark results describe them. */
    public static final String JVM_OPTIONS_DESCRIPTION = HEAP + " @deploy/jvm/<service>.options";

    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final ProcessBuilder builder;
    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(String name, ProcessBuilder builder, Path log, int port) throws IOException {
        this.name = name;
        this.builder = builder;
        this.process = builder.start();
        this.log = log;
        this.port = port;
    }

    /**
     * Starts {@code quarkus-run.jar} with the given environment on {@code port} (0 picks a free one), writing its
     * output to {@code log}. The variables of this process that would mislead the service are not passed on.
     */
    public static ServiceProcess start(String name, Path jar, int port, Map<String, String> environment, Path log) {
        return start(name, jar, port, environment, log, List.of());
    }

    /** As {@link #start(String, Path, int, Map, Path)}, with extra options for the JVM (a benchmark's AOT cache). */
    public static ServiceProcess start(
            String name, Path jar, int port, Map<String, String> environment, Path log, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // No --add-opens: the runner jar's manifest opens java.lang for Quarkus' thread pool (README, Requirements).
        command.addAll(jvmOptions(jar));
        command.addAll(jvmOptions);
        command.add("-jar");
        command.add(jar.toAbsolutePath().toString());
        return launch(name, command, port, environment, log);
    }

    /**
     * The heap, then the service's JVM options file, which the JVM image starts it with too (its collector):
     * {@code deploy/jvm/<service>.options}, found from the jar's place in the repository,
     * {@code <service>/target/quarkus-app/quarkus-run.jar}.
     */
    public static List<String> jvmOptions(Path jar) {
        Path module = jar.toAbsolutePath().getParent().getParent().getParent();
        Path options = module.resolveSibling("deploy/jvm/" + module.getFileName() + ".options");
        if (!Files.isRegularFile(options)) {
            throw new IllegalArgumentException("no JVM options file for " + jar + ": " + options);
        }
        return List.of(HEAP, "@" + options);
    }

    /** Starts a service's native executable ({@code target/*-runner}) the same way: a port and the environment. */
    public static ServiceProcess startExecutable(
            String name, Path executable, int port, Map<String, String> environment, Path log) {
        return launch(name, List.of(executable.toAbsolutePath().toString()), port, environment, log);
    }

    private static ServiceProcess launch(
            String name, List<String> command, int port, Map<String, String> environment, Path log) {
        int chosenPort = port == 0 ? freePort() : port;
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().remove("DATABASE_URL");
            builder.environment().put("PORT", Integer.toString(chosenPort));
            builder.environment().putAll(environment);
            return new ServiceProcess(name, builder, log, chosenPort);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " with " + command.getLast(), e);
        }
    }

    /** Starts any other program that serves HTTP on {@code port} (the load balancer), logging to {@code log}. */
    static ServiceProcess run(String name, List<String> command, int port, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            return new ServiceProcess(name, builder, log, port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
    }

    /**
     * Starts the current module's packaged jar ({@code target/quarkus-app}) on a free port, logging to a new file
     * under {@code target/processes}: how tests run a service the way a platform does.
     */
    public static ServiceProcess startPackaged(String name, Map<String, String> environment) {
        return start(
                name,
                Path.of("target/quarkus-app/quarkus-run.jar"),
                0,
                environment,
                Path.of("target/processes", name + "-" + System.nanoTime() + ".log"));
    }

    public String name() {
        return name;
    }

    public int port() {
        return port;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log;
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    public long pid() {
        return process.pid();
    }

    /**
     * The same program started again, on the same port with the same environment, after this one has ended (a
     * platform restarting a crashed or replaced instance). Its output goes on in the same log.
     */
    public ServiceProcess relaunch() {
        if (process.isAlive()) {
            throw new IllegalStateException(name + " still runs; stop it before starting it again");
        }
        try {
            return new ServiceProcess(
                    name, builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())), log, port);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name + " again", e);
        }
    }

    /** Ends the process at once with SIGKILL, as a crash or an out-of-memory kill would: no shutdown hooks run. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException(name + " did not die from SIGKILL within 10 s");
        }
    }

    /** Waits for the process to end by itself and returns its exit code. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " still runs after " + timeout + "; see " + log);
        }
        return process.exitValue();
    }

    /** Waits until {@code path} answers 200, or fails with the end of the log. */
    public void awaitHttpOk(String path, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path))
                .timeout(Duration.ofSeconds(3))
                .build();
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with code " + process.exitValue() + ":\n" + tail());
            }
            try {
                if (HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYetListening) {
                // keep polling until the deadline
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(
                name + " did not answer 200 on " + path + " within " + timeout + ":\n" + tail());
    }

    /** Waits until the output has a line that matches, or fails with the output so far. */
    public String awaitLine(Predicate<String> matches, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            for (String line : output().split("\n")) {
                if (matches.test(line)) {
                    return line;
                }
            }
            if (!process.isAlive()) {
                break;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(name + ": no matching line within " + timeout + "; output:\n" + output());
    }

    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String tail() {
        List<String> lines = output().lines().toList();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    }

    /** Asks the service to stop (SIGTERM, as platforms do), and kills it if it has not within 20 seconds. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
