package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/sealed"
	"github.com/blason-badges/blason/internal/store/postgres"
	"github.com/blason-badges/blason/internal/store/sqlite"
	"github.com/blason-badges/blason/internal/termsafe"
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

// openState opens the issuer's store and master key.
func openState(ctx context.Context, f stateFlags) (*issuer.Service, func(), error) {
	if *f.data != "" {
		if err := os.MkdirAll(*f.data, 0o700); err != nil {
			return nil, nil, err
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
		return nil, nil, fmt.Errorf("master key: %w", err)
	}
	var st issuer.Store
	switch dsn := *f.database; {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		st, err = postgres.Open(ctx, dsn)
	case dsn == "":
		st, err = sqlite.Open(ctx, filepath.Join(*f.data, "blason.db"))
	default:
		return nil, nil, fmt.Errorf("--database must be a postgres:// URL (or empty for SQLite), got %q", dsn)
	}
	if err != nil {
		return nil, nil, fmt.Errorf("open database: %w", err)
	}
	return &issuer.Service{Store: st, MasterKey: master}, func() { st.Close() }, nil
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

// tokenService returns the API token rules over the issuer's store (both
// stores keep tokens).
func tokenService(svc *issuer.Service) (*account.Service, error) {
	st, ok := svc.Store.(account.Store)
	if !ok {
		return nil, fmt.Errorf("the %T store does not keep API tokens", svc.Store)
	}
	return &account.Service{Store: st}, nil
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
		svc, closeState, err := openState(e.ctx, sf)
		if err != nil {
			return failErr(e, action, err)
		}
		defer closeState()
		actor := "cli:" + os.Getenv("USER")
		if actor == "cli:" {
			actor = "cli"
		}
		rec, err := svc.ChangeStatus(e.ctx, id, action, *reason, actor)
		if err != nil {
			return failErr(e, action, err)
		}
		fmt.Fprintf(e.stdout, "%s is now %s.\n", termsafe.String(rec.ID), rec.Status)
		return exitOK
	}
}
