-- The accountability chain: meetings, questions and responses (what was asked and
-- answered), reports and recommendations (what inspectors asked for), actions and their
-- updates (what is being done, by whom, by when). Kinds and states are text with CHECK
-- constraints naming the same values as the domain's enums.

CREATE TABLE meetings (
    id              uuid        PRIMARY KEY,
    organisation_id uuid        NOT NULL REFERENCES organisations (id),
    kind            text        NOT NULL CHECK (kind IN ('panel_meeting', 'strategic_governance_board', 'public_performance_meeting', 'other')),
    title           text        NOT NULL,
    held_on         date        NOT NULL,
    is_public       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX meetings_organisation_idx ON meetings (organisation_id, id);
CREATE INDEX meetings_held_on_idx ON meetings (held_on, id);

CREATE TABLE reports (
    id                        uuid        PRIMARY KEY,
    title                     text        NOT NULL,
    kind                      text        NOT NULL CHECK (kind IN ('inspection', 'reinspection', 'panel_report', 'audit', 'other')),
    publisher_organisation_id uuid        NOT NULL REFERENCES organisations (id),
    subject_organisation_id   uuid        NOT NULL REFERENCES organisations (id),
    published_on              date        NOT NULL,
    url                       text,
    summary                   text,
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now(),
    version                   integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX reports_published_on_idx ON reports (published_on, id);

CREATE TABLE recommendations (
    id                           uuid        PRIMARY KEY,
    report_id                    uuid        NOT NULL REFERENCES reports (id),
    reference                    text        NOT NULL,
    kind                         text        NOT NULL CHECK (kind IN ('recommendation', 'cause_of_concern', 'area_for_improvement')),
    text                         text        NOT NULL,
    addressed_to_organisation_id uuid        NOT NULL REFERENCES organisations (id),
    due_on                       date,
    status                       text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'implemented', 'closed', 'superseded')),
    status_reason                text,
    created_at                   timestamptz NOT NULL DEFAULT now(),
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    version                      integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    UNIQUE (report_id, reference)
);
CREATE INDEX recommendations_report_idx ON recommendations (report_id, id);

CREATE TABLE actions (
    id                    uuid        PRIMARY KEY,
    reference             text        NOT NULL UNIQUE,
    title                 text        NOT NULL,
    description           text        NOT NULL,
    programme             text,
    owner_organisation_id uuid        NOT NULL REFERENCES organisations (id),
    owner_post_title      text        NOT NULL,
    success_measure       text        NOT NULL,
    starts_on             date        NOT NULL,
    due_on                date        NOT NULL,
    status                text        NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'completed', 'blocked', 'cancelled')),
    progress_percent      integer     NOT NULL DEFAULT 0 CHECK (progress_percent BETWEEN 0 AND 100),
    completed_on          date,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    version               integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (due_on >= starts_on),
    CHECK (status <> 'completed' OR (progress_percent = 100 AND completed_on IS NOT NULL))
);
CREATE INDEX actions_owner_idx ON actions (owner_organisation_id, id);
CREATE INDEX actions_due_on_idx ON actions (due_on, id);

CREATE TABLE action_recommendations (
    action_id         uuid NOT NULL REFERENCES actions (id),
    recommendation_id uuid NOT NULL REFERENCES recommendations (id),
    PRIMARY KEY (action_id, recommendation_id)
);
CREATE INDEX action_recommendations_recommendation_idx ON action_recommendations (recommendation_id, action_id);

