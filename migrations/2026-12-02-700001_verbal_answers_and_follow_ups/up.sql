-- Answers given at a panel meeting, and the written follow-ups promised there.
--
-- A `verbal` response names the meeting it was given at; a verbal response may carry a
-- written follow-up undertaking (the date the promised written answer is due); the
-- written response that keeps the promise names the verbal one. Whether an undertaking
-- is due, overdue or provided is derived (crate::domain::question::FollowUpStatus), not
-- stored. Existing verbal responses (recorded before meetings were required) keep a
-- null meeting: the API requires one for every new verbal response.
ALTER TABLE responses
    ADD COLUMN meeting_id uuid REFERENCES meetings (id),
    ADD COLUMN follow_up_due_on date,
    ADD COLUMN follows_up_response_id uuid REFERENCES responses (id),
    ADD CONSTRAINT responses_meeting_only_when_verbal
        CHECK (meeting_id IS NULL OR kind = 'verbal'),
    ADD CONSTRAINT responses_follow_up_only_when_verbal
        CHECK (follow_up_due_on IS NULL OR kind = 'verbal'),
    ADD CONSTRAINT responses_follows_up_only_when_written
        CHECK (follows_up_response_id IS NULL OR kind = 'written'),
    ADD CONSTRAINT responses_follow_up_not_before_answer
        CHECK (follow_up_due_on IS NULL OR follow_up_due_on >= responded_on);
CREATE INDEX responses_meeting_id ON responses (meeting_id) WHERE meeting_id IS NOT NULL;
CREATE INDEX responses_follows_up_response_id ON responses (follows_up_response_id)
    WHERE follows_up_response_id IS NOT NULL;
CREATE INDEX responses_follow_up_due_on ON responses (follow_up_due_on)
    WHERE follow_up_due_on IS NOT NULL;
CREATE INDEX questions_parent_question_id ON questions (parent_question_id)
    WHERE parent_question_id IS NOT NULL;

-- The published written response that provides the follow-up promised in verbal
-- response `response`, if any (the earliest).
CREATE FUNCTION response_followed_up_by(response uuid) RETURNS uuid
LANGUAGE sql STABLE
AS $$
    SELECT f.id FROM responses f
    WHERE f.follows_up_response_id = response AND f.kind = 'written' AND f.status = 'published'
    ORDER BY f.id
    LIMIT 1
$$;
