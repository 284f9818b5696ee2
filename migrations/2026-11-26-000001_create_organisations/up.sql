CREATE TABLE organisations (
    id         uuid        PRIMARY KEY,
    name       text        NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('panel', 'commissioner', 'force', 'fire_service', 'inspectorate', 'council', 'other')),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    version    integer     NOT NULL DEFAULT 1 CHECK (version >= 1)
);

-- Two organisations that differ only in letter case are the same organisation.
CREATE UNIQUE INDEX organisations_name_key ON organisations (lower(name));
CREATE INDEX organisations_kind_idx ON organisations (kind, id);