-- Append-only: no UPDATE or DELETE is ever issued against this table.
CREATE TABLE action_updates (
    id               uuid        PRIMARY KEY,
    action_id        uuid        NOT NULL REFERENCES actions (id),
    reported_on      date        NOT NULL,
    author_name      text        NOT NULL,
    author_position  text        NOT NULL,
    body             text        NOT NULL,
    progress_percent integer     CHECK (progress_percent BETWEEN 0 AND 100),
    status           text        CHECK (status IN ('planned', 'in_progress', 'completed', 'blocked', 'cancelled')),
    meeting_id       uuid        REFERENCES meetings (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    version          integer     NOT NULL DEFAULT 1 CHECK (version = 1)
);
CREATE INDEX action_updates_action_idx ON action_updates (action_id, id);

CREATE TABLE questions (
    id                  uuid        PRIMARY KEY,
    reference           text        NOT NULL UNIQUE,
    status              text        NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'accepted', 'answered', 'rejected', 'withdrawn')),
    asker_kind          text        NOT NULL CHECK (asker_kind IN ('member_of_public', 'panel_member')),
    asker_display_name  text        NOT NULL,
    -- Personal data: {email, phone?, address?}. Only secretariat and admin ever see it.
    asker_contact       jsonb,
    -- The panel member who asked (they may withdraw their own question).
    asker_user_id       uuid        REFERENCES users (id),
    title               text        NOT NULL,
    body                text        NOT NULL,
    topics              text[]      NOT NULL DEFAULT '{}',
    asked_on            date        NOT NULL,
    meeting_id          uuid        REFERENCES meetings (id),
    parent_question_id  uuid        REFERENCES questions (id),
    rejection_reason    text,
    published_at        timestamptz,
    -- Where an imported question came from: the file's name and content hash.
    source_name         text,
    source_hash         text        UNIQUE,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    version             integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK (status <> 'rejected' OR rejection_reason IS NOT NULL)
);
CREATE INDEX questions_status_idx ON questions (status, id);
CREATE INDEX questions_meeting_idx ON questions (meeting_id, id);
CREATE INDEX questions_topics_idx ON questions USING gin (topics);

-- References (PQ-2022-0007) are assigned in order per year, without gaps from rolled
-- back transactions racing each other: the counter row is locked by the insert.
CREATE TABLE question_reference_counters (
    year       integer PRIMARY KEY,
    last_value integer NOT NULL
);

CREATE TABLE question_recommendations (
    question_id       uuid NOT NULL REFERENCES questions (id),
    recommendation_id uuid NOT NULL REFERENCES recommendations (id),
    PRIMARY KEY (question_id, recommendation_id)
);
CREATE INDEX question_recommendations_recommendation_idx ON question_recommendations (recommendation_id, question_id);

CREATE TABLE responses (
    id              uuid        PRIMARY KEY,
    question_id     uuid        NOT NULL REFERENCES questions (id),
    kind            text        NOT NULL CHECK (kind IN ('written', 'verbal')),
    status          text        NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published')),
    body            text        NOT NULL,
    author_name     text        NOT NULL,
    author_position text        NOT NULL,
    responded_on    date        NOT NULL,
    published_at    timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer     NOT NULL DEFAULT 1 CHECK (version >= 1),
    CHECK ((status = 'published') = (published_at IS NOT NULL))
);
CREATE INDEX responses_question_idx ON responses (question_id, id);

-- Every version of a response's text, kept for ever: a published response is never
-- silently rewritten; a change is a correction with a note.
CREATE TABLE response_versions (
    response_id     uuid        NOT NULL REFERENCES responses (id),
    version         integer     NOT NULL,
    kind            text        NOT NULL,
    body            text        NOT NULL,
    author_name     text        NOT NULL,
    author_position text        NOT NULL,
    responded_on    date        NOT NULL,
    correction_note text,
    was_published   boolean     NOT NULL,
    recorded_by     text,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (response_id, version)
);

CREATE TABLE response_recommendations (
    response_id       uuid NOT NULL REFERENCES responses (id),
    recommendation_id uuid NOT NULL REFERENCES recommendations (id),
    PRIMARY KEY (response_id, recommendation_id)
);

CREATE TABLE response_actions (
    response_id uuid NOT NULL REFERENCES responses (id),
    action_id   uuid NOT NULL REFERENCES actions (id),
    PRIMARY KEY (response_id, action_id)
);
