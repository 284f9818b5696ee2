-- Which generation of an account's credentials its tokens were issued under. A new
-- password or client secret, or a deactivation, increments it, so that every token
-- issued before the change stops verifying at once (its `credentials_generation`
-- claim no longer matches), not when it expires.
ALTER TABLE users ADD COLUMN credentials_generation integer NOT NULL DEFAULT 0;
ALTER TABLE api_clients ADD COLUMN credentials_generation integer NOT NULL DEFAULT 0;
