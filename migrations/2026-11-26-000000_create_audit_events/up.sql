-- Every successful write records who did what, when, with the state before and after.
-- Rows are written in the same transaction as the change they describe, so the log
-- can never claim a change that was rolled back, nor miss one that was committed.
CREATE TABLE audit_events (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    actor_kind    text        NOT NULL CHECK (actor_kind IN ('anonymous', 'user', 'client', 'external', 'system')),
    actor_id      text,
    action        text        NOT NULL,
    resource_type text        NOT NULL,
    resource_id   uuid,
    before        jsonb,
    after         jsonb,
    request_id    text
);

CREATE INDEX audit_events_resource_idx ON audit_events (resource_type, resource_id, id);
