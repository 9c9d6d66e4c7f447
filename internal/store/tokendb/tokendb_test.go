package tokendb_test

import (
	"context"
	"testing"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/storetest"
	"github.com/blason-badges/blason/internal/store/tokendb"
)

func TestStore(t *testing.T) {
	for _, e := range []struct {
		name string
		open func(testing.TB) *sqldb.DB
	}{{"sqlite", sqldbtest.SQLite}, {"postgres", sqldbtest.Postgres}} {
		t.Run(e.name, func(t *testing.T) {
			storetest.RunTokens(t, func(t *testing.T) account.Store {
				s, err := tokendb.Open(context.Background(), e.open(t))
				if err != nil {
					t.Fatal(err)
				}
				return s
			})
		})
	}
}
