-- Accounts (internal/account): users, sessions, one-time links, failed
-- sign-ins (rate limits) and personal API tokens. Secrets are stored as
-- their SHA-256 only.
CREATE TABLE users (
	id            TEXT PRIMARY KEY,
	email         TEXT NOT NULL UNIQUE,
	password_hash TEXT NOT NULL DEFAULT '',
	created_at    TEXT NOT NULL
) STRICT;

CREATE TABLE user_sessions (
	hash         BLOB PRIMARY KEY,
	user_id      TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at   TEXT NOT NULL,
	last_seen_at TEXT NOT NULL,
	expires_at   TEXT NOT NULL
) STRICT;
CREATE INDEX user_sessions_user ON user_sessions(user_id);

CREATE TABLE user_links (
	hash       BLOB PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	purpose    TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT
) STRICT;
CREATE INDEX user_links_user ON user_links(user_id);

CREATE TABLE sign_in_failures (
	key TEXT NOT NULL,
	at  TEXT NOT NULL
) STRICT;
CREATE INDEX sign_in_failures_key_at ON sign_in_failures(key, at);

CREATE TABLE personal_tokens (
	id         TEXT PRIMARY KEY,
	user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	label      TEXT NOT NULL,
	hash       BLOB NOT NULL UNIQUE,
	created_at TEXT NOT NULL,
	expires_at TEXT,
	revoked_at TEXT
) STRICT;
CREATE INDEX personal_tokens_user ON personal_tokens(user_id);
