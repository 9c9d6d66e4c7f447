// Package store opens the one database every component's store is built on
// (Open). The tables live in the components' packages, each with its own
// migrations on sqldb: issuerdb (the issuer's credentials and status lists),
// tokendb (API tokens), and those to come.
package store

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blason-badges/blason/internal/store/sqldb"
)

// ErrInvalid reports a database location Open cannot use.
var ErrInvalid = errors.New("invalid database location")

// DatabaseFile is the SQLite file's name in the data directory.
const DatabaseFile = "blason.db"

// Open opens the one database every component's store is built on: the
// PostgreSQL database dsn names (a postgres:// or postgresql:// URL), or,
// when dsn is empty, the SQLite file DatabaseFile in dataDir (created, with
// the directory, mode 0700, if missing). Each component then migrates its
// own tables (issuerdb.Open, tokendb.Open, ...) on the returned handle; the
// caller closes it after the stores.
func Open(ctx context.Context, dataDir, dsn string) (*sqldb.DB, error) {
	switch {
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return sqldb.OpenPostgres(ctx, dsn)
	case dsn != "":
		return nil, fmt.Errorf("%w: database %q: need a postgres:// URL, or none for SQLite", ErrInvalid, dsn)
	}
	if dataDir == "" {
		return nil, fmt.Errorf("%w: no data directory for the SQLite database", ErrInvalid)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	return sqldb.OpenSQLite(ctx, filepath.Join(dataDir, DatabaseFile))
}
