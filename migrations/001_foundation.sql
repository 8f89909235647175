-- Foundation: records of idempotent requests.
-- (schema_migrations itself is created by the migration runner.)

CREATE TABLE idempotency_key (
    scope       text        NOT NULL,   -- who sent it: account or key id, or 'anonymous'
    key         text        NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    method      text        NOT NULL,
    path        text        NOT NULL,
    request_sha bytea       NOT NULL,   -- SHA-256 of method, path and body
    status      integer     NOT NULL,
    body        text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);

CREATE INDEX idempotency_key_created_at ON idempotency_key (created_at);
