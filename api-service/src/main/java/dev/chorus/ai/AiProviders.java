package dev.chorus.ai;

import com.fasterxml.jackson.databind.ObjectMapper;
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
    AiProvider provider(AiConfig config, ObjectMapper json) {
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
                        json);
            }
            default ->
                throw new ConfigurationException(
                        "CHORUS_AI_PROVIDER must be 'local' or 'anthropic', not '" + config.provider() + "'.");
        };
    }
}
