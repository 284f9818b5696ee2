ALTER TABLE actions DROP CONSTRAINT actions_programme_id_reference_key;
ALTER TABLE actions ADD CONSTRAINT actions_reference_key UNIQUE (reference);
DROP INDEX actions_programme_idx;
ALTER TABLE actions DROP COLUMN programme_id;
DROP TABLE programme_reports;
DROP TABLE programmes;
