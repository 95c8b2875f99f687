package dev.chorus.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The application metric names that the Grafana dashboard and the Prometheus rules in deploy/monitoring query. */
final class MonitoringQueries {

    /**
     * Names the services export: Chorus' own, HTTP, pool and JVM metrics. Recording rules (chorus:...) and series
     * Prometheus makes itself (up) are not the services' to export.
     */
    private static final Pattern METRIC =
            Pattern.compile("(?<![\\w:])((?:chorus|http_server|sql_pool|jvm|process)_[a-z0-9_]+)(?![\\w:])");

    private MonitoringQueries() {}

    static Set<String> metricNames(Path root) throws Exception {
        List<String> queries = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        collect(
                json.readTree(root.resolve("deploy/monitoring/grafana/chorus-dashboard.json")
                        .toFile()),
                queries);
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        for (String rules : List.of("rules.yml", "alerts.yml")) {
            collect(
                    yaml.readTree(root.resolve("deploy/monitoring/prometheus")
                            .resolve(rules)
                            .toFile()),
                    queries);
        }
        Set<String> names = new TreeSet<>();
        for (String query : queries) {
            Matcher metric = METRIC.matcher(query);
            while (metric.find()) {
                names.add(metric.group(1));
            }
        }
        return names;
    }

    /** Every "expr" in the document: panel targets and rules alike. */
    private static void collect(JsonNode node, List<String> queries) {
        if (node.isObject()) {
            node.properties().forEach(field -> {
                if (field.getKey().equals("expr") && field.getValue().isTextual()) {
                    queries.add(field.getValue().asText());
                } else {
                    collect(field.getValue(), queries);
                }
            });
        } else if (node.isArray()) {
            node.forEach(element -> collect(element, queries));
        }
    }
}
