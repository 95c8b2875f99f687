package dev.chorus.job;

import dev.chorus.database.LowercaseEnumConverter;

/** How a job run was started: Cloud Scheduler's OIDC token, the shared secret header, or the in-process schedule. */
public enum JobTrigger {
    OIDC,
    SECRET,
    SCHEDULE;

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<JobTrigger> {
        public Converter() {
            super(values());
        }
    }
}
