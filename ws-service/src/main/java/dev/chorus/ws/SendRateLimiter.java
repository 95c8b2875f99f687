package dev.chorus.ws;

import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A token bucket per connection for message sends: bursts up to the burst size, then the steady rate. The per-user
 * limits that hold across replicas are api-service's; this one keeps one socket from flooding a replica.
 */
@ApplicationScoped
public class SendRateLimiter {

    private final double perNano;
    private final double burst;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    public SendRateLimiter(WsConfig config) {
        this.perNano = config.sendRate() / 1e9;
        this.burst = config.sendBurst();
    }

    /** Whether the connection may send now; takes a token if so. */
    public boolean tryAcquire(String connectionId) {
        return buckets.computeIfAbsent(connectionId, id -> new Bucket(burst)).tryTake(perNano, burst);
    }

    public void forget(String connectionId) {
        buckets.remove(connectionId);
    }

    private static final class Bucket {
        private double tokens;
        private long refilledAt = System.nanoTime();

        Bucket(double tokens) {
            this.tokens = tokens;
        }

        synchronized boolean tryTake(double perNano, double burst) {
            long now = System.nanoTime();
            tokens = Math.min(burst, tokens + (now - refilledAt) * perNano);
            refilledAt = now;
            if (tokens < 1) {
                return false;
            }
            tokens -= 1;
            return true;
        }
    }
}
