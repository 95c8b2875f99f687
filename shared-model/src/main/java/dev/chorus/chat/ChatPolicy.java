package dev.chorus.chat;

/**
 * Who may do what in a chat: the one place these rules live, for every service. The table in api-service's README
 * mirrors it.
 *
 * <p>Roles rank owner over admin over member. Flags refine what a role may do: {@code send}, {@code invite},
 * {@code invokeAi} and {@code manageMembers}. The owner always may do everything, whatever the flags say.
 */
public final class ChatPolicy {

    private ChatPolicy() {}

    /** Whether an active member may take the action in the chat at all (targets are checked separately). */
    public static boolean allows(ChatMember member, ChatAction action) {
        if (member == null || !member.isActive()) {
            return false;
        }
        boolean owner = member.role == MemberRole.OWNER;
        boolean adminOrOwner = owner || member.role == MemberRole.ADMIN;
        return switch (action) {
            case READ -> true;
            case SEND -> owner || member.canSend;
            case EDIT_CHAT, DELETE_OTHERS_MESSAGES -> adminOrOwner;
            case DELETE_CHAT, INVITE_ADMIN -> owner;
            case INVITE -> owner || member.canInvite;
            case ADD_MEMBER -> owner || member.canInvite || member.canManageMembers;
            case MANAGE_MEMBERS -> owner || member.canManageMembers;
            case INVOKE_AI -> owner || member.canInvokeAi;
            // The owner cannot leave: a chat always has one. Deleting the chat is the owner's way out.
            case LEAVE -> !owner;
        };
    }

    /** Whether {@code actor} may change or remove {@code target}: managers act only on those they outrank. */
    public static boolean mayManage(ChatMember actor, ChatMember target) {
        return allows(actor, ChatAction.MANAGE_MEMBERS) && target.isActive() && actor.role.outranks(target.role);
    }

    /** Whether {@code actor} may give someone {@code role}: only roles below the actor's own; never owner. */
    public static boolean mayGrant(ChatMember actor, MemberRole role) {
        return role != MemberRole.OWNER && actor.role.outranks(role);
    }
}
