package dev.chorus.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlatformConfigSourceFactoryTest {

    @Test
    void portAndDatabaseUrlBecomeQuarkusSettings() {
        SmallRyeConfig config = configWith(Map.of(
                "PORT", "9090",
                "DATABASE_URL", "postgres://chorus:pw@db:5432/chorus?sslmode=require"));

        assertThat(config.getRawValue("quarkus.http.port")).isEqualTo("9090");
        assertThat(config.getRawValue("quarkus.datasource.reactive.url"))
                .isEqualTo("postgresql://db:5432/chorus?sslmode=require");
        assertThat(config.getRawValue("quarkus.datasource.jdbc.url"))
                .isEqualTo("jdbc:postgresql://db:5432/chorus?sslmode=require");
        assertThat(config.getRawValue("quarkus.datasource.username")).isEqualTo("chorus");
        assertThat(config.getRawValue("quarkus.datasource.password")).isEqualTo("pw");
        assertThat(config.getRawValue("quarkus.datasource.reactive.trust-all")).isEqualTo("true");
    }

    @Test
    void theUsualQuarkusKeysStillWin() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(
                        Map.of("PORT", "9090", "DATABASE_URL", "postgres://u:p@db/chorus"), "platform", 100))
                .withSources(new PropertiesConfigSource(
                        Map.of(
                                "quarkus.http.port", "7070",
                                "quarkus.datasource.jdbc.url", "jdbc:postgresql://other/x"),
                        "environment",
                        300))
                .withSources(new PlatformConfigSourceFactory())
                .build();

        assertThat(config.getRawValue("quarkus.http.port")).isEqualTo("7070");
        assertThat(config.getRawValue("quarkus.datasource.jdbc.url")).isEqualTo("jdbc:postgresql://other/x");
        assertThat(config.getRawValue("quarkus.datasource.reactive.url")).isEqualTo("postgresql://db:5432/chorus");
    }

    @Test
    void applicationPropertiesLoseToThePlatformVariables() {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of("PORT", "9090"), "platform", 300))
                .withSources(new PropertiesConfigSource(Map.of("quarkus.http.port", "8080"), "application", 250))
                .withSources(new PlatformConfigSourceFactory())
                .build();

        assertThat(config.getRawValue("quarkus.http.port")).isEqualTo("9090");
    }

    @Test
    void nothingIsDerivedWhenThePlatformSetsNothing() {
        assertThat(PlatformConfigSourceFactory.derive(null, " ")).isEmpty();
    }

    @Test
    void aPortThatIsNotANumberIsRefused() {
        assertThatThrownBy(() -> PlatformConfigSourceFactory.derive("eighty", null))
                .hasMessage("PORT must be a number from 1 to 65535, not 'eighty'.");
    }

    private static SmallRyeConfig configWith(Map<String, String> environment) {
        return new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(environment, "environment", 300))
                .withSources(new PlatformConfigSourceFactory())
                .build();
    }
}
