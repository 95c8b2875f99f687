package dev.chorus.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import dev.chorus.local.LocalStack;
import dev.chorus.local.ServiceProcess;
import dev.chorus.local.StackOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the README's run command does, checked the way a new user checks it: with curl against each service. */
class LocalStackIT {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @Test
    void theStackBringsUpEveryServiceOnOneMigratedDatabaseAndStopsThemAll() throws Exception {
        StackOptions options =
                StackOptions.parse(new String[] {"--logs", "e2e-tests/target/local-stack-it/logs"}, Map.of(), ROOT);
        List<ServiceProcess> services;
        try (LocalStack stack = LocalStack.start(options)) {
            services = stack.services();
            assertThat(services)
                    .extracting(ServiceProcess::name)
                    .containsExactly("api-service-1", "ws-service-1", "cron-service-1");
            for (ServiceProcess service : services) {
                given().baseUri(service.baseUrl())
                        .get("/health")
                        .then()
                        .statusCode(200)
                        .body("status", is("UP"));
                given().baseUri(service.baseUrl())
                        .get("/q/health/ready")
                        .then()
                        .statusCode(200)
                        .body("checks.find { it.name == 'database' }.status", is("UP"));
                assertThat(service.log()).exists();
            }
            given().baseUri(services.getFirst().baseUrl())
                    .get("/api/health")
                    .then()
                    .statusCode(200)
                    .body("status", is("UP"));
            assertThat(Files.readString(options.logs().resolve("migration.log")))
                    .contains("Database migrated: ");
        }
        assertThat(services).noneMatch(ServiceProcess::isAlive);
    }
}
