-- Improvement programmes: a named set of actions with an owner, the reports it
-- responds to, and the meeting where its progress is reported.
CREATE TABLE programmes (
    id                    uuid        PRIMARY KEY,
    name                  text        NOT NULL,
    description           text,
    owner_organisation_id uuid        NOT NULL REFERENCES organisations (id),
    owner_post_title      text        NOT NULL,
    progress_meeting_kind text        CHECK (progress_meeting_kind IN ('panel_meeting', 'strategic_governance_board',
                                                                       'public_performance_meeting', 'other')),
    status                text        NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'completed', 'closed')),
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX programmes_status_idx ON programmes (status, id);

CREATE TABLE programme_reports (
    programme_id uuid NOT NULL REFERENCES programmes (id),
    report_id    uuid NOT NULL REFERENCES reports (id),
    PRIMARY KEY (programme_id, report_id)
);
CREATE INDEX programme_reports_report_idx ON programme_reports (report_id, programme_id);

ALTER TABLE actions ADD COLUMN programme_id uuid REFERENCES programmes (id);
CREATE INDEX actions_programme_idx ON actions (programme_id, id);

-- The free-text programme names become programmes: one per distinct name, owned by
-- the owner of its earliest action, responding to the reports its actions' recommendations
-- come from, and completed when every action in it is completed or cancelled. The text
-- column stays, mirroring the programme's name, so older clients keep reading it.
CREATE FUNCTION pg_temp.uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT (lpad(to_hex(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint), 12, '0')
            || '7' || substr(md5(random()::text), 1, 3)
            || '8' || substr(md5(random()::text), 1, 15))::uuid
$$;

INSERT INTO programmes (id, name, owner_organisation_id, owner_post_title, status, created_at, updated_at)
SELECT pg_temp.uuid_v7(), first.programme, first.owner_organisation_id, first.owner_post_title,
       CASE WHEN bool_and_done THEN 'completed' ELSE 'active' END, first.created_at, now()
FROM (
    SELECT DISTINCT ON (programme) programme, owner_organisation_id, owner_post_title, created_at
    FROM actions WHERE programme IS NOT NULL
    ORDER BY programme, created_at, id
) first
JOIN (
    SELECT programme, bool_and(status IN ('completed', 'cancelled')) AS bool_and_done
    FROM actions WHERE programme IS NOT NULL GROUP BY programme
) done USING (programme);

UPDATE actions SET programme_id = programmes.id FROM programmes WHERE actions.programme = programmes.name;

INSERT INTO programme_reports (programme_id, report_id)
SELECT DISTINCT actions.programme_id, recommendations.report_id
FROM actions
JOIN action_recommendations ON action_recommendations.action_id = actions.id
JOIN recommendations ON recommendations.id = action_recommendations.recommendation_id
WHERE actions.programme_id IS NOT NULL;

-- A reference is the programme's own numbering (CPIP-07): unique within a programme,
-- and among actions outside any programme.
ALTER TABLE actions DROP CONSTRAINT actions_reference_key;
ALTER TABLE actions ADD CONSTRAINT actions_programme_id_reference_key UNIQUE NULLS NOT DISTINCT (programme_id, reference);
