package dev.chorus.invite;

import dev.chorus.auth.CurrentUser;
import dev.chorus.invite.InviteService.InviteView;
import dev.chorus.invite.InviteService.NewInvite;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestPath;

/** Invites of one chat, managed by members with the invite permission. */
@Path("/api/chats/{chatId}/invites")
@Authenticated
public class InviteResource {

    private final InviteService invites;
    private final CurrentUser currentUser;

    public InviteResource(InviteService invites, CurrentUser currentUser) {
        this.invites = invites;
        this.currentUser = currentUser;
    }

    @POST
    @ResponseStatus(201)
    public Uni<InviteView> create(@RestPath UUID chatId, @Valid @NotNull NewInvite body) {
        return invites.create(chatId, currentUser.id(), body);
    }

    @GET
    public Uni<List<InviteView>> list(@RestPath UUID chatId) {
        return invites.list(chatId, currentUser.id());
    }

    @DELETE
    @Path("{inviteId}")
    public Uni<Response> revoke(@RestPath UUID chatId, @RestPath UUID inviteId) {
        return invites.revoke(chatId, currentUser.id(), inviteId)
                .map(ignored -> Response.noContent().build());
    }
}
