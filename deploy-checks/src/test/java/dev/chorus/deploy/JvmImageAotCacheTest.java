package dev.chorus.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What deploy/docker/Dockerfile.jvm does inside the image, done here on cron-service's packaged jar (the reactor
 * packages it before this module): the training run writes the AOT cache, and the image's own start command, with
 * the JVM told to refuse to start without the cache, starts the service from it.
 */
class JvmImageAotCacheTest {

    private static final Path ROOT = Commands.IN_REPOSITORY.root();
    private static final Path PACKAGED = ROOT.resolve("cron-service/target/quarkus-app");
    private static final List<String> SERVICES = List.of("api-service", "ws-service", "cron-service");

    private final List<Process> started = new ArrayList<>();
    private Path deployments;

    @AfterEach
    void stopAndCleanUp() throws IOException {
        started.forEach(Process::destroyForcibly);
        if (deployments != null) {
            try (Stream<Path> files = Files.walk(deployments)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    void theImagesTrainingRunWritesACacheItsStartCommandStartsTheServiceFrom() throws Exception {
        assertThat(PACKAGED.resolve("quarkus-run.jar"))
                .as("cron-service packaged (./mvnw package -pl cron-service)")
                .exists();
        deployments = Files.createTempDirectory("deployments");
        copyApplication(PACKAGED, deployments);
        Path jar = deployments.resolve("quarkus-run.jar");
        Path cache = deployments.resolve("app.aot");
        Path options = deployments.resolve("jvm.options");
        Files.copy(ROOT.resolve("deploy/jvm/cron-service.options"), options);

        Process training = start(List.of(
                ROOT.resolve("deploy/scripts/aot-training.sh").toString(),
                jar.toString(),
                options.toString(),
                cache.toString()));
        assertThat(training.waitFor(3, TimeUnit.MINUTES))
                .as("the training run ends")
                .isTrue();
        String trainingOutput = new String(training.getInputStream().readAllBytes());
        assertThat(training.exitValue()).as(trainingOutput).isZero();
        assertThat(cache).isNotEmptyFile();

        List<String> command = new ArrayList<>(imageEntrypoint());
        command.replaceAll(argument -> argument.replace("/deployments/", deployments + "/"));
        command.set(0, javaOfThisBuild());
        command.add(1, "-XX:AOTMode=on");
        Process service = start(command);

        String output = awaitOutput(service, "started in", Duration.ofSeconds(60));
        assertThat(output).as("the service started from the cache").contains("started in");
    }

    @Test
    void everyRailwayJavaCommandStartsFromTheImagesCacheAsTheTrainingNamedTheJar() throws Exception {
        assertThat(railwayJavaCommands()).hasSizeGreaterThanOrEqualTo(3).allSatisfy(command -> assertThat(command)
                .startsWith("java -XX:AOTCache=/deployments/app.aot ")
                .endsWith(" -jar /deployments/quarkus-run.jar")
                .doesNotContain("--add-opens"));
    }

    @Test
    void everyJavaStartOfTheImageReadsItsServicesJvmOptionsAsTheTrainingDid() throws Exception {
        List<String> commands = new ArrayList<>(railwayJavaCommands());
        commands.add(String.join(" ", imageEntrypoint()));
        List<String> dockerfile = Files.readAllLines(ROOT.resolve("deploy/docker/Dockerfile.jvm"));

        assertThat(dockerfile)
                .contains("COPY --from=build /code/deploy/jvm/${SERVICE}.options /deployments/jvm.options")
                .contains(
                        "RUN aot-training.sh /deployments/quarkus-run.jar /deployments/jvm.options /deployments/app.aot");
        assertThat(commands).hasSize(5).allSatisfy(command -> assertThat(command)
                .contains(" @/deployments/jvm.options "));
        for (String service : SERVICES) {
            assertThat(Files.readAllLines(ROOT.resolve("deploy/jvm/" + service + ".options")))
                    .as(service + "'s JVM options choose a collector")
                    .anyMatch(line -> line.matches("-XX:\\+Use\\w+GC"));
        }
    }

    /** Every java command of Railway's service configs: starts and pre-deploy commands. */
    private static List<String> railwayJavaCommands() throws IOException {
        List<String> commands = new ArrayList<>();
        for (String service : SERVICES) {
            JsonNode deploy = new ObjectMapper()
                    .readTree(
                            ROOT.resolve("deploy/railway/" + service + ".json").toFile())
                    .get("deploy");
            commands.add(deploy.path("startCommand").asText());
            deploy.path("preDeployCommand").forEach(command -> commands.add(command.asText()));
        }
        return commands;
    }

    /** The JSON form of Dockerfile.jvm's ENTRYPOINT: the image's start command, as written. */
    private static List<String> imageEntrypoint() throws IOException {
        String entrypoint = Files.readAllLines(ROOT.resolve("deploy/docker/Dockerfile.jvm")).stream()
                .filter(line -> line.startsWith("ENTRYPOINT "))
                .findFirst()
                .orElseThrow()
                .substring("ENTRYPOINT ".length());
        return new ObjectMapper().readValue(entrypoint, new TypeReference<>() {});
    }

    private static void copyApplication(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(target);
                } else if (!file.getFileName().toString().startsWith("app.aot")) {
                    Files.copy(file, target);
                }
            }
        }
    }

    /** The image's java is the JDK 25 the build runs on, not whatever java comes first on this machine's PATH. */
    private Process start(List<String> command) throws IOException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + environment.get("PATH"));
        environment.put("PORT", Integer.toString(freePort()));
        // No database in reach: the service starts all the same, and reports itself not ready.
        environment.put("DATABASE_URL", "postgresql://nobody:nothing@127.0.0.1:1/none");
        environment.remove("JAVA_TOOL_OPTIONS");
        environment.remove("JDK_JAVA_OPTIONS");
        Process process = builder.start();
        started.add(process);
        return process;
    }

    private static String javaOfThisBuild() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** What the process printed until {@code line} appeared, it ended, or the time ran out. */
    private static String awaitOutput(Process process, String line, Duration timeout) throws Exception {
        StringBuilder output = new StringBuilder();
        Thread reader = Thread.ofVirtual().start(() -> {
            try (var lines = process.inputReader()) {
                for (String next; (next = lines.readLine()) != null; ) {
                    synchronized (output) {
                        output.append(next).append('\n');
                    }
                }
            } catch (IOException ignored) {
                // the process was stopped
            }
        });
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline) && process.isAlive()) {
            synchronized (output) {
                if (output.toString().contains(line)) {
                    break;
                }
            }
            Thread.sleep(100);
        }
        reader.join(1000);
        synchronized (output) {
            return output.toString();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
