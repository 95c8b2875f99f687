package dev.chorus.job;

import dev.chorus.problem.ApiException;
import io.smallrye.jwt.algorithm.SignatureAlgorithm;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Who may trigger a job: Cloud Scheduler with a Google-signed OIDC ID token (issuer, audience = this service's
 * URL, signature against Google's keys, expiry, and a service account on the allow-list), or Railway's cron with
 * the shared secret in {@code X-Cron-Secret}, compared in constant time. Anything else gets 401. Headers that
 * merely name a scheduler job prove nothing and are ignored.
 */
@ApplicationScoped
public class TriggerAuthentication {

    public static final String SECRET_HEADER = "X-Cron-Secret";
    static final String TRIGGER_PROPERTY = "chorus.cron.trigger";

    private static final Logger LOG = Logger.getLogger(TriggerAuthentication.class);

    private final CronConfig config;
    private final JWTParser oidcParser;

    public TriggerAuthentication(CronConfig config) {
        this.config = config;
        this.oidcParser = config.oidc()
                .audience()
                .map(audience -> {
                    JWTAuthContextInfo expected = new JWTAuthContextInfo(
                            config.oidc().jwksUrl(), config.oidc().issuer());
                    expected.setExpectedAudience(Set.of(audience));
                    expected.setSignatureAlgorithm(Set.of(SignatureAlgorithm.RS256));
                    return (JWTParser) new DefaultJWTParser(expected);
                })
                .orElse(null);
    }

    @ServerRequestFilter
    public Uni<Void> authenticate(ContainerRequestContext request) {
        if (!request.getUriInfo().getPath().startsWith("/cron")) {
            return Uni.createFrom().voidItem();
        }
        String secret = request.getHeaderString(SECRET_HEADER);
        if (secret != null) {
            if (config.secret().isEmpty()
                    || !constantTimeEquals(secret, config.secret().get())) {
                return refuse("The cron secret is wrong.");
            }
            request.setProperty(TRIGGER_PROPERTY, JobTrigger.SECRET);
            return Uni.createFrom().voidItem();
        }
        String authorization = request.getHeaderString("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return refuse("Send a Cloud Scheduler OIDC token or the " + SECRET_HEADER + " header.");
        }
        if (oidcParser == null) {
            return refuse("OIDC triggers are not configured (CHORUS_CRON_OIDC_AUDIENCE).");
        }
        String token = authorization.substring(7).strip();
        // Verifying may fetch Google's keys over HTTP: not on the event loop.
        return Uni.createFrom()
                .item(() -> verify(token))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(problem -> {
                    if (problem != null) {
                        return refuse(problem);
                    }
                    request.setProperty(TRIGGER_PROPERTY, JobTrigger.OIDC);
                    return Uni.createFrom().voidItem();
                });
    }

    /** Null when the token is good, otherwise why not. */
    private String verify(String token) {
        JsonWebToken jwt;
        try {
            jwt = oidcParser.parse(token);
        } catch (ParseException e) {
            LOG.debugf("Refused an OIDC token: %s", e.getMessage());
            return "The OIDC token is not valid for this service.";
        }
        String email = jwt.getClaim("email");
        Object verified = jwt.getClaim("email_verified");
        List<String> allowed = config.oidc().allowedEmails().orElse(List.of());
        boolean emailVerified =
                Boolean.TRUE.equals(verified) || (verified != null && "true".equals(verified.toString()));
        if (email == null || !emailVerified || !allowed.contains(email)) {
            return "The token's service account may not trigger jobs.";
        }
        return null;
    }

    private static Uni<Void> refuse(String detail) {
        return Uni.createFrom().failure(ApiException.unauthorized(detail));
    }

    private static boolean constantTimeEquals(String given, String expected) {
        return MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), expected.getBytes(StandardCharsets.UTF_8));
    }
}
