package dev.chorus.message;

import java.util.UUID;

/** The chat a message was addressed to does not exist or was deleted. */
public class UnknownChatException extends RuntimeException {

    private final UUID chatId;

    public UnknownChatException(UUID chatId) {
        super("no chat " + chatId);
        this.chatId = chatId;
    }

    public UUID chatId() {
        return chatId;
    }
}
