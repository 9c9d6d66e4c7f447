CREATE TABLE oauth_clients (
	id TEXT PRIMARY KEY,
	secret_hash BLOB NOT NULL,
	metadata TEXT NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE oauth_codes (
	signature TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
	subject TEXT NOT NULL,
	active INTEGER NOT NULL,
	request TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

CREATE TABLE oauth_pkce (
	signature TEXT PRIMARY KEY,
	request TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE oauth_access (
	signature TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
	subject TEXT NOT NULL,
	request TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;
CREATE INDEX oauth_access_request ON oauth_access (request_id);
CREATE INDEX oauth_access_subject ON oauth_access (subject, client_id);

CREATE TABLE oauth_refresh (
	signature TEXT PRIMARY KEY,
	request_id TEXT NOT NULL,
	client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
	subject TEXT NOT NULL,
	active INTEGER NOT NULL,
	request TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT
) STRICT;
CREATE INDEX oauth_refresh_request ON oauth_refresh (request_id);
CREATE INDEX oauth_refresh_subject ON oauth_refresh (subject, client_id);
