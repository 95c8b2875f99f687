package dev.chorus.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * How api-service and ws-service verify access tokens: HS256 with the secret api-service signs them with
 * ({@code CHORUS_AUTH_JWT_SECRET}). SmallRye JWT's own configuration reads a secret only as a JWK document;
 * producing the settings here keeps one plain variable as the single source. Each of those services also requires
 * the secret in its own configuration, so that a missing or short one stops it at start-up.
 */
@ApplicationScoped
public class AccessTokenVerification {

    public static final String DEFAULT_ISSUER = "chorus";

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTAuthContextInfo verification(
            @ConfigProperty(name = "chorus.auth.jwt-secret") Optional<String> secret,
            @ConfigProperty(name = "chorus.auth.issuer", defaultValue = DEFAULT_ISSUER) String issuer) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setSecretVerificationKey(new SecretKeySpec(
                secret.orElseThrow(() -> new IllegalStateException("CHORUS_AUTH_JWT_SECRET is not set"))
                        .getBytes(StandardCharsets.UTF_8),
                "HmacSHA256"));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.HS256));
        info.setIssuedBy(issuer);
        info.setExpGracePeriodSecs(30);
        return info;
    }
}
