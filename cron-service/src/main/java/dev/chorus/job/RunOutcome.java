package dev.chorus.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** One run as recorded, and as the trigger's response describes it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunOutcome(
        UUID runId,
        String job,
        JobTrigger trigger,
        String node,
        JobRunStatus status,
        Instant startedAt,
        Instant finishedAt,
        Long rowsAffected,
        String error,
        Map<String, Object> details) {

    public boolean failed() {
        return status == JobRunStatus.FAILED || status == JobRunStatus.TIMED_OUT;
    }
}
