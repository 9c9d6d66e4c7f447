CREATE TABLE oauth_clients (
	id text PRIMARY KEY,
	secret_hash bytea NOT NULL,
	metadata text NOT NULL,
	created_at timestamptz NOT NULL
);

CREATE TABLE oauth_codes (
	signature text PRIMARY KEY,
	request_id text NOT NULL,
	client_id text NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
	subject text NOT NULL,
	active boolean NOT NULL,
	request text NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_codes_expires ON oauth_codes (expires_at);

CREATE TABLE oauth_pkce (
	signature text PRIMARY KEY,
	request text NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE TABLE oauth_access (
	signature text PRIMARY KEY,
	request_id text NOT NULL,
	client_id text NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
	subject text NOT NULL,
	request text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz NOT NULL
);
CREATE INDEX oauth_access_request ON oauth_access (request_id);
CREATE INDEX oauth_access_subject ON oauth_access (subject, client_id);

CREATE TABLE oauth_refresh (
	signature text PRIMARY KEY,
	request_id text NOT NULL,
	client_id text NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
	subject text NOT NULL,
	active boolean NOT NULL,
	request text NOT NULL,
	created_at timestamptz NOT NULL,
	expires_at timestamptz
);
CREATE INDEX oauth_refresh_request ON oauth_refresh (request_id);
CREATE INDEX oauth_refresh_subject ON oauth_refresh (subject, client_id);
