-- Idempotency-Key on POST: the first response to a key is kept and replayed for retries
-- of the same request, so a client that lost a response can retry safely. Kept in
-- PostgreSQL so that a retry landing on another instance is recognised too.
CREATE TABLE idempotency_keys (
    scope           text        NOT NULL,
    key             text        NOT NULL,
    request_hash    text        NOT NULL,
    -- NULL while the first request is still being handled.
    response_status integer,
    response_headers jsonb,
    response_body   bytea,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
