package dev.chorus.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.chorus.local.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a benchmark's result goes: benchmarks/results/{name}.json and .md, each with the machine it ran on, so that
 * numbers are never read without their context.
 */
final class Results {

    private final String name;
    private final Path root;

    /** CHORUS_BENCH_LABEL, when set, keeps a variant's results apart: {@code <name>-<label>.json} and {@code .md}. */
    Results(String name, Path root) {
        String label = System.getenv("CHORUS_BENCH_LABEL");
        this.name = label == null || label.isBlank() ? name : name + "-" + label.strip();
        this.root = root;
    }

    void write(Map<String, Object> measurements, String markdownTable, String method) throws IOException {
        Map<String, Object> machine = machine();
        Map<String, Object> document = new LinkedHashMap<>();
        document.put("benchmark", name);
        document.put("at", Instant.now().toString());
        document.put("machine", machine);
        document.put("method", method);
        document.put("results", measurements);
        Path directory = root.resolve("benchmarks/results");
        Files.createDirectories(directory);
        new ObjectMapper()
                .enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(directory.resolve(name + ".json").toFile(), document);
        StringBuilder markdown = new StringBuilder("# " + name + "\n\n");
        machine.forEach((key, value) ->
                markdown.append("- ").append(key).append(": ").append(value).append('\n'));
        markdown.append("- measured: ").append(document.get("at")).append("\n\n");
        markdown.append(method).append("\n\n").append(markdownTable);
        Files.writeString(directory.resolve(name + ".md"), markdown);
        System.out.println("\nWrote " + directory.resolve(name + ".json") + " and " + name + ".md");
    }

    private Map<String, Object> machine() throws IOException {
        Map<String, Object> machine = new LinkedHashMap<>();
        machine.put("cores", Runtime.getRuntime().availableProcessors());
        machine.put("memory", memTotal());
        machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        machine.put("jdk", System.getProperty("java.vendor") + " " + System.getProperty("java.runtime.version"));
        machine.put("quarkus", quarkusVersion());
        List<String> serviceJvmOptions = new ArrayList<>(List.of(ServiceProcess.JVM_OPTIONS_DESCRIPTION));
        serviceJvmOptions.addAll(BenchServices.extraJvmOptions());
        machine.put("service JVM options", String.join(" ", serviceJvmOptions));
        return machine;
    }

    private static String memTotal() throws IOException {
        return Files.readAllLines(Path.of("/proc/meminfo")).stream()
                .filter(line -> line.startsWith("MemTotal:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024 + " GiB")
                .findFirst()
                .orElse("unknown");
    }

    /** The Quarkus version the packaged services were built with, from their list of dependencies. */
    private String quarkusVersion() throws IOException {
        Path dependencies = root.resolve("api-service/target/quarkus-app/quarkus-app-dependencies.txt");
        if (!Files.isRegularFile(dependencies)) {
            return "unknown";
        }
        return Files.readAllLines(dependencies).stream()
                .filter(line -> line.startsWith("io.quarkus:quarkus-core::jar:"))
                .map(line -> line.substring("io.quarkus:quarkus-core::jar:".length()))
                .findFirst()
                .orElse("unknown");
    }
}
