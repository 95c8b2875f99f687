package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.testing.PostgresTestResource;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** With tracing on, a socket's connection and its frames are spans, and so are the statements a send runs. */
@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(WebSocketTraceTest.TracingOn.class)
class WebSocketTraceTest extends SocketTestBase {

    public static class TracingOn implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.otel.sdk.disabled", "false", "quarkus.otel.bsp.schedule.delay", "10ms");
        }
    }

    @Singleton
    static class SpansInMemory {
        @Produces
        @Singleton
        InMemorySpanExporter exporter() {
            return InMemorySpanExporter.create();
        }
    }

    @Inject
    InMemorySpanExporter spans;

    @Test
    void aSocketItsFramesAndTheStatementsOfASendAreSpans() throws Exception {
        UUID user = newUser();
        UUID chat = newChat(user);
        try (Client client = connect(user)) {
            client.send(sendFrame(chat, "traced", "trace-1", "r1"));
            assertThat(client.next().getString("type")).isEqualTo("ack");
        }

        List<SpanData> finished = await(all -> named(all, "WS send") != null && named(all, "UPDATE chats") != null);
        assertThat(finished).extracting(SpanData::getName).contains("OPEN /ws", "WS send");
        SpanData send = named(finished, "WS send");
        // The send's statement (the sequence number and the insert in one) belongs to the frame's trace.
        assertThat(finished)
                .filteredOn(span -> span.getName().equals("UPDATE chats"))
                .extracting(SpanData::getTraceId)
                .contains(send.getTraceId());
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream()
                .filter(span -> span.getName().equals(name))
                .findFirst()
                .orElse(null);
    }

    private List<SpanData> await(Predicate<List<SpanData>> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        List<SpanData> finished = spans.getFinishedSpanItems();
        while (!done.test(finished) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            finished = spans.getFinishedSpanItems();
        }
        return finished;
    }
}
