package dev.chorus.auth;

import dev.chorus.auth.AuthDtos.Tokens;
import dev.chorus.auth.AuthDtos.UserView;
import dev.chorus.database.DatabaseErrors;
import dev.chorus.id.UuidV7;
import dev.chorus.problem.ApiException;
import dev.chorus.user.User;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Accounts and sessions. A session is one refresh token; each refresh rotates it within its family, and presenting
 * a token that was already rotated means it leaked, so the whole family is revoked.
 */
@ApplicationScoped
public class AuthService {

    private static final Logger LOG = Logger.getLogger(AuthService.class);

    static final String EMAIL_CONSTRAINT = "users_email_key";

    private final PasswordHasher hasher;
    private final TokenService tokens;
    private final AuthConfig config;

    public AuthService(PasswordHasher hasher, TokenService tokens, AuthConfig config) {
        this.hasher = hasher;
        this.tokens = tokens;
        this.config = config;
    }

    @WithSpan
    public Uni<Tokens> register(AuthDtos.Registration registration, String userAgent) {
        String email = normalise(registration.email());
        return hasher.hash(registration.password())
                .chain(hash -> Panache.withTransaction(
                        () -> User.count("lower(email) = ?1", email).chain(existing -> {
                            if (existing > 0) {
                                return Uni.createFrom().failure(emailTaken());
                            }
                            User user =
                                    new User(email, registration.displayName().strip(), hash);
                            return user.<User>persist()
                                    .chain(() -> Panache.flush())
                                    .chain(() -> startSession(user, UuidV7.next(), userAgent));
                        })))
                .onFailure(failure -> DatabaseErrors.isUniqueViolation(failure, EMAIL_CONSTRAINT))
                .transform(failure -> emailTaken());
    }

    @WithSpan
    public Uni<Tokens> login(AuthDtos.Credentials credentials, String userAgent) {
        String email = normalise(credentials.email());
        return Panache.withSession(
                        () -> User.<User>find("lower(email) = ?1", email).firstResult())
                .chain(user -> hasher.matches(credentials.password(), user != null ? user.passwordHash : null)
                        .chain(matches -> {
                            if (!matches) {
                                return Uni.createFrom()
                                        .failure(ApiException.unauthorized("E-mail or password is wrong."));
                            }
                            return Panache.withTransaction(() -> startSession(user, UuidV7.next(), userAgent));
                        }));
    }

    /**
     * Rotates the refresh token. A token presented again after it was rotated has leaked: the whole family is
     * revoked, and that revocation commits even though the caller gets 401.
     */
    @WithSpan
    public Uni<Tokens> refresh(String refreshToken, String userAgent) {
        return Panache.withTransaction(() -> rotate(refreshToken, userAgent))
                .map(rotated -> rotated.orElseThrow(AuthService::invalidRefreshToken));
    }

    private Uni<Optional<Tokens>> rotate(String refreshToken, String userAgent) {
        byte[] hash = TokenService.hashRefreshToken(refreshToken);
        Instant now = Instant.now();
        return UserSession.<UserSession>find("tokenHash", hash).firstResult().chain(session -> {
            if (session == null || session.revokedAt != null || !session.expiresAt.isAfter(now)) {
                return Uni.createFrom().item(Optional.<Tokens>empty());
            }
            // Only one presenter of a token can rotate it; anyone later is replaying a used token.
            return UserSession.update(
                            "rotatedAt = ?1, lastUsedAt = ?1 where id = ?2 and rotatedAt is null", now, session.id)
                    .chain(rotated -> rotated == 1
                            ? User.<User>findById(session.userId)
                                    .chain(user -> startSession(user, session.familyId, userAgent))
                                    .map(Optional::of)
                            : revokeFamily(session.familyId, "reused")
                                    .invoke(() -> LOG.warnf(
                                            "A rotated refresh token was presented again: it leaked, so session family"
                                                    + " %s of user %s is revoked",
                                            session.familyId, session.userId))
                                    .replaceWith(Optional.<Tokens>empty()));
        });
    }

    /** Ends the session (the device's whole token family) that the refresh token belongs to. */
    @WithSpan
    @WithTransaction
    public Uni<Void> logout(String refreshToken) {
        return UserSession.<UserSession>find("tokenHash", TokenService.hashRefreshToken(refreshToken))
                .firstResult()
                .chain(session ->
                        session == null ? Uni.createFrom().voidItem() : revokeFamily(session.familyId, "logout"));
    }

    @WithSpan
    @WithTransaction
    public Uni<Void> logoutEverywhere(UUID userId) {
        return UserSession.update(
                        "revokedAt = ?1, revokedReason = 'logout-all' where userId = ?2 and revokedAt is null",
                        Instant.now(),
                        userId)
                .replaceWithVoid();
    }

    @WithSpan
    @WithSession
    public Uni<UserView> me(UUID userId) {
        return findUser(userId).map(AuthService::view);
    }

    @WithSpan
    @WithTransaction
    public Uni<UserView> changeDisplayName(UUID userId, String displayName) {
        return findUser(userId).map(user -> {
            user.displayName = displayName.strip();
            user.updatedAt = Instant.now();
            return view(user);
        });
    }

    /** Changes the password and ends every session: other devices must log in again. */
    @WithSpan
    public Uni<Void> changePassword(UUID userId, AuthDtos.PasswordChange change) {
        return Panache.withSession(() -> findUser(userId))
                .chain(user -> hasher.matches(change.currentPassword(), user.passwordHash))
                .chain(matches -> matches
                        ? hasher.hash(change.newPassword())
                        : Uni.createFrom().failure(ApiException.forbidden("The current password is wrong.")))
                .chain(hash -> Panache.withTransaction(() -> findUser(userId)
                        .invoke(user -> {
                            user.passwordHash = hash;
                            user.updatedAt = Instant.now();
                        })
                        .chain(() -> logoutEverywhere(userId))));
    }

    private Uni<User> findUser(UUID userId) {
        return User.<User>findById(userId)
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.unauthorized("The account no longer exists."));
    }

    private Uni<Tokens> startSession(User user, UUID familyId, String userAgent) {
        String refreshToken = tokens.newRefreshToken();
        UserSession session = new UserSession(
                user.id,
                familyId,
                TokenService.hashRefreshToken(refreshToken),
                truncate(userAgent, 500),
                Instant.now().plus(config.refreshTokenTtl()));
        return session.persist()
                .map(persisted -> new Tokens(
                        tokens.accessToken(user),
                        "Bearer",
                        config.accessTokenTtl().toSeconds(),
                        refreshToken,
                        view(user)));
    }

    private static Uni<Void> revokeFamily(UUID familyId, String reason) {
        return UserSession.update(
                        "revokedAt = ?1, revokedReason = ?2 where familyId = ?3 and revokedAt is null",
                        Instant.now(),
                        reason,
                        familyId)
                .replaceWithVoid();
    }

    static UserView view(User user) {
        return new UserView(user.id, user.email, user.displayName);
    }

    private static String normalise(String email) {
        return email.strip().toLowerCase(Locale.ROOT);
    }

    private static String truncate(String value, int length) {
        return value == null || value.length() <= length ? value : value.substring(0, length);
    }

    private static ApiException emailTaken() {
        return ApiException.conflict("email-taken", "An account with this e-mail already exists.");
    }

    private static ApiException invalidRefreshToken() {
        return ApiException.unauthorized("The refresh token is invalid, expired or revoked; log in again.");
    }
}
