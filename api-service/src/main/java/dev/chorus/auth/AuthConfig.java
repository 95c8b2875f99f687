package dev.chorus.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Size;
import java.time.Duration;

/** Validated at start-up: a missing or short signing secret stops the service with one line. */
@ConfigMapping(prefix = "chorus.auth")
public interface AuthConfig {

    /** HS256 signing secret of access tokens, shared with ws-service, which verifies them. */
    @Size(min = 32, message = "must be at least 32 characters (CHORUS_AUTH_JWT_SECRET)")
    String jwtSecret();

    @WithDefault(AccessTokenVerification.DEFAULT_ISSUER)
    String issuer();

    @WithDefault("15m")
    Duration accessTokenTtl();

    @WithDefault("30d")
    Duration refreshTokenTtl();

    /** bcrypt cost factor: each step doubles the work of a hash. */
    @WithDefault("10")
    @Min(4)
    @Max(16)
    int bcryptCost();
}
