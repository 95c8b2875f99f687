package dev.chorus.ws;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.quarkus.websockets.next.UserData;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Lets only upgrades with a valid access token through (401 otherwise) and keeps its user on the connection. The
 * endpoint carries no security annotation: one would make websockets-next activate a request context and look the
 * identity up again for every frame, which cost a quarter of the gateway's CPU per stored message (docs/benchmarks.md).
 * websockets-next still watches the token's expiry and takes fresh tokens from auth frames.
 */
@ApplicationScoped
public class UpgradeAuthentication implements HttpUpgradeCheck {

    private static final UserData.TypedKey<UUID> USER_ID = new UserData.TypedKey<>("chorus.user-id");

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        return context.securityIdentity().map(identity -> {
            UUID userId = identity.getPrincipal() instanceof JsonWebToken token ? userIdOf(token) : null;
            if (identity.isAnonymous() || userId == null) {
                return CheckResult.rejectUpgradeSync(401);
            }
            context.userData().put(USER_ID, userId);
            return CheckResult.permitUpgradeSync();
        });
    }

    /** The user the connection was opened for; a fresh token in an auth frame must name the same one. */
    static UUID userOf(WebSocketConnection connection) {
        return connection.userData().get(USER_ID);
    }

    private static UUID userIdOf(JsonWebToken token) {
        try {
            return token.getSubject() == null ? null : UUID.fromString(token.getSubject());
        } catch (IllegalArgumentException notAUserId) {
            return null;
        }
    }
}
