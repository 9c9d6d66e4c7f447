package testkit_test

import (
	"context"
	"errors"
	"testing"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// TestKeyDeterministic: the same seed gives the same key and DID on every
// call; another seed another key.
func TestKeyDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := testkit.Ed25519(t, 7), testkit.Ed25519(t, 7), testkit.Ed25519(t, 8)
	if a.DID != b.DID || a.VM != b.VM || !testkit.Key(7).Equal(testkit.Key(7)) {
		t.Fatalf("seed 7 gave %s and %s", a.DID, b.DID)
	}
	if a.DID == c.DID {
		t.Fatal("seeds 7 and 8 gave the same key")
	}
}

// TestBadge: the placeholder is replaced and patch applied, on a fresh copy.
func TestBadge(t *testing.T) {
	t.Parallel()
	d := testkit.Badge("did:example:lab", func(m map[string]any) { m["name"] = "Patched" })
	if d["issuer"].(map[string]any)["id"] != "did:example:lab" || d["name"] != "Patched" {
		t.Fatalf("%v", d)
	}
	if testkit.Badge("x", nil)["name"] != "Teamwork" {
		t.Fatal("a patch leaked into the next badge")
	}
}

// TestWeb: served documents come back and are counted; others fail like a
// 404 (fetch.ErrStatus), and are counted too.
func TestWeb(t *testing.T) {
	t.Parallel()
	w := testkit.NewWeb(map[string][]byte{"https://a.example/1": []byte(`{}`)})
	ctx := context.Background()
	if b, err := w.GetJSON(ctx, "https://a.example/1"); err != nil || string(b) != `{}` {
		t.Fatalf("%s %v", b, err)
	}
	if _, err := w.GetJSON(ctx, "https://a.example/2"); !errors.Is(err, fetch.ErrStatus) {
		t.Fatalf("missing: %v", err)
	}
	w.Serve("https://a.example/2", []byte(`[]`))
	if b, _ := w.GetJSON(ctx, "https://a.example/2"); string(b) != `[]` {
		t.Fatalf("served later: %s", b)
	}
	if w.Count("https://a.example/2") != 2 || w.Total() != 3 {
		t.Fatalf("counts %d %d", w.Count("https://a.example/2"), w.Total())
	}
	w.Remove("https://a.example/1")
	w.ResetCounts()
	if _, err := w.GetJSON(ctx, "https://a.example/1"); err == nil || w.Total() != 1 {
		t.Fatalf("removed: %v, %d", err, w.Total())
	}
}

// TestHTTPS: the production client reaches the loopback server by name,
// follows a same-origin redirect, gets a 404 for anything else, and the
// direct fetcher reaches it without a port.
func TestHTTPS(t *testing.T) {
	t.Parallel()
	e := testkit.NewHTTPS(t)
	ctx := context.Background()
	doc := e.Base("example.com") + "/doc"
	e.Serve(doc, []byte(`{"ok":true}`), "application/json")
	e.Redirect(e.Base("example.com")+"/old", doc)
	for _, u := range []string{doc, e.Base("example.com") + "/old"} {
		if b, err := e.Client().GetJSON(ctx, u); err != nil || string(b) != `{"ok":true}` {
			t.Fatalf("%s: %s %v", u, b, err)
		}
	}
	if e.Count(doc) != 2 {
		t.Fatalf("count %d", e.Count(doc))
	}
	var se *fetch.StatusError
	if _, err := e.Client().GetJSON(ctx, e.Base("example.com")+"/none"); !errors.As(err, &se) || se.Code != 404 {
		t.Fatalf("missing: %v", err)
	}
	if _, err := e.Client().GetJSON(ctx, "https://example.org:"+e.Port()+"/doc"); err == nil {
		t.Fatal("a name the resolver does not know was reached")
	}
	e.Serve("https://example.com/portless", []byte(`1`), "application/json")
	if b, err := e.Direct().GetJSON(ctx, "https://example.com/portless"); err != nil || string(b) != `1` {
		t.Fatalf("direct: %s %v", b, err)
	}
}
