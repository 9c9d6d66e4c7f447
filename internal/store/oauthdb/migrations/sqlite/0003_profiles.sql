CREATE TABLE ob_profiles (
	user_id TEXT PRIMARY KEY,
	profile TEXT NOT NULL,
	updated_at TEXT NOT NULL
) STRICT;
