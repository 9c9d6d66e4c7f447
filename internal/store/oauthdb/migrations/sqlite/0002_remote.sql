CREATE TABLE ob_remote_clients (
	base_url TEXT PRIMARY KEY,
	sealed BLOB NOT NULL,
	created_at TEXT NOT NULL
) STRICT;

CREATE TABLE ob_remote_pending (
	state_hash TEXT PRIMARY KEY,
	user_id TEXT NOT NULL,
	sealed BLOB NOT NULL,
	expires_at TEXT NOT NULL
) STRICT;

CREATE TABLE ob_remote_connections (
	user_id TEXT NOT NULL,
	base_url TEXT NOT NULL,
	sealed BLOB NOT NULL,
	created_at TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (user_id, base_url)
) STRICT;
