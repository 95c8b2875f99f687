package dev.chorus.observability;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.api.Api;
import dev.chorus.testing.PostgresTestResource;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One request, one trace: its server span, its database statements and its log lines share the trace id. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(TraceCorrelationTest.TracingOn.class)
class TraceCorrelationTest {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "10ms");
        }
    }

    /** Quarkus exports spans to every SpanExporter bean: this one keeps them for the test to read. */
    @Singleton
    static class SpansInMemory {
        @Produces
        @Singleton
        InMemorySpanExporter exporter() {
            return InMemorySpanExporter.create();
        }
    }

    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");

    @Inject
    InMemorySpanExporter spans;

    private final List<ExtLogRecord> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record instanceof ExtLogRecord extended) {
                extended.copyMdc();
                logged.add(extended);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLogs() {
        LogContext.getLogContext().getLogger("").addHandler(capture);
    }

    @AfterEach
    void stopCapturing() {
        LogContext.getLogContext().getLogger("").removeHandler(capture);
    }

    @Test
    void theRequestItsDatabaseStatementsAndItsLogLineShareOneTraceId() throws Exception {
        Api.User ada = Api.register("Ada");
        refresh(ada.refreshToken()).then().statusCode(200);

        // The rotated token again: the request revokes the family and logs a warning.
        refresh(ada.refreshToken()).then().statusCode(401);

        ExtLogRecord warning = logged.stream()
                .filter(record -> record.getFormattedMessage().contains("presented again"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no warning about the reused token was logged"));
        String traceId = warning.getMdc("traceId");
        assertThat(traceId).as("the log line's trace id").isNotBlank().hasSize(32);

        List<SpanData> trace = awaitSpans(traceId);
        assertThat(trace)
                .extracting(SpanData::getName)
                .as("the server span, and the statement that revoked the family")
                .contains("POST /api/auth/refresh", "UPDATE sessions");
        assertThat(trace)
                .as("statements come from the reactive PostgreSQL client")
                .anySatisfy(
                        span -> assertThat(span.getAttributes().get(DB_SYSTEM)).isEqualTo("postgres"));
    }

    private List<SpanData> awaitSpans(String traceId) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (true) {
            List<SpanData> trace = spans.getFinishedSpanItems().stream()
                    .filter(span -> span.getTraceId().equals(traceId))
                    .toList();
            List<String> names = trace.stream().map(SpanData::getName).toList();
            boolean complete = names.contains("POST /api/auth/refresh") && names.contains("UPDATE sessions");
            if (complete || Instant.now().isAfter(deadline)) {
                return trace;
            }
            Thread.sleep(50);
        }
    }

    private static io.restassured.response.Response refresh(String token) {
        return given().contentType(ContentType.JSON)
                .body(Map.of("refreshToken", token))
                .post("/api/auth/refresh");
    }
}
