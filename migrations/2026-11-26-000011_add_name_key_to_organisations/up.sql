-- Organisation names are unique ignoring letter case the way Unicode defines it (the
-- canonical caseless match: "Ynys Môn" typed with a combining accent, "YNYS MÔN",
-- "Straße" and "STRASSE" each name one organisation). PostgreSQL's lower() is not
-- full case folding, so the service computes the key on every write
-- (crate::domain::text::caseless_key). Existing rows start from lower(name), which the
-- index it replaces kept unique, so this cannot fail on existing data; the service then
-- recomputes the keys of names beyond ASCII each time it migrates
-- (crate::db::rekey_organisations), where lower() and the true key may differ.
ALTER TABLE organisations ADD COLUMN name_key text;
UPDATE organisations SET name_key = lower(name);
ALTER TABLE organisations ALTER COLUMN name_key SET NOT NULL;
DROP INDEX organisations_name_key;
CREATE UNIQUE INDEX organisations_name_key ON organisations (name_key);
