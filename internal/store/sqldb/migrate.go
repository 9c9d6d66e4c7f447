package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migrationLock is the pg_advisory_xact_lock key that serialises the
// migrations of processes starting at once on one PostgreSQL database.
const migrationLock = 0x626c61736f6e // "blason"

// Migrate applies component's migrations not yet recorded, in version
// order, each in its own write transaction together with its record in
// schema_versions. fsys holds DIR/NNNN_name.sql where DIR is the engine's
// name ("sqlite" or "postgres"); NNNN is the version within component.
// Several processes may call Migrate at once: SQLite's write lock and a
// PostgreSQL advisory lock make each migration run once.
func (db *DB) Migrate(ctx context.Context, component string, fsys fs.FS) error {
	if component == "" {
		return fmt.Errorf("migrate: %w: empty component", ErrInvalid)
	}
	steps, err := readMigrations(fsys, db.Engine.String())
	if err != nil {
		return fmt.Errorf("migrate %s: %w", component, err)
	}
	if err := db.Write(ctx, func(tx *sql.Tx) error {
		// CREATE TABLE IF NOT EXISTS is not safe against a concurrent
		// CREATE on PostgreSQL (a unique violation in pg_type): lock first.
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, db.versionsTable())
		return err
	}); err != nil {
		return fmt.Errorf("migrate %s: create schema_versions: %w", component, err)
	}
	for _, m := range steps {
		err := db.Write(ctx, func(tx *sql.Tx) error {
			if err := db.lockMigrations(ctx, tx); err != nil {
				return err
			}
			var n int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_versions WHERE component = $1 AND version = $2",
				component, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.body); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, "INSERT INTO schema_versions (component, version, name, applied_at) VALUES ($1, $2, $3, $4)",
				component, m.version, m.name, Time(time.Now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("migrate %s: %s: %w", component, m.name, err)
		}
	}
	return nil
}

// Applied lists component's applied migration versions, in order.
func (db *DB) Applied(ctx context.Context, component string) ([]int, error) {
	var out []int
	err := db.Read(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT version FROM schema_versions WHERE component = $1 ORDER BY version", component)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v int
			if err := rows.Scan(&v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return rows.Err()
	})
	return out, err
}

// lockMigrations serialises migrations across processes on PostgreSQL
// (SQLite's write transaction already holds the database's one write lock).
func (db *DB) lockMigrations(ctx context.Context, tx *sql.Tx) error {
	if db.Engine != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
		return fmt.Errorf("lock migrations: %w", err)
	}
	return nil
}

func (db *DB) versionsTable() string {
	if db.Engine == Postgres {
		return `CREATE TABLE IF NOT EXISTS schema_versions (
			component text NOT NULL, version integer NOT NULL, name text NOT NULL,
			applied_at timestamptz, PRIMARY KEY (component, version))`
	}
	return `CREATE TABLE IF NOT EXISTS schema_versions (
		component TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL,
		applied_at TEXT, PRIMARY KEY (component, version)) STRICT`
}

type migration struct {
	version int
	name    string
	body    string
}

func readMigrations(fsys fs.FS, dir string) ([]migration, error) {
	names, err := fs.Glob(fsys, dir+"/*.sql")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("no migrations under %s/", dir)
	}
	var out []migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: name must start with a positive number and '_'", base)
		}
		if prev, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s share version %d", prev, base, v)
		}
		seen[v] = base
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(string(body)) == "" {
			return nil, errors.New("migration " + base + " is empty")
		}
		out = append(out, migration{version: v, name: base, body: string(body)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Adopt takes over the migrations that the first stores recorded in their
// one table schema_migrations (version, name, applied_at), shared by the
// issuer's tables (version 1) and the API tokens (version 2): each legacy
// version in legacy (old version -> component's version) that the database
// has applied is recorded as applied for component, so that Migrate does
// not run it again. It does nothing when there is no schema_migrations
// table, or once component has any recorded version. Call it before
// Migrate.
func (db *DB) Adopt(ctx context.Context, component string, legacy map[int]int) error {
	if component == "" {
		return fmt.Errorf("adopt: %w: empty component", ErrInvalid)
	}
	err := db.Write(ctx, func(tx *sql.Tx) error {
		if err := db.lockMigrations(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, db.versionsTable()); err != nil {
			return err
		}
		exists := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
		if db.Engine == Postgres {
			// to_regclass resolves the name on the search path, as the
			// old store's unqualified statements did.
			exists = "SELECT count(*) FROM (SELECT to_regclass('schema_migrations') AS t) x WHERE t IS NOT NULL"
		}
		var n int
		if err := tx.QueryRowContext(ctx, exists).Scan(&n); err != nil || n == 0 {
			return err
		}
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM schema_versions WHERE component = $1", component).Scan(&n); err != nil || n > 0 {
			return err
		}
		for old, v := range legacy {
			var name string
			err := tx.QueryRowContext(ctx, "SELECT name FROM schema_migrations WHERE version = $1", old).Scan(&name)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, "INSERT INTO schema_versions (component, version, name, applied_at) VALUES ($1, $2, $3, $4)",
				component, v, "legacy:"+name, Time(time.Now())); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("adopt legacy migrations for %s: %w", component, err)
	}
	return nil
}
