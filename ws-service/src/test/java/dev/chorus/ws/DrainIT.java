package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.local.ServiceProcess;
import dev.chorus.testing.TestDatabase;
import io.smallrye.jwt.build.Jwt;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
            CompletableFuture<Integer> closeCode = new CompletableFuture<>();
            CompletableFuture<Void> pong = new CompletableFuture<>();
            WebSocket socket = HttpClient.newHttpClient()
                    .newWebSocketBuilder()
                    .header("Authorization", "Bearer " + token)
                    .buildAsync(URI.create("ws://127.0.0.1:" + service.port() + "/ws"), new WebSocket.Listener() {
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
            // Connected, as a client knows it: the upgrade's answer can come before the server has the connection.
            socket.sendText("{\"type\":\"ping\"}", true);
            pong.get(10, TimeUnit.SECONDS);

            ProcessHandle.of(service.pid()).orElseThrow().destroy();

            assertThat(closeCode.get(15, TimeUnit.SECONDS)).isEqualTo(CloseCodes.GOING_AWAY);
            service.awaitExit(Duration.ofSeconds(15));
            assertThat(service.isAlive()).isFalse();
        }
    }
}
