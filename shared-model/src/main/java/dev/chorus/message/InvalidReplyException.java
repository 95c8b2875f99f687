package dev.chorus.message;

/** The message replied to does not exist in the same chat. */
public class InvalidReplyException extends RuntimeException {
    public InvalidReplyException() {
        super("replyToId names no message of this chat", null, false, false);
    }
}
