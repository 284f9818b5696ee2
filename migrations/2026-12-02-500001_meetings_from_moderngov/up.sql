-- Meetings from a council's ModernGov (`scrutiny sync-meetings`): where a meeting came
-- from (the ModernGov site's address and its meeting id, both or neither; unique
-- together, so syncing again updates the meeting rather than adding another), and
-- whether it was cancelled. A cancelled meeting is kept, so the public sees it was
-- cancelled, and takes no public questions (no question deadline).
ALTER TABLE meetings
    ADD COLUMN cancelled boolean NOT NULL DEFAULT false,
    ADD COLUMN moderngov_url text,
    ADD COLUMN moderngov_meeting_id bigint,
    ADD CONSTRAINT meetings_moderngov_both_or_neither
        CHECK ((moderngov_url IS NULL) = (moderngov_meeting_id IS NULL)),
    ADD CONSTRAINT meetings_moderngov_unique UNIQUE (moderngov_url, moderngov_meeting_id);
