package dev.chorus.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Percentiles of latencies in nanoseconds, reported in milliseconds with two decimals. */
final class Latencies {

    private Latencies() {}

    static Map<String, Object> summary(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("p50Millis", millis(sorted, 0.50));
        summary.put("p99Millis", millis(sorted, 0.99));
        summary.put("p999Millis", millis(sorted, 0.999));
        summary.put("maxMillis", millis(sorted, 1.0));
        return summary;
    }

    private static double millis(long[] sorted, double quantile) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.min(sorted.length - 1, Math.ceil(quantile * sorted.length) - 1);
        return Math.round(sorted[Math.max(0, index)] / 10_000.0) / 100.0;
    }
}
