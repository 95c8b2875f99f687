package dev.chorus.database;

import io.smallrye.mutiny.TimeoutException;
import io.vertx.pgclient.PgException;
import org.hibernate.exception.ConstraintViolationException;

/** Reads database failures, whichever client raised them. */
public final class DatabaseErrors {

    public static final String UNIQUE_VIOLATION = "23505";

    private DatabaseErrors() {}

    /**
     * Whether the failure, or one of its causes, is a unique violation of the named constraint or index, as Hibernate
     * Reactive or the plain reactive client reports it.
     */
    public static boolean isUniqueViolation(Throwable failure, String constraint) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConstraintViolationException violation
                    && violation.getKind() == ConstraintViolationException.ConstraintKind.UNIQUE
                    && constraint.equals(violation.getConstraintName())) {
                return true;
            }
            if (cause instanceof PgException pg
                    && UNIQUE_VIOLATION.equals(pg.getSqlState())
                    && constraint.equals(pg.getConstraint())) {
                return true;
            }
            if (cause.getCause() == cause) {
                break;
            }
        }
        return false;
    }

    /** The innermost cause's message, on one line: what an operator needs, without the stack. */
    public static String oneLine(Throwable failure) {
        if (failure instanceof TimeoutException) {
            return "no answer in time";
        }
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return message.replaceAll("\\s+", " ").strip();
    }
}
