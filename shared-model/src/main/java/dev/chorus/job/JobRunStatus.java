package dev.chorus.job;

import dev.chorus.database.LowercaseEnumConverter;

public enum JobRunStatus {
    RUNNING,
    SUCCEEDED,
    FAILED,
    SKIPPED,
    TIMED_OUT;

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<JobRunStatus> {
        public Converter() {
            super(values());
        }
    }
}
