package dev.chorus.job;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import io.smallrye.jwt.build.Jwt;
import io.smallrye.jwt.build.JwtClaimsBuilder;
import java.nio.file.Files;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Who may trigger jobs, and what a trigger answers, through real HTTP against the running service. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(GoogleOidcStub.class)
class CronTriggerTest {

    @Test
    void aCloudSchedulerTokenForThisServiceTriggersAJob() throws Exception {
        JsonPath run = withToken(idToken(UnaryOperator.identity()))
                .post("/cron/jobs/expire-invites")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
        assertThat(run.getString("status")).isEqualTo("succeeded");
        assertThat(run.getString("trigger")).isEqualTo("oidc");
        assertThat(run.getString("runId")).isNotBlank();
    }

    @Test
    void theSharedSecretTriggersAJob() {
        given().header(TriggerAuthentication.SECRET_HEADER, GoogleOidcStub.SECRET)
                .post("/cron/jobs/expire-invites")
                .then()
                .statusCode(200)
                .body("trigger", equalTo("secret"));
    }

    @Test
    void everyOtherCallerGets401() throws Exception {
        Instant past = Instant.now().minusSeconds(600);
        List<RequestSpecification> refused = List.of(
                given(),
                given().header("X-CloudScheduler-JobName", "maintenance"),
                given().header(TriggerAuthentication.SECRET_HEADER, "wrong-secret"),
                withToken(idToken(claims -> claims.audience("https://someone-else.example"))),
                withToken(idToken(claims -> claims.issuer("https://evil.example"))),
                withToken(
                        idToken(claims -> claims.issuedAt(past.minusSeconds(60)).expiresAt(past))),
                withToken(idToken(claims -> claims.claim("email", "intruder@other.iam.gserviceaccount.com"))),
                withToken(idToken(claims -> claims.claim("email_verified", false))),
                withToken(signedByAnotherKey()),
                withToken("not-a-token"));
        for (RequestSpecification caller : refused) {
            caller.post("/cron/jobs/expire-invites").then().statusCode(401).contentType("application/problem+json");
        }
        given().get("/cron/jobs").then().statusCode(401);
    }

    @Test
    void anUnknownJobIs404() {
        secret().post("/cron/jobs/no-such-job").then().statusCode(404).contentType("application/problem+json");
    }

    @Test
    void twoTriggersAtOnceRunTheJobOnceAndRecordASkip() throws Exception {
        // Two threads of their own: the common pool may have only one on a small machine.
        ExecutorService callers = Executors.newFixedThreadPool(2);
        CompletableFuture<JsonPath> first = CompletableFuture.supplyAsync(this::runSlowJob, callers);
        CompletableFuture<JsonPath> second = CompletableFuture.supplyAsync(this::runSlowJob, callers);
        List<String> statuses =
                List.of(first.get().getString("status"), second.get().getString("status"));
        callers.shutdown();
        assertThat(statuses).containsExactlyInAnyOrder("succeeded", "skipped");

        List<String> recorded = secret().get("/cron/jobs")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath()
                .getList("find { it.name == 'test-slow' }.lastRuns.status");
        assertThat(recorded.subList(0, 2)).containsExactlyInAnyOrder("succeeded", "skipped");
    }

    @Test
    void aRunOverItsTimeoutIsRecordedAsTimedOutAndReleasesTheJob() {
        secret().post("/cron/jobs/test-overrun")
                .then()
                .statusCode(500)
                .body("status", equalTo("timed_out"))
                .body("error", equalTo("timed out after PT1S"));
        // The next trigger is not skipped: the timed-out run no longer holds the job.
        secret().post("/cron/jobs/test-overrun").then().statusCode(500).body("status", equalTo("timed_out"));
    }

    @Test
    void maintenanceRunsEveryJobAndAnswers207WhenSomeFail() {
        JsonPath report = secret().post("/cron/maintenance")
                .then()
                .statusCode(207)
                .extract()
                .jsonPath();
        assertThat(report.getBoolean("succeeded")).isFalse();
        assertThat(report.getString("runs.find { it.job == 'test-failing' }.status"))
                .isEqualTo("failed");
        assertThat(report.getString("runs.find { it.job == 'test-failing' }.error"))
                .isEqualTo("this job always fails");
        assertThat(report.getString("runs.find { it.job == 'expire-invites' }.status"))
                .isEqualTo("succeeded");
        assertThat(report.getList("runs.job"))
                .contains(
                        "abandoned-answers",
                        "database-health",
                        "expire-invites",
                        "expired-sessions",
                        "message-retention",
                        "prune-presence",
                        "prune-rate-limits",
                        "usage-rollup");
    }

    @Test
    void theJobListShowsScheduleTimeoutAndLastRuns() {
        secret().post("/cron/jobs/prune-presence").then().statusCode(200);
        JsonPath jobs =
                secret().get("/cron/jobs").then().statusCode(200).extract().jsonPath();
        assertThat(jobs.getString("find { it.name == 'prune-presence' }.schedule"))
                .isEqualTo("0 0/5 * * * ?");
        assertThat(jobs.getString("find { it.name == 'message-retention' }.timeout"))
                .isEqualTo("PT30M");
        assertThat(jobs.getString("find { it.name == 'prune-presence' }.lastRuns[0].status"))
                .isEqualTo("succeeded");
    }

    private JsonPath runSlowJob() {
        return secret().post("/cron/jobs/test-slow")
                .then()
                .statusCode(200)
                .extract()
                .jsonPath();
    }

    static RequestSpecification secret() {
        return given().header(TriggerAuthentication.SECRET_HEADER, GoogleOidcStub.SECRET);
    }

    private static RequestSpecification withToken(String token) {
        return given().header("Authorization", "Bearer " + token);
    }

    /** An ID token as Cloud Scheduler sends it, changed by {@code change}. */
    private static String idToken(UnaryOperator<JwtClaimsBuilder> change) throws Exception {
        return change.apply(claims()).jws().keyId(GoogleOidcStub.KEY_ID).sign(stubKey());
    }

    private static String signedByAnotherKey() throws Exception {
        return claims().jws()
                .keyId(GoogleOidcStub.KEY_ID)
                .sign(GoogleOidcStub.rsaKeys().getPrivate());
    }

    private static JwtClaimsBuilder claims() {
        return Jwt.issuer(GoogleOidcStub.ISSUER)
                .audience(GoogleOidcStub.AUDIENCE)
                .subject("1234567890")
                .claim("email", GoogleOidcStub.SCHEDULER)
                .claim("email_verified", true)
                .issuedAt(Instant.now())
                .expiresAt(Instant.now().plusSeconds(3600));
    }

    private static PrivateKey stubKey() throws Exception {
        byte[] encoded = Files.readAllBytes(GoogleOidcStub.PRIVATE_KEY);
        return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(encoded));
    }
}
