-- Webhooks: subscriptions of a URL to event types, fed from the change feed (the
-- `events` table is the outbox). A worker in every instance fans sequenced events out
-- into `webhook_deliveries` (one row per subscription and event, at most once, from
-- the subscription's `feed_position`), then claims due deliveries with
-- `FOR UPDATE SKIP LOCKED` and a lease, so several instances never send one at once.
-- Every attempt is kept in `webhook_attempts`.
CREATE TABLE webhooks (
    id            uuid        PRIMARY KEY,
    url           text        NOT NULL,
    description   text,
    -- `question.accepted`, or `question.*` for every event about questions; empty: all.
    event_types   text[]      NOT NULL DEFAULT '{}',
    is_active     boolean     NOT NULL DEFAULT true,
    -- The Standard Webhooks signing secret (`whsec_` + base64). It must be kept to sign,
    -- so it is stored as is; it is shown to the API only at creation and rotation.
    secret        text        NOT NULL,
    -- What the payload's snapshot shows: `public` (the public representation, public
    -- events only) or `staff` (every event, never contact details); from the creator's role.
    view          text        NOT NULL CHECK (view IN ('public', 'staff')),
    -- Who created it (`user:<id>`, `client:<id>`): an integration system sees its own only.
    owner         text        NOT NULL,
    -- The last feed position fanned out to this subscription: it starts at the feed's
    -- head when created, so a new subscription receives changes from then on.
    feed_position bigint      NOT NULL DEFAULT 0,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    version       integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE INDEX webhooks_owner_idx ON webhooks (owner, id);

CREATE TABLE webhook_deliveries (
    -- Also the `webhook-id` header: the same for every attempt of one delivery, so a
    -- receiver can drop duplicates.
    id               uuid        PRIMARY KEY,
    webhook_id       uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         bigint      NOT NULL,
    event_type       text        NOT NULL,
    payload          jsonb       NOT NULL,
    status           text        NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'succeeded', 'failed')),
    attempts         integer     NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    -- Retries stop once this is older than the retry window (24 hours by default); a
    -- redelivery by hand starts a new window.
    retry_from       timestamptz NOT NULL DEFAULT now(),
    -- While an instance is sending it; an expired lease (a crashed instance) frees it.
    leased_until     timestamptz,
    last_status_code integer,
    last_error       text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (webhook_id, event_id)
);
CREATE INDEX webhook_deliveries_due_idx ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (webhook_id, id DESC);

CREATE TABLE webhook_attempts (
    id           bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id  uuid        NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    attempted_at timestamptz NOT NULL DEFAULT now(),
    -- The receiver's status, or null when no answer came (refused, timed out, private address).
    status_code  integer,
    error        text,
    duration_ms  integer     NOT NULL
);
CREATE INDEX webhook_attempts_delivery_idx ON webhook_attempts (delivery_id, id);
