package dev.chorus.auth;

import dev.chorus.problem.ApiException;
import jakarta.enterprise.context.RequestScoped;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The user whose access token authenticated this request. */
@RequestScoped
public class CurrentUser {

    private final JsonWebToken token;

    public CurrentUser(JsonWebToken token) {
        this.token = token;
    }

    public UUID id() {
        String subject = token.getSubject();
        if (subject == null) {
            throw ApiException.unauthorized("A valid access token is required.");
        }
        return UUID.fromString(subject);
    }
}
