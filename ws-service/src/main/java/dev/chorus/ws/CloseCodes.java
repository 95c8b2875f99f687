package dev.chorus.ws;

/** The close codes this server uses (RFC 6455 section 7.4.1), listed in docs/websocket-protocol.md. */
public final class CloseCodes {

    /** A message over the size limit. */
    public static final int MESSAGE_TOO_BIG = 1009;

    public static final int INTERNAL_ERROR = 1011;

    private CloseCodes() {}
}
