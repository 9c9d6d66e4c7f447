package workspace_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
)

func TestCheckImage(t *testing.T) {
	t.Parallel()
	good := pngBytes(t, 64, 64)
	cases := []struct {
		name, want, err string
		data            []byte
	}{
		{"png", "image/png", "", good},
		{"jpeg", "image/jpeg", "", jpegBytes(t)},
		{"svg", "image/svg+xml", "", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4" fill="red"/></svg>`)},
		{"svg with script", "", "<script>", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)},
		{"svg with onload", "", "event handler", []byte(`<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>`)},
		{"svg with external href", "", "another document", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"><image xlink:href="https://tracker.example/p.png"/></svg>`)},
		{"svg with a DTD", "", "DTD", []byte(`<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>`)},
		{"html", "", "root is <html>", []byte(`<html><body>hi</body></html>`)},
		{"text", "", "neither PNG", []byte("this is not an image")},
		{"empty", "", "empty", nil},
		{"png header, broken data", "", "damaged PNG", append(append([]byte{}, good[:40]...), bytes.Repeat([]byte{0}, 100)...)},
		{"50 MB", "", "more than", bytes.Repeat([]byte{0x89}, 50<<20)},
		{"huge canvas", "", "pixels", pngBytes(t, 5000, 4000)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := workspace.CheckImage(c.data)
			if c.err == "" {
				if err != nil || got != c.want {
					t.Fatalf("CheckImage = %q, %v; want %q", got, err, c.want)
				}
				return
			}
			if err == nil || !errors.Is(err, workspace.ErrImage) || !strings.Contains(err.Error(), c.err) {
				t.Fatalf("CheckImage = %q, %v; want an error saying %q", got, err, c.err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, field string
		edit        func(a *workspace.Achievement)
	}{
		{"ok", "", func(a *workspace.Achievement) {}},
		{"no name", "name", func(a *workspace.Achievement) { a.Name = "  " }},
		{"no description", "description", func(a *workspace.Achievement) { a.Description = "" }},
		{"no criteria", "criteria", func(a *workspace.Achievement) { a.Criteria = "" }},
		{"criteria url only", "", func(a *workspace.Achievement) { a.Criteria, a.CriteriaURL = "", "https://lab.example/criteria" }},
		{"criteria url not http", "criteriaUrl", func(a *workspace.Achievement) { a.CriteriaURL = "javascript:alert(1)" }},
		{"language", "lang", func(a *workspace.Achievement) { a.Lang = "de" }},
		{"alignment without url", "alignments[1].targetUrl", func(a *workspace.Achievement) { a.Alignments[0].TargetURL = "" }},
		{"alignment type", "alignments[1].targetType", func(a *workspace.Achievement) { a.Alignments[0].TargetType = "Skill" }},
		{"result type", "results[1].resultType", func(a *workspace.Achievement) { a.Results[0].ResultType = "Grade" }},
		{"long name", "name", func(a *workspace.Achievement) { a.Name = strings.Repeat("é", workspace.MaxNameLen+1) }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := sampleAchievement("did:key:z", "FR", "Atelier")
			c.edit(a)
			err := a.Validate()
			var fe *workspace.FieldError
			if c.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if a.Lang != "fr" || len(a.Tags) != 2 || a.Tags[0] != "science" || a.Results[0].ID == "" {
					t.Fatalf("not normalised: %+v", a)
				}
				return
			}
			if !errors.As(err, &fe) || fe.Field != c.field || !errors.Is(err, workspace.ErrInvalid) {
				t.Fatalf("Validate = %v, want a FieldError on %s", err, c.field)
			}
		})
	}
}

// The catalogue on both engines: create, variants linked through related
// with inLanguage, edit with optimistic versions, archive; and an award of
// each variant passes the issuer's strict schema and preflight.
func TestCatalogue(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		img, err := f.ws.AddImage(ctx, f.issuerID, pngBytes(t, 32, 32), "alice")
		if err != nil {
			t.Fatal(err)
		}
		fr := sampleAchievement(f.issuerID, "fr", "Atelier de médiation scientifique")
		fr.ImageID = img.ID
		if err := f.ws.CreateAchievement(ctx, fr, "alice"); err != nil {
			t.Fatal(err)
		}
		en := sampleAchievement(f.issuerID, "en", "Science outreach workshop")
		if err := f.ws.AddVariant(ctx, fr.ID, en, "alice"); err != nil {
			t.Fatal(err)
		}
		dup := sampleAchievement(f.issuerID, "fr", "Doublon")
		if err := f.ws.AddVariant(ctx, fr.ID, dup, "alice"); err == nil || !strings.Contains(err.Error(), "already has a variant") {
			t.Fatalf("second French variant: %v", err)
		}
		// Related both ways, with the other's language.
		for _, c := range []struct {
			a          *workspace.Achievement
			other      *workspace.Achievement
			wantImage  bool
			wantInLang string
		}{{fr, en, true, "en"}, {en, fr, false, "fr"}} {
			m, err := f.ws.OB3(ctx, c.a)
			if err != nil {
				t.Fatal(err)
			}
			rel, _ := m["related"].([]any)
			if len(rel) != 1 {
				t.Fatalf("related %v", m["related"])
			}
			r := rel[0].(map[string]any)
			if r["id"] != c.other.OB3ID() || r["inLanguage"] != c.wantInLang || m["inLanguage"] != c.a.Lang {
				t.Fatalf("related %v inLanguage %v", r, m["inLanguage"])
			}
			_, hasImage := m["image"]
			if hasImage != c.wantImage {
				t.Fatalf("image %v", m["image"])
			}
			// Awarded as it is: the strict OB 3.0 schema and the verifier accept it.
			rec, err := f.issuer.Award(ctx, f.issuerID, issuer.Award{Achievement: m, Recipient: issuer.Recipient{Email: "a@example.org"}})
			if err != nil {
				t.Fatalf("award %s: %v", c.a.Lang, err)
			}
			var doc map[string]any
			json.Unmarshal(rec.Document, &doc)
			got := doc["credentialSubject"].(map[string]any)["achievement"].(map[string]any)
			if got["name"] != c.a.Name || len(got["alignment"].([]any)) != 1 || len(got["resultDescription"].([]any)) != 1 {
				t.Fatalf("awarded achievement %v", got)
			}
		}
		if v, err := f.ws.Variant(ctx, fr, "en"); err != nil || v.ID != en.ID {
			t.Fatalf("Variant(en) = %v, %v", v, err)
		}
		// Edits: a stale version is refused.
		a, err := f.store.GetAchievement(ctx, fr.ID)
		if err != nil {
			t.Fatal(err)
		}
		stale := *a
		a.Description = "Nouvelle description"
		if err := f.ws.EditAchievement(ctx, a, "bob"); err != nil {
			t.Fatal(err)
		}
		stale.Name = "Autre"
		if err := f.ws.EditAchievement(ctx, &stale, "carol"); !errors.Is(err, workspace.ErrConflict) {
			t.Fatalf("stale edit: %v", err)
		}
		if got, _ := f.store.GetAchievement(ctx, fr.ID); got.Description != "Nouvelle description" || got.Version != 2 || got.Name != fr.Name {
			t.Fatalf("after edit %+v", got)
		}
		// Archive hides it from the list.
		if err := f.ws.Archive(ctx, f.issuerID, fr.ID, true, "bob"); err != nil {
			t.Fatal(err)
		}
		active, _ := f.store.ListAchievements(ctx, f.issuerID, false)
		archived, _ := f.store.ListAchievements(ctx, f.issuerID, true)
		if len(active) != 1 || active[0].ID != en.ID || len(archived) != 1 || archived[0].ID != fr.ID {
			t.Fatalf("active %v archived %v", active, archived)
		}
		// Another issuer cannot touch it.
		if err := f.ws.Archive(ctx, "did:key:other", en.ID, true, "eve"); !errors.Is(err, workspace.ErrNotFound) {
			t.Fatalf("archive by another issuer: %v", err)
		}
		log, err := f.store.AuditLog(ctx, f.issuerID, 50)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range log {
			actions = append(actions, e.Actor+":"+e.Action)
		}
		want := "bob:achievement.archive bob:achievement.edit alice:achievement.create alice:achievement.create alice:image.add"
		if strings.Join(actions, " ") != want {
			t.Fatalf("audit log %v\nwant %s", actions, want)
		}
	})
}

