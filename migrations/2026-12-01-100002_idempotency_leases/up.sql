-- Idempotency keys get an owner, a lease and a result.
--
-- `caller`: who the key belongs to (the first part of `scope`), so that each caller's
-- stored keys can be capped. `claim_id` and `lease_expires_at`: which handling of the
-- request holds the key and until when; a handler renews its lease while it runs, so
-- a lease that has run out means the instance handling it died (kill -9, a lost
-- machine), and a retry may take the key over. `result_type` and `result_id`: the
-- resource the request changed, written in the request's own transaction, so that a
-- retry after such a death finds the committed change rather than making it twice.
ALTER TABLE idempotency_keys
    ADD COLUMN caller           text,
    ADD COLUMN claim_id         uuid,
    ADD COLUMN lease_expires_at timestamptz,
    ADD COLUMN result_type      text,
    ADD COLUMN result_id        uuid;

UPDATE idempotency_keys SET caller = split_part(scope, ' ', 1);
-- Keys left in flight by an earlier version have no lease to renew: let them lapse now.
UPDATE idempotency_keys SET claim_id = gen_random_uuid(), lease_expires_at = now()
 WHERE response_status IS NULL;

ALTER TABLE idempotency_keys ALTER COLUMN caller SET NOT NULL;
CREATE INDEX idempotency_keys_caller_idx ON idempotency_keys (caller, created_at);
CREATE UNIQUE INDEX idempotency_keys_claim_idx ON idempotency_keys (claim_id);
