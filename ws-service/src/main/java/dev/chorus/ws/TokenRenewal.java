package dev.chorus.ws;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.quarkus.websockets.next.runtime.spi.security.WebSocketIdentityUpdateRequest;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Verifies the access token of an auth frame the same way the upgrade's token was verified; websockets-next then
 * checks that it names the same user and moves the connection's expiry to the new token's.
 */
@ApplicationScoped
public class TokenRenewal implements IdentityProvider<WebSocketIdentityUpdateRequest> {

    private final JWTParser parser;

    public TokenRenewal(JWTParser parser) {
        this.parser = parser;
    }

    @Override
    public Class<WebSocketIdentityUpdateRequest> getRequestType() {
        return WebSocketIdentityUpdateRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(
            WebSocketIdentityUpdateRequest request, AuthenticationRequestContext context) {
        return context.runBlocking(() -> {
            try {
                JsonWebToken token = parser.parse(request.getCredential().getToken());
                return QuarkusSecurityIdentity.builder()
                        .setPrincipal(token)
                        .addCredential(request.getCredential())
                        .addRoles(token.getGroups())
                        .build();
            } catch (ParseException e) {
                throw new AuthenticationFailedException(e);
            }
        });
    }
}
