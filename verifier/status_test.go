package verifier

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

const listURL = "https://lab.example/status/1"

// statusList returns a list credential signed by s, with the given bits set.
func (s signer) statusList(t testing.TB, purpose string, patch func(m map[string]any), set ...int) []byte {
	t.Helper()
	doc := testkit.StatusList(t, listURL, s.did, purpose, set...)
	if patch != nil {
		patch(doc)
	}
	signed, err := dataintegrity.Sign(doc, s.key, dataintegrity.SignOptions{VerificationMethod: s.vm, Created: testNow()})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(signed)
	return b
}

func withStatus(purpose string, index string) func(m map[string]any) {
	return func(m map[string]any) {
		m["credentialStatus"] = map[string]any{"id": listURL + "#" + index, "type": "BitstringStatusListEntry",
			"statusPurpose": purpose, "statusListIndex": index, "statusListCredential": listURL}
	}
}

func TestStatusChecks(t *testing.T) {
	s, other := edSigner(t), edSigner(t)
	badge := s.badge(t, withStatus("revocation", "42"))
	suspendable := s.badge(t, withStatus("suspension", "7"))
	cases := []struct {
		name    string
		cred    []byte
		list    []byte
		outcome Outcome
		message string
	}{
		{"not revoked", badge, s.statusList(t, "revocation", nil, 41, 43), Passed, "status.ok"},
		{"revoked", badge, s.statusList(t, "revocation", nil, 42), Failed, "status.revoked"},
		{"suspended", suspendable, s.statusList(t, "suspension", nil, 7), Failed, "status.suspended"},
		{"list signed by someone else", badge, other.statusList(t, "revocation", func(m map[string]any) { m["issuer"] = s.did }), Unknown, "status.unreachable"},
		{"list of another issuer", badge, other.statusList(t, "revocation", nil), Unknown, "status.unreachable"},
		{"wrong purpose", badge, s.statusList(t, "suspension", nil), Unknown, "status.invalid-list"},
		{"list tampered", badge, []byte(strings.Replace(string(s.statusList(t, "revocation", nil, 42)), `"ttl":60000`, `"ttl":60001`, 1)), Unknown, "status.unreachable"},
		{"list expired", badge, s.statusList(t, "revocation", func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" }), Unknown, "status.unreachable"},
		{"list not gzip", badge, s.statusList(t, "revocation", func(m map[string]any) {
			m["credentialSubject"].(map[string]any)["encodedList"] = "uSGVsbG8gd29ybGQ"
		}), Unknown, "status.unreachable"},
		{"list too short", badge, s.statusList(t, "revocation", func(m map[string]any) {
			var buf bytes.Buffer // 1 KiB of zeros: well under the 16 KiB minimum
			zw := gzip.NewWriter(&buf)
			zw.Write(make([]byte, 1024))
			zw.Close()
			m["credentialSubject"].(map[string]any)["encodedList"] = "u" + base64.RawURLEncoding.EncodeToString(buf.Bytes())
		}), Unknown, "status.unreachable"},
		{"index out of range", s.badge(t, withStatus("revocation", "999999")), s.statusList(t, "revocation", nil), Unknown, "status.invalid-list"},
		{"index not a decimal string", s.badge(t, withStatus("revocation", "0x10")), s.statusList(t, "revocation", nil), Unknown, "status.malformed"},
		{"list unreachable", badge, nil, Unknown, "status.unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := testkit.NewWeb(map[string][]byte{})
			if c.list != nil {
				f.Serve(listURL, c.list)
			}
			r, err := New(Options{Now: testNow, Fetcher: f}).Verify(context.Background(), c.cred)
			chk := r.Check(CheckStatus)
			if chk.Outcome != c.outcome || chk.Message != c.message {
				t.Fatalf("status %s %s (%s), want %s %s", chk.Outcome, chk.Message, chk.Detail, c.outcome, c.message)
			}
			// Revoked/suspended: not verified. Could not check: a warning only.
			if (err == nil) != (c.outcome != Failed) {
				t.Fatalf("verified=%v with status %s", err == nil, chk.Outcome)
			}
		})
	}
}

// TestStatusListCached: a list is fetched once per ttl, and only after the
// credential's own proof verified.
func TestStatusListCached(t *testing.T) {
	s := edSigner(t)
	f := testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil)})
	v := New(Options{Now: testNow, Fetcher: f})
	badge := s.badge(t, withStatus("revocation", "5"))
	for i := 0; i < 3; i++ {
		if _, err := v.Verify(context.Background(), badge); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.Total(); n != 1 {
		t.Fatalf("%d fetches for 3 verifications within the ttl", n)
	}
	forged := mutate(t, badge, func(m map[string]any) { m["name"] = "forged" })
	f.ResetCounts()
	v2 := New(Options{Now: testNow, Fetcher: f})
	r, _ := v2.Verify(context.Background(), forged)
	if f.Total() != 0 || r.Check(CheckStatus).Outcome != NotRun {
		t.Fatalf("a forged credential made us fetch its status list (%d fetches, status %s)", f.Total(), r.Check(CheckStatus).Outcome)
	}
}

