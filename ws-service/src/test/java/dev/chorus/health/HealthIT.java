package dev.chorus.health;

import dev.chorus.testing.PostgresTestResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same checks against the packaged jar. */
@QuarkusIntegrationTest
@WithTestResource(PostgresTestResource.class)
class HealthIT extends HealthTest {}
