-- Indexes in the order the lists and feeds read, so that a page is an index scan that
-- stops after `limit + 1` rows instead of sorting every matching row (at a million
-- questions, `?status=answered&topic=policing` sorted 100,000 rows per page). The
-- keyset cursor, a row comparison `(asked_on, id) < (…)`, is a bound of the same
-- indexes. Diesel runs a migration in a transaction, so these are not built
-- CONCURRENTLY: on a large live table, build them by hand first (same names, IF NOT
-- EXISTS makes the migration then a no-op).

-- GET /questions, newest asked first: every filter but status (topic, asker, q, dates).
CREATE INDEX IF NOT EXISTS questions_asked_on_idx ON questions (asked_on DESC, id DESC);
-- GET /questions?status=…, newest asked first; also any lookup by status, so it
-- replaces questions_status_idx (status, id), which no query ordered by.
CREATE INDEX IF NOT EXISTS questions_status_asked_on_idx ON questions (status, asked_on DESC, id DESC);
DROP INDEX IF EXISTS questions_status_idx;
-- The Atom feeds: the 50 most recently updated.
CREATE INDEX IF NOT EXISTS questions_updated_at_idx ON questions (updated_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS responses_updated_at_idx ON responses (updated_at DESC, id DESC);
CREATE INDEX IF NOT EXISTS actions_updated_at_idx ON actions (updated_at DESC, id DESC);
-- GET /actions, soonest due first (actions_due_on_idx), by status or by owner.
CREATE INDEX IF NOT EXISTS actions_status_due_on_idx ON actions (status, due_on, id);
CREATE INDEX IF NOT EXISTS actions_owner_due_on_idx ON actions (owner_organisation_id, due_on, id);
