-- Blason issuer store, PostgreSQL. Times are timestamptz (microseconds);
-- NULL is the zero time.

CREATE TABLE issuers (
    id                  text PRIMARY KEY,
    profile             jsonb NOT NULL,
    key_type            text NOT NULL,
    verification_method text NOT NULL,
    sealed_key          bytea NOT NULL,
    created_at          timestamptz
);

CREATE TABLE status_lists (
    seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- creation order
    id         text NOT NULL UNIQUE,
    issuer_id  text NOT NULL REFERENCES issuers(id),
    purpose    text NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    size       integer NOT NULL CHECK (size >= 8 AND size % 8 = 0),
    used       integer NOT NULL CHECK (used >= 0 AND used <= size),
    key        bytea NOT NULL CHECK (length(key) = 32),
    bits       bytea NOT NULL CHECK (length(bits) * 8 = size),
    version    bigint NOT NULL,
    created_at timestamptz,
    updated_at timestamptz
);

CREATE INDEX status_lists_open ON status_lists (issuer_id, purpose, seq);

CREATE TABLE credentials (
    seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, -- newest first = seq DESC
    id              text NOT NULL UNIQUE,
    issuer_id       text NOT NULL REFERENCES issuers(id),
    achievement_id  text NOT NULL,
    recipient_email text NOT NULL,
    recipient_did   text NOT NULL,
    status          text NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
    valid_from      timestamptz,
    valid_until     timestamptz,
    issued_at       timestamptz,
    document        bytea NOT NULL
);

CREATE INDEX credentials_issuer ON credentials (issuer_id, seq);

-- UNIQUE (list_id, idx): an index is never handed out twice.
CREATE TABLE credential_slots (
    credential_id text NOT NULL REFERENCES credentials(id),
    position      integer NOT NULL,
    list_id       text NOT NULL REFERENCES status_lists(id),
    purpose       text NOT NULL,
    idx           integer NOT NULL,
    PRIMARY KEY (credential_id, position),
    UNIQUE (list_id, idx)
);

CREATE TABLE status_events (
    seq           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    credential_id text NOT NULL REFERENCES credentials(id),
    action        text NOT NULL,
    reason        text NOT NULL,
    actor         text NOT NULL,
    at            timestamptz
);

CREATE INDEX status_events_credential ON status_events (credential_id, seq);
