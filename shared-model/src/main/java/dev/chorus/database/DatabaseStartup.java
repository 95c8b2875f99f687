package dev.chorus.database;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.flywaydb.core.Flyway;
import org.jboss.logging.Logger;

/**
 * Applies the migrations when configured to, and otherwise says in one line at start-up when the database is not
 * usable, instead of letting the first request find out.
 */
@ApplicationScoped
public class DatabaseStartup {

    private static final Logger LOG = Logger.getLogger(DatabaseStartup.class);

    private final DatabaseConfig config;
    private final Instance<Flyway> flyway;
    private final DatabaseProbe probe;
    private final String jdbcUrl;

    public DatabaseStartup(
            DatabaseConfig config,
            Instance<Flyway> flyway,
            DatabaseProbe probe,
            @ConfigProperty(name = "quarkus.datasource.jdbc.url", defaultValue = "(not configured)") String jdbcUrl) {
        this.config = config;
        this.flyway = flyway;
        this.probe = probe;
        this.jdbcUrl = jdbcUrl;
    }

    void onStart(@Observes StartupEvent event) {
        switch (config.migrate()) {
            case AT_START -> {
                if (!migrate()) {
                    Quarkus.asyncExit(1);
                }
            }
            case ONLY -> Quarkus.asyncExit(migrate() ? 0 : 1);
            case OFF ->
                probe.probe().subscribe().with(status -> {
                    if (!status.isUp()) {
                        LOG.error("Not ready: " + status.describe() + ". Readiness stays DOWN until this is fixed.");
                    }
                });
        }
    }

    /** Says in one line (no stack trace) when the migration cannot be applied. */
    private boolean migrate() {
        try {
            var result = flyway.get().migrate();
            LOG.infof(
                    "Database migrated: %d migration(s) applied, schema version %s",
                    result.migrationsExecuted,
                    result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion);
            return true;
        } catch (RuntimeException e) {
            LOG.error("Database migration against " + jdbcUrl.replaceFirst("^jdbc:", "") + " failed: "
                    + DatabaseErrors.oneLine(e));
            return false;
        }
    }
}
