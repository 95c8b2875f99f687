package dev.chorus.invite;

import dev.chorus.chat.Chat;
import dev.chorus.chat.ChatAccess;
import dev.chorus.chat.ChatAction;
import dev.chorus.chat.MemberRole;
import dev.chorus.chat.MemberService;
import dev.chorus.problem.ApiException;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
public class InviteService {

    private static final char[] CODE_ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final int CODE_LENGTH = 12;

    private final ChatAccess access;
    private final MemberService members;
    private final SecureRandom random = new SecureRandom();

    public InviteService(ChatAccess access, MemberService members) {
        this.access = access;
        this.members = members;
    }

    public record NewInvite(
            MemberRole role,
            @Min(1) @Max(100_000) Integer maxUses,
            @Min(60) @Max(60L * 60 * 24 * 365) Long expiresInSeconds) {}

    public record InviteView(
            UUID id,
            UUID chatId,
            String code,
            MemberRole role,
            Integer maxUses,
            int uses,
            Instant expiresAt,
            Instant revokedAt,
            Instant createdAt,
            boolean usable) {

        static InviteView of(Invite invite) {
            return new InviteView(
                    invite.id,
                    invite.chatId,
                    invite.code,
                    invite.role,
                    invite.maxUses,
                    invite.uses,
                    invite.expiresAt,
                    invite.revokedAt,
                    invite.createdAt,
                    invite.isUsable(Instant.now()));
        }
    }

    /** What anyone holding the code may see before joining. */
    public record InvitePreview(
            String code,
            UUID chatId,
            String chatName,
            String chatDescription,
            MemberRole role,
            Instant expiresAt,
            boolean usable) {}

    @WithSpan
    @WithTransaction
    public Uni<InviteView> create(UUID chatId, UUID userId, NewInvite request) {
        MemberRole role = request.role() != null ? request.role() : MemberRole.MEMBER;
        if (role == MemberRole.OWNER) {
            return Uni.createFrom().failure(ApiException.badRequest("invalid-role", "An invite cannot make an owner."));
        }
        ChatAction needed = role == MemberRole.ADMIN ? ChatAction.INVITE_ADMIN : ChatAction.INVITE;
        return access.require(chatId, userId, needed).chain(found -> {
            Instant expiresAt = request.expiresInSeconds() != null
                    ? Instant.now().plus(Duration.ofSeconds(request.expiresInSeconds()))
                    : null;
            Invite invite = new Invite(chatId, newCode(), userId, role, request.maxUses(), expiresAt);
            return invite.persist().map(persisted -> InviteView.of(invite));
        });
    }

    @WithSpan
    @WithSession
    public Uni<List<InviteView>> list(UUID chatId, UUID userId) {
        return access.require(chatId, userId, ChatAction.INVITE)
                .chain(found -> Invite.<Invite>list("chatId = ?1 order by createdAt desc", chatId))
                .map(invites -> invites.stream().map(InviteView::of).toList());
    }

    @WithSpan
    @WithTransaction
    public Uni<Void> revoke(UUID chatId, UUID userId, UUID inviteId) {
        return access.require(chatId, userId, ChatAction.INVITE)
                .chain(found -> Invite.<Invite>find("id = ?1 and chatId = ?2", inviteId, chatId)
                        .<Invite>firstResult())
                .invoke(invite -> {
                    if (invite == null) {
                        throw ApiException.notFound("No such invite.");
                    }
                    if (invite.revokedAt == null) {
                        invite.revokedAt = Instant.now();
                    }
                })
                .replaceWithVoid();
    }

    @WithSpan
    @WithSession
    public Uni<InvitePreview> preview(String code) {
        return findByCode(code)
                .chain(invite -> Chat.<Chat>findById(invite.chatId).map(chat -> {
                    if (chat == null || chat.deletedAt != null) {
                        throw ApiException.notFound("No such invite.");
                    }
                    return new InvitePreview(
                            invite.code,
                            chat.id,
                            chat.name,
                            chat.description,
                            invite.role,
                            invite.expiresAt,
                            invite.isUsable(Instant.now()));
                }));
    }

    /**
     * Joins the chat with the code. A member already in the chat uses nothing up; otherwise one use is taken in the
     * same statement that checks the invite is still usable, so concurrent joins never exceed its maximum.
     */
    @WithSpan
    @WithTransaction
    public Uni<UUID> join(String code, UUID userId) {
        return findByCode(code)
                .chain(invite -> access.load(invite.chatId, userId).chain(found -> {
                    if (found.member() != null) {
                        return Uni.createFrom().item(invite.chatId);
                    }
                    return Invite.update(
                                    "uses = uses + 1 where id = ?1 and revokedAt is null and expiredAt is null"
                                            + " and (expiresAt is null or expiresAt > ?2)"
                                            + " and (maxUses is null or uses < maxUses)",
                                    invite.id,
                                    Instant.now())
                            .chain(taken -> taken == 1
                                    ? members.join(found.chat(), userId, invite.role, "invite")
                                            .map(member -> invite.chatId)
                                    : Uni.createFrom()
                                            .failure(ApiException.gone(
                                                    "invite-unusable",
                                                    "This invite was revoked, has expired or is used up.")));
                }));
    }

    private static Uni<Invite> findByCode(String code) {
        return Invite.<Invite>find("code", code)
                .firstResult()
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.notFound("No such invite."));
    }

    private String newCode() {
        char[] code = new char[CODE_LENGTH];
        for (int i = 0; i < code.length; i++) {
            code[i] = CODE_ALPHABET[random.nextInt(CODE_ALPHABET.length)];
        }
        return new String(code);
    }
}
