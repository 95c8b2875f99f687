package dev.chorus.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** Limits per bucket, e.g. {@code chorus.rate-limit.buckets.message-send.per-user=120}. */
@ConfigMapping(prefix = "chorus.rate-limit")
public interface RateLimitConfig {

    @WithDefault("true")
    boolean enabled();

    Map<RateLimitBucket, Limit> buckets();

    /**
     * How many proxies in front of api-service append to X-Forwarded-For: 1 behind nginx, 2 behind Google's external
     * load balancer, 0 when clients connect directly (see {@link ClientAddress}).
     */
    @WithDefault("1")
    int forwardedHops();

    interface Limit {
        /** Requests one user may make per window; 0 means no per-user limit. */
        @WithDefault("0")
        int perUser();

        /** Requests one client address may make per window; 0 means no per-address limit. */
        @WithDefault("0")
        int perIp();

        /** Requests about one chat per window, whoever makes them; 0 means no per-chat limit. */
        @WithDefault("0")
        int perChat();

        @WithDefault("60s")
        Duration window();
    }
}
