-- Retired issuer keys (did:web key rotation): the public half of every key
-- an issuer signed with before its current one, kept so that what they
-- signed still verifies. A key is never used twice by an issuer.

CREATE TABLE issuer_keys (
    issuer_id            TEXT NOT NULL REFERENCES issuers(id),
    verification_method  TEXT NOT NULL,
    key_type             TEXT NOT NULL,
    public_key_multibase TEXT NOT NULL,
    retired_at           TEXT,
    PRIMARY KEY (issuer_id, verification_method),
    UNIQUE (issuer_id, public_key_multibase)
) STRICT;
