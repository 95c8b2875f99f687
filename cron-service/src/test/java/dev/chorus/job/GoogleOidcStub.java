package dev.chorus.job;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;

/**
 * Stands in for Google: a local JWKS endpoint with a key of the test's own, in Google's wire format. The private key
 * goes to a file that the tests sign ID tokens with, since test resources and tests may not share a class loader.
 */
public class GoogleOidcStub implements QuarkusTestResourceLifecycleManager {

    public static final String ISSUER = "https://accounts.google.com";
    public static final String AUDIENCE = "https://cron-service.example.run.app";
    public static final String SCHEDULER = "scheduler@chorus-prod.iam.gserviceaccount.com";
    public static final String KEY_ID = "google-test-key";
    public static final String SECRET = "test-only-cron-secret-0123456789";
    static final Path PRIVATE_KEY = Path.of("target/google-oidc-stub.key");

    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            KeyPair keys = rsaKeys();
            Files.createDirectories(PRIVATE_KEY.getParent());
            Files.write(PRIVATE_KEY, keys.getPrivate().getEncoded());
            RSAPublicKey publicKey = (RSAPublicKey) keys.getPublic();
            byte[] jwks = ("{\"keys\":[{\"kty\":\"RSA\",\"alg\":\"RS256\",\"use\":\"sig\",\"kid\":\"" + KEY_ID
                            + "\",\"n\":\"" + base64Url(publicKey.getModulus()) + "\",\"e\":\""
                            + base64Url(publicKey.getPublicExponent()) + "\"}]}")
                    .getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/oauth2/v3/certs", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                try (OutputStream body = exchange.getResponseBody()) {
                    body.write(jwks);
                }
            });
            server.start();
            return Map.of(
                    "chorus.cron.oidc.jwks-url",
                            "http://127.0.0.1:" + server.getAddress().getPort() + "/oauth2/v3/certs",
                    "chorus.cron.oidc.audience", AUDIENCE,
                    "chorus.cron.oidc.allowed-emails", SCHEDULER,
                    "chorus.cron.secret", SECRET);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    static KeyPair rsaKeys() throws NoSuchAlgorithmException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    private static String base64Url(BigInteger value) {
        byte[] bytes = value.toByteArray();
        if (bytes[0] == 0 && bytes.length > 1) {
            bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
        }
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
