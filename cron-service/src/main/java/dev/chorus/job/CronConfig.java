package dev.chorus.job;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "chorus.cron")
public interface CronConfig {

    /** The shared secret a trigger may send in X-Cron-Secret (Railway's cron); unset refuses the header. */
    Optional<String> secret();

    Oidc oidc();

    /** Run the in-process schedules of {@link #jobs()}; off, since Cloud Scheduler or Railway normally triggers. */
    @WithDefault("false")
    boolean scheduleEnabled();

    /** One-shot mode: run this job (or "maintenance" for all), then exit with 0 on success and 1 otherwise. */
    Optional<String> runOnce();

    /** Per job, by name: its timeout and its in-process schedule. */
    Map<String, JobSettings> jobs();

    /** A job without settings of its own gets this timeout. */
    @WithDefault("5m")
    Duration defaultTimeout();

    Retention retention();

    /** Presence rows whose heartbeat is older than this belong to a replica that died. */
    @WithDefault("5m")
    Duration presenceStaleAfter();

    /** Rate-limit windows that ended longer ago than this are deleted. */
    @WithDefault("1h")
    Duration rateLimitKeep();

    /**
     * Assistant answers still running this long after they were asked for are abandoned (far beyond api-service's
     * answer timeout, 120 s by default).
     */
    @WithDefault("10m")
    Duration answersAbandonedAfter();

    /** Sessions that expired or were revoked longer ago than this are deleted. */
    @WithDefault("1d")
    Duration sessionKeep();

    interface JobSettings {
        Optional<Duration> timeout();

        /** A Quartz-style cron expression, e.g. "0 0/15 * * * ?". */
        Optional<String> schedule();
    }

    interface Oidc {
        /** Google's signing keys; tests point this at a local JWKS. */
        @WithDefault("https://www.googleapis.com/oauth2/v3/certs")
        String jwksUrl();

        @WithDefault("https://accounts.google.com")
        String issuer();

        /** The audience Cloud Scheduler puts in the token: this service's URL. Unset refuses every OIDC token. */
        Optional<String> audience();

        /** Service accounts allowed to trigger jobs; unset allows none. */
        Optional<List<String>> allowedEmails();
    }

    interface Retention {
        /** Soft-deleted messages are hard-deleted this long after their deletion. */
        @WithDefault("7d")
        Duration deletedGrace();

        /** Rows deleted per statement: small enough that no statement holds locks for long. */
        @WithDefault("2000")
        int batchSize();
    }
}
