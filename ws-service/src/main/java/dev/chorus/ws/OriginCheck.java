package dev.chorus.ws;

import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Refuses upgrades from web pages of other sites (403). Browsers always send Origin; clients that are not browsers
 * send none and are let through, since the access token, not the origin, is what authenticates them.
 */
@ApplicationScoped
public class OriginCheck implements HttpUpgradeCheck {

    private final Set<String> allowed;

    public OriginCheck(WsConfig config) {
        this.allowed = Set.copyOf(config.allowedOrigins());
    }

    @Override
    public Uni<CheckResult> perform(HttpUpgradeContext context) {
        String origin = context.httpRequest().getHeader("Origin");
        return origin == null || allowed.contains(origin)
                ? CheckResult.permitUpgrade()
                : CheckResult.rejectUpgrade(403);
    }
}
