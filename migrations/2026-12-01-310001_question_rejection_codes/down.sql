ALTER TABLE questions DROP COLUMN rejection_reason_code;
