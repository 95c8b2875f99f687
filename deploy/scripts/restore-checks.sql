-- Integrity checks of a restored Chorus database, run by restore-drill.sh with psql (ON_ERROR_STOP).
-- Each check prints one line, "ok" or "FAIL"; any failure ends the script with an error.
\set QUIET on
SET client_min_messages = notice;
-- psql does not expand variables inside the DO block's quotes: the expected version goes in as a setting.
SELECT set_config('chorus.expected_schema', :'expected_schema', false) \gset

DO $checks$
DECLARE
    failures   int := 0;
    found      bigint;
    constraint_row record;
    expected   text := current_setting('chorus.expected_schema');
    installed  text;
BEGIN
    -- The schema: every migration applied and successful, the newest one the one this checkout expects.
    SELECT count(*) FILTER (WHERE NOT success), max(version::int)::text
      INTO found, installed
      FROM flyway_schema_history WHERE version IS NOT NULL;
    IF found > 0 OR installed IS DISTINCT FROM expected THEN
        failures := failures + 1;
        RAISE NOTICE 'FAIL schema: version %, % failed migrations (expected version %)', installed, found, expected;
    ELSE
        RAISE NOTICE 'ok   schema version %', installed;
    END IF;

    -- Foreign keys: every constraint validated, and no row points at a row that is not there.
    SELECT count(*) INTO found FROM pg_constraint
     WHERE contype = 'f' AND NOT convalidated AND connamespace = 'public'::regnamespace;
    IF found > 0 THEN
        failures := failures + 1;
        RAISE NOTICE 'FAIL % foreign keys are not validated', found;
    END IF;
    FOR constraint_row IN
        SELECT c.conname,
               c.conrelid::regclass AS child, a.attname AS child_column,
               c.confrelid::regclass AS parent, pa.attname AS parent_column
          FROM pg_constraint c
          JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
          JOIN pg_attribute pa ON pa.attrelid = c.confrelid AND pa.attnum = c.confkey[1]
         WHERE c.contype = 'f' AND c.connamespace = 'public'::regnamespace AND cardinality(c.conkey) = 1
         ORDER BY c.conname
    LOOP
        EXECUTE format(
            'SELECT count(*) FROM %s child WHERE child.%I IS NOT NULL'
            ' AND NOT EXISTS (SELECT 1 FROM %s parent WHERE parent.%I = child.%I)',
            constraint_row.child, constraint_row.child_column,
            constraint_row.parent, constraint_row.parent_column, constraint_row.child_column)
          INTO found;
        IF found > 0 THEN
            failures := failures + 1;
            RAISE NOTICE 'FAIL foreign key %: % rows of % point at no row of %',
                constraint_row.conname, found, constraint_row.child, constraint_row.parent;
        END IF;
    END LOOP;
    RAISE NOTICE 'ok   foreign keys checked';

    -- Sequences per chat: numbers are positive, unique, and never beyond the chat's head; read markers too.
    SELECT count(*) INTO found FROM (
        SELECT chat_id, seq FROM messages GROUP BY chat_id, seq HAVING count(*) > 1) duplicated;
    IF found > 0 THEN
        failures := failures + 1;
        RAISE NOTICE 'FAIL % sequence numbers are used twice within a chat', found;
    END IF;
    SELECT count(*) INTO found FROM messages m JOIN chats c ON c.id = m.chat_id
     WHERE m.seq < 1 OR m.seq > c.last_message_seq;
    IF found > 0 THEN
        failures := failures + 1;
        RAISE NOTICE 'FAIL % messages have a sequence number beyond their chat''s head (last_message_seq)', found;
    END IF;
    SELECT count(*) INTO found FROM chat_members cm JOIN chats c ON c.id = cm.chat_id
     WHERE cm.last_read_seq > c.last_message_seq;
    IF found > 0 THEN
        failures := failures + 1;
        RAISE NOTICE 'FAIL % read markers are beyond their chat''s head', found;
    END IF;
    -- Holes are legitimate where retention removed messages (soft-deleted ones past their grace period, or the
    -- oldest past a chat's retention_days), so they are reported, not failed; the drill compares each chat's
    -- sequence with the source's when it has one.
    SELECT coalesce(sum(max_seq - min_seq + 1 - entries), 0) INTO found FROM (
        SELECT max(seq) AS max_seq, min(seq) AS min_seq, count(*) AS entries FROM messages GROUP BY chat_id) per_chat;
    RAISE NOTICE 'ok   sequence numbers per chat (% holes left by retention)', found;

    IF failures > 0 THEN
        RAISE EXCEPTION '% integrity checks failed', failures;
    END IF;
END
$checks$;
