package dev.chorus.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command in the repository's root and keeps what it printed. */
record Commands(Path root) {

    static final Commands IN_REPOSITORY =
            new Commands(Path.of("..").toAbsolutePath().normalize());

    record Result(int exitCode, String output) {}

    Result run(List<String> command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("deploy-check", ".log");
        try {
            Process process = new ProcessBuilder(command)
                    .directory(root.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " still runs after 5 minutes");
            }
            return new Result(process.exitValue(), Files.readString(log));
        } catch (IOException e) {
            throw new IOException(
                    command.getFirst() + " could not be started; is it installed? (see README, Requirements)", e);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    Result run(String... command) throws IOException, InterruptedException {
        return run(List.of(command));
    }
}
