package dev.chorus.auth;

import dev.chorus.auth.AuthDtos.DisplayNameChange;
import dev.chorus.auth.AuthDtos.PasswordChange;
import dev.chorus.auth.AuthDtos.UserView;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;

@Path("/api/me")
@Authenticated
public class AccountResource {

    private final AuthService auth;
    private final CurrentUser currentUser;

    public AccountResource(AuthService auth, CurrentUser currentUser) {
        this.auth = auth;
        this.currentUser = currentUser;
    }

    @GET
    public Uni<UserView> me() {
        return auth.me(currentUser.id());
    }

    @PATCH
    public Uni<UserView> changeDisplayName(@Valid @NotNull DisplayNameChange body) {
        return auth.changeDisplayName(currentUser.id(), body.displayName());
    }

    /** Changes the password and logs every device out. */
    @POST
    @Path("password")
    public Uni<Response> changePassword(@Valid @NotNull PasswordChange body) {
        return auth.changePassword(currentUser.id(), body)
                .map(ignored -> Response.noContent().build());
    }
}
