-- E-mail notifications. The change feed is the outbox of every change (its event is
-- written in the change's transaction); the mail worker turns each sequenced event
-- that concerns someone who asked to be told into a message here, at most once (the
-- single `mail_feed` row is locked while it does so and moves past the events in the
-- same transaction), then claims due messages with `FOR UPDATE SKIP LOCKED` and a
-- lease, so instances sharing the database never send one message twice.
CREATE TABLE mail_outbox (
    id              uuid        PRIMARY KEY,
    -- The feed event the message was made for.
    event_id        bigint,
    -- `question.accepted`, … : what the message is about (for metrics and the runbook).
    kind            text        NOT NULL,
    -- Personal data: cleared (NULL) once the message is sent or given up.
    recipient       text,
    subject         text        NOT NULL,
    body_text       text        NOT NULL,
    body_html       text        NOT NULL,
    status          text        NOT NULL DEFAULT 'pending'
                                CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    leased_until    timestamptz,
    last_error      text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CHECK ((status = 'pending') = (recipient IS NOT NULL))
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE status = 'pending';
CREATE INDEX mail_outbox_finished ON mail_outbox (finished_at) WHERE status <> 'pending';

-- How far the mail worker has read the change feed: one row.
CREATE TABLE mail_feed (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    position  bigint  NOT NULL
);

-- Mail starts with the events written from now on.
INSERT INTO mail_feed (position) SELECT coalesce(max(id), 0) FROM events;
