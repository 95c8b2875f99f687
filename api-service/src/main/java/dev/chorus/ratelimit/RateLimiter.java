package dev.chorus.ratelimit;

import dev.chorus.problem.ApiException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * Fixed-window counters in PostgreSQL, so that a limit holds across every api-service replica. One statement per
 * request counts the user and the client address together and answers both counts. It runs outside the request's
 * transaction: a request that fails later still counted.
 */
@ApplicationScoped
public class RateLimiter {

    private static final String COUNT = """
            INSERT INTO rate_limit_counters AS c (bucket, subject, window_start, hits)
            SELECT $1, subject, to_timestamp(floor(extract(epoch FROM now()) / $3::integer) * $3::integer), 1
            FROM unnest($2::text[]) AS subject
            ON CONFLICT (bucket, subject, window_start) DO UPDATE SET hits = c.hits + 1
            RETURNING subject, hits, extract(epoch FROM c.window_start) + $3::integer - extract(epoch FROM now()) AS remaining""";

    private final Pool pool;
    private final RateLimitConfig config;

    public RateLimiter(Pool pool, RateLimitConfig config) {
        this.pool = pool;
        this.config = config;
    }

    /** Counts one request; fails with 429 and the time to wait once either count is over its limit. */
    public Uni<Void> check(RateLimitBucket bucket, UUID userId, HttpServerRequest request) {
        return check(bucket, userId, null, request);
    }

    /** As {@link #check(RateLimitBucket, UUID, HttpServerRequest)}, counting against the chat's limit too. */
    public Uni<Void> check(RateLimitBucket bucket, UUID userId, UUID chatId, HttpServerRequest request) {
        RateLimitConfig.Limit limit = config.buckets().get(bucket);
        if (!config.enabled() || limit == null) {
            return Uni.createFrom().voidItem();
        }
        String address = ClientAddress.of(request, config.forwardedHops());
        List<String> subjects = new ArrayList<>(2);
        if (limit.perUser() > 0 && userId != null) {
            subjects.add("user:" + userId);
        }
        if (limit.perIp() > 0) {
            subjects.add("ip:" + address);
        }
        if (limit.perChat() > 0 && chatId != null) {
            subjects.add("chat:" + chatId);
        }
        if (subjects.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        int windowSeconds = (int) Math.max(1, limit.window().toSeconds());
        return pool.preparedQuery(COUNT)
                .execute(Tuple.of(
                        bucket.name().toLowerCase(Locale.ROOT), subjects.toArray(String[]::new), windowSeconds))
                .invoke(rows -> {
                    for (Row row : rows) {
                        String subject = row.getString("subject");
                        int allowed = subject.startsWith("user:")
                                ? limit.perUser()
                                : subject.startsWith("chat:") ? limit.perChat() : limit.perIp();
                        if (row.getInteger("hits") > allowed) {
                            double remaining = row.getNumeric("remaining").doubleValue();
                            throw ApiException.tooManyRequests(Duration.ofMillis((long) Math.ceil(remaining * 1000)));
                        }
                    }
                })
                .replaceWithVoid();
    }
}
