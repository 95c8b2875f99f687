package dev.chorus.auth;

import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies each access token once and answers its next uses from memory until it expires. A client sends the same
 * token with every request for its lifetime, and checking its signature and claims again each time was a tenth of
 * a history read's CPU. What a verification decides cannot change before the token's expiry (the secret and issuer
 * are fixed for the process), so the verified token is reused until then; from its expiry on, every use goes through
 * the full verification again, which also applies the grace period. Tokens that fail are never kept.
 *
 * <p>At most {@link #CAPACITY} tokens are kept: when full, the expired ones are dropped, and if none are, all of them.
 */
@ApplicationScoped
@Alternative
@Priority(1)
public class VerifiedTokens implements JWTParser {

    static final int CAPACITY = 4096;

    private final JWTParser parser;
    private final Clock clock;
    private final Map<String, JsonWebToken> verified = new ConcurrentHashMap<>();

    @Inject
    public VerifiedTokens(DefaultJWTParser parser) {
        this(parser, Clock.systemUTC());
    }

    VerifiedTokens(JWTParser parser, Clock clock) {
        this.parser = parser;
        this.clock = clock;
    }

    @Override
    public JsonWebToken parse(String bearerToken) throws ParseException {
        JsonWebToken known = verified.get(bearerToken);
        if (known != null && !expired(known)) {
            return known;
        }
        JsonWebToken token = parser.parse(bearerToken);
        if (!expired(token)) {
            if (verified.size() >= CAPACITY) {
                makeRoom();
            }
            verified.put(bearerToken, token);
        }
        return token;
    }

    int size() {
        return verified.size();
    }

    private boolean expired(JsonWebToken token) {
        return token.getExpirationTime() <= clock.instant().getEpochSecond();
    }

    private void makeRoom() {
        verified.values().removeIf(this::expired);
        if (verified.size() >= CAPACITY) {
            verified.clear();
        }
    }

    @Override
    public JsonWebToken parse(String bearerToken, JWTAuthContextInfo context) throws ParseException {
        return parser.parse(bearerToken, context);
    }

    @Override
    public JsonWebToken verify(String bearerToken, PublicKey key) throws ParseException {
        return parser.verify(bearerToken, key);
    }

    @Override
    public JsonWebToken verify(String bearerToken, SecretKey key) throws ParseException {
        return parser.verify(bearerToken, key);
    }

    @Override
    public JsonWebToken verify(String bearerToken, String secret) throws ParseException {
        return parser.verify(bearerToken, secret);
    }

    @Override
    public JsonWebToken decrypt(String bearerToken, PrivateKey key) throws ParseException {
        return parser.decrypt(bearerToken, key);
    }

    @Override
    public JsonWebToken decrypt(String bearerToken, SecretKey key) throws ParseException {
        return parser.decrypt(bearerToken, key);
    }

    @Override
    public JsonWebToken decrypt(String bearerToken, String secret) throws ParseException {
        return parser.decrypt(bearerToken, secret);
    }

    @Override
    public JsonWebToken parseOnly(String bearerToken) throws ParseException {
        return parser.parseOnly(bearerToken);
    }
}
