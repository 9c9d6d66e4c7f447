-- Background imports (a CSV awarded from the pages): their progress and
-- result, so that the progress page survives a restart of the server and
-- any server process sharing the database can show it.
CREATE TABLE ws_jobs (
	id text PRIMARY KEY,
	issuer_id text NOT NULL,
	actor text NOT NULL,
	started_at timestamptz,
	updated_at timestamptz,
	done bigint NOT NULL,
	total bigint NOT NULL,
	ended bigint NOT NULL,
	failed bigint NOT NULL,
	awarded bigint NOT NULL,
	already bigint NOT NULL,
	skipped bigint NOT NULL
);
