DROP INDEX idempotency_keys_claim_idx;
DROP INDEX idempotency_keys_caller_idx;
ALTER TABLE idempotency_keys
    DROP COLUMN result_id,
    DROP COLUMN result_type,
    DROP COLUMN lease_expires_at,
    DROP COLUMN claim_id,
    DROP COLUMN caller;
