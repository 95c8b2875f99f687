package dev.chorus.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

import dev.chorus.database.Schema;
import dev.chorus.testing.PostgresTestResource;
import dev.chorus.testing.ServiceHealthContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
class HealthTest extends ServiceHealthContract {

    @Test
    void apiHealthReportsEachDependencyAndAnswers200WhenAllAreUp() {
        given().get("/api/health")
                .then()
                .statusCode(200)
                .contentType("application/json")
                .body("status", is("UP"))
                .body("checks.find { it.name == 'database' }.status", is("UP"))
                .body("checks.find { it.name == 'database' }.data.schemaVersion", is(Schema.VERSION));
    }
}
