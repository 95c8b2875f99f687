package dev.chorus.ws;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.chorus.chat.ReadMarkers;
import dev.chorus.message.InvalidReplyException;
import dev.chorus.message.MessageLog;
import dev.chorus.message.NewMessage;
import dev.chorus.message.SendRefusedException;
import dev.chorus.message.UnknownChatException;
import dev.chorus.problem.DatabaseUnavailable;
import dev.chorus.ws.Frames.ClientFrame;
import io.micrometer.core.instrument.MeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.OnClose;
import io.quarkus.websockets.next.OnError;
import io.quarkus.websockets.next.OnOpen;
import io.quarkus.websockets.next.OnPongMessage;
import io.quarkus.websockets.next.OnTextMessage;
import io.quarkus.websockets.next.WebSocket;
import io.quarkus.websockets.next.WebSocketConnection;
import io.quarkus.websockets.next.WebSocketSecurity;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;

/** The one WebSocket endpoint. The upgrade needs a valid access token (UpgradeAuthentication); frames are JSON (docs/websocket-protocol.md). */
@WebSocket(path = "/ws")
public class ChatSocket {

    private static final Logger LOG = Logger.getLogger(ChatSocket.class);

    private final ChatFeeds feeds;
    private final MessageLog log;
    private final ReadMarkers readMarkers;
    private final SendRateLimiter sendLimiter;
    private final Outbox outbox;
    private final PeerHeartbeats heartbeats;
    private final Drain drain;
    private final ObjectMapper json;
    private final WebSocketSecurity security;
    private final MeterRegistry metrics;

    public ChatSocket(
            ChatFeeds feeds,
            MessageLog log,
            ReadMarkers readMarkers,
            SendRateLimiter sendLimiter,
            Outbox outbox,
            PeerHeartbeats heartbeats,
            Drain drain,
            ObjectMapper json,
            WebSocketSecurity security,
            MeterRegistry metrics) {
        this.feeds = feeds;
        this.log = log;
        this.readMarkers = readMarkers;
        this.sendLimiter = sendLimiter;
        this.outbox = outbox;
        this.heartbeats = heartbeats;
        this.drain = drain;
        this.json = json;
        this.security = security;
        this.metrics = metrics;
    }

    @OnOpen
    public void onOpen(WebSocketConnection connection) {
        heartbeats.heard(connection);
        metrics.counter("chorus.ws.connects").increment();
        drain.opened(connection);
    }

    @OnPongMessage
    public void onPong(Buffer data, WebSocketConnection connection) {
        heartbeats.heard(connection);
    }

    /** Each frame is a span of its own (websockets-next traces only opening and closing), named after its type. */
    @OnTextMessage
    @WithSpan("WS frame")
    public Uni<Void> onFrame(String text, WebSocketConnection connection) {
        heartbeats.heard(connection);
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
        Span.current().updateName("WS " + frame.type());
        Uni<Void> handled = handle(frame, connection)
                .onFailure(DatabaseUnavailable::causes)
                .recoverWithUni(() -> reply(
                        connection,
                        new Frames.Error(
                                "unavailable",
                                "The database is out of reach for a moment; send the frame again.",
                                frame.requestId())));
        if (!"send".equals(frame.type())) {
            return handled;
        }
        // Frames are handled one at a time per connection. A send is queued for storing, in arrival order, by the
        // time the subscription below returns; the next frame need not wait for the commit, so a client that
        // pipelines its sends gets them into one shared transaction (GroupCommit) instead of one commit each.
        handled.subscribe().with(ignored -> {}, failure -> onError(failure, connection));
        return Uni.createFrom().voidItem();
    }

    private void onError(Throwable failure, WebSocketConnection connection) {
        LOG.error("Unexpected failure on a WebSocket connection", failure);
        connection
                .close(new CloseReason(CloseCodes.INTERNAL_ERROR, "Internal error"))
                .subscribe()
                .with(ignored -> {}, ignored -> {});
    }

