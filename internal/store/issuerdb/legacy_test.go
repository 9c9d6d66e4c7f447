package issuerdb_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/issuerdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/tokendb"
	"github.com/blason-badges/blason/issuer"
)

// makeLegacy builds, on db, the database the first stores left after
// applying their migrations 1..upTo (testdata/legacy), with one issuer,
// one status list, one credential and (if upTo >= 2) one token in it.
func makeLegacy(t *testing.T, db *sqldb.DB, upTo int) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join("testdata", "legacy", db.Engine.String())
	table := `CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`
	if db.Engine == sqldb.Postgres {
		table = `CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`
	}
	now := sqldb.Time(time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
	err := db.Write(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, table); err != nil {
			return err
		}
		for v, name := range []string{"0001_init.sql", "0002_api_tokens.sql"}[:upTo] {
			body, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)", v+1, name, now); err != nil {
				return err
			}
		}
		key := make([]byte, 32)
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{`INSERT INTO issuers (id, profile, key_type, verification_method, sealed_key, created_at)
				VALUES ('did:web:old.example', '{"name":"Old"}', 'Ed25519', 'did:web:old.example#key-1', $1, $2)`, []any{[]byte{1}, now}},
			{`INSERT INTO status_lists (id, issuer_id, purpose, size, used, key, bits, version, created_at, updated_at)
				VALUES ('list1', 'did:web:old.example', 'revocation', 16, 1, $1, $2, 1, $3, $3)`, []any{key, make([]byte, 2), now}},
			{`INSERT INTO credentials (id, issuer_id, achievement_id, recipient_email, recipient_did, status, issued_at, document)
				VALUES ('urn:old:1', 'did:web:old.example', 'a', 'x@example.org', '', 'active', $1, $2)`, []any{now, []byte("{}")}},
			{`INSERT INTO credential_slots (credential_id, position, list_id, purpose, idx) VALUES ('urn:old:1', 0, 'list1', 'revocation', 5)`, nil},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.args...); err != nil {
				return err
			}
		}
		if upTo >= 2 {
			h := sha256.Sum256([]byte("old secret"))
			if _, err := tx.ExecContext(ctx, `INSERT INTO api_tokens (id, label, scopes, hash, created_at) VALUES ('tok1', 'old', 'issue', $1, $2)`, h[:], now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("build legacy database: %v", err)
	}
}

// TestLegacyDatabase: a database made by the first stores (one
// schema_migrations table for every table) opens with issuerdb and tokendb
// without re-running a migration (which would fail: the tables exist),
// keeps its data, and works on: a revocation flips the old credential's
// bit, a new award continues the old list. A database from before API
// tokens (version 1 only) gets its token table from tokendb's migration.
func TestLegacyDatabase(t *testing.T) {
	for _, e := range engines {
		for _, upTo := range []int{1, 2} {
			t.Run(e.name+"/"+[]string{"", "v1", "v2"}[upTo], func(t *testing.T) {
				ctx := context.Background()
				db := e.open(t)
				makeLegacy(t, db, upTo)
				for round := range 2 { // adopting twice changes nothing
					s, err := issuerdb.Open(ctx, db)
					if err != nil {
						t.Fatalf("round %d: open issuer store: %v", round, err)
					}
					defer s.Close()
					ts, err := tokendb.Open(ctx, db)
					if err != nil {
						t.Fatalf("round %d: open token store: %v", round, err)
					}
					// The legacy version adopted, then the issuer's later
					// migrations (0002: retired keys) applied once.
					for c, want := range map[string][]int{issuerdb.Component: {1, 2}, tokendb.Component: {1}} {
						if v, err := db.Applied(ctx, c); err != nil || !slices.Equal(v, want) {
							t.Fatalf("round %d: %s versions %v, %v; want %v", round, c, v, err, want)
						}
					}
					toks, err := ts.ListTokens(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if want := upTo - 1; len(toks) != want {
						t.Fatalf("%d tokens, want %d", len(toks), want)
					}
					if upTo == 2 {
						if tok, err := ts.TokenByHash(ctx, account.Hash("old secret")); err != nil || tok.ID != "tok1" {
							t.Fatalf("old token: %v, %v", tok, err)
						}
					}
				}
				s, err := issuerdb.Open(ctx, db)
				if err != nil {
					t.Fatal(err)
				}
				defer s.Close()
				is, err := s.GetIssuer(ctx, "did:web:old.example")
				if err != nil || is.Profile.Name != "Old" {
					t.Fatalf("old issuer: %+v, %v", is, err)
				}
				rec, err := s.ChangeStatus(ctx, issuer.StatusEvent{CredentialID: "urn:old:1", Action: issuer.ActionRevoke, Actor: "test"})
				if err != nil || rec.Status != issuer.StatusRevoked {
					t.Fatalf("revoke old credential: %+v, %v", rec, err)
				}
				l, err := s.GetStatusList(ctx, "list1")
				if err != nil || l.Bits[0] != 0x04 || l.Version != 2 {
					t.Fatalf("old list after revocation: %+v, %v (want bit 5 set, version 2)", l, err)
				}
				nrec, err := s.Award(ctx, "did:web:old.example", []issuer.StatusPurpose{issuer.PurposeRevocation}, 16,
					func(sl []issuer.StatusSlot) (*issuer.CredentialRecord, error) {
						return &issuer.CredentialRecord{ID: "urn:new:1", Document: []byte("{}")}, nil
					})
				if err != nil || nrec.Slots[0].ListID != "list1" || nrec.Slots[0].Index != issuer.StatusIndex(l.Key, 16, 1) {
					t.Fatalf("award on the old list: %+v, %v", nrec, err)
				}
			})
		}
	}
}
