package dev.chorus.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Gives a Quarkus test (in-process or against the packaged jar) the shared {@link TestDatabase}, migrated at
 * start. Every test class of a module names it the same way, {@code @WithTestResource(PostgresTestResource.class)},
 * so the application starts once for all of them.
 */
public class PostgresTestResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        TestDatabase database = TestDatabase.shared();
        return Map.of(
                "quarkus.datasource.reactive.url", database.reactiveUrl(),
                "quarkus.datasource.jdbc.url", database.jdbcUrl(),
                "quarkus.datasource.username", database.username(),
                "quarkus.datasource.password", database.password(),
                "chorus.database.migrate", "at-start");
    }

    @Override
    public void stop() {
        // The database outlives each test class: it is shared by the JVM and stopped when the JVM exits.
    }
}
