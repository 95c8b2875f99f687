package dev.chorus.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/** A scrape of services' /q/metrics, in Prometheus' text format: each metric name with its series summed. */
final class Metrics {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final Map<String, Double> totals = new TreeMap<>();

    /** Scrapes every replica's endpoint and adds their values up, as a dashboard's sum() does. */
    static Metrics scrape(Collection<String> baseUrls) throws Exception {
        Metrics metrics = new Metrics();
        for (String baseUrl : baseUrls) {
            String text = HTTP.send(
                            HttpRequest.newBuilder(URI.create(baseUrl + "/q/metrics"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            text.lines()
                    .filter(line -> !line.isBlank() && !line.startsWith("#"))
                    .forEach(metrics::add);
        }
        return metrics;
    }

    private void add(String line) {
        int nameEnd = line.indexOf('{') >= 0 ? line.indexOf('{') : line.indexOf(' ');
        String name = line.substring(0, nameEnd);
        String value = line.substring(line.lastIndexOf(' ') + 1);
        double number = value.equals("NaN") ? 0 : Double.parseDouble(value);
        totals.merge(name, number, Double::sum);
    }

    boolean has(String name) {
        return totals.containsKey(name);
    }

    double total(String name) {
        return totals.getOrDefault(name, 0.0);
    }

    java.util.Set<String> names() {
        return totals.keySet();
    }
}
