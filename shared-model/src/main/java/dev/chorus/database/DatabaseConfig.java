package dev.chorus.database;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

@ConfigMapping(prefix = "chorus.database")
public interface DatabaseConfig {

    /** When this process applies the Flyway migrations of shared-model. */
    @WithDefault("off")
    MigrationMode migrate();

    /** How long the readiness check waits for the database before calling it down. */
    @WithDefault("3s")
    Duration healthTimeout();

    enum MigrationMode {
        /** Never: production replicas expect the deploy to have run the migrations once, before them. */
        OFF,
        /** Migrate, then serve: local runs and tests. */
        AT_START,
        /** Migrate, then exit: the one-off migration step of a deploy. */
        ONLY
    }
}
