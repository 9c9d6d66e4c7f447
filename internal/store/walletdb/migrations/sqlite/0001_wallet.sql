-- The learner wallet (wallet.Store): badges kept as received, share links
-- and their views, holder keys (sealed).
CREATE TABLE wallet_credentials (
	id            TEXT PRIMARY KEY,
	user_id       TEXT NOT NULL,
	ckey          TEXT NOT NULL,
	raw           BLOB NOT NULL,
	format        TEXT NOT NULL,
	image         BLOB,
	source        TEXT NOT NULL,
	credential_id TEXT NOT NULL,
	issuer_id     TEXT NOT NULL,
	issuer_name   TEXT NOT NULL,
	name          TEXT NOT NULL,
	image_url     TEXT NOT NULL,
	valid_from    TEXT NOT NULL,
	verified      INTEGER NOT NULL,
	verdict       TEXT NOT NULL,
	report        BLOB NOT NULL,
	checked_at    TEXT NOT NULL,
	insisted      INTEGER NOT NULL,
	warning       TEXT NOT NULL,
	added_at      TEXT NOT NULL,
	UNIQUE (user_id, ckey)
) STRICT;
CREATE INDEX wallet_credentials_user ON wallet_credentials(user_id, added_at);

CREATE TABLE wallet_shares (
	token         TEXT PRIMARY KEY,
	user_id       TEXT NOT NULL,
	credential_id TEXT NOT NULL REFERENCES wallet_credentials(id) ON DELETE CASCADE,
	created_at    TEXT NOT NULL,
	expires_at    TEXT,
	revoked_at    TEXT
) STRICT;
CREATE INDEX wallet_shares_user ON wallet_shares(user_id);
CREATE INDEX wallet_shares_credential ON wallet_shares(credential_id);

CREATE TABLE wallet_views (
	token  TEXT NOT NULL REFERENCES wallet_shares(token) ON DELETE CASCADE,
	at     TEXT NOT NULL,
	viewer TEXT NOT NULL
) STRICT;
CREATE INDEX wallet_views_token ON wallet_views(token, at);

CREATE TABLE wallet_holder_keys (
	user_id             TEXT PRIMARY KEY,
	did                 TEXT NOT NULL,
	verification_method TEXT NOT NULL,
	sealed              BLOB NOT NULL,
	created_at          TEXT NOT NULL
) STRICT;
