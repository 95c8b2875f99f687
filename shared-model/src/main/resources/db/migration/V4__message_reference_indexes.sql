-- Deleting a message sets the references to it to NULL (replies, AI invocations). Without these indexes each
-- deleted message would scan the referencing table, and the retention job's batches would take minutes.
CREATE INDEX messages_reply_to_idx ON messages (reply_to_id) WHERE reply_to_id IS NOT NULL;
CREATE INDEX ai_invocations_prompt_message_idx ON ai_invocations (prompt_message_id) WHERE prompt_message_id IS NOT NULL;
CREATE INDEX ai_invocations_response_message_idx ON ai_invocations (response_message_id)
    WHERE response_message_id IS NOT NULL;
