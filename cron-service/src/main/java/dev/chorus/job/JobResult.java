package dev.chorus.job;

import java.util.Map;

/** What a run did: the rows it changed, and anything else worth keeping in the run record. */
public record JobResult(long rowsAffected, Map<String, Object> details) {

    public static JobResult rows(long rowsAffected) {
        return new JobResult(rowsAffected, null);
    }
}
