package dev.chorus.health;

import dev.chorus.testing.PostgresTestResource;
import dev.chorus.testing.ProductionLogContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged jar, whose log is that of production. */
@QuarkusIntegrationTest
@WithTestResource(PostgresTestResource.class)
class HealthIT extends HealthTest implements ProductionLogContract {}
