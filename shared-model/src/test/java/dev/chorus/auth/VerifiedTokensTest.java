package dev.chorus.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.ParseException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.spec.SecretKeySpec;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.jose4j.lang.JoseException;
import org.junit.jupiter.api.Test;

class VerifiedTokensTest {

    private static final String SECRET = "test-only-secret-do-not-use-in-production-0123456789";

    private final MovableClock clock = new MovableClock();
    private final AtomicInteger verifications = new AtomicInteger();
    private final VerifiedTokens tokens = new VerifiedTokens(countingParser(), clock);

    @Test
    void aTokenIsVerifiedOnceWhileItIsValid() throws Exception {
        String token = sign(SECRET, "alice", clock.now().plusSeconds(300));

        assertThat(tokens.parse(token).getSubject()).isEqualTo("alice");
        assertThat(tokens.parse(token).getSubject()).isEqualTo("alice");
        assertThat(tokens.parse(token).getSubject()).isEqualTo("alice");

        assertThat(verifications).hasValue(1);
    }

    @Test
    void fromItsExpiryOnATokenIsVerifiedAgainEachTime() throws Exception {
        String token = sign(SECRET, "alice", clock.now().plusSeconds(300));
        tokens.parse(token);

        clock.advanceSeconds(300);
        tokens.parse(token);
        tokens.parse(token);

        assertThat(verifications).as("verified again, and not kept").hasValue(3);
    }

    @Test
    void aTokenThatFailsIsNeverKept() throws Exception {
        String forged = sign(
                "another-secret-of-the-same-length-0123456789abcdefgh",
                "mallory",
                clock.now().plusSeconds(300));

        assertThatThrownBy(() -> tokens.parse(forged)).isInstanceOf(ParseException.class);
        assertThatThrownBy(() -> tokens.parse(forged)).isInstanceOf(ParseException.class);

        assertThat(verifications).hasValue(2);
        assertThat(tokens.size()).isZero();
    }

    @Test
    void theNumberOfKeptTokensIsBounded() throws Exception {
        for (int i = 0; i <= VerifiedTokens.CAPACITY; i++) {
            tokens.parse(sign(SECRET, "user-" + i, clock.now().plusSeconds(300)));
        }

        assertThat(tokens.size()).isBetween(1, VerifiedTokens.CAPACITY);
    }

    private DefaultJWTParser countingParser() {
        JWTAuthContextInfo context = new JWTAuthContextInfo();
        context.setSecretVerificationKey(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        context.setSignatureAlgorithm(Set.of(SignatureAlgorithm.HS256));
        context.setIssuedBy(AccessTokenVerification.DEFAULT_ISSUER);
        context.setExpGracePeriodSecs(30);
        return new DefaultJWTParser(context) {
            @Override
            public JsonWebToken parse(String bearerToken) throws ParseException {
                verifications.incrementAndGet();
                return super.parse(bearerToken);
            }
        };
    }

    /** Signed as api-service signs access tokens. The parser checks expiry against the real time, as does {@code clock} until moved. */
    private static String sign(String secret, String subject, Instant expiresAt) throws JoseException {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(AccessTokenVerification.DEFAULT_ISSUER);
        claims.setSubject(subject);
        claims.setJwtId(UUID.randomUUID().toString());
        claims.setIssuedAtToNow();
        claims.setExpirationTime(NumericDate.fromSeconds(expiresAt.getEpochSecond()));
        JsonWebSignature signature = new JsonWebSignature();
        signature.setPayload(claims.toJson());
        signature.setAlgorithmHeaderValue(AlgorithmIdentifiers.HMAC_SHA256);
        signature.setKey(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        return signature.getCompactSerialization();
    }

    private static final class MovableClock extends Clock {

        private Instant now = Instant.now();

        Instant now() {
            return now;
        }

        void advanceSeconds(long seconds) {
            now = now.plusSeconds(seconds);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
