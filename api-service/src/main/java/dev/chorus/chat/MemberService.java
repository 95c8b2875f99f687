package dev.chorus.chat;

import dev.chorus.chat.ChatDtos.MemberChange;
import dev.chorus.chat.ChatDtos.MemberView;
import dev.chorus.chat.ChatDtos.NewMember;
import dev.chorus.problem.ApiException;
import dev.chorus.user.User;
import io.opentelemetry.instrumentation.annotations.WithSpan;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Who is in a chat and with which role and permissions; every change is an event in the chat's stream. */
@ApplicationScoped
public class MemberService {

    private final ChatAccess access;
    private final ChatEvents events;

    public MemberService(ChatAccess access, ChatEvents events) {
        this.access = access;
        this.events = events;
    }

    @WithSpan
    @WithSession
    public Uni<List<MemberView>> list(UUID chatId, UUID userId) {
        return access.require(chatId, userId, ChatAction.READ)
                .chain(found -> Panache.getSession().chain(session -> session.createSelectionQuery(
                                "select m, u.displayName from ChatMember m, User u"
                                        + " where u.id = m.userId and m.chatId = ?1 and m.leftAt is null"
                                        + " order by m.joinedAt, m.id",
                                Object[].class)
                        .setParameter(1, chatId)
                        .getResultList()))
                .map(rows -> rows.stream()
                        .map(row -> view((ChatMember) row[0], (String) row[1]))
                        .toList());
    }

    @WithSpan
    @WithTransaction
    public Uni<MemberView> add(UUID chatId, UUID actorId, NewMember request) {
        MemberRole role = request.role() != null ? request.role() : MemberRole.MEMBER;
        return access.require(chatId, actorId, ChatAction.ADD_MEMBER).chain(found -> {
            if (role != MemberRole.MEMBER && !ChatPolicy.mayGrant(found.member(), role)) {
                return Uni.createFrom()
                        .failure(ApiException.forbidden("You may not grant the role " + wire(role) + "."));
            }
            return User.<User>findById(request.userId()).chain(user -> {
                if (user == null) {
                    return Uni.createFrom().failure(ApiException.notFound("No such user."));
                }
                return ChatMember.<ChatMember>find("chatId = ?1 and userId = ?2", chatId, user.id)
                        .firstResult()
                        .chain(existing -> {
                            if (existing != null && existing.isActive()) {
                                return Uni.createFrom()
                                        .failure(ApiException.conflict(
                                                "already-member", "The user is already a member."));
                            }
                            Permissions permissions = request.permissions() != null
                                    ? request.permissions()
                                    : Permissions.defaultsFor(role);
                            return admit(found.chat(), existing, user.id, role, permissions, "added", actorId)
                                    .map(member -> view(member, user.displayName));
                        });
            });
        });
    }

    /** Makes {@code userId} a member (again), for invites and public chats: the caller has checked the way in. */
    public Uni<ChatMember> join(Chat chat, UUID userId, MemberRole role, String via) {
        return ChatMember.<ChatMember>find("chatId = ?1 and userId = ?2", chat.id, userId)
                .firstResult()
                .chain(existing -> admit(chat, existing, userId, role, Permissions.defaultsFor(role), via, null));
    }

    private Uni<ChatMember> admit(
            Chat chat,
            ChatMember previous,
            UUID userId,
            MemberRole role,
            Permissions permissions,
            String via,
            UUID by) {
        ChatMember member;
        Uni<?> stored;
        if (previous != null) {
            member = previous;
            member.role = role;
            member.grant(permissions);
            member.leftAt = null;
            member.joinedAt = Instant.now();
            stored = Uni.createFrom().item(member);
        } else {
            member = new ChatMember(chat.id, userId, role, permissions);
            stored = member.persist();
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("userId", userId);
        payload.put("role", role);
        payload.put("via", via);
        if (by != null) {
            payload.put("by", by);
        }
        return stored.chain(() -> events.append(chat, "member.joined", "A member joined", payload))
                .replaceWith(member);
    }

    @WithSpan
    @WithTransaction
    public Uni<MemberView> change(UUID chatId, UUID actorId, UUID targetId, MemberChange change) {
        return access.require(chatId, actorId, ChatAction.MANAGE_MEMBERS)
                .chain(found -> activeMember(chatId, targetId).chain(target -> {
                    if (!ChatPolicy.mayManage(found.member(), target)) {
                        return Uni.createFrom()
                                .failure(ApiException.forbidden("You may only manage members below your own role."));
                    }
                    if (change.role() != null && !ChatPolicy.mayGrant(found.member(), change.role())) {
                        return Uni.createFrom()
                                .failure(ApiException.forbidden(
                                        "You may not grant the role " + wire(change.role()) + "."));
                    }
                    if (change.role() != null) {
                        target.role = change.role();
                    }
                    if (change.permissions() != null) {
                        target.grant(change.permissions());
                    } else if (change.role() != null) {
                        target.grant(Permissions.defaultsFor(change.role()));
                    }
                    Map<String, Object> payload = new LinkedHashMap<>();
                    payload.put("userId", targetId);
                    payload.put("role", target.role);
                    payload.put("permissions", target.permissions());
                    payload.put("by", actorId);
                    return events.append(found.chat(), "member.updated", "A member's role changed", payload)
                            .chain(() -> User.<User>findById(targetId))
                            .map(user -> view(target, user.displayName));
                }));
    }

    @WithSpan
    @WithTransaction
    public Uni<Void> remove(UUID chatId, UUID actorId, UUID targetId) {
        if (actorId.equals(targetId)) {
            return leave(chatId, actorId);
        }
        return access.require(chatId, actorId, ChatAction.MANAGE_MEMBERS)
                .chain(found -> activeMember(chatId, targetId).chain(target -> {
                    if (!ChatPolicy.mayManage(found.member(), target)) {
                        return Uni.createFrom()
                                .failure(ApiException.forbidden("You may only remove members below your own role."));
                    }
                    target.leftAt = Instant.now();
                    return events.append(
                                    found.chat(),
                                    "member.removed",
                                    "A member was removed",
                                    Map.of("userId", targetId, "by", actorId))
                            .replaceWithVoid();
                }));
    }

    @WithSpan
    @WithTransaction
    public Uni<Void> leave(UUID chatId, UUID userId) {
        return access.require(chatId, userId, ChatAction.READ).chain(found -> {
            if (!ChatPolicy.allows(found.member(), ChatAction.LEAVE)) {
                return Uni.createFrom()
                        .failure(ApiException.conflict(
                                "owner-cannot-leave", "The owner cannot leave; delete the chat instead."));
            }
            found.member().leftAt = Instant.now();
            return events.append(found.chat(), "member.left", "A member left", Map.of("userId", userId))
                    .replaceWithVoid();
        });
    }

    private static Uni<ChatMember> activeMember(UUID chatId, UUID userId) {
        return ChatMember.<ChatMember>find("chatId = ?1 and userId = ?2 and leftAt is null", chatId, userId)
                .firstResult()
                .onItem()
                .ifNull()
                .failWith(() -> ApiException.notFound("No such member in this chat."));
    }

    private static MemberView view(ChatMember member, String displayName) {
        return new MemberView(member.userId, displayName, member.role, member.permissions(), member.joinedAt);
    }

    private static String wire(MemberRole role) {
        return role.name().toLowerCase(java.util.Locale.ROOT);
    }
}
