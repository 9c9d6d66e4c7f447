package issuer_test

import (
	"context"
	"errors"

	"github.com/blason-badges/blason/internal/store/issuerdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
)

// ownedStore is an issuer store that closes its database too.
type ownedStore struct {
	*issuerdb.Store
	db *sqldb.DB
}

func (o ownedStore) Close() error { return errors.Join(o.Store.Close(), o.db.Close()) }

// openSQLite opens the issuer store on the SQLite file path.
func openSQLite(ctx context.Context, path string) (*ownedStore, error) {
	db, err := sqldb.OpenSQLite(ctx, path)
	if err != nil {
		return nil, err
	}
	return open(ctx, db)
}

// openPostgres opens the issuer store on the PostgreSQL database dsn.
func openPostgres(ctx context.Context, dsn string) (*ownedStore, error) {
	db, err := sqldb.OpenPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return open(ctx, db)
}

func open(ctx context.Context, db *sqldb.DB) (*ownedStore, error) {
	s, err := issuerdb.Open(ctx, db)
	if err != nil {
		db.Close()
		return nil, err
	}
	return &ownedStore{s, db}, nil
}
