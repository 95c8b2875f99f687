package dev.chorus.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.chorus.local.LocalStack;
import dev.chorus.local.StackOptions;
import java.nio.file.Path;
import java.util.Map;

/** The stack as production runs it: 2 api-service and 2 ws-service replicas and cron-service behind nginx. */
public final class ProductionShape {

    public static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private ProductionShape() {}

    /** The options of such a stack with nginx on {@code lbPort} and logs under e2e-tests/target/{@code name}. */
    public static StackOptions options(int lbPort, String name) {
        return StackOptions.parse(
                new String[] {
                    "--api-replicas",
                    "2",
                    "--ws-replicas",
                    "2",
                    "--lb-port",
                    Integer.toString(lbPort),
                    "--logs",
                    "e2e-tests/target/" + name + "/logs"
                },
                Map.of(),
                ROOT);
    }

    public static LocalStack start(StackOptions options) throws InterruptedException {
        LocalStack stack = LocalStack.start(options);
        if (stack.publicUrl() == null) {
            stack.close();
        }
        assertThat(stack.publicUrl())
                .as(
                        "nginx must be installed for the end-to-end suite (apt-get install nginx-light): %s",
                        stack.loadBalancerNote())
                .isNotNull();
        return stack;
    }
}