// An Open Badges 2.0 BadgeClass (as Open Badge Factory exports them)
// becomes an achievement; its data: image is checked and stored; a badge
// class with an image that is not one is refused and adds nothing.
func TestImportOB2(t *testing.T) {
	t.Parallel()
	f := sqliteFixture(t)
	ctx := context.Background()
	bc := map[string]any{
		"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": "https://openbadgefactory.com/v1/badge/_/X1/badge.json",
		"name": "Sécurité au laboratoire", "description": "Formation à la sécurité.",
		"image":    "data:image/png;base64," + base64.StdEncoding.EncodeToString(pngBytes(t, 20, 20)),
		"criteria": map[string]any{"id": "https://lab.example/criteria/securite", "narrative": "Suivre la formation."},
		"issuer":   "https://openbadgefactory.com/v1/client/_/lab.json",
		"tags":     []any{"sécurité"},
		"alignment": []any{map[string]any{"targetName": "Appliquer les règles de sécurité", "targetUrl": "https://www.francecompetences.fr/recherche/rncp/1/",
			"targetFramework": "RNCP"}},
	}
	raw, _ := json.Marshal(bc)
	a, err := f.ws.ImportJSON(ctx, f.issuerID, raw, workspace.ImportOptions{Lang: "fr"}, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "Sécurité au laboratoire" || a.CriteriaURL != "https://lab.example/criteria/securite" || a.ImageID == "" || a.Source != bc["id"] ||
		len(a.Alignments) != 1 || a.Alignments[0].TargetFramework != "RNCP" || a.Tags[0] != "sécurité" || a.Lang != "fr" {
		t.Fatalf("imported %+v", a)
	}
	img, err := f.store.GetImage(ctx, a.ImageID)
	if err != nil || img.MediaType != "image/png" {
		t.Fatalf("image %v %v", img, err)
	}
	m, _ := f.ws.OB3(ctx, a)
	if _, err := f.issuer.Award(ctx, f.issuerID, issuer.Award{Achievement: m, Recipient: issuer.Recipient{Email: "a@example.org"}}); err != nil {
		t.Fatalf("award of the imported achievement: %v", err)
	}
	bc["image"] = "data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("<html>not an image</html>"))
	raw, _ = json.Marshal(bc)
	if _, err := f.ws.ImportJSON(ctx, f.issuerID, raw, workspace.ImportOptions{}, "alice"); err == nil || !strings.Contains(err.Error(), "image") {
		t.Fatalf("bad image: %v", err)
	}
	delete(bc, "name")
	raw, _ = json.Marshal(bc)
	if _, err := f.ws.ImportJSON(ctx, f.issuerID, raw, workspace.ImportOptions{}, "alice"); err == nil || !strings.Contains(err.Error(), "name is missing") {
		t.Fatalf("no name: %v", err)
	}
	if list, _ := f.store.ListAchievements(ctx, f.issuerID, false); len(list) != 1 {
		t.Fatalf("refused imports added %d achievements", len(list)-1)
	}
}

// Roles per issuer profile, on both engines: set, change, read, remove;
// one issuer's member has no role in another's workspace.
func TestMembers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, c := range []struct{ email, role, want string }{
			{"Alice@Lab.example.fr", workspace.RoleAdmin, "admin"}, {"bob@lab.example.fr", workspace.RoleViewer, "viewer"},
			{"bob@lab.example.fr", workspace.RoleIssuer, "issuer"},
		} {
			if err := f.ws.SetMember(ctx, f.issuerID, c.email, c.role, "op"); err != nil {
				t.Fatal(err)
			}
			if got, err := f.ws.RoleOf(ctx, f.issuerID, c.email); err != nil || got != c.want {
				t.Fatalf("RoleOf(%s) = %q, %v; want %q", c.email, got, err, c.want)
			}
		}
		if got, _ := f.ws.RoleOf(ctx, "did:key:other", "alice@lab.example.fr"); got != "" {
			t.Fatalf("role in another issuer's workspace: %q", got)
		}
		if err := f.ws.SetMember(ctx, f.issuerID, "eve@lab.example.fr", "owner", "op"); err == nil {
			t.Fatal("an unknown role was accepted")
		}
		if err := f.ws.SetMember(ctx, f.issuerID, "bob@lab.example.fr", "", "op"); err != nil {
			t.Fatal(err)
		}
		ms, err := f.store.Members(ctx, f.issuerID)
		if err != nil || len(ms) != 1 || ms[0].Email != "alice@lab.example.fr" || ms[0].Role != "admin" {
			t.Fatalf("members %+v %v", ms, err)
		}
	})
}