    private Uni<Void> handle(ClientFrame frame, WebSocketConnection connection) {
        return switch (frame.type()) {
            case "subscribe" -> subscribe(frame, connection);
            case "unsubscribe" -> unsubscribe(frame, connection);
            case "send" -> send(frame, connection);
            case "typing" -> typing(frame, connection);
            case "read" -> read(frame, connection);
            case "auth" -> authenticate(frame, connection);
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
    public void onClose(CloseReason reason, WebSocketConnection connection) {
        feeds.disconnected(connection);
        sendLimiter.forget(connection.id());
        outbox.closed(connection);
        heartbeats.closed(connection);
        metrics.counter("chorus.ws.disconnects", "code", Integer.toString(reason.getCode()))
                .increment();
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
        UUID userId = UpgradeAuthentication.userOf(connection);
        return feeds.isMember(frame.chatId(), userId).chain(member -> {
            if (!member) {
                return reply(
                        connection,
                        new Frames.Error("not-a-member", "You are not a member of this chat.", frame.requestId()));
            }
            feeds.subscribe(connection, userId, frame.chatId(), afterSeq, frame.requestId());
            return Uni.createFrom().voidItem();
        });
    }

    /** The same rules as REST's send (NewMessage's limits and patterns); null when the frame may be sent. */
    private static String invalidSend(ClientFrame frame) {
        if (frame.chatId() == null) {
            return "send needs a chatId.";
        }
        if (frame.content() == null || frame.content().isBlank()) {
            return "send needs content.";
        }
        if (frame.content().length() > NewMessage.MAX_USER_CONTENT) {
            return "content is limited to " + NewMessage.MAX_USER_CONTENT + " characters.";
        }
        if (!frame.content().matches(NewMessage.WITHOUT_NUL_PATTERN)) {
            return "content must not contain NUL characters.";
        }
        String clientMessageId = frame.clientMessageId();
        if (clientMessageId != null
                && (clientMessageId.length() > NewMessage.MAX_CLIENT_MESSAGE_ID
                        || !clientMessageId.matches(NewMessage.CLIENT_MESSAGE_ID_PATTERN))) {
            return "clientMessageId must be 1 to " + NewMessage.MAX_CLIENT_MESSAGE_ID + " printable ASCII characters.";
        }
        return null;
    }

    /** Stores a message once per client message id and acknowledges it; delivery follows through the feeds. */
    private Uni<Void> send(ClientFrame frame, WebSocketConnection connection) {
        String invalid = invalidSend(frame);
        if (invalid != null) {
            return reply(connection, new Frames.Error("invalid-frame", invalid, frame.requestId()));
        }
        if (drain.draining()) {
            return reply(
                    connection,
                    new Frames.Error(
                            "server-draining",
                            "This server is shutting down; reconnect and resend with the same clientMessageId.",
                            frame.requestId()));
        }
        if (!sendLimiter.tryAcquire(connection.id())) {
            return reply(
                    connection,
                    new Frames.Error(
                            "rate-limited",
                            "Too many messages on this connection; slow down and resend.",
                            frame.requestId()));
        }
        UUID userId = UpgradeAuthentication.userOf(connection);
        return drain.inFlight(log.send(NewMessage.fromUser(
                        frame.chatId(), userId, frame.content(), frame.replyToId(), frame.clientMessageId()))
                .map(result -> result.message().chatId().equals(frame.chatId())
                        ? (Frames.ServerFrame) new Frames.Ack(frame.requestId(), result.message(), !result.created())
                        : new Frames.Error(
                                "client-message-id-reused",
                                "This client message id was used for another chat.",
                                frame.requestId()))
                .onFailure()
                .recoverWithItem(failure -> refusal(failure, frame.requestId()))
                .chain(answer -> reply(connection, answer)));
    }

    /** The error frame for a send the shared transaction refused; any other failure stays a failure. */
    private static Frames.Error refusal(Throwable failure, String requestId) {
        return switch (failure) {
            case SendRefusedException refused
            when refused.reason() == SendRefusedException.Reason.NOT_ALLOWED ->
                new Frames.Error("forbidden", "You may not send in this chat.", requestId);
            case SendRefusedException ignored ->
                new Frames.Error("not-a-member", "You are not a member of this chat.", requestId);
            case UnknownChatException ignored ->
                new Frames.Error("not-a-member", "You are not a member of this chat.", requestId);
            case InvalidReplyException ignored ->
                new Frames.Error("invalid-reply", "replyToId names no message of this chat.", requestId);
            default -> throw failure instanceof RuntimeException runtime ? runtime : new IllegalStateException(failure);
        };
    }

    private Uni<Void> typing(ClientFrame frame, WebSocketConnection connection) {
        if (frame.chatId() == null) {
            return reply(connection, new Frames.Error("invalid-frame", "typing needs a chatId.", frame.requestId()));
        }
        feeds.typing(connection, frame.chatId(), frame.requestId());
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> read(ClientFrame frame, WebSocketConnection connection) {
        if (frame.chatId() == null || frame.seq() == null || frame.seq() < 0) {
            return reply(
                    connection,
                    new Frames.Error(
                            "invalid-frame", "read needs a chatId and a seq of 0 or more.", frame.requestId()));
        }
        return readMarkers
                .advance(frame.chatId(), UpgradeAuthentication.userOf(connection), frame.seq())
                .chain(marker -> reply(
                        connection,
                        marker == null
                                ? new Frames.Error(
                                        "not-a-member", "You are not a member of this chat.", frame.requestId())
                                : new Frames.ReadMarked(frame.chatId(), marker, frame.requestId())));
    }

    /** A fresh access token for the same user keeps the connection open past the old token's expiry. */
    private Uni<Void> authenticate(ClientFrame frame, WebSocketConnection connection) {
        if (frame.token() == null || frame.token().isBlank()) {
            return reply(connection, new Frames.Error("invalid-frame", "auth needs a token.", frame.requestId()));
        }
        return Uni.createFrom()
                .completionStage(() -> security.updateSecurityIdentity(frame.token()))
                .chain(updated -> {
                    Object expiry = updated.getAttribute(TokenExpiry.EXPIRE_TIME);
                    Instant expiresAt = expiry instanceof Long seconds ? Instant.ofEpochSecond(seconds) : null;
                    return reply(connection, new Frames.Authenticated(expiresAt, frame.requestId()));
                })
                .onFailure()
                .recoverWithUni(() -> reply(
                        connection,
                        new Frames.Error(
                                "invalid-token",
                                "The token is invalid, expired or for another user; the connection keeps its old one.",
                                frame.requestId())));
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
        outbox.send(connection, frame);
        return Uni.createFrom().voidItem();
    }
}
