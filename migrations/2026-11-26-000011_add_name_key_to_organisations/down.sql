DROP INDEX organisations_name_key;
ALTER TABLE organisations DROP COLUMN name_key;
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));
