package dev.chorus.invite;

import dev.chorus.auth.CurrentUser;
import dev.chorus.chat.ChatDtos.ChatView;
import dev.chorus.chat.ChatService;
import dev.chorus.invite.InviteService.InvitePreview;
import dev.chorus.invite.InviteService.InviteView;
import dev.chorus.invite.InviteService.NewInvite;
import dev.chorus.ratelimit.RateLimitBucket;
import dev.chorus.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestPath;

@Path("/api")
@Authenticated
public class InviteResource {

    private static final String CODE = "[a-z0-9]{6,32}";

    private final InviteService invites;
    private final ChatService chats;
    private final RateLimiter limits;
    private final CurrentUser currentUser;

    public InviteResource(InviteService invites, ChatService chats, RateLimiter limits, CurrentUser currentUser) {
        this.invites = invites;
        this.chats = chats;
        this.limits = limits;
        this.currentUser = currentUser;
    }

    @POST
    @Path("chats/{chatId}/invites")
    @ResponseStatus(201)
    public Uni<InviteView> create(@RestPath UUID chatId, @Valid @NotNull NewInvite body) {
        return invites.create(chatId, currentUser.id(), body);
    }

    @GET
    @Path("chats/{chatId}/invites")
    public Uni<List<InviteView>> list(@RestPath UUID chatId) {
        return invites.list(chatId, currentUser.id());
    }

    @DELETE
    @Path("chats/{chatId}/invites/{inviteId}")
    public Uni<Response> revoke(@RestPath UUID chatId, @RestPath UUID inviteId) {
        return invites.revoke(chatId, currentUser.id(), inviteId)
                .map(ignored -> Response.noContent().build());
    }

    /** What the invite leads to, for anyone holding the code. */
    @GET
    @Path("invites/{code}")
    @PermitAll
    public Uni<InvitePreview> preview(@RestPath @Pattern(regexp = CODE) String code) {
        return invites.preview(code);
    }

    @POST
    @Path("invites/{code}/join")
    public Uni<ChatView> join(@RestPath @Pattern(regexp = CODE) String code, @Context HttpServerRequest request) {
        UUID userId = currentUser.id();
        return limits.check(RateLimitBucket.INVITE_JOIN, userId, request)
                .chain(() -> invites.join(code, userId))
                .chain(chatId -> chats.get(chatId, userId));
    }
}
