package dev.chorus.chat;

/** Everything a member may try to do in a chat; {@link ChatPolicy} decides who may. */
public enum ChatAction {
    READ,
    SEND,
    EDIT_CHAT,
    DELETE_CHAT,
    INVITE,
    INVITE_ADMIN,
    ADD_MEMBER,
    MANAGE_MEMBERS,
    DELETE_OTHERS_MESSAGES,
    INVOKE_AI,
    LEAVE
}
