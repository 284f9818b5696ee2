-- Full-text search: a generated, stored tsvector per searchable table (English
-- stemming; weight A for titles and references, B for the main text, C for the rest),
-- each with a GIN index, used by `q` on the lists and by GET /api/v1/search.
-- Personal data (a questioner's contact details, names) is never part of a vector.

ALTER TABLE questions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(body, '')), 'B')
) STORED;
CREATE INDEX questions_search_idx ON questions USING gin (search);

ALTER TABLE responses ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(body, '')), 'B')
) STORED;
CREATE INDEX responses_search_idx ON responses USING gin (search);

ALTER TABLE recommendations ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(reference, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(text, '')), 'B')
) STORED;
CREATE INDEX recommendations_search_idx ON recommendations USING gin (search);

ALTER TABLE actions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(success_measure, '')), 'C') ||
    setweight(to_tsvector('english', coalesce(programme, '')), 'C')
) STORED;
CREATE INDEX actions_search_idx ON actions USING gin (search);
