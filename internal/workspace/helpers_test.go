package workspace_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

type fixture struct {
	ws       *workspace.Service
	store    *workspacedb.Store
	issuer   *issuer.Service
	issuerID string
	now      time.Time
}

func (f *fixture) clock() time.Time { return f.now }

// newFixture: an issuer (SQLite issuer store) and a workspace on db.
func newFixture(t testing.TB, db *sqldb.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	st := testissuer.SQLite(t, "")
	f := &fixture{now: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)}
	master := bytes.Repeat([]byte{7}, 32)
	f.issuer = &issuer.Service{Store: st, MasterKey: master, BaseURL: "https://badges.lab.example",
		Preflight: verifier.New(verifier.Options{}).Preflight()}
	k, err := issuer.NewKey(did.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := f.issuer.AddIssuer(ctx, issuer.Profile{Name: "Laboratoire"}, k)
	if err != nil {
		t.Fatal(err)
	}
	f.issuerID = rec.ID
	f.store, err = workspacedb.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	f.issuer.Profiles = workspace.ProfileSource{Store: f.store}
	f.ws = &workspace.Service{Store: f.store, Issuer: f.issuer, BaseURL: "https://badges.lab.example", Now: f.clock}
	return f
}

func sqliteFixture(t testing.TB) *fixture { return newFixture(t, sqldbtest.SQLite(t)) }

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := 0; x < w; x++ {
		img.Set(x, x%h, color.RGBA{200, 30, 30, 255})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func jpegBytes(t testing.TB) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, image.NewGray(image.Rect(0, 0, 16, 16)), nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func sampleAchievement(issuerID, lang, name string) *workspace.Achievement {
	return &workspace.Achievement{IssuerID: issuerID, Lang: lang, Name: name, AchievementDetails: workspace.AchievementDetails{
		Description: "Description of " + name, Criteria: "Attended the whole workshop.",
		Alignments: []workspace.Alignment{{TargetName: "Communicate scientific results", TargetURL: "https://esco.ec.europa.eu/en/classification/skill?uri=http://data.europa.eu/esco/skill/1",
			TargetFramework: "ESCO", TargetType: "ceasn:Competency"}},
		Tags:    []string{" science ", "", "outreach"},
		Results: []workspace.ResultDescription{{Name: "Level", ResultType: "PerformanceLevel", AllowedValues: []string{"bronze", "silver", "gold"}}},
	}}
}
