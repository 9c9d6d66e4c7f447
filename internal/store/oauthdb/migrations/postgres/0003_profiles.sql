CREATE TABLE ob_profiles (
	user_id text PRIMARY KEY,
	profile text NOT NULL,
	updated_at timestamptz NOT NULL
);
