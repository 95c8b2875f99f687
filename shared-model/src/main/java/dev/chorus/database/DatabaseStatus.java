package dev.chorus.database;

/** What the services can tell about their database: reachable or not, and whether its schema is recent enough. */
public record DatabaseStatus(State state, String schemaVersion, String detail) {

    public enum State {
        UP,
        UNREACHABLE,
        NOT_MIGRATED,
        SCHEMA_BEHIND
    }

    public boolean isUp() {
        return state == State.UP;
    }

    /** One line for logs and health output; never contains credentials. */
    public String describe() {
        return switch (state) {
            case UP -> "database reachable, schema version " + schemaVersion;
            case UNREACHABLE -> "database unreachable: " + detail;
            case NOT_MIGRATED -> "database has no Chorus schema: run the migration (see README, 'Migrations')";
            case SCHEMA_BEHIND ->
                "database schema is at version " + schemaVersion + " but this build needs " + Schema.VERSION
                        + ": run the migration (see README, 'Migrations')";
        };
    }
}
