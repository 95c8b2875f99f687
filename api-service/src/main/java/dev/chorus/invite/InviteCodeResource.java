package dev.chorus.invite;

import dev.chorus.auth.CurrentUser;
import dev.chorus.chat.ChatDtos.ChatView;
import dev.chorus.chat.ChatService;
import dev.chorus.invite.InviteService.InvitePreview;
import dev.chorus.ratelimit.RateLimitBucket;
import dev.chorus.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.validation.constraints.Pattern;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;

/** Invites as their holders use them: by code. */
@Path("/api/invites/{code}")
public class InviteCodeResource {

    private static final String CODE = "[a-z0-9]{6,32}";

    private final InviteService invites;
    private final ChatService chats;
    private final RateLimiter limits;
    private final CurrentUser currentUser;

    public InviteCodeResource(InviteService invites, ChatService chats, RateLimiter limits, CurrentUser currentUser) {
        this.invites = invites;
        this.chats = chats;
        this.limits = limits;
        this.currentUser = currentUser;
    }

    /** What the invite leads to, for anyone holding the code. */
    @GET
    @PermitAll
    public Uni<InvitePreview> preview(@RestPath @Pattern(regexp = CODE) String code) {
        return invites.preview(code);
    }

    @POST
    @Path("join")
    @Authenticated
    public Uni<ChatView> join(@RestPath @Pattern(regexp = CODE) String code, @Context HttpServerRequest request) {
        UUID userId = currentUser.id();
        return limits.check(RateLimitBucket.INVITE_JOIN, userId, request)
                .chain(() -> invites.join(code, userId))
                .chain(chatId -> chats.get(chatId, userId));
    }
}
