package dev.chorus.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.chat.ChatAction;
import dev.chorus.chat.ChatMember;
import dev.chorus.chat.ChatPolicy;
import dev.chorus.message.InvalidReplyException;
import dev.chorus.message.MessageLog;
import dev.chorus.message.NewMessage;
import dev.chorus.ws.Frames.ClientFrame;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/** The one WebSocket endpoint. The upgrade needs a valid access token; frames are JSON (docs/websocket-protocol.md). */
@WebSocket(path = "/ws")
@Authenticated
public class ChatSocket {

    private static final Logger LOG = Logger.getLogger(ChatSocket.class);

    private final ChatFeeds feeds;
    private final MessageLog log;
    private final SendRateLimiter sendLimiter;
    private final ObjectMapper json;
    private final SecurityIdentity identity;

    public ChatSocket(
            ChatFeeds feeds,
            MessageLog log,
            SendRateLimiter sendLimiter,
            ObjectMapper json,
            SecurityIdentity identity) {
        this.feeds = feeds;
        this.log = log;
        this.sendLimiter = sendLimiter;
        this.json = json;
        this.identity = identity;
    }

    @OnTextMessage
    public Uni<Void> onFrame(String text, WebSocketConnection connection) {
        ClientFrame frame;
        try {
            frame = json.readValue(text, ClientFrame.class);
        } catch (JsonProcessingException e) {
            return reply(
                    connection,
                    new Frames.Error("malformed-frame", "The frame is not a valid JSON frame of this protocol.", null));
        }
        if (frame.type() == null) {
            return reply(connection, new Frames.Error("malformed-frame", "A frame needs a type.", frame.requestId()));
        }
        return switch (frame.type()) {
            case "subscribe" -> subscribe(frame, connection);
            case "unsubscribe" -> unsubscribe(frame, connection);
            case "send" -> send(frame, connection);
            case "ping" -> reply(connection, Frames.Pong.INSTANCE);
            default ->
                reply(
                        connection,
                        new Frames.Error(
                                "unknown-type", "Unknown frame type '" + frame.type() + "'.", frame.requestId()));
        };
    }

    /** Vert.x refuses a message over the size limit while assembling it; the client learns why from the close code. */
    @OnError
    public Uni<Void> onError(IllegalStateException failure, WebSocketConnection connection) {
        if (failure.getMessage() != null && failure.getMessage().contains("max message size")) {
            return connection.close(new CloseReason(CloseCodes.MESSAGE_TOO_BIG, "Messages are limited to 64 KiB."));
        }
        LOG.error("Unexpected failure on a WebSocket connection", failure);
        return connection.close(new CloseReason(CloseCodes.INTERNAL_ERROR, "Internal error"));
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        feeds.disconnected(connection);
        sendLimiter.forget(connection.id());
    }

    private Uni<Void> subscribe(ClientFrame frame, WebSocketConnection connection) {
        if (frame.chatId() == null) {
            return reply(connection, new Frames.Error("invalid-frame", "subscribe needs a chatId.", frame.requestId()));
        }
        long afterSeq = frame.afterSeq() == null ? 0 : frame.afterSeq();
        if (afterSeq < 0) {
            return reply(
                    connection, new Frames.Error("invalid-frame", "afterSeq cannot be negative.", frame.requestId()));
        }
        UUID userId = currentUser();
        return Panache.withSession(() -> activeMember(frame.chatId(), userId)).chain(member -> {
            if (!ChatPolicy.allows(member, ChatAction.READ)) {
                return reply(
                        connection,
                        new Frames.Error("not-a-member", "You are not a member of this chat.", frame.requestId()));
            }
            feeds.subscribe(connection, frame.chatId(), afterSeq, frame.requestId());
            return Uni.createFrom().voidItem();
        });
    }

    /** Stores a message once per client message id and acknowledges it; delivery follows through the feeds. */
    private Uni<Void> send(ClientFrame frame, WebSocketConnection connection) {
        String invalid = frame.chatId() == null
                ? "send needs a chatId."
                : frame.content() == null || frame.content().isBlank()
                        ? "send needs content."
                        : frame.content().length() > NewMessage.MAX_USER_CONTENT
                                ? "content is limited to " + NewMessage.MAX_USER_CONTENT + " characters."
                                : frame.clientMessageId() != null
                                                && (frame.clientMessageId().isBlank()
                                                        || frame.clientMessageId()
                                                                        .length()
                                                                > NewMessage.MAX_CLIENT_MESSAGE_ID)
                                        ? "clientMessageId must be 1 to " + NewMessage.MAX_CLIENT_MESSAGE_ID
                                                + " characters."
                                        : null;
        if (invalid != null) {
            return reply(connection, new Frames.Error("invalid-frame", invalid, frame.requestId()));
        }
        if (!sendLimiter.tryAcquire(connection.id())) {
            return reply(
                    connection,
                    new Frames.Error(
                            "rate-limited",
                            "Too many messages on this connection; slow down and resend.",
                            frame.requestId()));
        }
        UUID userId = currentUser();
        return Panache.withSession(() -> activeMember(frame.chatId(), userId)).chain(member -> {
            if (!ChatPolicy.allows(member, ChatAction.SEND)) {
                return reply(
                        connection,
                        new Frames.Error(
                                member == null ? "not-a-member" : "forbidden",
                                member == null
                                        ? "You are not a member of this chat."
                                        : "You may not send in this chat.",
                                frame.requestId()));
            }
            return log.send(NewMessage.fromUser(
                            frame.chatId(), userId, frame.content(), frame.replyToId(), frame.clientMessageId()))
                    .chain(result -> result.message().chatId.equals(frame.chatId())
                            ? reply(connection, new Frames.Ack(frame.requestId(), result.message(), !result.created()))
                            : reply(
                                    connection,
                                    new Frames.Error(
                                            "client-message-id-reused",
                                            "This client message id was used for another chat.",
                                            frame.requestId())))
                    .onFailure(InvalidReplyException.class)
                    .recoverWithUni(() -> reply(
                            connection,
                            new Frames.Error(
                                    "invalid-reply", "replyToId names no message of this chat.", frame.requestId())));
        });
    }

    private UUID currentUser() {
        return UUID.fromString(((JsonWebToken) identity.getPrincipal()).getSubject());
    }

    private static Uni<ChatMember> activeMember(UUID chatId, UUID userId) {
        return ChatMember.<ChatMember>find("chatId = ?1 and userId = ?2 and leftAt is null", chatId, userId)
                .firstResult();
    }

    private Uni<Void> unsubscribe(ClientFrame frame, WebSocketConnection connection) {
        if (frame.chatId() == null) {
            return reply(
                    connection, new Frames.Error("invalid-frame", "unsubscribe needs a chatId.", frame.requestId()));
        }
        feeds.unsubscribe(connection, frame.chatId());
        return reply(connection, new Frames.Unsubscribed(frame.chatId(), frame.requestId()));
    }

    private Uni<Void> reply(WebSocketConnection connection, Frames.ServerFrame frame) {
        try {
            return connection.sendText(json.writeValueAsString(frame));
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
    }
}
