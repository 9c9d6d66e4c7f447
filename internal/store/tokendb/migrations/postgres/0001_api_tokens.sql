-- API tokens (internal/account): only the SHA-256 of a secret is stored.
-- scopes is a comma-separated list in canonical order ("issue,status").
CREATE TABLE api_tokens (
    seq          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- creation order
    id           text NOT NULL UNIQUE,
    label        text NOT NULL,
    scopes       text NOT NULL,
    hash         bytea NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at   timestamptz,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
