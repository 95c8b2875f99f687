package dev.chorus.auth;

import io.quarkus.elytron.security.common.BcryptUtil;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * bcrypt through Quarkus' Elytron. Hashing takes tens of milliseconds on purpose, so it runs on a worker thread
 * and the result comes back on the caller's event loop, where its database session lives.
 */
@ApplicationScoped
public class PasswordHasher {

    /** A real hash of a random password, so an unknown e-mail costs the same time as a wrong password. */
    private static final String DECOY = BcryptUtil.bcryptHash("decoy password no one will ever type", 10);

    private final Vertx vertx;
    private final int cost;

    public PasswordHasher(Vertx vertx, AuthConfig config) {
        this.vertx = vertx;
        this.cost = config.bcryptCost();
    }

    public Uni<String> hash(String password) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> BcryptUtil.bcryptHash(password, cost)));
    }

    /** Whether the password matches; with a null hash (no such user) it still does the work, then says no. */
    public Uni<Boolean> matches(String password, String hash) {
        return vertx.executeBlocking(Uni.createFrom().item(() -> {
            boolean matches = BcryptUtil.matches(password, hash != null ? hash : DECOY);
            return matches && hash != null;
        }));
    }
}
