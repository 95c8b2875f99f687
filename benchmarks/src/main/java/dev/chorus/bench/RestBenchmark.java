package dev.chorus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.local.EmbeddedDatabase;
import dev.chorus.local.ServiceProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * REST under a fixed request rate (open loop): each request is due at its own time whether or not earlier ones have
 * answered, and its latency counts from that due time, so a server that falls behind shows its queueing instead of
 * slowing the load down (coordinated omission). Two requests: a history page (50 messages, authenticated, membership
 * checked) and a message send. One api-service on an embedded PostgreSQL.
 */
public final class RestBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WARM_UP = Duration.ofSeconds(3);
    private static final Duration MEASURE = Duration.ofSeconds(10);
    private static final double P99_GOAL_MILLIS = 20;

    private final Path root = Path.of("").toAbsolutePath();
    private final Path work = root.resolve("benchmarks/target/rest");
    private ChorusApi chorus;
    private HttpClient http;
    private String base;
    private String token;
    private String chatId;
    private ServiceProcess api;

    public static void main(String[] args) throws Exception {
        new RestBenchmark().run();
    }

    private void run() throws Exception {
        Files.createDirectories(work);
        try (EmbeddedDatabase database = BenchServices.database(work, false)) {
            BenchServices services = new BenchServices(root, work);
            try (ServiceProcess api =
                    services.start("api-service", "api-service", BenchServices.environment(database))) {
                this.api = api;
                base = api.baseUrl();
                chorus = new ChorusApi(base);
                http = chorus.http;
                seed();
                AtomicInteger sent = new AtomicInteger();
                System.out.println("Warming up (not recorded)");
                load(500, Duration.ofSeconds(10), ignored -> history());
                load(200, Duration.ofSeconds(10), ignored -> send(sent.incrementAndGet()));
                List<Map<String, Object>> rows = new ArrayList<>();
                rows.addAll(
                        sweep("history page (50)", List.of(250, 500, 1000, 1500, 2000, 3000), ignored -> history()));
                rows.addAll(sweep(
                        "message send",
                        List.of(100, 200, 400, 800, 1200, 1600),
                        ignored -> send(sent.incrementAndGet())));
                new Results("rest", root)
                        .write(
                                Map.of("rows", rows),
                                table(rows),
                                "Open loop: requests due at a fixed rate, latency from each request's due time to its"
                                        + " answer; " + WARM_UP.toSeconds() + " s of warm-up, then "
                                        + MEASURE.toSeconds() + " s measured per rate. One api-service ("
                                        + ServiceProcess.JVM_OPTIONS_DESCRIPTION + ") and"
                                        + " the load generator on the same machine, embedded PostgreSQL 17 (fsync"
                                        + " off), rate limits off.");
            }
        }
    }

    private void seed() throws Exception {
        token = chorus.register("bench@example.com");
        chatId = chorus.createChat(token, "benchmark");
        for (int i = 0; i < 200; i++) {
            chorus.post(token, "/api/chats/" + chatId + "/messages", Map.of("content", "seed " + i));
        }
    }

    private HttpRequest history() {
        return HttpRequest.newBuilder(URI.create(base + "/api/chats/" + chatId + "/messages?limit=50"))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .build();
    }

    private HttpRequest send(int number) {
        return HttpRequest.newBuilder(URI.create(base + "/api/chats/" + chatId + "/messages"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"content\":\"benchmark " + number + "\",\"clientMessageId\":\"b-" + number + "\"}"))
                .build();
    }

    /** Each rate in turn; stops raising the rate once p99 is far past the goal. */
    private List<Map<String, Object>> sweep(String name, List<Integer> rates, IntFunction<HttpRequest> request)
            throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (int rate : rates) {
            load(rate, WARM_UP, request);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("request", name);
            row.put("rate", rate);
            row.putAll(load(rate, MEASURE, request));
            rows.add(row);
            System.out.printf("%-18s %5d/s  %s%n", name, rate, row);
            if ((double) row.get("p99Millis") > 10 * P99_GOAL_MILLIS) {
                break;
            }
        }
        return rows;
    }

    private Map<String, Object> load(int rate, Duration duration, IntFunction<HttpRequest> request) throws Exception {
        int total = (int) (rate * duration.toMillis() / 1000);
        long intervalNanos = 1_000_000_000L / rate;
        long[] latencies = new long[total];
        AtomicInteger errors = new AtomicInteger();
        // Answers are counted, not kept: a phase's 20,000 responses held until its end made the load generator's own
        // young collections copy them, and its pauses (up to 30 ms) showed up as the service's latency.
        CountDownLatch answered = new CountDownLatch(total);
        Duration cpuBefore = BenchServices.cpuTime(api);
        long start = System.nanoTime() + 10_000_000;
        for (int i = 0; i < total; i++) {
            long due = start + i * intervalNanos;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            int index = i;
            http.sendAsync(request.apply(i), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((response, failure) -> {
                        latencies[index] = System.nanoTime() - due;
                        if (failure != null || response.statusCode() >= 300) {
                            errors.incrementAndGet();
                        }
                        answered.countDown();
                    });
        }
        answered.await();
        double seconds = (System.nanoTime() - start) / 1e9;
        Duration serviceCpu = BenchServices.cpuTime(api).minus(cpuBefore);
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("achievedPerSecond", Math.round(total / seconds));
        result.put("errors", errors.get());
        result.putAll(Latencies.summary(latencies));
        result.put("serviceCpuMicrosPerRequest", serviceCpu.toNanos() / 1000 / total);
        return result;
    }

    private static String table(List<Map<String, Object>> rows) {
        StringBuilder table = new StringBuilder(
                "| request | rate (/s) | achieved (/s) | errors | p50 (ms) | p99 (ms) | p99.9 (ms) | max (ms) | api-service"
                        + " CPU per request (µs) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
        for (Map<String, Object> row : rows) {
            table.append(String.format(
                    "| %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                    row.get("request"),
                    row.get("rate"),
                    row.get("achievedPerSecond"),
                    row.get("errors"),
                    row.get("p50Millis"),
                    row.get("p99Millis"),
                    row.get("p999Millis"),
                    row.get("maxMillis"),
                    row.get("serviceCpuMicrosPerRequest")));
        }
        String best = rows.stream()
                .filter(row -> (double) row.get("p99Millis") < P99_GOAL_MILLIS && (int) row.get("errors") == 0)
                .map(row -> row.get("request") + ": " + row.get("rate") + "/s")
                .reduce((first, second) -> first + ", " + second)
                .orElse("none");
        return table + "\nRates tested with p99 under " + (int) P99_GOAL_MILLIS + " ms and no errors: " + best + "\n";
    }
}
