package dev.chorus.health;

import dev.chorus.job.GoogleOidcStub;
import dev.chorus.testing.PostgresTestResource;
import dev.chorus.testing.ServiceHealthContract;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
@WithTestResource(PostgresTestResource.class)
@WithTestResource(GoogleOidcStub.class)
class HealthTest extends ServiceHealthContract {}
