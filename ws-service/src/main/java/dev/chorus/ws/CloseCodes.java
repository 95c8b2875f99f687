package dev.chorus.ws;

/**
 * Close codes this code sends, as documented in docs/websocket-protocol.md. Quarkus sends two more itself: 1000
 * when the connection ends normally and 1008 when the access token expires (see {@link TokenExpiry}).
 */
final class CloseCodes {

    /** The server is shutting down or restarting: reconnect (through the load balancer) and resubscribe. */
    static final int GOING_AWAY = 1001;

    static final int MESSAGE_TOO_BIG = 1009;
    static final int INTERNAL_ERROR = 1011;

    /** No pong and no frame for longer than the heartbeat timeout: the peer is taken for dead. */
    static final int HEARTBEAT_TIMEOUT = 4000;

    /** The client did not read its frames fast enough and its outbound queue filled up. */
    static final int SLOW_CONSUMER = 4008;

    private CloseCodes() {}
}
