-- People (users) and systems (API clients) who hold roles. Secrets are stored only as
-- Argon2id hashes (PHC strings); a client's secret is shown once, at creation or rotation.
CREATE TABLE users (
    id              uuid        PRIMARY KEY,
    username        text        NOT NULL,
    display_name    text        NOT NULL,
    password_hash   text        NOT NULL,
    roles           text[]      NOT NULL DEFAULT '{}',
    organisation_id uuid        REFERENCES organisations (id),
    is_active       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);
CREATE UNIQUE INDEX users_username_key ON users (lower(username));

CREATE TABLE api_clients (
    id              uuid        PRIMARY KEY,
    name            text        NOT NULL,
    client_id       text        NOT NULL UNIQUE,
    secret_hash     text        NOT NULL,
    roles           text[]      NOT NULL DEFAULT '{}',
    organisation_id uuid        REFERENCES organisations (id),
    is_active       boolean     NOT NULL DEFAULT true,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    version         integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);



