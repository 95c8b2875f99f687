package dev.chorus.id;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class UuidV7Test {

    @Test
    void idsAreVersion7WithTheRfcVariantAndTheCurrentTime() {
        long before = System.currentTimeMillis();
        UUID id = UuidV7.next();
        long after = System.currentTimeMillis();

        assertThat(id.version()).isEqualTo(7);
        assertThat(id.variant()).isEqualTo(2);
        // The counter may borrow a millisecond or so ahead when many ids are made in one millisecond.
        assertThat(UuidV7.millis(id)).isBetween(before, after + 5);
    }

    @Test
    void idsFromOneThreadAreStrictlyIncreasingEvenWithinOneMillisecond() {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            ids.add(UuidV7.next());
        }
        for (int i = 1; i < ids.size(); i++) {
            assertThat(compareUnsigned(ids.get(i - 1), ids.get(i))).isNegative();
        }
    }

    @Test
    void idsFromManyThreadsAreUnique() {
        var ids = new ConcurrentLinkedQueue<UUID>();
        IntStream.range(0, 8).parallel().forEach(thread -> {
            for (int i = 0; i < 20_000; i++) {
                ids.add(UuidV7.next());
            }
        });
        assertThat(ids).hasSize(160_000).doesNotHaveDuplicates();
    }

    @Test
    void millisRefusesOtherVersions() {
        assertThatThrownBy(() -> UuidV7.millis(UUID.randomUUID())).isInstanceOf(IllegalArgumentException.class);
    }

    /** The byte order PostgreSQL and the textual form sort by, unlike {@link UUID#compareTo}, which is signed. */
    private static int compareUnsigned(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