// TestStatusFetcher: Options.StatusFetcher serves status lists, even when
// the verifier is otherwise offline (Fetcher nil), and only status lists.
func TestStatusFetcher(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	badge := s.badge(t, withStatus("revocation", "42"))
	lists := testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil, 42)})
	r, err := New(Options{Now: testNow, StatusFetcher: lists}).Verify(context.Background(), badge)
	if err == nil || r.Check(CheckStatus).Message != "status.revoked" || r.Verdict != VerdictNotVerified {
		t.Fatalf("offline with a StatusFetcher: %v %+v", err, r.Check(CheckStatus))
	}
	// Fetcher set too: status still goes to StatusFetcher.
	other := testkit.NewWeb(map[string][]byte{})
	r, _ = New(Options{Now: testNow, Fetcher: other, StatusFetcher: lists}).Verify(context.Background(), badge)
	if r.Check(CheckStatus).Message != "status.revoked" || other.Total() != 0 {
		t.Fatalf("status went to Fetcher (%d calls): %+v", other.Total(), r.Check(CheckStatus))
	}
}

// trustedFetcher holds one decoded list (or an error) for listURL; other
// URLs go to its in-memory web.
type trustedFetcher struct {
	*testkit.Web
	list  *status.List
	err   error
	asked atomic.Int64
}

func (f *trustedFetcher) TrustedList(_ context.Context, url string) (*status.List, bool, error) {
	if url != listURL {
		return nil, false, nil
	}
	f.asked.Add(1)
	return f.list, true, f.err
}

// TestTrustedListFetcher: a list the fetcher vouches for is used as held,
// without a fetch, on every verification (never cached by the verifier);
// its issuer and dates are still checked, an error is "could not check",
// and other URLs are fetched as usual.
func TestTrustedListFetcher(t *testing.T) {
	t.Parallel()
	s, other := edSigner(t), edSigner(t)
	badge := s.badge(t, withStatus("revocation", "42"))
	decoded := func(signer signer, patch func(m map[string]any), set ...int) *status.List {
		var m map[string]any
		if err := json.Unmarshal(signer.statusList(t, "revocation", patch, set...), &m); err != nil {
			t.Fatal(err)
		}
		l, err := status.ParseListCredential(m)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	cases := []struct {
		name    string
		list    *status.List
		err     error
		message string
	}{
		{"not revoked", decoded(s, nil, 41), nil, "status.ok"},
		{"revoked", decoded(s, nil, 42), nil, "status.revoked"},
		{"list of another issuer", decoded(other, nil, 41), nil, "status.unreachable"},
		{"list expired", decoded(s, func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" }), nil, "status.unreachable"},
		{"store error", nil, fmt.Errorf("database is locked"), "status.unreachable"},
		{"no list", nil, nil, "status.unreachable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := &trustedFetcher{Web: testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil)}), list: c.list, err: c.err}
			v := New(Options{Now: testNow, StatusFetcher: f})
			for i := 0; i < 2; i++ {
				r, _ := v.Verify(context.Background(), badge)
				if got := r.Check(CheckStatus).Message; got != c.message {
					t.Fatalf("status %s (%s), want %s", got, r.Check(CheckStatus).Detail, c.message)
				}
			}
			if f.Total() != 0 || f.asked.Load() != 2 {
				t.Fatalf("%d fetches and %d trusted reads for 2 verifications, want 0 and 2", f.Total(), f.asked.Load())
			}
		})
	}
	// A URL the fetcher does not hold is fetched and its proof verified.
	elsewhere := s.badge(t, func(m map[string]any) {
		m["credentialStatus"] = map[string]any{"id": "https://lab.example/status/2#42", "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": "42", "statusListCredential": "https://lab.example/status/2"}
	})
	f := &trustedFetcher{Web: testkit.NewWeb(map[string][]byte{"https://lab.example/status/2": s.statusList(t, "revocation", nil, 42)})}
	r, _ := New(Options{Now: testNow, StatusFetcher: f}).Verify(context.Background(), elsewhere)
	if r.Check(CheckStatus).Message != "status.revoked" || f.Total() != 1 || f.asked.Load() != 0 {
		t.Fatalf("a list not held: %+v, %d fetches", r.Check(CheckStatus), f.Total())
	}
}
