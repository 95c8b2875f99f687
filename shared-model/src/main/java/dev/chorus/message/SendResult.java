package dev.chorus.message;

/** A user message as stored, and whether this attempt stored it or an earlier one with the same client id did. */
public record SendResult(MessageView message, boolean created) {}
