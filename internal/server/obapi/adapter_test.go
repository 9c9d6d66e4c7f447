package obapi_test

import (
	"context"
	"errors"
	"testing"
	"time"

	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/server/obapi"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

func TestFuncsPagingAndProfiles(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store, err := oauthdb.Open(ctx, sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	// Newest first, as a wallet lists them; two issued the same day.
	listed := []obapi.Listed{
		{Raw: []byte(`{"n":4}`), ValidFrom: day(4), AddedAt: day(5)},
		{Raw: []byte(`{"n":3}`), ValidFrom: day(3), AddedAt: day(6)},
		{Raw: []byte(`{"n":2}`), ValidFrom: day(3), AddedAt: day(4)},
		{Raw: []byte("a.b.c"), JWS: true, ValidFrom: day(1), AddedAt: day(1)},
	}
	w := obapi.Funcs{
		List:     func(context.Context, string) ([]obapi.Listed, error) { return listed, nil },
		Profiles: store,
	}
	names := func(h []obapi.Held) (s string) {
		for _, x := range h {
			s += string(x.Raw) + " "
		}
		return s
	}
	for _, c := range []struct {
		page  ob.Page
		want  string
		total int
	}{
		{ob.Page{Limit: 10}, `a.b.c {"n":2} {"n":3} {"n":4} `, 4},
		{ob.Page{Limit: 2, Offset: 1}, `{"n":2} {"n":3} `, 4},
		{ob.Page{Limit: 2, Offset: 9}, ``, 4},
		{ob.Page{Limit: 10, Since: day(2)}, `{"n":2} {"n":3} {"n":4} `, 3},
		{ob.Page{Limit: 10, Since: day(3)}, `{"n":4} `, 1},
	} {
		got, total, err := w.Credentials(ctx, "u", c.page)
		if err != nil || names(got) != c.want || total != c.total {
			t.Errorf("%+v: %q %d %v; want %q %d", c.page, names(got), total, err, c.want, c.total)
		}
	}
	if string(listed[0].Raw) != `{"n":4}` {
		t.Error("Credentials reordered the wallet's own list")
	}
	if _, err := w.Profile(ctx, "u"); !errors.Is(err, obapi.ErrNoProfile) {
		t.Errorf("no profile: %v", err)
	}
	if err := w.PutProfile(ctx, "u", []byte(`{"id":"urn:x"}`)); err != nil {
		t.Fatal(err)
	}
	if p, err := w.Profile(ctx, "u"); err != nil || string(p) != `{"id":"urn:x"}` {
		t.Errorf("profile %s %v", p, err)
	}
}

// A wallet that lists metadata only: Load reads the bytes of the page's
// badges, and nothing else.
func TestFuncsLoad(t *testing.T) {
	t.Parallel()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 0, 0, 0, 0, time.UTC) }
	var loaded []string
	w := obapi.Funcs{
		List: func(context.Context, string) ([]obapi.Listed, error) {
			return []obapi.Listed{{ID: "b", ValidFrom: day(2)}, {ID: "a", ValidFrom: day(1)}, {ID: "c", ValidFrom: day(3)}}, nil
		},
		Load: func(_ context.Context, _, id string) ([]byte, error) {
			loaded = append(loaded, id)
			return []byte(`{"id":"` + id + `"}`), nil
		},
	}
	got, total, err := w.Credentials(context.Background(), "u", ob.Page{Limit: 1, Offset: 1})
	if err != nil || total != 3 || len(got) != 1 || string(got[0].Raw) != `{"id":"b"}` || len(loaded) != 1 {
		t.Fatalf("%d badges, %d %v, loaded %v", len(got), total, err, loaded)
	}
	w.Load = nil
	if _, _, err := w.Credentials(context.Background(), "u", ob.Page{Limit: 1}); err == nil {
		t.Error("a badge without bytes was served")
	}
}
