package dev.chorus.e2e.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.e2e.ProductionShape;
import dev.chorus.local.LocalStack;
import dev.chorus.local.ServiceProcess;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Things break while people chat: the stack of production's shape (2 api-service, 2 ws-service, cron-service, nginx,
 * one PostgreSQL) under steady load, with a replica killed, every service restarted in turn, and the database
 * restarted. Clients know only nginx's address; each scenario ends with {@link ChaosRun#finishAndCheck()}.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT {

    private static final Duration LOAD_BEFORE_AND_AFTER = Duration.ofSeconds(3);

    private static LocalStack stack;
    private static HttpClient http;
    private static ScheduledExecutorService scheduler;

    @BeforeAll
    static void startStack() throws Exception {
        stack = ProductionShape.start(ProductionShape.options(8091, "chaos"));
        http = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .executor(Executors.newFixedThreadPool(4))
                .build();
        scheduler = Executors.newSingleThreadScheduledExecutor();
    }

    @AfterAll
    static void stopStack() {
        if (scheduler != null) {
            scheduler.shutdownNow();
        }
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    @Order(1)
    void killingAWebSocketReplicaLosesAndRepeatsNothing() throws Exception {
        ChaosRun run = ChaosRun.begin(stack, http, scheduler, "1. SIGKILL ws-service-2 under load");
        try {
            assertThat(run.connectionsAtStart("ws-service-2"))
                    .as("subscribers on the replica that dies")
                    .isPositive();
            assertThat(run.connectionsAtStart("ws-service-1"))
                    .as("subscribers on the replica that lives")
                    .isPositive();
            killUnderLoadAndStartAgain("ws-service-2");
            run.finishAndCheck();
        } finally {
            run.close();
        }
    }

    @Test
    @Order(2)
    void aRollingRestartOfEveryServiceLosesAndRepeatsNothing() throws Exception {
        ChaosRun run =
                ChaosRun.begin(stack, http, scheduler, "2. rolling restart (SIGTERM) of every service under load");
        try {
            Thread.sleep(LOAD_BEFORE_AND_AFTER);
            for (ServiceProcess service : stack.services()) {
                stack.restart(service.name());
            }
            Thread.sleep(LOAD_BEFORE_AND_AFTER);
            run.finishAndCheck();
        } finally {
            run.close();
        }
    }

    @Test
    @Order(3)
    void restartingTheDatabaseDegradesHealthThenEverythingRecoversByItself() throws Exception {
        ChaosRun run = ChaosRun.begin(stack, http, scheduler, "3. PostgreSQL restarted under load");
        try {
            Thread.sleep(LOAD_BEFORE_AND_AFTER);
            stack.embeddedDatabase().orElseThrow().stop();
            Map<String, Integer> whileDown = awaitReadiness(status -> status != 200, Duration.ofSeconds(20));
            Thread.sleep(2000);
            stack.embeddedDatabase().orElseThrow().startAgain();
            Map<String, Integer> afterwards = awaitReadiness(status -> status == 200, Duration.ofSeconds(60));
            System.out.printf(
                    "[chaos] readiness while the database was down %s, after it came back %s%n", whileDown, afterwards);
            assertThat(whileDown.values())
                    .as("readiness while the database is down")
                    .doesNotContain(200);
            assertThat(afterwards.values()).as("readiness once it is back").containsOnly(200);
            Thread.sleep(LOAD_BEFORE_AND_AFTER);
            run.finishAndCheck();
        } finally {
            run.close();
        }
    }

    @Test
    @Order(4)
    void killingAnApiReplicaDuringPostsStoresEveryRetriedMessageOnce() throws Exception {
        ChaosRun run = ChaosRun.begin(stack, http, scheduler, "4. SIGKILL api-service-1 during message posts");
        try {
            killUnderLoadAndStartAgain("api-service-1");
            run.finishAndCheck();
        } finally {
            run.close();
        }
    }

    /** Load for a while, SIGKILL the replica, load without it, start it again as a platform would, load on. */
    private static void killUnderLoadAndStartAgain(String replica) throws InterruptedException {
        Thread.sleep(LOAD_BEFORE_AND_AFTER);
        stack.service(replica).kill();
        Thread.sleep(LOAD_BEFORE_AND_AFTER);
        stack.relaunch(replica);
        Thread.sleep(LOAD_BEFORE_AND_AFTER);
    }

    /**
     * Polls every service's readiness until all match, and returns the statuses seen last per service; fails when
     * they do not all match in time.
     */
    private static Map<String, Integer> awaitReadiness(java.util.function.IntPredicate expected, Duration timeout)
            throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        Map<String, Integer> statuses = new LinkedHashMap<>();
        while (Instant.now().isBefore(deadline)) {
            for (ServiceProcess service : stack.services()) {
                statuses.put(service.name(), readiness(service));
            }
            if (statuses.values().stream().allMatch(expected::test)) {
                return statuses;
            }
            Thread.sleep(250);
        }
        throw new AssertionError("readiness did not change as expected within " + timeout + ": " + statuses);
    }

    private static int readiness(ServiceProcess service) throws InterruptedException {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/health/ready"))
                                    .timeout(Duration.ofSeconds(3))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (IOException e) {
            return -1;
        }
    }
}
