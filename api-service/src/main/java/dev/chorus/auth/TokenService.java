package dev.chorus.auth;

import dev.chorus.user.User;
import io.smallrye.jwt.build.Jwt;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/** Access tokens (short-lived JWTs) and refresh tokens (random, stored only as hashes). */
@ApplicationScoped
public class TokenService {

    private static final int REFRESH_TOKEN_BYTES = 32;

    private final AuthConfig config;
    private final SecureRandom random = new SecureRandom();

    public TokenService(AuthConfig config) {
        this.config = config;
    }

    public String accessToken(User user) {
        return Jwt.issuer(config.issuer())
                .subject(user.id.toString())
                .upn(user.email)
                .claim("name", user.displayName)
                .issuedAt(Instant.now())
                .expiresIn(config.accessTokenTtl())
                .signWithSecret(config.jwtSecret());
    }

    public String newRefreshToken() {
        byte[] bytes = new byte[REFRESH_TOKEN_BYTES];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Refresh tokens are high-entropy random values, so one fast hash suffices to keep the stored ones useless. */
    public static byte[] hashRefreshToken(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
