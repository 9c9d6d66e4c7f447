-- API tokens (internal/account): only the SHA-256 of a secret is stored.
-- scopes is a comma-separated list in canonical order ("issue,status").
CREATE TABLE api_tokens (
    seq          INTEGER PRIMARY KEY,             -- creation order
    id           TEXT NOT NULL UNIQUE,
    label        TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    hash         BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at   TEXT,
    expires_at   TEXT,
    last_used_at TEXT,
    revoked_at   TEXT
) STRICT;
