package dev.chorus.message;

/** The sender may not send in the chat, as the transaction that would have stored the message found. */
public class SendRefusedException extends RuntimeException {

    public enum Reason {
        /** Not an active member of the chat. */
        NOT_A_MEMBER,
        /** A member whose role or permissions do not allow sending. */
        NOT_ALLOWED
    }

    private final Reason reason;

    public SendRefusedException(Reason reason) {
        super("send refused: " + reason, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
