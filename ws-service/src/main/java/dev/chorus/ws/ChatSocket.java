package dev.chorus.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.chat.ChatAction;
import dev.chorus.chat.ChatMember;
import dev.chorus.chat.ChatPolicy;
import dev.chorus.ws.Frames.ClientFrame;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.security.Authenticated;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;
import java.util.UUID;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The one WebSocket endpoint. The upgrade needs a valid access token; frames are JSON (docs/websocket-protocol.md). */
@WebSocket(path = "/ws")
@Authenticated
public class ChatSocket {

    private final ChatFeeds feeds;
    private final ObjectMapper json;
    private final SecurityIdentity identity;

    public ChatSocket(ChatFeeds feeds, ObjectMapper json, SecurityIdentity identity) {
        this.feeds = feeds;
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
            case "ping" -> reply(connection, Frames.Pong.INSTANCE);
            default ->
                reply(
                        connection,
                        new Frames.Error(
                                "unknown-type", "Unknown frame type '" + frame.type() + "'.", frame.requestId()));
        };
    }

    @OnClose
    public void onClose(WebSocketConnection connection) {
        feeds.disconnected(connection);
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
        UUID userId = UUID.fromString(((JsonWebToken) identity.getPrincipal()).getSubject());
        return Panache.withSession(() -> ChatMember.<ChatMember>find(
                                "chatId = ?1 and userId = ?2 and leftAt is null", frame.chatId(), userId)
                        .firstResult())
                .chain(member -> {
                    if (!ChatPolicy.allows(member, ChatAction.READ)) {
                        return reply(
                                connection,
                                new Frames.Error(
                                        "not-a-member", "You are not a member of this chat.", frame.requestId()));
                    }
                    feeds.subscribe(connection, frame.chatId(), afterSeq, frame.requestId());
                    return Uni.createFrom().voidItem();
                });
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
