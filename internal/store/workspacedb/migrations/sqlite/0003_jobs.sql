-- Background imports (a CSV awarded from the pages): their progress and
-- result, so that the progress page survives a restart of the server and
-- any server process sharing the database can show it.
CREATE TABLE ws_jobs (
	id TEXT PRIMARY KEY,
	issuer_id TEXT NOT NULL,
	actor TEXT NOT NULL,
	started_at TEXT,
	updated_at TEXT,
	done INTEGER NOT NULL,
	total INTEGER NOT NULL,
	ended INTEGER NOT NULL,
	failed INTEGER NOT NULL,
	awarded INTEGER NOT NULL,
	already INTEGER NOT NULL,
	skipped INTEGER NOT NULL
) STRICT;
