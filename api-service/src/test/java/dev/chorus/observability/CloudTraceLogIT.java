package dev.chorus.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.api.Api;
import dev.chorus.testing.PostgresTestResource;
import dev.chorus.testing.ProductionLogs;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The packaged jar with tracing on: a JSON log line written inside a request links to its trace in Cloud Trace. */
@QuarkusIntegrationTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(CloudTraceLogIT.TracingOnGoogleCloud.class)
class CloudTraceLogIT {

    public static class TracingOnGoogleCloud implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            // Spans go to the default OTLP endpoint, where nothing listens: this test reads only the log.
            return Map.of("quarkus.otel.sdk.disabled", "false", "chorus.observability.gcp-project", "chorus-test");
        }
    }

    @Test
    void aLineLoggedInARequestCarriesCloudLoggingsTraceAndSpanFields() throws Exception {
        Api.User ada = Api.register("Ada");
        for (int attempt = 0; attempt < 2; attempt++) {
            given().contentType(ContentType.JSON)
                    .body(Map.of("refreshToken", ada.refreshToken()))
                    .post("/api/auth/refresh");
        }

        ObjectMapper json = new ObjectMapper();
        JsonNode warning = null;
        for (int wait = 0; wait < 50 && warning == null; wait++) {
            warning = Files.readString(ProductionLogs.ofIntegrationTest())
                    .lines()
                    .filter(line -> line.startsWith("{") && line.contains("presented again"))
                    .map(line -> {
                        try {
                            return json.readTree(line);
                        } catch (Exception e) {
                            throw new AssertionError(line, e);
                        }
                    })
                    .findFirst()
                    .orElse(null);
            Thread.sleep(100);
        }
        assertThat(warning).as("the warning about the reused refresh token").isNotNull();
        String traceId = warning.path("mdc").path("traceId").asText();
        assertThat(traceId).hasSize(32);
        assertThat(warning.path("logging.googleapis.com/trace").asText())
                .isEqualTo("projects/chorus-test/traces/" + traceId);
        assertThat(warning.path("logging.googleapis.com/spanId").asText())
                .isEqualTo(warning.path("mdc").path("spanId").asText())
                .hasSize(16);
        assertThat(warning.path("severity").asText()).isEqualTo("WARN");
    }
}
