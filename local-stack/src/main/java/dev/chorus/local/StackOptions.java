package dev.chorus.local;

import java.nio.file.Path;
import java.util.Map;

/** What the local stack runs: replica counts, where PostgreSQL is, where files go. */
public record StackOptions(
        int apiReplicas,
        int wsReplicas,
        int cronReplicas,
        String databaseUrl,
        int databasePort,
        Path root,
        Path logs,
        int lbPort) {

    /** No load balancer: the services on their own ports only. */
    public static final int NO_LOAD_BALANCER = 0;

    static final int API_BASE_PORT = 8100;
    static final int WS_BASE_PORT = 8200;
    static final int CRON_BASE_PORT = 8300;

    static final String USAGE = """
            Usage: ./chorus [options]
              --api-replicas N    api-service replicas (default 1), on ports 8100, 8101, ...
              --ws-replicas N     ws-service replicas (default 1), on ports 8200, 8201, ...
              --cron-replicas N   cron-service replicas (default 1), on ports 8300, 8301, ...
              --database-url URL  use this PostgreSQL (postgres://user:pass@host:port/db) instead of an embedded one;
                                  DATABASE_URL in the environment does the same
              --database-port N   port of the embedded PostgreSQL (default: a free one)
              --logs DIR          where each process writes its log (default .chorus/logs)
              --lb-port N         port of the nginx load balancer in front of them (default 8080)
              --no-lb             no load balancer, even when nginx is installed
            """;

    public static StackOptions parse(String[] args, Map<String, String> environment, Path root) {
        int api = 1;
        int ws = 1;
        int cron = 1;
        String databaseUrl = blankToNull(environment.get("DATABASE_URL"));
        int databasePort = 0;
        Path logs = root.resolve(".chorus/logs");
        int lbPort = 8080;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                throw new IllegalArgumentException(USAGE);
            }
            if (option.equals("--no-lb")) {
                lbPort = NO_LOAD_BALANCER;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value after " + option + "\n" + USAGE);
            }
            String value = args[++i];
            switch (option) {
                case "--api-replicas" -> api = count(option, value, 1);
                case "--ws-replicas" -> ws = count(option, value, 1);
                case "--cron-replicas" -> cron = count(option, value, 0);
                case "--database-url" -> databaseUrl = value;
                case "--database-port" -> databasePort = count(option, value, 1);
                case "--logs" -> logs = root.resolve(value);
                case "--lb-port" -> lbPort = count(option, value, 1);
                default -> throw new IllegalArgumentException("unknown option " + option + "\n" + USAGE);
            }
        }
        return new StackOptions(api, ws, cron, databaseUrl, databasePort, root, logs, lbPort);
    }

    public Path jar(String service) {
        return root.resolve(service).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private static int count(String option, String value, int minimum) {
        try {
            int number = Integer.parseInt(value);
            if (number >= minimum && number <= 65535) {
                return number;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException(option + " takes a whole number of at least " + minimum + ", not " + value);
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
