package dev.chorus.bench;

import java.util.List;

/** Median, best and worst of a few measurements: few runs, so no mean and no deviation that would mean little. */
public record Stats(long median, long best, long worst) {

    static Stats of(List<Long> values) {
        List<Long> sorted = values.stream().sorted().toList();
        return new Stats(sorted.get(sorted.size() / 2), sorted.getFirst(), sorted.getLast());
    }

    @Override
    public String toString() {
        return median + " (" + best + "–" + worst + ")";
    }
}
