package dev.chorus.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.is;

import com.fasterxml.jackson.databind.JsonNode;
import dev.chorus.local.LocalStack;
import dev.chorus.local.StackOptions;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;

/**
 * The suite as production runs it: two api-service and two ws-service replicas and cron-service behind nginx, and
 * clients that know only nginx's address.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class LoadBalancerIT {

    private static final Path ROOT = ProductionShape.ROOT;

    private static LocalStack stack;
    private static StackOptions options;

    @BeforeAll
    static void startStack() throws InterruptedException {
        options = ProductionShape.options(8090, "load-balancer");
        stack = ProductionShape.start(options);
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
        }
    }

    /**
     * Two people chat on the web page in Chromium (Debian's, driven by playwright-core from tools/browser-test): sign
     * up, create a chat, invite, chat live with typing and presence, ask the assistant and watch it stream.
     */
    @Test
    @Order(1)
    void twoPeopleChatOnTheWebPageInARealBrowser() throws Exception {
        Path script = ROOT.resolve("tools/browser-test/chat.mjs");
        Path log = options.logs().resolve("browser-test.log");
        Process browserTest = new ProcessBuilder("node", script.toString(), stack.publicUrl())
                .directory(script.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        boolean ended = browserTest.waitFor(180, TimeUnit.SECONDS);
        if (!ended) {
            browserTest.destroyForcibly();
        }
        String output = Files.readString(log);
        System.out.println("[browser] " + output.strip().replace("\n", "\n[browser] "));
        assertThat(ended)
                .as("the browser test ends within 180 s; its output:%n%s", output)
                .isTrue();
        assertThat(browserTest.exitValue())
                .as("the browser test's exit code; its output:%n%s", output)
                .isZero();
    }

    @Test
    @Order(2)
    void clientsThatKnowOnlyTheLoadBalancerChatLiveAndCronStaysPrivate() throws Exception {
        String lb = stack.publicUrl();
        given().baseUri(lb).get("/api/health").then().statusCode(200).body("status", is("UP"));
        given().baseUri(lb).post("/cron/maintenance").then().statusCode(404);
        given().baseUri(lb).get("/cron/jobs").then().statusCode(404);
        given().baseUri(lb)
                .get("/")
                .then()
                .statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("text/html"));
        given().baseUri(lb)
                .get("/app.js")
                .then()
                .statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("javascript"));

        JsonPath ada = register(lb, "Ada");
        JsonPath bo = register(lb, "Bo");
        String chatId = given().baseUri(lb)
                .contentType(ContentType.JSON)
                .auth()
                .oauth2(ada.getString("accessToken"))
                .body(Map.of("name", "through nginx"))
                .post("/api/chats")
                .then()
                .statusCode(201)
                .extract()
                .path("id");
        given().baseUri(lb)
                .contentType(ContentType.JSON)
                .auth()
                .oauth2(ada.getString("accessToken"))
                .body(Map.of("userId", bo.getString("user.id"), "role", "member"))
                .post("/api/chats/{chatId}/members", chatId)
                .then()
                .statusCode(201);

        String wsUrl = lb.replaceFirst("^http", "ws");
        List<ChatClient> clients = new ArrayList<>();
        // Four sockets through nginx: round robin spreads them over both ws-service replicas.
        for (JsonPath user : List.of(ada, bo, ada, bo)) {
            ChatClient client = ChatClient.connect(wsUrl, user.getString("accessToken"));
            client.subscribe(chatId, 0);
            client.replayUntilSubscribed();
            clients.add(client);
        }
        for (int i = 1; i <= 10; i++) {
            given().baseUri(lb)
                    .contentType(ContentType.JSON)
                    .auth()
                    .oauth2((i % 2 == 0 ? bo : ada).getString("accessToken"))
                    .body(Map.of("content", "via nginx " + i, "clientMessageId", "lb-" + i))
                    .post("/api/chats/{chatId}/messages", chatId)
                    .then()
                    .statusCode(201);
        }
        for (ChatClient client : clients) {
            List<JsonNode> entries = client.messages(10);
            for (int i = 0; i < 10; i++) {
                assertThat(entries.get(i).get("content").asText()).isEqualTo("via nginx " + (i + 1));
            }
            client.close();
        }
        // nginx logs a WebSocket request when its connection has closed, a moment after the client let go.
        Path accessLog = options.logs().resolve("nginx-access.log");
        for (int wait = 0; wait < 100 && !Files.readString(accessLog).contains("GET /ws HTTP/1.1\" 101"); wait++) {
            Thread.sleep(100);
        }
        assertThat(Files.readString(accessLog))
                .contains("GET /ws HTTP/1.1\" 101")
                .contains("POST /api/chats/");
    }

    /**
     * After the traffic of the tests above (the browser's chat and assistant, sockets through nginx) and a maintenance
     * run, every service's /q/metrics has the metrics operators rely on, counting what happened; and every metric the
     * dashboard and the alert rules name is one the services export.
     */
    @Test
    @Order(3)
    void afterRealTrafficEveryServiceExportsWhatTheDashboardAndAlertsUse() throws Exception {
        String cron = replicas("cron-service").getFirst();
        given().baseUri(cron)
                .header("X-Cron-Secret", "e2e-cron-secret")
                .post("/cron/maintenance")
                .then()
                .statusCode(200);

        Metrics api = Metrics.scrape(replicas("api-service"));
        Metrics ws = Metrics.scrape(replicas("ws-service"));
        Metrics cronMetrics = Metrics.scrape(List.of(cron));
        assertThat(List.of(
                        "http_server_requests_seconds_count",
                        "http_server_requests_seconds_bucket",
                        "sql_pool_completed_total",
                        "chorus_db_pool_max_size",
                        "chorus_ai_tokens_total",
                        "chorus_ai_first_token_seconds_count",
                        "chorus_ai_answer_duration_seconds_count"))
                .allSatisfy(name ->
                        assertThat(api.total(name)).as("api-service %s", name).isPositive());
        assertThat(List.of(
                        "chorus_ws_connects_total",
                        "chorus_ws_disconnects_total",
                        "chorus_ws_deliveries_total",
                        "chorus_ws_frames_sent_total",
                        "chorus_ws_delivery_lag_seconds_count",
                        "sql_pool_completed_total"))
                .allSatisfy(name ->
                        assertThat(ws.total(name)).as("ws-service %s", name).isPositive());
        assertThat(List.of(
                        "chorus_cron_job_runs_total",
                        "chorus_cron_job_duration_seconds_count",
                        "chorus_db_size_bytes",
                        "chorus_db_connections",
                        "chorus_db_max_connections"))
                .allSatisfy(name -> assertThat(cronMetrics.total(name))
                        .as("cron-service %s", name)
                        .isPositive());

        java.util.Set<String> exported = new java.util.TreeSet<>();
        for (Metrics service : List.of(api, ws, cronMetrics)) {
            exported.addAll(service.names());
        }
        assertThat(MonitoringQueries.metricNames(ROOT))
                .as("metric names in deploy/monitoring that no service exports")
                .isNotEmpty()
                .allSatisfy(name -> assertThat(exported).contains(name));
    }

    private static List<String> replicas(String service) {
        return stack.services().stream()
                .filter(replica -> replica.name().startsWith(service + "-"))
                .map(dev.chorus.local.ServiceProcess::baseUrl)
                .toList();
    }

    private static JsonPath register(String lb, String name) {
        return given().baseUri(lb)
                .contentType(ContentType.JSON)
                .body(Map.of(
                        "email",
                        name.toLowerCase() + "-" + UUID.randomUUID() + "@example.com",
                        "password",
                        "correct horse",
                        "displayName",
                        name))
                .post("/api/auth/register")
                .then()
                .statusCode(201)
                .extract()
                .jsonPath();
    }
}
