package dev.chorus.testing;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** For a service's packaged-jar tests: the log of the prod profile is Cloud Logging's JSON and holds no secret. */
public interface ProductionLogContract {

    @Test
    default void theProductionLogIsJsonForCloudLoggingAndShowsNoSecret() throws Exception {
        String[] secrets = Stream.of("CHORUS_AUTH_JWT_SECRET", "CHORUS_CRON_SECRET", "ANTHROPIC_API_KEY")
                .map(System::getenv)
                .filter(value -> value != null && !value.isBlank())
                .toArray(String[]::new);
        ProductionLogs.assertCloudLoggingJson(ProductionLogs.ofIntegrationTest(), secrets);
    }
}
