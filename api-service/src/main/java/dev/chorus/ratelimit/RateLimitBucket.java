package dev.chorus.ratelimit;

/** What a limit counts. */
public enum RateLimitBucket {
    AUTH,
    CHAT_CREATE,
    MESSAGE_SEND,
    INVITE_JOIN,
    AI_INVOKE
}
