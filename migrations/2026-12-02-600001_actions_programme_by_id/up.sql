-- An action names its programme by id (actions.programme_id, since
-- 2026-12-02-200001_create_programmes), and the programme holds the name: the free-text
-- actions.programme column that mirrored it goes.
--
-- First, nothing is lost: an action written since that migration may carry a name with
-- no programme_id (the API still took the name then). Each such name that no programme
-- has becomes a programme, as that migration made them; then each such action joins
-- the programme of that name (the oldest, if several share it), unless its reference
-- is already used there (references are unique within a programme), in which case it
-- stays outside any programme.
-- (Migrations share a session: an earlier one may have made this function already.)
CREATE OR REPLACE FUNCTION pg_temp.uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT (lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
            || '7' || substr(md5(random()::text), 1, 3)
            || '8' || substr(md5(random()::text), 1, 15))::uuid
$$;

INSERT INTO programmes (id, name, owner_organisation_id, owner_post_title, status, created_at, updated_at)
SELECT pg_temp.uuid_v7(), first.programme, first.owner_organisation_id, first.owner_post_title,
       'active', first.created_at, now()
FROM (
    SELECT DISTINCT ON (programme) programme, owner_organisation_id, owner_post_title, created_at
    FROM actions
    WHERE programme IS NOT NULL AND programme_id IS NULL
      AND NOT EXISTS (SELECT 1 FROM programmes p WHERE p.name = actions.programme)
    ORDER BY programme, created_at, id
) first;

UPDATE actions SET programme_id = named.id
FROM (SELECT DISTINCT ON (name) id, name FROM programmes ORDER BY name, id) named
WHERE actions.programme_id IS NULL
  AND actions.programme = named.name
  AND NOT EXISTS (
      SELECT 1 FROM actions other WHERE other.programme_id = named.id AND other.reference = actions.reference
  );

INSERT INTO programme_reports (programme_id, report_id)
SELECT DISTINCT actions.programme_id, recommendations.report_id
FROM actions
JOIN action_recommendations ON action_recommendations.action_id = actions.id
JOIN recommendations ON recommendations.id = action_recommendations.recommendation_id
WHERE actions.programme_id IS NOT NULL
ON CONFLICT DO NOTHING;
DROP FUNCTION pg_temp.uuid_v7();

-- The search vector read the name; it is rebuilt without it (a stored generated column
-- cannot read another table). `q` on actions searches title, description and success
-- measure; `programme_id=` lists a programme's actions.
DROP INDEX actions_search_idx;
ALTER TABLE actions DROP COLUMN search;
ALTER TABLE actions DROP COLUMN programme;
ALTER TABLE actions ADD COLUMN search tsvector GENERATED ALWAYS AS (
    setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
    setweight(to_tsvector('english', coalesce(description, '')), 'B') ||
    setweight(to_tsvector('english', coalesce(success_measure, '')), 'C')
) STORED;
CREATE INDEX actions_search_idx ON actions USING gin (search);
