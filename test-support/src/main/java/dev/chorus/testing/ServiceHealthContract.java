package dev.chorus.testing;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;

import org.junit.jupiter.api.Test;

/** What every Chorus service answers on its health endpoints while its database is up and migrated. */
public abstract class ServiceHealthContract {

    @Test
    void livenessAnswersUpWithoutAskingTheDatabase() {
        given().get("/health").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void readinessReportsTheDatabaseUpWithItsSchemaVersion() {
        given().get("/q/health/ready")
                .then()
                .statusCode(200)
                .body("status", is("UP"))
                .body("checks.find { it.name == 'database' }.status", is("UP"))
                .body("checks.find { it.name == 'database' }.data.state", is("up"));
    }
}
