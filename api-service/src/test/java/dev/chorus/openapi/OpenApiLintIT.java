package dev.chorus.openapi;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged service's OpenAPI document passes Redocly's linter with the rules in tools/openapi-lint. */
@QuarkusIntegrationTest
@WithTestResource(PostgresTestResource.class)
class OpenApiLintIT {

    private static final Path LINTER =
            Path.of("../tools/openapi-lint").toAbsolutePath().normalize();

    @Test
    void theOpenApiDocumentPassesTheLinter() throws Exception {
        String document = given().queryParam("format", "json")
                .get("/q/openapi")
                .then()
                .statusCode(200)
                .extract()
                .asString();
        Path file = Path.of("target/openapi.json").toAbsolutePath();
        Files.writeString(file, document);
        Path redocly = LINTER.resolve("node_modules/.bin/redocly");
        assertThat(redocly)
                .as("installed by the build (npm ci in tools/openapi-lint)")
                .exists();

        Process lint = new ProcessBuilder(
                        redocly.toString(),
                        "lint",
                        file.toString(),
                        "--config",
                        LINTER.resolve("redocly.yaml").toString(),
                        "--format=summary")
                .redirectErrorStream(true)
                .start();
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(lint.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(lint.exitValue()).as(output).isZero();
        assertThat(document).contains("\"/api/chats/{chatId}/messages\"", "\"bearer\"");
    }

    @Test
    void swaggerUiIsOffInProductionUnlessEnabled() {
        given().get("/q/swagger-ui/").then().statusCode(404);
    }
}
