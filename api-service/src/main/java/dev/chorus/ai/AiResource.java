package dev.chorus.ai;

import dev.chorus.auth.CurrentUser;
import dev.chorus.message.NewMessage;
import dev.chorus.ratelimit.RateLimitBucket;
import dev.chorus.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;

/** Asking the assistant in a chat; the answer streams over the WebSocket and is stored as a message. */
@Path("/api/chats/{chatId}/ai")
@Authenticated
public class AiResource {

    private final AiService ai;
    private final RateLimiter limits;
    private final CurrentUser currentUser;

    public AiResource(AiService ai, RateLimiter limits, CurrentUser currentUser) {
        this.ai = ai;
        this.limits = limits;
        this.currentUser = currentUser;
    }

    /** What to ask; without a prompt the assistant answers the conversation as it stands. */
    public record InvokeRequest(
            @Size(max = NewMessage.MAX_USER_CONTENT) String prompt) {}

    /** 202: the invocation is recorded and the answer is on its way. */
    @POST
    public Uni<Response> invoke(@RestPath UUID chatId, @Valid InvokeRequest body, @Context HttpServerRequest request) {
        UUID userId = currentUser.id();
        return limits.check(RateLimitBucket.AI_INVOKE, userId, chatId, request)
                .chain(() -> ai.invoke(chatId, userId, body == null ? null : body.prompt()))
                .map(invocation -> Response.accepted(invocation).build());
    }

    @GET
    @Path("{invocationId}")
    public Uni<AiInvocationView> get(@RestPath UUID chatId, @RestPath UUID invocationId) {
        return ai.find(chatId, currentUser.id(), invocationId);
    }

    @POST
    @Path("{invocationId}/cancel")
    public Uni<AiInvocationView> cancel(@RestPath UUID chatId, @RestPath UUID invocationId) {
        return ai.cancel(chatId, currentUser.id(), invocationId);
    }
}
