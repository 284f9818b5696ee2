-- Sliding-window rate limits (failed logins per username and per address, anonymous
-- question submissions per address). Kept in PostgreSQL so that every instance behind a
-- load balancer sees the same counts.
CREATE TABLE rate_limit_events (
    bucket      text        NOT NULL,
    key         text        NOT NULL,
    occurred_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rate_limit_events_lookup_idx ON rate_limit_events (bucket, key, occurred_at);
CREATE INDEX rate_limit_events_expiry_idx ON rate_limit_events (occurred_at);
