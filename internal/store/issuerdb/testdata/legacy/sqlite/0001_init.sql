-- Blason issuer store, SQLite. Times are UTC text in the fixed-width form
-- 2006-01-02T15:04:05.000000000Z (exact to the nanosecond, sorts as text);
-- NULL is the zero time.

CREATE TABLE issuers (
    id                  TEXT PRIMARY KEY,
    profile             TEXT NOT NULL,            -- issuer.Profile as JSON
    key_type            TEXT NOT NULL,
    verification_method TEXT NOT NULL,
    sealed_key          BLOB NOT NULL,
    created_at          TEXT
) STRICT;

CREATE TABLE status_lists (
    seq        INTEGER PRIMARY KEY,               -- creation order: the newest list has the highest seq
    id         TEXT NOT NULL UNIQUE,
    issuer_id  TEXT NOT NULL REFERENCES issuers(id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('revocation', 'suspension')),
    size       INTEGER NOT NULL CHECK (size >= 8 AND size % 8 = 0),
    used       INTEGER NOT NULL CHECK (used >= 0 AND used <= size),
    key        BLOB NOT NULL CHECK (length(key) = 32),
    bits       BLOB NOT NULL CHECK (length(bits) * 8 = size),
    version    INTEGER NOT NULL,
    created_at TEXT,
    updated_at TEXT
) STRICT;

CREATE INDEX status_lists_open ON status_lists (issuer_id, purpose, seq);

CREATE TABLE credentials (
    seq             INTEGER PRIMARY KEY,          -- insertion order: newest first = seq DESC
    id              TEXT NOT NULL UNIQUE,
    issuer_id       TEXT NOT NULL REFERENCES issuers(id),
    achievement_id  TEXT NOT NULL,
    recipient_email TEXT NOT NULL,
    recipient_did   TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('active', 'revoked', 'suspended')),
    valid_from      TEXT,
    valid_until     TEXT,
    issued_at       TEXT,
    document        BLOB NOT NULL
) STRICT;

CREATE INDEX credentials_issuer ON credentials (issuer_id, seq);

-- One row per status slot handed out. UNIQUE (list_id, idx) is the last line
-- of defence: an index is never handed out twice.
CREATE TABLE credential_slots (
    credential_id TEXT NOT NULL REFERENCES credentials(id),
    position      INTEGER NOT NULL,               -- order in CredentialRecord.Slots
    list_id       TEXT NOT NULL REFERENCES status_lists(id),
    purpose       TEXT NOT NULL,
    idx           INTEGER NOT NULL,
    PRIMARY KEY (credential_id, position),
    UNIQUE (list_id, idx)
) STRICT;

CREATE TABLE status_events (
    seq           INTEGER PRIMARY KEY,
    credential_id TEXT NOT NULL REFERENCES credentials(id),
    action        TEXT NOT NULL,
    reason        TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT
) STRICT;

CREATE INDEX status_events_credential ON status_events (credential_id, seq);
