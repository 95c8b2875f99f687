package dev.chorus.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonObject;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@TestProfile(PeerHeartbeatTest.QuickHeartbeats.class)
class PeerHeartbeatTest extends SocketTestBase {

    public static class QuickHeartbeats implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "quarkus.websockets-next.server.auto-ping-interval", "300ms",
                    "chorus.ws.heartbeat-timeout", "1500ms");
        }
    }

    @Test
    void aPeerThatAnswersNoPingIsClosedWhileALiveOneStays() throws Exception {
        try (Client alive = connect(newUser());
                Socket silent = new Socket(endpoint.getHost(), endpoint.getPort())) {
            silent.setSoTimeout(10_000);
            OutputStream out = silent.getOutputStream();
            String key = Base64.getEncoder().encodeToString("chorus-heartbeat".getBytes(StandardCharsets.US_ASCII));
            out.write(("GET /ws HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n"
                            + "Authorization: Bearer " + token(newUser()) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            DataInputStream in = new DataInputStream(silent.getInputStream());
            assertThat(statusLine(in)).contains("101");

            assertThat(closeCodeIgnoringPings(in)).isEqualTo(CloseCodes.HEARTBEAT_TIMEOUT);

            alive.send(new JsonObject().put("type", "ping"));
            assertThat(alive.next().getString("type")).isEqualTo("pong");
        }
    }

    private static String statusLine(DataInputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.readUnsignedByte());
        }
        return head.substring(0, head.indexOf("\r\n"));
    }

    /** Reads server frames (never masked) until a close frame, and returns its code. */
    private static int closeCodeIgnoringPings(DataInputStream in) throws IOException {
        while (true) {
            int opcode = in.readUnsignedByte() & 0x0F;
            int length = in.readUnsignedByte() & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = (int) in.readLong();
            }
            byte[] payload = in.readNBytes(length);
            if (opcode == 0x8) {
                return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
            }
        }
    }
}
