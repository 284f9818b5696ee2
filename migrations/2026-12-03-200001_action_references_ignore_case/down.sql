-- Back to references unique as written (the suffixes given to clashing references stay:
-- they are unique either way).
DROP INDEX actions_programme_id_lower_reference_key;
ALTER TABLE actions ADD CONSTRAINT actions_programme_id_reference_key UNIQUE NULLS NOT DISTINCT (programme_id, reference);
