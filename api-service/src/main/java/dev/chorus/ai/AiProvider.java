package dev.chorus.ai;

import io.smallrye.mutiny.Multi;
import java.util.List;

/** A model that answers a conversation, streaming its answer. */
public interface AiProvider {

    /** The name stored in each invocation record, e.g. "anthropic" or "local". */
    String name();

    /**
     * Streams the answer to {@code request}: text pieces in order, then exactly one {@link AiChunk.Finished}.
     * Fails with {@link AiProviderException} when the provider refuses, errs, or the stream breaks off.
     */
    Multi<AiChunk> stream(AiRequest request);

    /** One turn of the conversation the model sees. */
    record Turn(Role role, String content) {}

    enum Role {
        USER,
        ASSISTANT
    }

    /** What the model is asked: the system prompt, the conversation (oldest first), and an output limit. */
    record AiRequest(String model, String system, List<Turn> turns, int maxOutputTokens) {}
}
