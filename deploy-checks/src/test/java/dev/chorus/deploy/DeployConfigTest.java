package dev.chorus.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The deploy files, checked by the tools their formats have, as far as this machine allows: yamllint (Debian),
 * the GitHub Actions validator (npm, tools/config-lint), shellcheck (Debian), {@code terraform fmt}, nginx's own
 * configuration test, and promtool (Debian's prometheus) for the alert rules and their unit tests. {@code docker compose config} and {@code terraform validate} need a Docker engine's plugin and
 * the providers' download, which this machine does not have; the CI workflow's lint job runs them on GitHub.
 */
class DeployConfigTest {

    private static final Commands SHELL = Commands.IN_REPOSITORY;
    private static final Path ACTION_VALIDATOR = Path.of("tools/config-lint/node_modules/.bin/action-validator");

    @Test
    void everyYamlFileOfDeployAndTheWorkflowsPassesYamllint() throws Exception {
        Commands.Result lint = SHELL.run("yamllint", "--strict", "-c", ".yamllint", ".github", "deploy", ".yamllint");

        assertThat(lint.exitCode()).as(lint.output()).isZero();
    }

    @Test
    void everyWorkflowPassesTheActionsValidator() throws Exception {
        List<Path> workflows = files(".github/workflows", ".yml");
        assertThat(workflows).isNotEmpty();
        for (Path workflow : workflows) {
            Commands.Result validation = SHELL.run(ACTION_VALIDATOR.toString(), workflow.toString());
            assertThat(validation.exitCode())
                    .as("%s: %s", workflow, validation.output())
                    .isZero();
        }
    }

    @Test
    void theActionsValidatorRejectsAJobWithAnUnknownKey() throws Exception {
        Path broken = Files.createTempFile("broken-workflow", ".yml");
        Files.writeString(broken, "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    stepz: []\n");

        Commands.Result validation = SHELL.run(ACTION_VALIDATOR.toString(), broken.toString());

        assertThat(validation.exitCode()).isNotZero();
        assertThat(validation.output()).contains("stepz");
    }

    @Test
    void everyShellScriptPassesShellcheck() throws Exception {
        List<String> command =
                new ArrayList<>(List.of("shellcheck", ".ci/run", "chorus", "bench", "tools/launcher.sh"));
        files("deploy/scripts", ".sh").forEach(script -> command.add(script.toString()));

        Commands.Result check = SHELL.run(command);

        assertThat(check.exitCode()).as(check.output()).isZero();
    }

    @Test
    void theTerraformIsFormatted() throws Exception {
        Commands.Result format = SHELL.run("terraform", "fmt", "-check", "-recursive", "-diff", "deploy/terraform");

        assertThat(format.exitCode()).as(format.output()).isZero();
    }

    @Test
    void theComposeStacksNginxConfigPassesNginxsOwnTest() throws Exception {
        Commands.Result test = SHELL.run("bash", "deploy/scripts/check-compose-nginx.sh");

        assertThat(test.exitCode()).as(test.output()).isZero();
        assertThat(test.output()).contains("test is successful");
    }

    @Test
    void theAlertAndRecordingRulesPassPromtoolsChecksAndTheirUnitTests() throws Exception {
        Commands.Result promtool = SHELL.run("bash", "deploy/scripts/check-prometheus-rules.sh");

        assertThat(promtool.exitCode()).as(promtool.output()).isZero();
        assertThat(promtool.output()).contains("SUCCESS");
    }

    @Test
    void theGrafanaDashboardIsJsonWithARowPerService() throws Exception {
        JsonNode dashboard = new ObjectMapper()
                .readTree(SHELL.root()
                        .resolve("deploy/monitoring/grafana/chorus-dashboard.json")
                        .toFile());

        List<String> rows = new ArrayList<>();
        dashboard.get("panels").forEach(panel -> {
            if (panel.path("type").asText().equals("row")) {
                rows.add(panel.path("title").asText());
            }
        });
        assertThat(rows)
                .anyMatch(title -> title.contains("api-service"))
                .anyMatch(title -> title.contains("ws-service"))
                .anyMatch(title -> title.contains("cron-service"));
    }

    @Test
    void everyRailwayServiceHasABuildAHealthCheckOrScheduleAndARestartPolicy() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<Path> configs = files("deploy/railway", ".json");
        assertThat(configs).hasSize(4);
        for (Path config : configs) {
            JsonNode railway = json.readTree(SHELL.root().resolve(config).toFile());
            assertThat(railway.at("/build/builder").asText())
                    .as("%s build", config)
                    .isEqualTo("DOCKERFILE");
            assertThat(SHELL.root().resolve(railway.at("/build/dockerfilePath").asText()))
                    .as("%s Dockerfile", config)
                    .isRegularFile();
            JsonNode deploy = railway.get("deploy");
            assertThat(deploy.path("restartPolicyType").asText())
                    .as("%s restart policy", config)
                    .isNotEmpty();
            assertThat(deploy.has("healthcheckPath") || deploy.has("cronSchedule"))
                    .as("%s: a health check, or a cron schedule for a run-once service", config)
                    .isTrue();
        }
    }

    private static List<Path> files(String directory, String suffix) throws Exception {
        try (Stream<Path> found = Files.walk(SHELL.root().resolve(directory))) {
            return found.filter(file -> file.getFileName().toString().endsWith(suffix))
                    .map(SHELL.root()::relativize)
                    .sorted()
                    .toList();
        }
    }
}
