package dev.chorus.job;

import java.time.Instant;

/** What a running job needs to know: when its time is up. */
public record JobContext(Instant deadline) {

    public boolean timeLeft() {
        return Instant.now().isBefore(deadline);
    }
}
