package dev.chorus.observability;

import io.quarkus.logging.json.runtime.JsonFormatter;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.config.ConfigMapping;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import java.util.logging.Handler;
import java.util.regex.Pattern;
import org.jboss.logmanager.ExtFormatter;
import org.jboss.logmanager.ExtHandler;
import org.jboss.logmanager.ExtLogRecord;
import org.jboss.logmanager.LogContext;

/**
 * Cloud Logging links a log entry to its trace through the fields {@code logging.googleapis.com/trace}
 * ({@code projects/<project>/traces/<trace id>}) and {@code logging.googleapis.com/spanId}. quarkus-logging-json
 * writes only fixed extra fields, so once the service has started, its JSON formatters are wrapped to add these two
 * from the trace and span ids in the line's MDC. Only when {@code CHORUS_OBSERVABILITY_GCP_PROJECT} names the project.
 */
@ApplicationScoped
public class CloudTraceLogFields {

    private static final Pattern PROJECT_ID = Pattern.compile("[a-z][a-z0-9-]{4,28}[a-z0-9]");
    private static final Pattern HEX_ID = Pattern.compile("[0-9a-f]{16,32}");

    @ConfigMapping(prefix = "chorus.observability")
    public interface Config {
        /** The Google Cloud project whose Cloud Trace holds the spans; unset adds no fields. */
        Optional<String> gcpProject();
    }

    void install(@Observes StartupEvent event, Config config) {
        config.gcpProject().ifPresent(project -> {
            if (!PROJECT_ID.matcher(project).matches()) {
                throw new IllegalArgumentException(
                        "CHORUS_OBSERVABILITY_GCP_PROJECT is not a Google Cloud project id: " + project);
            }
            for (Handler handler : LogContext.getLogContext().getLogger("").getHandlers()) {
                wrap(handler, project);
            }
        });
    }

    private static void wrap(Handler handler, String project) {
        if (handler.getFormatter() instanceof JsonFormatter json) {
            handler.setFormatter(new WithTraceFields(json, project));
        }
        if (handler instanceof ExtHandler parent) {
            for (Handler nested : parent.getHandlers()) {
                wrap(nested, project);
            }
        }
    }

    /** The JSON line, with the trace fields first when the line was logged inside a span. */
    static final class WithTraceFields extends ExtFormatter {

        private final JsonFormatter json;
        private final String tracePrefix;

        WithTraceFields(JsonFormatter json, String project) {
            this.json = json;
            this.tracePrefix = "projects/" + project + "/traces/";
        }

        @Override
        public String format(ExtLogRecord record) {
            String line = json.format(record);
            String traceId = record.getMdc("traceId");
            String spanId = record.getMdc("spanId");
            if (traceId == null || !HEX_ID.matcher(traceId).matches() || !line.startsWith("{")) {
                return line;
            }
            StringBuilder fields = new StringBuilder("{\"logging.googleapis.com/trace\":\"")
                    .append(tracePrefix)
                    .append(traceId)
                    .append("\",");
            if (spanId != null && HEX_ID.matcher(spanId).matches()) {
                fields.append("\"logging.googleapis.com/spanId\":\"")
                        .append(spanId)
                        .append("\",");
            }
            return fields.append(line, 1, line.length()).toString();
        }
    }
}
