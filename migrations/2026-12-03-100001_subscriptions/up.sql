-- Following by e-mail (issue 19).
-- Following by e-mail: anyone may follow a public question, action, programme or
-- report. Double opt-in: a subscription is stored unconfirmed and only its
-- confirmation message is ever sent to it until the link in that message is used.
-- Every token is 256 random bits of which only the SHA-256 is kept. The address is
-- personal data: it lives here only, until unsubscribing (which deletes the row) or,
-- unconfirmed, for 7 days (the mail worker's sweep).
CREATE TABLE subscriptions (
    id                 uuid        PRIMARY KEY,
    -- Personal data: never in the feed, the audit log, a public answer or a log line.
    email              text        NOT NULL,
    -- SHA-256 of the address in lower case: the per-address rate limit's key.
    email_hash         text        NOT NULL,
    resource_type      text        NOT NULL
                                   CHECK (resource_type IN ('question', 'action', 'programme', 'report')),
    resource_id        uuid        NOT NULL,
    digest             text        NOT NULL DEFAULT 'immediate'
                                   CHECK (digest IN ('immediate', 'daily')),
    -- Cleared once confirmed, so a confirmation link works once.
    confirm_token_hash text        UNIQUE,
    confirmed_at       timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    -- The London date of the last daily digest sent (daily subscriptions).
    last_digest_on     date,
    CHECK ((confirmed_at IS NULL) = (confirm_token_hash IS NOT NULL))
);

CREATE INDEX subscriptions_by_resource ON subscriptions (resource_type, resource_id);
CREATE INDEX subscriptions_unconfirmed ON subscriptions (created_at) WHERE confirmed_at IS NULL;

-- The unsubscribe links: a new one in every message (the worker cannot read a token
-- back from its hash), each valid until the subscription is deleted.
CREATE TABLE subscription_unsubscribe_tokens (
    token_hash      text        PRIMARY KEY,
    subscription_id uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX subscription_unsubscribe_tokens_subscription ON subscription_unsubscribe_tokens (subscription_id);

-- What a daily subscriber is told in their next digest: a line per event, once.
CREATE TABLE subscription_digest_items (
    subscription_id uuid        NOT NULL REFERENCES subscriptions (id) ON DELETE CASCADE,
    event_key       text        NOT NULL,
    line            text        NOT NULL,
    noted_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription_id, event_key)
);

-- An action's falling overdue, noticed once per due date by whichever instance's mail
-- worker sees it first: at most one message per action and deadline.
CREATE TABLE action_overdue_notices (
    action_id  uuid        NOT NULL REFERENCES actions (id) ON DELETE CASCADE,
    due_on     date        NOT NULL,
    noticed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (action_id, due_on)
);

-- Actions already overdue are not news.
INSERT INTO action_overdue_notices (action_id, due_on)
SELECT id, due_on FROM actions
WHERE status NOT IN ('completed', 'cancelled')
  AND due_on < (now() AT TIME ZONE 'Europe/London')::date;

-- A subscriber's message: for whom (so that one subscription gets one message per
-- event) and its unsubscribe URL for the `List-Unsubscribe` header (cleared with the
-- address once sent or given up).
ALTER TABLE mail_outbox
    ADD COLUMN subscription_id  uuid,
    ADD COLUMN event_key        text,
    ADD COLUMN list_unsubscribe text;

CREATE UNIQUE INDEX mail_outbox_once_per_subscription
    ON mail_outbox (subscription_id, event_key)
    WHERE subscription_id IS NOT NULL AND event_key IS NOT NULL;
