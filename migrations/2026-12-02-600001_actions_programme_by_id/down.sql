-- The free-text name comes back, filled from each action's programme, and the search
-- vector reads it again. Programmes made by the up migration stay.
DROP INDEX actions_search_idx;
ALTER TABLE actions DROP COLUMN search;
ALTER TABLE actions ADD COLUMN programme text;
UPDATE actions SET programme = programmes.name FROM programmes WHERE programmes.id = actions.programme_id;
ALTER TABLE actions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(success_measure, '')), 'C') ||
    setweight(to_tsvector('english', coalesce(programme, '')), 'C')
) STORED;
CREATE INDEX actions_search_idx ON actions USING gin (search);
