package dev.chorus.database;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FlywayActivationTest {

    @Test
    void flywayIsInactiveInAProcessThatDoesNotMigrate() {
        assertThat(flywayActive(Map.of())).isEqualTo("false");
        assertThat(flywayActive(Map.of("chorus.database.migrate", "off"))).isEqualTo("false");
        assertThat(flywayActive(Map.of("CHORUS_DATABASE_MIGRATE", "OFF"))).isEqualTo("false");
    }

    @Test
    void flywayIsActiveWhereTheProcessMigrates() {
        assertThat(flywayActive(Map.of("chorus.database.migrate", "at-start"))).isEqualTo("true");
        assertThat(flywayActive(Map.of("CHORUS_DATABASE_MIGRATE", "only"))).isEqualTo("true");
    }

    @Test
    void theProfileDecides() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withProfile("dev")
                .withSources(new PropertiesConfigSource(
                        Map.of("chorus.database.migrate", "off", "%dev.chorus.database.migrate", "at-start"),
                        "application",
                        100))
                .withSources(new FlywayActivation())
                .build();

        assertThat(config.getRawValue("quarkus.flyway.active")).isEqualTo("true");
    }

    @Test
    void anExplicitSettingStillWins() {
        assertThat(flywayActive(Map.of("chorus.database.migrate", "off", "quarkus.flyway.active", "true")))
                .isEqualTo("true");
    }

    private static String flywayActive(Map<String, String> environment) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withSources(new EnvConfigSource(environment, 300))
                .withSources(new FlywayActivation())
                .build()
                .getRawValue("quarkus.flyway.active");
    }
}
