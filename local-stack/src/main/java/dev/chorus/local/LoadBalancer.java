package dev.chorus.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** nginx in front of the replicas, configured from deploy/nginx/local.conf.template. */
final class LoadBalancer {

    private LoadBalancer() {}

    /** nginx on the PATH or where Debian puts it; empty when it is not installed. */
    static Optional<Path> findNginx() {
        Stream<Path> onPath = Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .filter(dir -> !dir.isBlank())
                .map(dir -> Path.of(dir, "nginx"));
        return Stream.concat(onPath, Stream.of(Path.of("/usr/sbin/nginx")))
                .filter(Files::isExecutable)
                .findFirst();
    }

    static ServiceProcess start(Path nginx, StackOptions options, List<ServiceProcess> api, List<ServiceProcess> ws) {
        Path prefix = options.root().resolve(".chorus/nginx").toAbsolutePath();
        Path logs = options.logs().toAbsolutePath();
        try {
            Files.createDirectories(prefix);
            Files.createDirectories(logs);
            String config = Files.readString(options.root().resolve("deploy/nginx/local.conf.template"))
                    .replace("{{USER}}", isRoot() ? "user root;" : "")
                    .replace("{{PREFIX}}", prefix.toString())
                    .replace("{{LOGS}}", logs.toString())
                    .replace(
                            "{{WEB}}",
                            options.root().resolve("web").toAbsolutePath().toString())
                    .replace("{{LISTEN}}", "127.0.0.1:" + options.lbPort())
                    .replace("{{API_SERVERS}}", servers(api))
                    .replace("{{WS_SERVERS}}", servers(ws));
            Path file = prefix.resolve("nginx.conf");
            Files.writeString(file, config);
            return ServiceProcess.run(
                    "nginx",
                    List.of(nginx.toString(), "-p", prefix.toString(), "-c", file.toString(), "-g", "daemon off;"),
                    options.lbPort(),
                    logs.resolve("nginx.log"));
        } catch (IOException e) {
            throw new UncheckedIOException("could not configure nginx in " + prefix, e);
        }
    }

    private static String servers(List<ServiceProcess> replicas) {
        return replicas.stream()
                .map(replica -> "        server 127.0.0.1:" + replica.port() + " max_fails=1 fail_timeout=2s;")
                .collect(Collectors.joining("\n"));
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
    }
}
