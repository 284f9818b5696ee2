-- The change feed (and the webhooks' outbox). Writers insert an event in the same
-- transaction as the change it describes, without a position (`id` is null). A
-- sequencer, one at a time under an advisory lock, gives positions from
-- `event_positions` only to events whose transaction id is below the oldest
-- transaction still running (`pg_snapshot_xmin(pg_current_snapshot())`): those
-- transactions have all ended, so no event with a smaller position can ever commit
-- later. A consumer reading `id > last` therefore never misses nor repeats an event,
-- however writes interleave. Positions increase strictly; they may skip numbers.
CREATE SEQUENCE event_positions AS bigint;

CREATE TABLE events (
    entry           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    txid            xid8        NOT NULL DEFAULT pg_current_xact_id(),
    id              bigint      UNIQUE,
    event_type      text        NOT NULL,
    resource_type   text        NOT NULL,
    resource_id     uuid        NOT NULL,
    occurred_at     timestamptz NOT NULL DEFAULT now(),
    -- Whether public callers see the event: the resource is public after the change,
    -- or was before it (then `public_snapshot` is null: it is no longer public).
    public          boolean     NOT NULL,
    -- The resource after the change as staff see it; never a questioner's contact details.
    snapshot        jsonb       NOT NULL,
    public_snapshot jsonb
);

CREATE INDEX events_unsequenced_idx ON events (txid, entry) WHERE id IS NULL;
CREATE INDEX events_public_idx ON events (id) WHERE public AND id IS NOT NULL;
CREATE INDEX events_resource_idx ON events (resource_type, resource_id, id);
