package dev.chorus.ratelimit;

import static io.restassured.RestAssured.given;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-address limits count the address the load balancer saw, whatever a client writes into X-Forwarded-For. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(ClientAddressLimitTest.TwoLoginsPerAddress.class)
class ClientAddressLimitTest {

    public static class TwoLoginsPerAddress implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // A day's window, so that a run across a window boundary cannot reset the count midway.
            return Map.of(
                    "chorus.rate-limit.enabled", "true",
                    "chorus.rate-limit.buckets.auth.per-ip", "2",
                    "chorus.rate-limit.buckets.auth.window", "24h",
                    "chorus.rate-limit.forwarded-hops", "1");
        }
    }

    @Test
    void addressesAClientPutsInFrontOfTheProxysOwnDoNotEscapeTheLimit() {
        login("6.6.6.1, 10.20.0.1").then().statusCode(401);
        login("6.6.6.2, 10.20.0.1").then().statusCode(401);

        login("6.6.6.3, 10.20.0.1")
                .then()
                .statusCode(429)
                .contentType("application/problem+json")
                .header("Retry-After", org.hamcrest.Matchers.notNullValue());
    }

    @Test
    void eachAddressTheProxySawHasItsOwnCount() {
        login("10.30.0.1").then().statusCode(401);
        login("10.30.0.1").then().statusCode(401);
        login("10.30.0.1").then().statusCode(429);

        login("10.30.0.2").then().statusCode(401);
    }

    private static io.restassured.response.Response login(String forwardedFor) {
        return given().contentType(ContentType.JSON)
                .header("X-Forwarded-For", forwardedFor)
                .body(Map.of("email", "nobody@example.com", "password", "wrong password"))
                .post("/api/auth/login");
    }
}
