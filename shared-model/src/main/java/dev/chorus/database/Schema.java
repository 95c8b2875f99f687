package dev.chorus.database;

/** The schema this build of the services was written against. */
public final class Schema {

    /**
     * The version of the newest migration in {@code db/migration}; raise it with every new migration (a test checks
     * that it matches). A database at this version or newer serves this build: migrations only ever expand the
     * schema while replicas of the previous build still run.
     */
    public static final String VERSION = "4";

    public static final String HISTORY_TABLE = "flyway_schema_history";

    private Schema() {}
}
