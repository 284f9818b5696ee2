-- Private follow links: whoever holds a question's link can see that one question,
-- whatever its state, and withdraw it while that is allowed. Only the SHA-256 of a
-- token is kept (hex), so the table cannot be read back into working links; a link
-- the secretariat replaces is revoked, not deleted, so that it answers 404 and the
-- record of when it was issued stays.
CREATE TABLE question_follow_tokens (
    id          uuid        PRIMARY KEY,
    question_id uuid        NOT NULL REFERENCES questions (id) ON DELETE CASCADE,
    token_hash  text        NOT NULL UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE INDEX question_follow_tokens_question_id ON question_follow_tokens (question_id);
