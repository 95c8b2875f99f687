package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.local.ServiceProcess;
import dev.chorus.testing.TestDatabase;
import io.smallrye.jwt.build.Jwt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The packaged service, stopped the way platforms stop it on every deploy. */
class DrainIT {

    @Test
    void onSigtermEveryClientIsToldToReconnectAndTheProcessExits() throws Exception {
        TestDatabase database = TestDatabase.shared();
        String secret = System.getenv("CHORUS_AUTH_JWT_SECRET");
        try (ServiceProcess service = ServiceProcess.startPackaged(
                "ws-service-drain",
                Map.of("DATABASE_URL", database.databaseUrl(), "CHORUS_DATABASE_MIGRATE", "at-start"))) {
            service.awaitHttpOk("/q/health/ready", Duration.ofSeconds(60));
            String token = Jwt.issuer("chorus")
                    .subject(UUID.randomUUID().toString())
                    .expiresIn(Duration.ofMinutes(5))
                    .signWithSecret(secret);
            URI endpoint = URI.create("ws://127.0.0.1:" + service.port() + "/ws");
            HttpClient http = HttpClient.newHttpClient();
            Client connected = Client.open(http, endpoint, token);
            // Connected, as a client knows it: the upgrade's answer can come before the server has the connection.
            connected.socket.sendText("{\"type\":\"ping\"}", true);
            connected.pong.get(10, TimeUnit.SECONDS);
            // Clients keep arriving while the process stops: one whose upgrade completes as draining begins must be
            // told to reconnect too, not dropped by the HTTP server's shutdown.
            List<Client> arriving = new CopyOnWriteArrayList<>();
            List<Thread> arrivals = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                arrivals.add(Thread.ofPlatform().start(() -> {
                    while (true) {
                        try {
                            arriving.add(Client.open(http, endpoint, token));
                        } catch (Exception refused) {
                            return;
                        }
                    }
                }));
            }
            while (arriving.size() < 40) {
                Thread.sleep(5);
            }

            ProcessHandle.of(service.pid()).orElseThrow().destroy();

            assertThat(connected.closeCode.get(15, TimeUnit.SECONDS)).isEqualTo(CloseCodes.GOING_AWAY);
            for (Thread arrival : arrivals) {
                assertThat(arrival.join(Duration.ofSeconds(15)))
                        .as("new upgrades are refused while draining")
                        .isTrue();
            }
            for (Client client : arriving) {
                assertThat(client.closeCode.get(15, TimeUnit.SECONDS)).isEqualTo(CloseCodes.GOING_AWAY);
            }
            service.awaitExit(Duration.ofSeconds(15));
            assertThat(service.isAlive()).isFalse();
        }
    }

    private record Client(WebSocket socket, CompletableFuture<Void> pong, CompletableFuture<Integer> closeCode) {

        static Client open(HttpClient http, URI endpoint, String token) throws Exception {
            CompletableFuture<Void> pong = new CompletableFuture<>();
            CompletableFuture<Integer> closeCode = new CompletableFuture<>();
            WebSocket socket = http.newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(endpoint, new WebSocket.Listener() {
                        @Override
                        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                            if (data.toString().contains("\"pong\"")) {
                                pong.complete(null);
                            }
                            socket.request(1);
                            return null;
                        }

                        @Override
                        public CompletionStage<?> onClose(WebSocket socket, int statusCode, String reason) {
                            closeCode.complete(statusCode);
                            return null;
                        }
                    })
                    .get(10, TimeUnit.SECONDS);
            return new Client(socket, pong, closeCode);
        }
    }
}
