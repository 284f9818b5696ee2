-- The scheduled ModernGov sync (SCRUTINY_MODERNGOV_URL): one row per ModernGov site
-- and committee. An instance runs the sync only while it holds the row's lease
-- (`leased_until` in the future, taken with a conditional UPDATE), and only once the
-- row is due (`next_run_at`): instances sharing the database take turns, one sync at
-- a time and one per interval between them. A lease outlives the longest run, so an
-- instance that dies mid-run holds the sync up for no longer than that.
CREATE TABLE moderngov_sync_state (
    -- `<site>#<committee id>`.
    sync_key         text        PRIMARY KEY,
    next_run_at      timestamptz NOT NULL DEFAULT now(),
    leased_until     timestamptz,
    -- A random token of the instance holding the lease.
    leased_by        text,
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_outcome     text        CHECK (last_outcome IN ('succeeded', 'failed')),
    last_error       text,
    CHECK ((leased_until IS NULL) = (leased_by IS NULL))
);

-- Imports read but not yet made: the minutes importer's dry run of a document (the
-- public questions item of a meeting's agenda in ModernGov), stored with the meeting
-- it is of and its report, for the secretariat to confirm (the import is then made
-- from the stored text) or dismiss. The same text for the same meeting is stored once,
-- whatever became of it, so a sync every hour does not queue it again.
CREATE TABLE pending_imports (
    id                   uuid        PRIMARY KEY,
    meeting_id           uuid        NOT NULL REFERENCES meetings (id),
    -- Where the text came from: `moderngov`.
    origin               text        NOT NULL CHECK (origin IN ('moderngov')),
    -- The name the import is made under (the questions' `source.name`).
    source_name          text        NOT NULL,
    moderngov_url        text,
    moderngov_meeting_id bigint,
    agenda_item_id       bigint,
    agenda_item_title    text        NOT NULL,
    document             text        NOT NULL,
    -- The SHA-256 (hex) of `document`.
    document_hash        text        NOT NULL,
    -- The dry run's report (the import's answer with `dry_run=true`).
    report               jsonb       NOT NULL,
    status               text        NOT NULL DEFAULT 'pending'
                                     CHECK (status IN ('pending', 'confirmed', 'dismissed')),
    created_at           timestamptz NOT NULL DEFAULT now(),
    decided_at           timestamptz,
    -- Who confirmed or dismissed it (the audit log's actor).
    decided_by           text,
    -- The real import's report, once confirmed.
    result               jsonb,
    UNIQUE (meeting_id, document_hash),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);

CREATE INDEX pending_imports_by_status ON pending_imports (status, created_at, id);
