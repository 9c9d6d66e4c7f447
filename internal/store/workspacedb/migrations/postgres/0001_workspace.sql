-- The issuer workspace: editable issuer profiles, the achievements
-- catalogue and its images, awards (one row per CSV row or single award,
-- keyed so that importing a file twice awards nobody twice), claim links,
-- the mail outbox and the audit log.
CREATE TABLE ws_profiles (
	issuer_id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	url TEXT NOT NULL DEFAULT '',
	email TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	image_id TEXT NOT NULL DEFAULT '',
	updated_at timestamptz
);

CREATE TABLE ws_images (
	id TEXT PRIMARY KEY,
	media_type TEXT NOT NULL,
	data BYTEA NOT NULL,
	created_at timestamptz
);

CREATE TABLE ws_achievements (
	id TEXT PRIMARY KEY,
	issuer_id TEXT NOT NULL,
	lang TEXT NOT NULL,
	variant_group TEXT NOT NULL,
	name TEXT NOT NULL,
	doc TEXT NOT NULL,
	archived boolean NOT NULL DEFAULT false,
	version bigint NOT NULL,
	created_at timestamptz,
	updated_at timestamptz
);
CREATE INDEX ws_achievements_issuer ON ws_achievements (issuer_id, archived, name);
CREATE INDEX ws_achievements_group ON ws_achievements (variant_group);

CREATE TABLE ws_awards (
	credential_id TEXT PRIMARY KEY,
	issuer_id TEXT NOT NULL,
	achievement_id TEXT NOT NULL,
	row_key TEXT NOT NULL,
	recipient_name TEXT NOT NULL DEFAULT '',
	recipient_email TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL,
	source TEXT NOT NULL DEFAULT '',
	line bigint NOT NULL DEFAULT 0,
	created_at timestamptz,
	issued_at timestamptz,
	UNIQUE (achievement_id, row_key)
);
CREATE INDEX ws_awards_issuer ON ws_awards (issuer_id, created_at);
CREATE INDEX ws_awards_state ON ws_awards (state);

CREATE TABLE ws_claims (
	token_hash TEXT PRIMARY KEY,
	credential_id TEXT NOT NULL,
	expires_at timestamptz NOT NULL,
	claimed_at timestamptz,
	holder TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ws_claims_credential ON ws_claims (credential_id);

CREATE TABLE ws_outbox (
	id BIGSERIAL PRIMARY KEY,
	to_addr TEXT NOT NULL,
	subject TEXT NOT NULL,
	body TEXT NOT NULL,
	credential_id TEXT NOT NULL DEFAULT '',
	attempts bigint NOT NULL DEFAULT 0,
	next_at timestamptz NOT NULL,
	sent_at timestamptz,
	last_error TEXT NOT NULL DEFAULT '',
	created_at timestamptz
);
CREATE INDEX ws_outbox_due ON ws_outbox (sent_at, next_at);

CREATE TABLE ws_audit (
	id BIGSERIAL PRIMARY KEY,
	at timestamptz NOT NULL,
	issuer_id TEXT NOT NULL DEFAULT '',
	actor TEXT NOT NULL,
	action TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ws_audit_at ON ws_audit (issuer_id, at);
