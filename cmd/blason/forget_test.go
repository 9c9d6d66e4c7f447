package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	webpages "github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/internal/store/walletdb"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// Deleting an account from its page, with the parts wired as serve wires
// them (forgetters), leaves no row of the person in any table of the
// accounts, the wallet, the OAuth server, the connections to other hosts
// or the workspaces' members; another person's rows all stay. The issuers'
// own records (awards made to the address, the audit log) are theirs and
// stay.
func TestAccountDeletionLeavesNoRow(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		userStore, err := userdb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		walletStore, err := walletdb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		obStore, err := oauthdb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		wsStore, err := workspacedb.New(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		users := &account.Users{Store: userStore, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
		verify := func(_ context.Context, b []byte) (*wallet.Verification, error) {
			return &wallet.Verification{Verified: true, Verdict: "verified", CredentialID: string(b[7:15]), IssuerID: "did:key:z6Mkissuer", Name: "Teamwork", Report: []byte(`{"verified":true}`)}, nil
		}
		w := &wallet.Service{Store: walletStore, Verify: verify, MasterKey: bytes.Repeat([]byte{7}, 32)}
		ws := &workspace.Service{Store: wsStore}
		h := webpages.New(webpages.Config{Verifier: verifier.New(verifier.Options{}), Users: users, Wallet: w,
			Forget: forgetters(obStore, ws), Logger: slog.New(slog.DiscardHandler)})
		srv := httptest.NewServer(h)
		defer srv.Close()

		// Two people with everything a person can have; ada deletes.
		var people []person
		for _, email := range []string{"ada@example.org", "bob@example.org"} {
			u, err := users.Create(ctx, email, "correct horse")
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := users.StartSession(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := users.NewLink(ctx, u.ID, account.LinkSignIn); err != nil {
				t.Fatal(err)
			}
			if _, _, err := users.NewPersonalToken(ctx, u.ID, "cli", 0); err != nil {
				t.Fatal(err)
			}
			res, err := w.ImportCredential(ctx, u.ID, wallet.Import{Data: []byte(`{"id":"` + u.ID[4:12] + `"}`), Source: "paste"})
			if err != nil {
				t.Fatal(err)
			}
			sh, err := w.CreateShare(ctx, u.ID, res.Credential.ID, 0)
			if err != nil {
				t.Fatal(err)
			}
			people = append(people, person{u.ID, u.Email, sh.Token})
			if _, _, err := w.OpenShare(ctx, sh.Token, "viewer"); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Holder(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			if err := obStore.PutProfile(ctx, u.ID, []byte(`{"id":"x"}`)); err != nil {
				t.Fatal(err)
			}
			oauthRows(t, db, u.ID)
			now := time.Now()
			if err := obStore.PutPending(ctx, "state-"+u.ID, u.ID, []byte("sealed"), now, now.Add(time.Hour)); err != nil {
				t.Fatal(err)
			}
			if err := obStore.PutConnection(ctx, u.ID, "https://host.example", []byte("sealed")); err != nil {
				t.Fatal(err)
			}
			for _, issuer := range []string{"did:web:one.example", "did:web:two.example"} {
				if err := ws.SetMember(ctx, issuer, email, workspace.RoleIssuer, "operator"); err != nil {
					t.Fatal(err)
				}
			}
		}
		if err := w.FlushViews(ctx); err != nil {
			t.Fatal(err)
		}
		tables := userTables(t, db)
		ada, bob := people[0], people[1]
		for _, p := range people {
			if n := rowsOf(t, db, tables, p); n < len(tables) {
				t.Fatalf("%s: only %d rows in %d tables before deletion: the test does not fill every table", p.email, n, len(tables))
			}
		}
		bobBefore := rowsOf(t, db, tables, bob)

		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		post := func(path string, form url.Values) *http.Response {
			res, err := c.PostForm(srv.URL+path, form)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		if res := post("/signin", url.Values{"email": {ada.email}, "password": {"correct horse"}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("sign in: %d", res.StatusCode)
		}
		if res := post("/account/delete", url.Values{"confirm": {ada.email}}); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("delete: %d", res.StatusCode)
		}
		for table, cols := range tables {
			if n := rowsIn(t, db, table, cols, ada); n != 0 {
				t.Errorf("%s: %d rows of the deleted account remain", table, n)
			}
		}
		if n := rowsOf(t, db, tables, bob); n != bobBefore {
			t.Errorf("the other account's rows: %d, were %d", n, bobBefore)
		}
		// The removals are in the workspaces' audit logs.
		for _, issuer := range []string{"did:web:one.example", "did:web:two.example"} {
			log, err := wsStore.AuditLog(ctx, issuer, 10)
			if err != nil || len(log) == 0 || log[0].Action != "member.remove" || log[0].Target != ada.email || log[0].Actor != "account-deleted" {
				t.Errorf("%s audit log: %+v %v", issuer, log, err)
			}
		}
	})
}

// oauthRows writes a grant's rows as the OAuth server does (code, its PKCE
// challenge under the code's signature, access and refresh tokens).
func oauthRows(t *testing.T, db *sqldb.DB, subject string) {
	t.Helper()
	now := sqldb.Time(time.Now())
	err := db.Write(context.Background(), func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql  string
			args []any
		}{
			{"INSERT INTO oauth_clients (id, secret_hash, metadata, created_at) VALUES ($1, $2, '{}', $3) ON CONFLICT (id) DO NOTHING", []any{"app", []byte{1}, now}},
			{"INSERT INTO oauth_codes (signature, request_id, client_id, subject, active, request, expires_at) VALUES ($1, $2, 'app', $3, true, '{}', $4)",
				[]any{"code-" + subject, "req-" + subject, subject, now}},
			{"INSERT INTO oauth_pkce (signature, request, expires_at) VALUES ($1, $2, $3)", []any{"code-" + subject, `{"subject":"` + subject + `"}`, now}},
			{"INSERT INTO oauth_access (signature, request_id, client_id, subject, request, created_at, expires_at) VALUES ($1, $2, 'app', $3, '{}', $4, $4)",
				[]any{"at-" + subject, "req-" + subject, subject, now}},
			{"INSERT INTO oauth_refresh (signature, request_id, client_id, subject, active, request, created_at, expires_at) VALUES ($1, $2, 'app', $3, true, '{}', $4, $4)",
				[]any{"rt-" + subject, "req-" + subject, subject, now}},
		} {
			if _, err := tx.ExecContext(context.Background(), q.sql, q.args...); err != nil {
				return fmt.Errorf("%s: %w", q.sql, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// person is what marks a person's rows: their id, address, and the
// secret of their share link (the only mark of their view log's rows).
type person struct{ id, email, share string }

// kept are the tables that hold no one's rows (clients registered by
// apps and other hosts, address-keyed failures), or the issuers' own
// records, which an account's deletion does not touch.
var kept = map[string]bool{"oauth_clients": true, "ob_remote_clients": true, "sign_in_failures": true,
	"ws_profiles": true, "ws_images": true, "ws_achievements": true, "ws_awards": true, "ws_claims": true, "ws_outbox": true, "ws_audit": true,
	"ws_jobs": true}

// userTables lists, from the database's own catalogue, every table of the
// four components with its text columns (so a table added later is
// checked without changing this test).
func userTables(t *testing.T, db *sqldb.DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	q := `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()
		AND data_type = 'text'`
	if db.Engine == sqldb.SQLite {
		q = `SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p WHERE m.type = 'table' AND upper(p.type) = 'TEXT'`
	}
	err := db.Read(context.Background(), func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(context.Background(), q)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var table, col string
			if err := rows.Scan(&table, &col); err != nil {
				return err
			}
			for _, prefix := range []string{"user", "personal_tokens", "wallet_", "oauth_", "ob_", "ws_"} {
				if strings.HasPrefix(table, prefix) && !kept[table] {
					out[table] = append(out[table], col)
				}
			}
		}
		return rows.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) < 15 {
		t.Fatalf("only %d tables found: %v", len(out), out)
	}
	return out
}

// rowsIn counts the table's rows with one of the person's marks in any
// text column.
func rowsIn(t *testing.T, db *sqldb.DB, table string, cols []string, p person) int {
	t.Helper()
	var where []string
	for _, c := range cols {
		for i := 1; i <= 3; i++ {
			where = append(where, fmt.Sprintf("%s LIKE '%%' || $%d || '%%'", c, i))
		}
	}
	q := "SELECT count(*) FROM " + table + " WHERE " + strings.Join(where, " OR ")
	var n int
	err := db.Read(context.Background(), func(tx *sql.Tx) error {
		return tx.QueryRowContext(context.Background(), q, p.id, p.email, p.share).Scan(&n)
	})
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

func rowsOf(t *testing.T, db *sqldb.DB, tables map[string][]string, p person) int {
	n := 0
	for table, cols := range tables {
		if rowsIn(t, db, table, cols, p) > 0 {
			n++
		}
	}
	return n
}
