package dev.chorus.health;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.is;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(DatabaseDownTest.NothingListens.class)
class DatabaseDownTest {

    /** A database address where nothing listens: every connection attempt is refused at once. */
    public static class NothingListens implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.datasource.reactive.url", "postgresql://127.0.0.1:1/chorus",
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://127.0.0.1:1/chorus",
                    "quarkus.datasource.username", "chorus",
                    "quarkus.datasource.password", "chorus",
                    "chorus.database.migrate", "off");
        }
    }

    @Test
    void livenessStaysUpBecauseRestartingWouldNotBringTheDatabaseBack() {
        given().get("/health").then().statusCode(200).body("status", is("UP"));
    }

    @Test
    void apiHealthAnswers503AndSaysWhy() {
        given().get("/api/health")
                .then()
                .statusCode(503)
                .body("status", is("DOWN"))
                .body("checks.find { it.name == 'database' }.data.state", is("unreachable"))
                .body("checks.find { it.name == 'database' }.data.detail", startsWith("database unreachable: "));
    }

    @Test
    void readinessIsDown() {
        given().get("/q/health/ready").then().statusCode(503).body("status", is("DOWN"));
    }
}
