-- Before this migration a recommendation whose actions were all complete was still
-- in progress as far as its status said.
UPDATE recommendations
SET status = 'in_progress', updated_at = now(), version = version + 1
WHERE status = 'actions_complete';
ALTER TABLE recommendations DROP CONSTRAINT recommendations_status_check;
ALTER TABLE recommendations ADD CONSTRAINT recommendations_status_check
    CHECK (status IN ('open', 'in_progress', 'implemented', 'closed', 'superseded'));
