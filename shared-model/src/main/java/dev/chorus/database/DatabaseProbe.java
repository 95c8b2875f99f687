package dev.chorus.database;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.pgclient.PgException;
import jakarta.enterprise.context.ApplicationScoped;
import org.flywaydb.core.api.MigrationVersion;

/** Asks the database, in one cheap query, whether it answers and whether its schema serves this build. */
@ApplicationScoped
public class DatabaseProbe {

    private static final String UNDEFINED_TABLE = "42P01";
    private static final String LATEST_VERSION = "SELECT version FROM " + Schema.HISTORY_TABLE
            + " WHERE success AND version IS NOT NULL ORDER BY installed_rank DESC LIMIT 1";

    private final Pool pool;
    private final DatabaseConfig config;

    public DatabaseProbe(Pool pool, DatabaseConfig config) {
        this.pool = pool;
        this.config = config;
    }

    public Uni<DatabaseStatus> probe() {
        return pool.query(LATEST_VERSION)
                .execute()
                .map(rows -> {
                    var iterator = rows.iterator();
                    if (!iterator.hasNext()) {
                        return new DatabaseStatus(DatabaseStatus.State.NOT_MIGRATED, null, null);
                    }
                    return statusOf(iterator.next());
                })
                .ifNoItem()
                .after(config.healthTimeout())
                .fail()
                .onFailure()
                .recoverWithItem(DatabaseProbe::statusOf);
    }

    private static DatabaseStatus statusOf(Row row) {
        String version = row.getString(0);
        boolean recentEnough = MigrationVersion.fromVersion(version).isAtLeast(Schema.VERSION);
        return new DatabaseStatus(
                recentEnough ? DatabaseStatus.State.UP : DatabaseStatus.State.SCHEMA_BEHIND, version, null);
    }

    private static DatabaseStatus statusOf(Throwable failure) {
        if (failure instanceof PgException pg && UNDEFINED_TABLE.equals(pg.getSqlState())) {
            return new DatabaseStatus(DatabaseStatus.State.NOT_MIGRATED, null, null);
        }
        return new DatabaseStatus(DatabaseStatus.State.UNREACHABLE, null, DatabaseErrors.oneLine(failure));
    }
}
