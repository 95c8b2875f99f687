package dev.chorus.ws;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Gives the identity the access token's expiry in the attribute websockets-next watches: when it passes, the
 * connection is closed with 1008 unless the client sent a fresh token in an auth frame before then.
 */
@ApplicationScoped
public class TokenExpiry implements SecurityIdentityAugmentor {

    static final String EXPIRE_TIME = "quarkus.identity.expire-time";

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.getPrincipal() instanceof JsonWebToken token && token.getExpirationTime() > 0) {
            return Uni.createFrom()
                    .item(QuarkusSecurityIdentity.builder(identity)
                            .addAttribute(EXPIRE_TIME, token.getExpirationTime())
                            .build());
        }
        return Uni.createFrom().item(identity);
    }
}
