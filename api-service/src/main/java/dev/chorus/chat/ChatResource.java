package dev.chorus.chat;

import dev.chorus.auth.CurrentUser;
import dev.chorus.chat.ChatDtos.ChatChange;
import dev.chorus.chat.ChatDtos.ChatPage;
import dev.chorus.chat.ChatDtos.ChatSummary;
import dev.chorus.chat.ChatDtos.ChatView;
import dev.chorus.chat.ChatDtos.MemberChange;
import dev.chorus.chat.ChatDtos.MemberView;
import dev.chorus.chat.ChatDtos.NewChat;
import dev.chorus.chat.ChatDtos.NewMember;
import dev.chorus.ratelimit.RateLimitBucket;
import dev.chorus.ratelimit.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.UUID;
import org.jboss.resteasy.reactive.ResponseStatus;
import org.jboss.resteasy.reactive.RestPath;

@Path("/api/chats")
@Authenticated
public class ChatResource {

    private final ChatService chats;
    private final MemberService members;
    private final RateLimiter limits;
    private final CurrentUser currentUser;

    public ChatResource(ChatService chats, MemberService members, RateLimiter limits, CurrentUser currentUser) {
        this.chats = chats;
        this.members = members;
        this.limits = limits;
        this.currentUser = currentUser;
    }

    @POST
    @ResponseStatus(201)
    public Uni<ChatView> create(@Valid @NotNull NewChat body, @Context HttpServerRequest request) {
        UUID userId = currentUser.id();
        return limits.check(RateLimitBucket.CHAT_CREATE, userId, request).chain(() -> chats.create(userId, body));
    }

    /** The caller's chats, most recently active first, with unread counts and the newest entry. */
    @GET
    public Uni<List<ChatSummary>> mine() {
        return chats.mine(currentUser.id());
    }

    @GET
    @Path("public")
    public Uni<ChatPage> publicChats(
            @QueryParam("before") UUID before, @QueryParam("limit") @DefaultValue("50") @Min(1) @Max(100) int limit) {
        return chats.publicChats(before, limit);
    }

    @GET
    @Path("{chatId}")
    public Uni<ChatView> get(@RestPath UUID chatId) {
        return chats.get(chatId, currentUser.id());
    }

    @PATCH
    @Path("{chatId}")
    public Uni<ChatView> update(@RestPath UUID chatId, @Valid @NotNull ChatChange body) {
        return chats.update(chatId, currentUser.id(), body);
    }

    @DELETE
    @Path("{chatId}")
    public Uni<Response> delete(@RestPath UUID chatId) {
        return chats.delete(chatId, currentUser.id())
                .map(ignored -> Response.noContent().build());
    }

    /** Joins a public chat. */
    @POST
    @Path("{chatId}/join")
    public Uni<ChatView> join(@RestPath UUID chatId) {
        return chats.joinPublic(chatId, currentUser.id());
    }

    @POST
    @Path("{chatId}/leave")
    public Uni<Response> leave(@RestPath UUID chatId) {
        return members.leave(chatId, currentUser.id())
                .map(ignored -> Response.noContent().build());
    }

    @GET
    @Path("{chatId}/members")
    public Uni<List<MemberView>> members(@RestPath UUID chatId) {
        return members.list(chatId, currentUser.id());
    }

    @POST
    @Path("{chatId}/members")
    @ResponseStatus(201)
    public Uni<MemberView> addMember(@RestPath UUID chatId, @Valid @NotNull NewMember body) {
        return members.add(chatId, currentUser.id(), body);
    }

    @PATCH
    @Path("{chatId}/members/{userId}")
    public Uni<MemberView> changeMember(
            @RestPath UUID chatId, @RestPath UUID userId, @Valid @NotNull MemberChange body) {
        return members.change(chatId, currentUser.id(), userId, body);
    }

    @DELETE
    @Path("{chatId}/members/{userId}")
    public Uni<Response> removeMember(@RestPath UUID chatId, @RestPath UUID userId) {
        return members.remove(chatId, currentUser.id(), userId)
                .map(ignored -> Response.noContent().build());
    }
}
