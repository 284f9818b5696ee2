-- Each panel's rules of procedure for public questions (crate::domain::question_rules).
-- A panel with no row follows the defaults, which are what the service did before:
-- three clear working days, by the end of the deadline day, no limits, questions to
-- the Commissioner, supplementaries allowed. The ranges repeat the service's own
-- checks, so that no write path can store a rule the service would refuse.
CREATE TABLE question_rules (
    organisation_id uuid PRIMARY KEY REFERENCES organisations (id) ON DELETE CASCADE,
    deadline_clear_working_days integer NOT NULL
        CHECK (deadline_clear_working_days BETWEEN 0 AND 30),
    deadline_time time,
    max_words integer CHECK (max_words BETWEEN 1 AND 10000),
    max_questions_per_questioner_per_meeting integer
        CHECK (max_questions_per_questioner_per_meeting BETWEEN 1 AND 50),
    addressees text[] NOT NULL
        CHECK (cardinality(addressees) BETWEEN 1 AND 2
               AND addressees <@ ARRAY['commissioner', 'panel']::text[]),
    supplementary_questions boolean NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- The defaults are version 1, so a panel's first change is version 2.
    version integer NOT NULL CHECK (version >= 2)
);

-- Whom a question is put to. Every question so far was put to the Commissioner.
ALTER TABLE questions
    ADD COLUMN addressed_to text NOT NULL DEFAULT 'commissioner'
        CHECK (addressed_to IN ('commissioner', 'panel'));


-- A panel meeting's question deadline, worked out under its panel's rules when the
-- meeting is scheduled or moved, and again for meetings still to come when the panel
-- changes its rules; a meeting that has been held keeps the deadline it had. Existing
-- panel meetings were scheduled under the defaults: the service fills theirs in after
-- migrating (crate::db::fill_question_deadlines), since the bank holiday rules live in
-- the service, not in SQL.
ALTER TABLE meetings ADD COLUMN question_deadline timestamptz;
