package dev.chorus.job;

import dev.chorus.database.LowercaseEnumConverter;

/**
 * How a job run was started: Cloud Scheduler's OIDC token, the shared secret header, the in-process schedule, or the
 * one-shot mode (start, run, exit) of Railway's cron.
 */
public enum JobTrigger {
    OIDC,
    SECRET,
    SCHEDULE,
    ONCE;

    @jakarta.persistence.Converter(autoApply = true)
    public static class Converter extends LowercaseEnumConverter<JobTrigger> {
        public Converter() {
            super(values());
        }
    }
}
