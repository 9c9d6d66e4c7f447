-- Roles per issuer profile: who (an account's e-mail address) may do what
-- (admin, issuer, viewer) in the workspace of which issuer.
CREATE TABLE ws_members (
	issuer_id TEXT NOT NULL,
	email TEXT NOT NULL,
	role TEXT NOT NULL,
	added_at timestamptz,
	PRIMARY KEY (issuer_id, email)
);
CREATE INDEX ws_members_email ON ws_members (email);
