package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/sealed"
	"github.com/blason-badges/blason/internal/store"
	"github.com/blason-badges/blason/internal/store/issuerdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/tokendb"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/termsafe"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
)

// stateFlags are the flags that locate the issuer's state, shared by serve
// and the status commands.
type stateFlags struct {
	data, database, masterKeyFile *string
}

func addStateFlags(fs interface {
	String(name, value, usage string) *string
}) stateFlags {
	return stateFlags{
		data:          fs.String("data", envOr("DATA", "blason-data"), "data directory, created if missing (BLASON_DATA)"),
		database:      fs.String("database", envOr("DATABASE", ""), "postgres://... to use PostgreSQL; default: SQLite file DATA/blason.db (BLASON_DATABASE)"),
		masterKeyFile: fs.String("master-key-file", envOr("MASTER_KEY_FILE", ""), "file holding the key that encrypts issuer keys at rest; default DATA/master.key, created on first run; or set BLASON_MASTER_KEY"),
	}
}

// state is what the commands work on: one database, every store built
// on it.
type state struct {
	DB     *sqldb.DB
	Issuer *issuer.Service
	// Issuers is the issuer's store itself, for what the Service does not
	// do (listing the issuers).
	Issuers *issuerdb.Store
	// Tokens are the API token rules over the same database.
	Tokens *account.Service
	closer []func() error
}

// Close closes the stores, then the database.
func (s *state) Close() {
	for _, c := range s.closer {
		c()
	}
	s.DB.Close()
}

// openState opens the database (store.Open: the SQLite file in the data
// directory, or --database), builds every store on it, and loads the
// master key.
func openState(ctx context.Context, f stateFlags) (*state, error) {
	if *f.data != "" {
		if err := os.MkdirAll(*f.data, 0o700); err != nil {
			return nil, err
		}
	}
	var master []byte
	var err error
	if v, ok := os.LookupEnv("BLASON_MASTER_KEY"); ok {
		master, err = sealed.MasterKeyFromEnv(v)
	} else {
		path := *f.masterKeyFile
		if path == "" {
			path = filepath.Join(*f.data, "master.key")
		}
		master, _, err = sealed.LoadOrCreateMasterKey(path)
	}
	if err != nil {
		return nil, fmt.Errorf("master key: %w", err)
	}
	db, err := store.Open(ctx, *f.data, *f.database)
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	st := &state{DB: db}
	is, err := issuerdb.Open(ctx, db)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	st.closer = append(st.closer, is.Close)
	ts, err := tokendb.Open(ctx, db)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	st.Issuers = is
	st.Issuer = &issuer.Service{Store: is, MasterKey: master}
	st.Tokens = &account.Service{Store: ts}
	return st, nil
}

// operatorToken returns the operator token, the first API token (every
// scope): BLASON_OPERATOR_TOKEN, else DATA/operator.token (created, mode
// 0600, on first run). A token file others can read, or a token shorter
// than account.MinSecretLength, is refused with how to fix it.
func operatorToken(data string) (token string, path string, err error) {
	if v := os.Getenv("BLASON_OPERATOR_TOKEN"); v != "" {
		if err := account.CheckOperatorSecret(v); err != nil {
			return "", "", fmt.Errorf("BLASON_OPERATOR_TOKEN: %w (make one with: openssl rand -hex 32)", err)
		}
		return v, "", nil
	}
	path = filepath.Join(data, "operator.token")
	token, _, err = account.LoadOperatorFile(path)
	return token, path, err
}

// statusCommand implements blason revoke|suspend|reinstate ID --reason R.
func statusCommand(action string) func(e env, args []string) int {
	return func(e env, args []string) int {
		fs := newFlags(e, action)
		sf := addStateFlags(fs)
		reason := fs.String("reason", "", "why (recorded with who and when)")
		// Allow the credential id before or after the flags.
		var id string
		if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
			id, args = args[0], args[1:]
		}
		if !parseFlags(fs, args) {
			return exitUsage
		}
		if id == "" && fs.NArg() == 1 {
			id = fs.Arg(0)
		} else if fs.NArg() > 0 || id == "" {
			return fail(e, "usage: blason %s CREDENTIAL_ID [--reason TEXT] [--data DIR] [--database DSN]", action)
		}
		if action == issuer.ActionRevoke && strings.TrimSpace(*reason) == "" {
			return fail(e, "revoke: give a --reason (it is recorded, and revocation cannot be undone)")
		}
		// Read-only opening: a mistyped --data must not create an empty
		// issuer directory (and then say "not found" about it).
		open := openStateReadOnly
		if *sf.database != "" {
			open = openState // the database is named: nothing is created by mistake
		}
		st, err := open(e.ctx, sf)
		if err != nil {
			return fail(e, "%s %s: %s: no issuer is recorded there (%v). Only badges issued by 'blason serve' or 'blason issue --data DIR' can be revoked, with the same --data",
				action, id, *sf.data, err)
		}
		defer st.Close()
		notFound := func() int {
			return fail(e, "%s: no badge %s is recorded in %s. Only badges issued by 'blason serve' or 'blason issue --data DIR' with this data directory can be revoked",
				action, id, *sf.data)
		}
		cur, err := st.Issuer.Store.GetCredential(e.ctx, id)
		if errors.Is(err, issuer.ErrNotFound) {
			return notFound()
		}
		if err != nil {
			return failErr(e, action, err)
		}
		// Through the workspace, as the pages and the API do: the change
		// is in its audit log too (who: cli and the OS user), so the log
		// shows every action, wherever it was made.
		ws, err := workspaceOn(e.ctx, st.DB, nil)
		if err != nil {
			return failErr(e, action, err)
		}
		rec, err := (&workspace.Service{Store: ws, Issuer: st.Issuer}).ChangeStatus(e.ctx, cur.IssuerID, id, action, *reason, cliActor())
		if errors.Is(err, issuer.ErrNotFound) {
			return notFound()
		}
		if err != nil {
			return failErr(e, action, err)
		}
		fmt.Fprintf(e.stdout, "%s is now %s.\n", termsafe.String(rec.ID), rec.Status)
		return exitOK
	}
}

// workspaceOn migrates and opens the issuer workspace's tables
// (achievements, awards, claims, outbox, profiles, members) on the state's
// database, and makes svc sign with the workspace's issuer profiles.
func workspaceOn(ctx context.Context, db *sqldb.DB, svc *issuer.Service) (*workspacedb.Store, error) {
	ws, err := workspacedb.New(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("open the workspace database: %w", err)
	}
	if svc != nil {
		svc.Profiles = workspace.ProfileSource{Store: ws}
	}
	return ws, nil
}

// cliActor names the person at the terminal in audit logs: "cli:" and the
// OS user ($USER, else the account the process runs as), or "cli" when
// neither is known.
func cliActor() string {
	if u := os.Getenv("USER"); u != "" {
		return "cli:" + u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli"
}
