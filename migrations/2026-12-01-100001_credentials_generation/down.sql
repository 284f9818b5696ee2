ALTER TABLE api_clients DROP COLUMN credentials_generation;
ALTER TABLE users DROP COLUMN credentials_generation;
