package dev.chorus.message;

import dev.chorus.auth.CurrentUser;
import dev.chorus.message.MessageService.EditRequest;
import dev.chorus.message.MessageService.MessagePage;
import dev.chorus.message.MessageService.ReadMarker;
import dev.chorus.message.MessageService.SendRequest;
import dev.chorus.ratelimit.RateLimitBucket;
import dev.chorus.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import java.util.UUID;
import org.jboss.resteasy.reactive.RestPath;

@Path("/api/chats/{chatId}")
@Authenticated
public class MessageResource {

    private final MessageService messages;
    private final RateLimiter limits;
    private final CurrentUser currentUser;

    public MessageResource(MessageService messages, RateLimiter limits, CurrentUser currentUser) {
        this.messages = messages;
        this.limits = limits;
        this.currentUser = currentUser;
    }

    /** 201 with the new message; 200 with the first one when the client message id was already used. */
    @POST
    @Path("messages")
    public Uni<Response> send(
            @RestPath UUID chatId, @Valid @NotNull SendRequest body, @Context HttpServerRequest request) {
        UUID userId = currentUser.id();
        return limits.check(RateLimitBucket.MESSAGE_SEND, userId, request)
                .chain(() -> messages.send(chatId, userId, body))
                .map(sent -> Response.status(sent.created() ? 201 : 200)
                        .entity(sent.message())
                        .build());
    }

    @GET
    @Path("messages")
    public Uni<MessagePage> history(
            @RestPath UUID chatId,
            @QueryParam("after") @PositiveOrZero Long after,
            @QueryParam("before") @Min(1) Long before,
            @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(200) int limit) {
        return messages.history(chatId, currentUser.id(), after, before, limit);
    }

    @GET
    @Path("messages/{messageId}")
    public Uni<MessageView> get(@RestPath UUID chatId, @RestPath UUID messageId) {
        return messages.get(chatId, currentUser.id(), messageId);
    }

    @PATCH
    @Path("messages/{messageId}")
    public Uni<MessageView> edit(@RestPath UUID chatId, @RestPath UUID messageId, @Valid @NotNull EditRequest body) {
        return messages.edit(chatId, currentUser.id(), messageId, body);
    }

    @DELETE
    @Path("messages/{messageId}")
    public Uni<Response> delete(@RestPath UUID chatId, @RestPath UUID messageId) {
        return messages.delete(chatId, currentUser.id(), messageId)
                .map(ignored -> Response.noContent().build());
    }

    /** Moves the caller's read marker; answers where it now stands. */
    @POST
    @Path("read")
    public Uni<Map<String, Long>> markRead(@RestPath UUID chatId, @Valid @NotNull ReadMarker body) {
        return messages.markRead(chatId, currentUser.id(), body.seq()).map(seq -> Map.of("lastReadSeq", seq));
    }
}
