package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/asyncapi.yaml is a valid AsyncAPI document (tools/asyncapi-lint) and tells the truth: it lists exactly the
 * frames the server sends, the frame types it accepts, and the error codes it uses.
 */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class AsyncApiDocumentTest extends SocketTestBase {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static Set<String> clientFrames;
    private static Set<String> serverFrames;
    private static Set<String> errorCodes;

    @BeforeAll
    static void validate() throws Exception {
        Path validator = ROOT.resolve("tools/asyncapi-lint/validate.mjs");
        assertThat(ROOT.resolve("tools/asyncapi-lint/node_modules/@asyncapi/parser"))
                .as("installed by the build (npm ci in tools/asyncapi-lint)")
                .exists();
        Process run = new ProcessBuilder(
                        "node",
                        validator.toString(),
                        ROOT.resolve("docs/asyncapi.yaml").toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(output).isZero();

        Set<String> frames = listed(output, "frames");
        clientFrames = withoutPrefix(frames, "client.");
        serverFrames = withoutPrefix(frames, "server.");
        errorCodes = listed(output, "error-codes");
    }

    @Test
    void everyServerFrameIsDocumented() {
        Set<String> sent = Arrays.stream(Frames.ServerFrame.class.getPermittedSubclasses())
                .map(type -> type.getSimpleName()
                        .replaceAll("([a-z])([A-Z])", "$1-$2")
                        .toLowerCase())
                .collect(Collectors.toCollection(TreeSet::new));
        assertThat(serverFrames).isEqualTo(sent);
    }

    @Test
    void everyDocumentedClientFrameIsUnderstoodAndNoOtherIs() throws Exception {
        try (Client client = connect(newUser())) {
            for (String type : clientFrames) {
                client.send(new JsonObject().put("type", type));
                JsonObject reply = client.next();
                assertThat(reply.getString("code")).as(type).isNotEqualTo("unknown-type");
            }
            client.send(new JsonObject().put("type", "no-such-frame"));
            assertThat(client.next().getString("code")).isEqualTo("unknown-type");
        }
        assertThat(clientFrames).contains("subscribe", "unsubscribe", "send", "typing", "read", "auth", "ping");
    }

    @Test
    void theErrorCodesAreTheOnesTheServerUses() throws Exception {
        Pattern errorCode = Pattern.compile("new Frames\\.Error\\(\\s*\"([a-z-]+)\"");
        Set<String> used = new TreeSet<>();
        try (Stream<Path> sources = Files.list(Path.of("src/main/java/dev/chorus/ws"))) {
            for (Path source : sources.toList()) {
                Matcher matcher = errorCode.matcher(Files.readString(source));
                while (matcher.find()) {
                    used.add(matcher.group(1));
                }
            }
        }
        assertThat(errorCodes).isEqualTo(used);
    }

    private static Set<String> listed(String output, String label) {
        return output.lines()
                .filter(line -> line.startsWith(label + ": "))
                .findFirst()
                .map(line -> Arrays.stream(line.substring(label.length() + 2).split(","))
                        .collect(Collectors.toCollection(TreeSet::new)))
                .orElseThrow(() -> new AssertionError("no '" + label + ":' line in\n" + output));
    }

    private static Set<String> withoutPrefix(Set<String> names, String prefix) {
        return names.stream()
                .filter(name -> name.startsWith(prefix))
                .map(name -> name.substring(prefix.length()))
                .collect(Collectors.toCollection(TreeSet::new));
    }
}
