package dev.chorus.health;

/** The body of every service's {@code GET /health}. */
public record Liveness(String status) {
    public static final Liveness UP = new Liveness("UP");
}
