package dev.chorus.id;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit counter, then 62 random bits.
 *
 * <p>Ids from one process are strictly increasing (RFC 9562 section 6.2, method 1), so rows inserted in
 * order land at the right edge of their primary-key index instead of at random pages.
 */
public final class UuidV7 {

    private static final int COUNTER_BITS = 12;
    private static final long COUNTER_MASK = (1L << COUNTER_BITS) - 1;
    private static final long VERSION_7 = 0x7000L;
    private static final long VARIANT_RFC_9562 = 0x8000_0000_0000_0000L;
    private static final long RANDOM_62_BITS = 0x3FFF_FFFF_FFFF_FFFFL;

    /** Unix milliseconds shifted left by {@link #COUNTER_BITS}, plus the counter: the last value handed out. */
    private static final AtomicLong lastTimeAndCounter = new AtomicLong();

    private UuidV7() {}

    public static UUID next() {
        long timeAndCounter = nextTimeAndCounter(System.currentTimeMillis());
        long millis = timeAndCounter >>> COUNTER_BITS;
        long counter = timeAndCounter & COUNTER_MASK;
        long mostSignificant = (millis << 16) | VERSION_7 | counter;
        long leastSignificant = VARIANT_RFC_9562 | (ThreadLocalRandom.current().nextLong() & RANDOM_62_BITS);
        return new UUID(mostSignificant, leastSignificant);
    }

    /** The Unix milliseconds encoded in a version 7 UUID. */
    public static long millis(UUID uuid) {
        if (uuid.version() != 7) {
            throw new IllegalArgumentException("not a version 7 UUID: " + uuid);
        }
        return uuid.getMostSignificantBits() >>> 16;
    }

    private static long nextTimeAndCounter(long nowMillis) {
        while (true) {
            long last = lastTimeAndCounter.get();
            // A fresh millisecond starts the counter at a random point in its lower half, leaving room to count up.
            long fresh =
                    (nowMillis << COUNTER_BITS) | ThreadLocalRandom.current().nextLong(1L << (COUNTER_BITS - 1));
            // Within the same millisecond (or when the clock stepped back) count up; overflowing the counter
            // borrows the next millisecond, which keeps the order at the cost of running slightly ahead.
            long next = fresh > last ? fresh : last + 1;
            if (lastTimeAndCounter.compareAndSet(last, next)) {
                return next;
            }
        }
    }
}
