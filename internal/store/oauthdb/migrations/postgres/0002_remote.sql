CREATE TABLE ob_remote_clients (
	base_url text PRIMARY KEY,
	sealed bytea NOT NULL,
	created_at timestamptz NOT NULL
);

CREATE TABLE ob_remote_pending (
	state_hash text PRIMARY KEY,
	user_id text NOT NULL,
	sealed bytea NOT NULL,
	expires_at timestamptz NOT NULL
);

CREATE TABLE ob_remote_connections (
	user_id text NOT NULL,
	base_url text NOT NULL,
	sealed bytea NOT NULL,
	created_at timestamptz NOT NULL,
	updated_at timestamptz NOT NULL,
	PRIMARY KEY (user_id, base_url)
);
