// Package workspacetest builds a throwaway issuer workspace for the tests
// of the packages that serve it (the admin API, the pages): an issuer with
// a fresh key in a temporary SQLite issuer store and a workspace on a
// temporary sqldb database.
package workspacetest

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"testing"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
)

// Fixture is a workspace ready to use.
type Fixture struct {
	WS       *workspace.Service
	Store    *workspacedb.Store
	Issuer   *issuer.Service
	IssuerID string
}

// New makes a fixture whose issuer is named name and whose public URL is
// baseURL. preflight may be nil.
func New(t testing.TB, name, baseURL string, preflight issuer.Preflight) *Fixture {
	t.Helper()
	ctx := context.Background()
	st := testissuer.SQLite(t, "")
	svc := &issuer.Service{Store: st, MasterKey: bytes.Repeat([]byte{9}, 32), BaseURL: baseURL, Preflight: preflight}
	k, err := issuer.NewKey(did.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := svc.AddIssuer(ctx, issuer.Profile{Name: name}, k)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := workspacedb.New(ctx, sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	svc.Profiles = workspace.ProfileSource{Store: ws}
	return &Fixture{WS: &workspace.Service{Store: ws, Issuer: svc, BaseURL: baseURL}, Store: ws, Issuer: svc, IssuerID: rec.ID}
}

// PNG returns a w×h PNG image.
func PNG(t testing.TB, w, h int, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		for y := 0; y < h; y++ {
			if (x-w/2)*(x-w/2)+(y-h/2)*(y-h/2) < w*w/5 {
				img.Set(x, y, c)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}
