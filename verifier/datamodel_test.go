package verifier

import (
	"context"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/fetch"
)

// genericVC is a VC 2.0 credential that is not an Open Badge, issued by s,
// after patch, signed.
func (s signer) generic(t testing.TB, patch func(map[string]any)) []byte {
	t.Helper()
	doc := map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.ExamplesV2},
		"id":                "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
		"type":              []any{"VerifiableCredential", "ExampleAlumniCredential"},
		"issuer":            s.did,
		"validFrom":         "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
	}
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

// TestDataModelFailsAtVerify: a signed credential that breaks a VC Data
// Model rule fails the data-model check, which names the rule, whether or
// not it is an Open Badge.
func TestDataModelFailsAtVerify(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	v := New(Options{Now: testNow, AcceptGeneric: true})
	cases := []struct {
		name, rule string
		data       []byte
	}{
		{"evidence without type", "evidence-type", s.generic(t, func(m map[string]any) { m["evidence"] = map[string]any{"id": "https://example.org/e/1"} })},
		{"termsOfUse without type", "termsOfUse-type", s.generic(t, func(m map[string]any) { m["termsOfUse"] = map[string]any{"id": "https://example.org/tou"} })},
		{"credentialSchema without id", "credentialSchema-id", s.generic(t, func(m map[string]any) {
			m["credentialSchema"] = map[string]any{"type": "JsonSchema"}
		})},
		{"empty subject", "credentialSubject", s.generic(t, func(m map[string]any) {
			m["credentialSubject"] = []any{map[string]any{"id": "did:example:1"}, map[string]any{}}
		})},
		{"validUntil without zone", "validUntil-dateTimeStamp", s.generic(t, func(m map[string]any) { m["validUntil"] = "2027-01-01T00:00:00" })},
		{"relatedResource repeats an id", "relatedResource-id-unique", s.generic(t, func(m map[string]any) {
			rr := map[string]any{"id": "https://example.org/a", "digestSRI": "sha256-" + base64.StdEncoding.EncodeToString(make([]byte, 32))}
			m["relatedResource"] = []any{rr, rr}
		})},
		{"Open Badge evidence without type", "evidence-type", s.badge(t, func(m map[string]any) { m["evidence"] = []any{map[string]any{"name": "Portfolio"}} })},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r, err := v.Verify(context.Background(), tc.data)
			if err == nil {
				t.Fatalf("verified:\n%s", dump(r))
			}
			c := r.Check(CheckDataModel)
			if c.Outcome != Failed || c.Message != "data-model.invalid" || !strings.Contains(c.Detail, tc.rule) {
				t.Fatalf("data-model check %+v, want rule %s", c, tc.rule)
			}
		})
	}
	r, err := v.Verify(context.Background(), s.generic(t, nil))
	if err != nil || r.Check(CheckDataModel).Outcome != Passed {
		t.Fatalf("valid credential: %v\n%s", err, dump(r))
	}
}

// resourceWeb serves resources by URL with any media type, as fetch.Client
// does, and counts requests.
type resourceWeb struct {
	bodies map[string][]byte
	hits   atomic.Int32
}

func (w *resourceWeb) GetJSON(ctx context.Context, url string, accept ...string) ([]byte, error) {
	resp, err := w.Get(ctx, url, accept...)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

func (w *resourceWeb) Get(_ context.Context, url string, _ ...string) (*fetch.Response, error) {
	w.hits.Add(1)
	b, ok := w.bodies[url]
	if !ok {
		return nil, errors.New("404")
	}
	return &fetch.Response{URL: url, StatusCode: http.StatusOK, Body: b}, nil
}

func sriOf(b []byte) string {
	s := sha512.Sum384(b)
	return "sha384-" + base64.StdEncoding.EncodeToString(s[:])
}

// TestRelatedResources: VC DM 2.0 §5.3 — a related resource whose digest
// differs fails the credential; pinned contexts are compared without a
// fetch; nothing is fetched before the proof verified.
func TestRelatedResources(t *testing.T) {
	t.Parallel()
	s := edSigner(t)
	image := []byte("\x89PNG badge image")
	pinned, _ := contexts.Bytes(contexts.CredentialsV2)
	web := &resourceWeb{bodies: map[string][]byte{
		"https://example.org/badge.png": image,
		"https://example.org/changed":   []byte("new content"),
	}}
	mb := func(b []byte) string {
		sum := sha256.Sum256(b)
		return "u" + base64.RawURLEncoding.EncodeToString(append([]byte{0x12, 32}, sum[:]...))
	}
	with := func(rr ...any) []byte {
		return s.generic(t, func(m map[string]any) { m["relatedResource"] = rr })
	}
	res := func(id string, digest map[string]any) map[string]any {
		m := map[string]any{"id": id}
		for k, v := range digest {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		name    string
		data    []byte
		offline bool
		outcome Outcome
		msg     string
	}{
		{"pinned context, right digest", with(res(contexts.CredentialsV2, map[string]any{"digestSRI": sriOf(pinned)})), true, Passed, "related.ok"},
		{"pinned context, other digest", with(res(contexts.CredentialsV2, map[string]any{"digestSRI": sriOf([]byte("another version"))})), true, Failed, "related.mismatch"},
		{"fetched, right digests", with(res("https://example.org/badge.png", map[string]any{"digestSRI": sriOf(image), "digestMultibase": mb(image), "mediaType": "image/png"})), false, Passed, "related.ok"},
		{"fetched, changed", with(res("https://example.org/changed", map[string]any{"digestMultibase": mb([]byte("old content"))})), false, Failed, "related.mismatch"},
		{"not reachable", with(res("https://example.org/missing", map[string]any{"digestSRI": sriOf(image)})), false, Unknown, "related.unchecked"},
		{"offline", with(res("https://example.org/badge.png", map[string]any{"digestSRI": sriOf(image)})), true, Unknown, "related.unchecked"},
		{"none", s.generic(t, nil), false, Skipped, "related.none"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := Options{Now: testNow, AcceptGeneric: true, Fetcher: web}
			if tc.offline {
				opts.Fetcher = nil
			}
			r, _ := New(opts).Verify(context.Background(), tc.data)
			c := r.Check(CheckRelated)
			if c.Outcome != tc.outcome || c.Message != tc.msg {
				t.Fatalf("related check %+v\n%s", c, dump(r))
			}
			if r.Verified != (tc.outcome != Failed) {
				t.Fatalf("verified %v with related %s", r.Verified, c.Outcome)
			}
		})
	}

	// A forged credential makes the verifier fetch nothing.
	before := web.hits.Load()
	forged := []byte(strings.Replace(string(with(res("https://example.org/badge.png", map[string]any{"digestSRI": sriOf(image)}))),
		"The School of Examples", "Another School", 1))
	r, _ := New(Options{Now: testNow, AcceptGeneric: true, Fetcher: web}).Verify(context.Background(), forged)
	if c := r.Check(CheckRelated); c.Outcome != NotRun || web.hits.Load() != before {
		t.Fatalf("forged: related %+v, %d fetches", c, web.hits.Load()-before)
	}
}
