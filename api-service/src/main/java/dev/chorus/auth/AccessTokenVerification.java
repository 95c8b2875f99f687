package dev.chorus.auth;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.enterprise.inject.Produces;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies access tokens with the same HS256 secret that signs them. SmallRye JWT's own configuration reads a
 * secret only as a JWK document; producing the verification settings from {@link AuthConfig} keeps one plain
 * variable, CHORUS_AUTH_JWT_SECRET, as the single source.
 */
@ApplicationScoped
public class AccessTokenVerification {

    @Produces
    @Alternative
    @Priority(1)
    @ApplicationScoped
    JWTAuthContextInfo verification(AuthConfig config) {
        JWTAuthContextInfo info = new JWTAuthContextInfo();
        info.setSecretVerificationKey(
                new SecretKeySpec(config.jwtSecret().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        info.setSignatureAlgorithm(Set.of(SignatureAlgorithm.HS256));
        info.setIssuedBy(config.issuer());
        info.setExpGracePeriodSecs(30);
        return info;
    }
}
