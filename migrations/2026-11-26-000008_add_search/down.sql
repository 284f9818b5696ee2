DROP INDEX actions_search_idx;
ALTER TABLE actions DROP COLUMN search;
DROP INDEX recommendations_search_idx;
ALTER TABLE recommendations DROP COLUMN search;
DROP INDEX responses_search_idx;
ALTER TABLE responses DROP COLUMN search;
DROP INDEX questions_search_idx;
ALTER TABLE questions DROP COLUMN search;
