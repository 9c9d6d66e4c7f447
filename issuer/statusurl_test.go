package issuer_test

import (
	"context"
	"errors"
	"testing"

	"github.com/blason-badges/blason/issuer"
)

// TestStatusListURL: the one scheme round-trips, including a base with a
// path of its own, and ParseStatusListURL refuses what no Service
// publishes (so a verifier never reads a local list for a foreign URL).
func TestStatusListURL(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in, base, id string
		f            issuer.ListFormat
		ok           bool
	}{
		{"http://127.0.0.1:8080/status/abc", "http://127.0.0.1:8080", "abc", issuer.FormatBitstring, true},
		{"https://lab.example/x/status/abc/2021", "https://lab.example/x", "abc", issuer.FormatStatusList2021, true},
		{"https://lab.example/status/2021", "https://lab.example", "2021", issuer.FormatBitstring, true},
		{"https://lab.example/status/x/status/abc", "https://lab.example/status/x", "abc", issuer.FormatBitstring, true},
		{"https://lab.example/status/", "", "", 0, false},
		{"https://lab.example/status//2021", "", "", 0, false},
		{"https://lab.example/status/a/b", "", "", 0, false},
		{"https://lab.example/status/a/2021/2021", "", "", 0, false},
		{"https://lab.example/status/a?x=1", "", "", 0, false},
		{"https://lab.example/status/a#f", "", "", 0, false},
		{"https://lab.example/lists/a", "", "", 0, false},
	}
	for _, c := range cases {
		base, id, f, ok := issuer.ParseStatusListURL(c.in)
		if base != c.base || id != c.id || f != c.f || ok != c.ok {
			t.Errorf("ParseStatusListURL(%s) = %q %q %v %v, want %q %q %v %v", c.in, base, id, f, ok, c.base, c.id, c.f, c.ok)
			continue
		}
		if ok {
			if back := issuer.StatusListURL(base, id, f); back != c.in {
				t.Errorf("StatusListURL(%q, %q, %v) = %s, want %s", base, id, f, back, c.in)
			}
		}
	}
	// The Service writes the same URLs into its credentialStatus entries.
	svc := &issuer.Service{BaseURL: "https://lab.example"}
	if got := svc.ListURL("abc"); got != issuer.StatusListURL("https://lab.example", "abc", issuer.FormatBitstring) {
		t.Errorf("ListURL = %s", got)
	}
}

type recordingFetcher struct{ got []string }

func (r *recordingFetcher) GetJSON(_ context.Context, url string, _ ...string) ([]byte, error) {
	r.got = append(r.got, url)
	return []byte(`{}`), nil
}

// TestOwnListsOnlyOwn: only the Service's own list URLs are its (local,
// held); every other URL goes to Next, or fails without one. (Serving
// the lists themselves is tested with a store, in the server and cmd.)
func TestOwnListsOnlyOwn(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	svc := &issuer.Service{BaseURL: "https://b.example"}
	next := &recordingFetcher{}
	o := issuer.OwnLists{Service: svc, Next: next}
	foreign := []string{"https://c.example/status/1", "https://b.example/other/1", "https://b.example/status/a/b"}
	for _, u := range foreign {
		if o.IsLocal(u) {
			t.Errorf("IsLocal(%s)", u)
		}
		if _, held, err := o.TrustedList(ctx, u); held || err != nil {
			t.Errorf("TrustedList(%s) held %v, %v", u, held, err)
		}
		if _, err := o.GetJSON(ctx, u); err != nil {
			t.Errorf("GetJSON(%s): %v", u, err)
		}
		if _, err := (issuer.OwnLists{Service: svc}).GetJSON(ctx, u); !errors.Is(err, issuer.ErrNotFound) {
			t.Errorf("without Next, GetJSON(%s): %v", u, err)
		}
	}
	if len(next.got) != len(foreign) {
		t.Errorf("Next got %v", next.got)
	}
	if !o.IsLocal("https://b.example/status/1") || !o.IsLocal("https://b.example/status/1/2021") {
		t.Error("own list URLs are not local")
	}
	if (issuer.OwnLists{Service: &issuer.Service{}}).IsLocal("/status/1") {
		t.Error("a Service without a BaseURL owns a URL")
	}
}
