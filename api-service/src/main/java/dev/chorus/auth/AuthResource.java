package dev.chorus.auth;

import dev.chorus.auth.AuthDtos.Credentials;
import dev.chorus.auth.AuthDtos.RefreshRequest;
import dev.chorus.auth.AuthDtos.Registration;
import dev.chorus.auth.AuthDtos.Tokens;
import dev.chorus.ratelimit.RateLimitBucket;
import dev.chorus.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.ResponseStatus;

@Path("/api/auth")
public class AuthResource {

    private final AuthService auth;
    private final RateLimiter limits;
    private final CurrentUser currentUser;

    public AuthResource(AuthService auth, RateLimiter limits, CurrentUser currentUser) {
        this.auth = auth;
        this.limits = limits;
        this.currentUser = currentUser;
    }

    /** Creates an account and logs it in. */
    @POST
    @Path("register")
    @PermitAll
    @ResponseStatus(201)
    public Uni<Tokens> register(@Valid @NotNull Registration body, @Context HttpServerRequest request) {
        return limits.check(RateLimitBucket.AUTH, null, request)
                .chain(() -> auth.register(body, request.getHeader(HttpHeaders.USER_AGENT)));
    }

    @POST
    @Path("login")
    @PermitAll
    public Uni<Tokens> login(@Valid @NotNull Credentials body, @Context HttpServerRequest request) {
        return limits.check(RateLimitBucket.AUTH, null, request)
                .chain(() -> auth.login(body, request.getHeader(HttpHeaders.USER_AGENT)));
    }

    /** Exchanges a refresh token for new tokens; the old refresh token stops working. */
    @POST
    @Path("refresh")
    @PermitAll
    public Uni<Tokens> refresh(@Valid @NotNull RefreshRequest body, @Context HttpServerRequest request) {
        return limits.check(RateLimitBucket.AUTH, null, request)
                .chain(() -> auth.refresh(body.refreshToken(), request.getHeader(HttpHeaders.USER_AGENT)));
    }

    /** Logs this device out: its refresh token (and every token rotated from the same login) stops working. */
    @POST
    @Path("logout")
    @PermitAll
    public Uni<Response> logout(@Valid @NotNull RefreshRequest body) {
        return auth.logout(body.refreshToken())
                .map(ignored -> Response.noContent().build());
    }

    /** Logs every device of the caller out. */
    @POST
    @Path("logout-all")
    @Authenticated
    public Uni<Response> logoutEverywhere() {
        return auth.logoutEverywhere(currentUser.id())
                .map(ignored -> Response.noContent().build());
    }
}
