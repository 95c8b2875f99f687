package dev.chorus.problem;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.io.IOException;
import java.net.SocketException;

/**
 * Recognises failures that mean PostgreSQL is out of reach for a moment (a restart, a failover, a network cut)
 * rather than a bug: the client gets 503 with Retry-After and sends again, instead of a 500.
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {}

    public static boolean causes(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            // A reset comes from the socket of a pooled connection the server dropped (the plain SQL client does not
            // wrap it, where Hibernate Reactive did); a refused connection is a SocketException too.
            if (cause instanceof SocketException || cause instanceof ClosedConnectionException) {
                return true;
            }
            // A write to a pooled connection the server has just closed fails with a plain IOException ("Broken
            // pipe", or Netty's native "...failed: Broken pipe"), before the client notices the connection is gone.
            if (cause instanceof IOException io
                    && io.getMessage() != null
                    && io.getMessage().endsWith("Broken pipe")) {
                return true;
            }
            // 08: connection exceptions; 57P01-57P03: the server is shutting down, was shut down, or is starting.
            if (cause instanceof PgException pg
                    && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P"))) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }
}
