package dev.chorus.ai;

/** A piece of a streamed answer. */
public sealed interface AiChunk {

    /** More text of the answer. */
    record Text(String text) implements AiChunk {}

    /** The answer is complete: the tokens it cost, and why the model stopped (e.g. "end_turn", "max_tokens"). */
    record Finished(int inputTokens, int outputTokens, String stopReason) implements AiChunk {}
}
