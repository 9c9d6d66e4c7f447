-- The learner wallet (wallet.Store): badges kept as received, share links
-- and their views, holder keys (sealed).
CREATE TABLE wallet_credentials (
	id            text PRIMARY KEY,
	user_id       text NOT NULL,
	ckey          text NOT NULL,
	raw           bytea NOT NULL,
	format        text NOT NULL,
	image         bytea,
	source        text NOT NULL,
	credential_id text NOT NULL,
	issuer_id     text NOT NULL,
	issuer_name   text NOT NULL,
	name          text NOT NULL,
	image_url     text NOT NULL,
	valid_from    text NOT NULL,
	verified      boolean NOT NULL,
	verdict       text NOT NULL,
	report        bytea NOT NULL,
	checked_at    timestamptz NOT NULL,
	insisted      boolean NOT NULL,
	warning       text NOT NULL,
	added_at      timestamptz NOT NULL,
	UNIQUE (user_id, ckey)
);
CREATE INDEX wallet_credentials_user ON wallet_credentials(user_id, added_at);

CREATE TABLE wallet_shares (
	token         text PRIMARY KEY,
	user_id       text NOT NULL,
	credential_id text NOT NULL REFERENCES wallet_credentials(id) ON DELETE CASCADE,
	created_at    timestamptz NOT NULL,
	expires_at    timestamptz,
	revoked_at    timestamptz
);
CREATE INDEX wallet_shares_user ON wallet_shares(user_id);
CREATE INDEX wallet_shares_credential ON wallet_shares(credential_id);

CREATE TABLE wallet_views (
	token  text NOT NULL REFERENCES wallet_shares(token) ON DELETE CASCADE,
	at     timestamptz NOT NULL,
	viewer text NOT NULL
);
CREATE INDEX wallet_views_token ON wallet_views(token, at);

CREATE TABLE wallet_holder_keys (
	user_id             text PRIMARY KEY,
	did                 text NOT NULL,
	verification_method text NOT NULL,
	sealed              bytea NOT NULL,
	created_at          timestamptz NOT NULL
);
