DROP INDEX actions_owner_due_on_idx;
DROP INDEX actions_status_due_on_idx;
DROP INDEX actions_updated_at_idx;
DROP INDEX responses_updated_at_idx;
DROP INDEX questions_updated_at_idx;
CREATE INDEX questions_status_idx ON questions (status, id);
DROP INDEX questions_status_asked_on_idx;
DROP INDEX questions_asked_on_idx;
