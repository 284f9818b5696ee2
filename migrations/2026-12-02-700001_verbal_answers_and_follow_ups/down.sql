DROP FUNCTION response_followed_up_by(uuid);
DROP INDEX questions_parent_question_id;
ALTER TABLE responses
    DROP COLUMN follows_up_response_id,
    DROP COLUMN follow_up_due_on,
    DROP COLUMN meeting_id;
