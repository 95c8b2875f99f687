package dev.chorus.ai;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

@ConfigMapping(prefix = "chorus.ai")
public interface AiConfig {

    /** "local" (deterministic, no network: development and tests) or "anthropic". */
    @WithDefault("local")
    String provider();

    /** The model asked; stored with every invocation and answer. */
    @WithDefault("claude-sonnet-4-5")
    String model();

    @WithDefault("You are Chorus, an assistant taking part in a group chat. Answer the latest request briefly and "
            + "helpfully, using the conversation for context. Messages from people start with their name.")
    String systemPrompt();

    /** The longest answer, in tokens. */
    @WithDefault("1024")
    int maxOutputTokens();

    /** How much recent history goes into the request, in (estimated) tokens. */
    @WithDefault("4000")
    int contextTokens();

    /** An answer not finished in this time is stopped and recorded as timed out. */
    @WithDefault("120s")
    Duration timeout();

    /** Pieces of the answer are gathered this long before they go out as one delta, so a fast model sends few. */
    @WithDefault("50ms")
    Duration deltaInterval();

    Anthropic anthropic();

    Local local();

    interface Anthropic {
        /** From ANTHROPIC_API_KEY; required when the provider is "anthropic". */
        Optional<String> apiKey();

        @WithDefault("https://api.anthropic.com")
        URI baseUrl();

        @WithDefault("5s")
        Duration connectTimeout();

        /** The stream is given up when nothing arrives for this long. */
        @WithDefault("60s")
        Duration idleTimeout();

        @WithDefault("2")
        int maxRetries();

        @WithDefault("500ms")
        Duration retryBackoff();
    }

    interface Local {
        /** The pause between the local provider's words, to look like streaming. */
        @WithDefault("20ms")
        Duration wordDelay();
    }
}
