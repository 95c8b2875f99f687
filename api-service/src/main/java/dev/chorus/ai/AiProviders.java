package dev.chorus.ai;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;

/** The provider configuration asks for; a missing API key stops start-up with one line. */
public class AiProviders {

    /** Creates the provider at start-up, so a configuration mistake stops the service at once. */
    void checkAtStart(@Observes StartupEvent event, AiProvider provider) {
        provider.name();
    }

    void close(@Disposes AiProvider provider) throws Exception {
        if (provider instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    @Produces
    @ApplicationScoped
    AiProvider provider(AiConfig config, ObjectMapper json, MeterRegistry metrics) {
        // Every series exists from the start, at 0, so that dashboards and alerts see them before a first failure.
        AnthropicProvider.ERROR_REASONS.forEach(
                reason -> metrics.counter("chorus.ai.provider.errors", "reason", reason));
        return switch (config.provider()) {
            case "local" -> new LocalAiProvider(config.local().wordDelay());
            case "anthropic" -> {
                AiConfig.Anthropic anthropic = config.anthropic();
                String apiKey = anthropic
                        .apiKey()
                        .filter(key -> !key.isBlank())
                        .orElseThrow(() -> new ConfigurationException(
                                "CHORUS_AI_PROVIDER=anthropic needs ANTHROPIC_API_KEY (chorus.ai.anthropic.api-key)."));
                yield new AnthropicProvider(
                        anthropic.baseUrl(),
                        apiKey,
                        anthropic.connectTimeout(),
                        anthropic.idleTimeout(),
                        anthropic.maxRetries(),
                        anthropic.retryBackoff(),
                        json,
                        metrics);
            }
            default ->
                throw new ConfigurationException(
                        "CHORUS_AI_PROVIDER must be 'local' or 'anthropic', not '" + config.provider() + "'.");
        };
    }
}
