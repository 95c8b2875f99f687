package dev.chorus.chat;

/** The permission flags of a chat member. */
public record Permissions(boolean send, boolean invite, boolean invokeAi, boolean manageMembers) {

    public static final Permissions ALL = new Permissions(true, true, true, true);

    /** What a role gets when it is granted without explicit flags. */
    public static Permissions defaultsFor(MemberRole role) {
        return switch (role) {
            case OWNER, ADMIN -> ALL;
            case MEMBER -> new Permissions(true, false, true, false);
        };
    }
}
