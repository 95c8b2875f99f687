package dev.chorus.ai;

import io.smallrye.mutiny.Multi;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in model for development and tests: no network, and always the same answer to the same conversation,
 * streamed a word at a time. It echoes the latest request and counts words as tokens.
 */
public class LocalAiProvider implements AiProvider {

    private final Duration wordDelay;

    public LocalAiProvider(Duration wordDelay) {
        this.wordDelay = wordDelay;
    }

    @Override
    public String name() {
        return "local";
    }

    /** The answer this provider streams for {@code request}. */
    public static String answerTo(AiRequest request) {
        String latest =
                request.turns().isEmpty() ? "" : request.turns().getLast().content();
        return "You asked: " + latest.strip() + " (a local model's answer, from "
                + request.turns().size() + " messages of context)";
    }

    @Override
    public Multi<AiChunk> stream(AiRequest request) {
        String answer = answerTo(request);
        List<AiChunk> chunks = new ArrayList<>();
        String[] words = answer.split("(?<= )");
        for (String word : words) {
            chunks.add(new AiChunk.Text(word));
        }
        int inputTokens = request.turns().stream()
                        .mapToInt(turn -> turn.content().split("\\s+").length)
                        .sum()
                + request.system().split("\\s+").length;
        chunks.add(new AiChunk.Finished(inputTokens, words.length, "end_turn"));
        Multi<AiChunk> all = Multi.createFrom().iterable(chunks);
        return wordDelay.isZero()
                ? all
                : all.onItem().call(chunk -> io.smallrye.mutiny.Uni.createFrom()
                        .voidItem()
                        .onItem()
                        .delayIt()
                        .by(wordDelay));
    }
}
