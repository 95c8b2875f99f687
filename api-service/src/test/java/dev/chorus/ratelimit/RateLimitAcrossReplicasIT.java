package dev.chorus.ratelimit;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.local.ServiceProcess;
import dev.chorus.testing.TestDatabase;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Two api-service replicas over one database: a client that spreads its requests over both still hits one limit. */
class RateLimitAcrossReplicasIT {

    private static final int LIMIT = 6;

    @Test
    void aLimitHoldsAcrossTwoReplicas() throws Exception {
        TestDatabase database = TestDatabase.shared().createEmptyDatabase();
        Map<String, String> environment = Map.of(
                "DATABASE_URL", database.databaseUrl(),
                "CHORUS_RATE_LIMIT_BUCKETS_AUTH_PER_IP", Integer.toString(LIMIT),
                "CHORUS_RATE_LIMIT_BUCKETS_AUTH_WINDOW", "1d");
        try (ServiceProcess migration =
                start(Map.of("DATABASE_URL", database.databaseUrl(), "CHORUS_DATABASE_MIGRATE", "only"))) {
            assertThat(migration.awaitExit(Duration.ofSeconds(60))).isZero();
        }
        try (ServiceProcess first = start(environment);
                ServiceProcess second = start(environment)) {
            first.awaitHttpOk("/q/health/ready", Duration.ofSeconds(60));
            second.awaitHttpOk("/q/health/ready", Duration.ofSeconds(60));

            List<Integer> statuses = new ArrayList<>();
            Response limited = null;
            for (int attempt = 0; attempt < LIMIT + 2; attempt++) {
                ServiceProcess replica = attempt % 2 == 0 ? first : second;
                Response response = given().baseUri(replica.baseUrl())
                        .contentType(ContentType.JSON)
                        .body(Map.of("email", "nobody@example.com", "password", "wrong password"))
                        .post("/api/auth/login");
                statuses.add(response.statusCode());
                if (response.statusCode() == 429 && limited == null) {
                    limited = response;
                }
            }

            assertThat(statuses.subList(0, LIMIT)).containsOnly(401);
            assertThat(statuses.subList(LIMIT, LIMIT + 2)).containsOnly(429);
            assertThat(limited.contentType()).startsWith("application/problem+json");
            // A one-day window that started at midnight UTC: far more than the default minute is left to wait.
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(61, 86_400);
        }
    }

    private static ServiceProcess start(Map<String, String> environment) {
        return ServiceProcess.startPackaged("api-service", environment);
    }
}