// Importing the same badge class or achievement twice is refused, naming
// the entry already there; once that one is archived it can be imported
// again. Nothing is added by a refused import.
func TestImportTwiceRefused(t *testing.T) {
	t.Parallel()
	f := sqliteFixture(t)
	ctx := context.Background()
	for name, doc := range map[string]map[string]any{
		"ob3": {"id": "https://lab.example/achievements/mediation", "type": []any{"Achievement"}, "name": "Médiation",
			"description": "Atelier.", "criteria": map[string]any{"narrative": "Avoir suivi l'atelier."}},
		"ob2": {"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": "https://obf.example/badge/X2.json",
			"name": "Sécurité", "description": "Formation.", "criteria": map[string]any{"narrative": "Suivre la formation."},
			"issuer": "https://obf.example/client/lab.json", "image": "data:image/png;base64," + base64.StdEncoding.EncodeToString(pngBytes(t, 8, 8))},
	} {
		raw, _ := json.Marshal(doc)
		first, err := f.ws.ImportJSON(ctx, f.issuerID, raw, workspace.ImportOptions{}, "alice")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		before, _ := f.store.ListAchievements(ctx, f.issuerID, false)
		_, err = f.ws.ImportJSON(ctx, f.issuerID, raw, workspace.ImportOptions{}, "alice")
		if !errors.Is(err, workspace.ErrExists) || !strings.Contains(err.Error(), first.ID) {
			t.Fatalf("%s imported twice: %v; want ErrExists naming %s", name, err, first.ID)
		}
		if after, _ := f.store.ListAchievements(ctx, f.issuerID, false); len(after) != len(before) {
			t.Fatalf("%s: a refused import added an entry (%d -> %d)", name, len(before), len(after))
		}
		if err := f.ws.Archive(ctx, f.issuerID, first.ID, true, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := f.ws.ImportJSON(ctx, f.issuerID, raw, workspace.ImportOptions{}, "alice"); err != nil {
			t.Fatalf("%s after archiving the first: %v", name, err)
		}
	}
}
