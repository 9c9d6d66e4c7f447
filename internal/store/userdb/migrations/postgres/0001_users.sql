-- Accounts (internal/account): users, sessions, one-time links, failed
-- sign-ins (rate limits) and personal API tokens. Secrets are stored as
-- their SHA-256 only.
CREATE TABLE users (
	id            text PRIMARY KEY,
	email         text NOT NULL UNIQUE,
	password_hash text NOT NULL DEFAULT '',
	created_at    timestamptz NOT NULL
);

CREATE TABLE user_sessions (
	hash         bytea PRIMARY KEY,
	user_id      text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at   timestamptz NOT NULL,
	last_seen_at timestamptz NOT NULL,
	expires_at   timestamptz NOT NULL
);
CREATE INDEX user_sessions_user ON user_sessions(user_id);

CREATE TABLE user_links (
	hash       bytea PRIMARY KEY,
	user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	purpose    text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL,
	used_at    timestamptz
);
CREATE INDEX user_links_user ON user_links(user_id);

CREATE TABLE sign_in_failures (
	key text NOT NULL,
	at  timestamptz NOT NULL
);
CREATE INDEX sign_in_failures_key_at ON sign_in_failures(key, at);

CREATE TABLE personal_tokens (
	id         text PRIMARY KEY,
	user_id    text NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	label      text NOT NULL,
	hash       bytea NOT NULL UNIQUE,
	created_at timestamptz NOT NULL,
	expires_at timestamptz,
	revoked_at timestamptz
);
CREATE INDEX personal_tokens_user ON personal_tokens(user_id);
