package did_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// *fetch.Client is the production Fetcher and *fetch.Cache the production
// DocumentCache (a test-only import: package did does not depend on fetch).
var (
	_ did.Fetcher       = (*fetch.Client)(nil)
	_ did.DocumentCache = (*fetch.Cache[*did.Document])(nil)
)

func TestWebDocumentURL(t *testing.T) {
	t.Parallel()
	valid := []struct{ did, url string }{
		// did:web spec examples.
		{"did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"},
		{"did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"},
		{"did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"},
		{"did:web:example.com", "https://example.com/.well-known/did.json"},
		{"did:web:localhost%3A8443", "https://localhost:8443/.well-known/did.json"},
		{"did:web:localhost%3a8443", "https://localhost:8443/.well-known/did.json"},
		{"did:web:example.com%3A65535", "https://example.com:65535/.well-known/did.json"},
		// OB 3.0 implementation guide quickstart issuer and 1EdTech validator fixture subject.
		{"did:web:example.com:issuers:540e388e-2735-4c3e-9709-80142801c774", "https://example.com/issuers/540e388e-2735-4c3e-9709-80142801c774/did.json"},
		{"did:web:dc.1edtech.org:wellspring2022:wellspring-portal:learner:e42a88f4-7e1d-429b-bcea-0f3b31ee4e5d", "https://dc.1edtech.org/wellspring2022/wellspring-portal/learner/e42a88f4-7e1d-429b-bcea-0f3b31ee4e5d/did.json"},
		{"did:web:issuer.example", "https://issuer.example/.well-known/did.json"},
		{"did:web:Example.COM:a_b.c-d", "https://Example.COM/a_b.c-d/did.json"},
		{"did:web:xn--bcher-kva.example:...x", "https://xn--bcher-kva.example/...x/did.json"},
		{"did:web:123.example", "https://123.example/.well-known/did.json"},
	}
	for _, tt := range valid {
		got, err := did.WebDocumentURL(tt.did)
		if err != nil || got != tt.url {
			t.Errorf("WebDocumentURL(%q) = %q, %v; want %q", tt.did, got, err, tt.url)
		}
	}
	invalid := []struct {
		did  string
		want error
	}{
		{"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", did.ErrUnsupportedMethod},
		{"did:web:", did.ErrInvalidDID},
		{"did:web", did.ErrInvalidDID},
		{"did:web:example.com:", did.ErrInvalidDID},
		{"did:web::example.com", did.ErrInvalidDID},
		{"did:web:example.com::alice", did.ErrInvalidDID},
		{"did:web:example.com:..:admin", did.ErrInvalidDID},
		{"did:web:example.com:user:..", did.ErrInvalidDID},
		{"did:web:example.com:.", did.ErrInvalidDID},
		{"did:web:example.com:%2E%2E:x", did.ErrInvalidDID},
		{"did:web:example.com:a%2Fb", did.ErrInvalidDID},
		{"did:web:example.com%2Fevil", did.ErrInvalidDID},
		{"did:web:example.com:user%20name", did.ErrInvalidDID},
		{"did:web:user%40example.com", did.ErrInvalidDID},
		{"did:web:user:pass%40example.com", did.ErrInvalidDID},
		{"did:web:127.0.0.1", did.ErrInvalidDID},
		{"did:web:127.0.0.1%3A8443", did.ErrInvalidDID},
		{"did:web:169.254.169.254", did.ErrInvalidDID},
		{"did:web:127.1", did.ErrInvalidDID},
		{"did:web:2130706433", did.ErrInvalidDID},
		{"did:web:0x7f000001", did.ErrInvalidDID},
		{"did:web:example.0x7f", did.ErrInvalidDID},
		{"did:web:[::1]", did.ErrInvalidDID},
		{"did:web:%5B%3A%3A1%5D", did.ErrInvalidDID},
		{"did:web:example.com%3A", did.ErrInvalidDID},
		{"did:web:example.com%3A0", did.ErrInvalidDID},
		{"did:web:example.com%3A08443", did.ErrInvalidDID},
		{"did:web:example.com%3A65536", did.ErrInvalidDID},
		{"did:web:example.com%3A123456", did.ErrInvalidDID},
		{"did:web:example.com%3Ahttps", did.ErrInvalidDID},
		{"did:web:example.com%3A443%3A1", did.ErrInvalidDID},
		{"did:web:%3A443", did.ErrInvalidDID},
		{"did:web:exa_mple.com", did.ErrInvalidDID},
		{"did:web:-example.com", did.ErrInvalidDID},
		{"did:web:example-.com", did.ErrInvalidDID},
		{"did:web:a..b", did.ErrInvalidDID},
		{"did:web:.example.com", did.ErrInvalidDID},
		{"did:web:example.com.", did.ErrInvalidDID},
		{"did:web:" + strings.Repeat("a", 64) + ".com", did.ErrInvalidDID},
		{"did:web:" + strings.Repeat("abcdefghi.", 26) + "com", did.ErrInvalidDID},
		{"did:web:example.com#key-1", did.ErrInvalidDID},
		{"did:web:example.com/path", did.ErrInvalidDID},
		{"did:web:example.com?x", did.ErrInvalidDID},
		{"did:WEB:example.com", did.ErrInvalidDID},
	}
	for _, tt := range invalid {
		got, err := did.WebDocumentURL(tt.did)
		if !errors.Is(err, tt.want) {
			t.Errorf("WebDocumentURL(%q) = %q, %v; want %v", tt.did, got, err, tt.want)
		}
	}
}

// fakeFetcher serves canned bodies by URL and counts calls.
type fakeFetcher struct {
	mu    sync.Mutex
	docs  map[string][]byte
	errs  map[string]error
	calls map[string]int
}

func newFakeFetcher() *fakeFetcher {
	return &fakeFetcher{docs: map[string][]byte{}, errs: map[string]error{}, calls: map[string]int{}}
}

func (f *fakeFetcher) GetJSON(ctx context.Context, u string, accept ...string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[u]++
	if err := f.errs[u]; err != nil {
		return nil, err
	}
	if b, ok := f.docs[u]; ok {
		return b, nil
	}
	return nil, &fetch.StatusError{Code: 404, URL: u}
}

func (f *fakeFetcher) count(u string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[u]
}

// webKey is a fixed Ed25519 key for the did:web documents built here.
var webKey = ed25519.NewKeyFromSeed(make([]byte, ed25519.SeedSize))

func multikey(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	mk, err := did.EncodePublicMultikey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

// webDoc returns a DID document for id with one Multikey method "#key-1"
// listed (relative) under assertionMethod.
func webDoc(t testing.TB, id string) []byte {
	t.Helper()
	return []byte(fmt.Sprintf(`{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": %q,
  "verificationMethod": [{"id": %q, "type": "Multikey", "controller": %q, "publicKeyMultibase": %q}],
  "assertionMethod": ["#key-1"],
  "authentication": [%q]
}`, id, id+"#key-1", id, multikey(t, webKey.Public()), id+"#key-1"))
}

// serveDID publishes a DID document at host and path (no scheme) on the
// shared loopback HTTPS web.
func serveDID(e *testkit.HTTPS, hostPath string, body []byte) {
	e.Serve("https://"+hostPath, body, "application/did+json")
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestWebResolveForms(t *testing.T) {
	t.Parallel()
	e := testkit.NewHTTPS(t)
	forms := []struct{ did, hostPath string }{
		{"did:web:example.com", "example.com/.well-known/did.json"},
		{"did:web:issuer.example.com:user:alice", "issuer.example.com/user/alice/did.json"},
		{"did:web:example.com%3A" + e.Port(), "example.com:" + e.Port() + "/.well-known/did.json"},
		{"did:web:example.com%3A" + e.Port() + ":issuers:42", "example.com:" + e.Port() + "/issuers/42/did.json"},
	}
	r := &did.WebResolver{Fetcher: e.Direct()}
	for _, f := range forms {
		serveDID(e, f.hostPath, webDoc(t, f.did))
		doc, err := r.Resolve(ctxT(t), f.did)
		if err != nil {
			t.Errorf("%s: %v", f.did, err)
			continue
		}
		if doc.ID != f.did || len(doc.VerificationMethod) != 1 || len(doc.AssertionMethod) != 1 {
			t.Errorf("%s: unexpected document %+v", f.did, doc)
		}
		vm, err := did.ResolveVerificationMethod(ctxT(t), r, f.did+"#key-1", did.AssertionMethod)
		if err != nil {
			t.Errorf("%s: ResolveVerificationMethod: %v", f.did, err)
			continue
		}
		pub, err := vm.PublicKey()
		if err != nil || !webKey.Public().(ed25519.PublicKey).Equal(pub) {
			t.Errorf("%s: key %v, %v", f.did, pub, err)
		}
	}
	// A DID with nothing behind it: ErrResolution carrying the HTTP status.
	_, err := r.Resolve(ctxT(t), "did:web:example.com:nobody")
	var se *fetch.StatusError
	if !errors.Is(err, did.ErrResolution) || !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("missing document: %v", err)
	}
}

// TestWebResolveWithFetchClient runs did:web resolution end to end through
// the production fetch.Client (loopback only: the client's resolver maps
// example.com to 127.0.0.1, which the guard allows only with AllowPrivate).
func TestWebResolveWithFetchClient(t *testing.T) {
	t.Parallel()
	e := testkit.NewHTTPS(t)
	id := "did:web:example.com%3A" + e.Port() + ":issuers:1"
	serveDID(e, "example.com:"+e.Port()+"/issuers/1/did.json", webDoc(t, id))
	e.Serve(e.Base("example.com")+"/html/did.json", webDoc(t, "did:web:example.com%3A"+e.Port()+":html"), "text/html")
	serveDID(e, "example.com:"+e.Port()+"/big/did.json", append(webDoc(t, "did:web:example.com%3A"+e.Port()+":big"), make([]byte, 5000)...))
	client := e.ClientWith
	r := &did.WebResolver{Fetcher: client(fetch.Options{AllowPrivate: true, MaxBytes: 4096})}
	if _, err := did.ResolveVerificationMethod(ctxT(t), r, id+"#key-1", did.AssertionMethod); err != nil {
		t.Fatalf("end to end: %v", err)
	}
	tests := []struct {
		did  string
		r    *did.WebResolver
		want error
	}{
		{id, &did.WebResolver{Fetcher: client(fetch.Options{})}, fetch.ErrPrivateAddress},
		{"did:web:example.com%3A" + e.Port() + ":html", r, fetch.ErrContentType},
		{"did:web:example.com%3A" + e.Port() + ":big", r, fetch.ErrTooLarge},
	}
	for _, tt := range tests {
		_, err := tt.r.Resolve(ctxT(t), tt.did)
		if !errors.Is(err, did.ErrResolution) || !errors.Is(err, tt.want) {
			t.Errorf("%s: got %v, want ErrResolution and %v", tt.did, err, tt.want)
		}
	}
}

func TestWebResolveInvalidDocuments(t *testing.T) {
	t.Parallel()
	const id = "did:web:example.com"
	u, _ := did.WebDocumentURL(id)
	mk := multikey(t, webKey.Public())
	vm := func(vmID string) string {
		return fmt.Sprintf(`{"id":%q,"type":"Multikey","controller":%q,"publicKeyMultibase":%q}`, vmID, id, mk)
	}
	tests := []struct {
		name string
		body string
	}{
		{"other id", string(webDoc(t, "did:web:evil.example"))},
		{"id with a path", string(webDoc(t, "did:web:example.com:x"))},
		{"no id", `{"@context":"https://www.w3.org/ns/did/v1"}`},
		{"id not a string", `{"id":42}`},
		{"not JSON", `<html>hello</html>`},
		{"empty", ``},
		{"JSON array", `[` + string(webDoc(t, id)) + `]`},
		{"JSON string", `"did:web:example.com"`},
		{"trailing data", string(webDoc(t, id)) + `{}`},
		{"truncated", string(webDoc(t, id))[:40]},
		{"duplicate id", `{"id":"did:web:evil.example","id":"did:web:example.com"}`},
		{"case-variant id", `{"id":"did:web:example.com","ID":"did:web:evil.example"}`},
		{"escaped duplicate", `{"id":"did:web:example.com","\u0069d":"did:web:example.com"}`},
		{"nested duplicate", `{"id":"did:web:example.com","verificationMethod":[{"id":"#a","id":"#b","type":"Multikey","controller":"did:web:example.com"}]}`},
		{"invalid UTF-8", "{\"id\":\"did:web:example.com\",\"x\":\"\xff\"}"},
		{"too deep", `{"id":"did:web:example.com","x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`},
		{"huge", `{"id":"did:web:example.com","pad":"` + strings.Repeat("a", did.MaxWebDocumentBytes) + `"}`},
		{"relationship number", `{"id":"did:web:example.com","assertionMethod":[1]}`},
		{"relationship empty id", `{"id":"did:web:example.com","assertionMethod":[""]}`},
		{"relationship not array", `{"id":"did:web:example.com","assertionMethod":"#key-1"}`},
		{"embedded VM without id", `{"id":"did:web:example.com","assertionMethod":[{"type":"Multikey"}]}`},
		{"embedded VM clashing id", `{"id":"did:web:example.com","verificationMethod":[` + vm("#key-1") + `],"assertionMethod":[` + vm("did:web:example.com#key-1") + `]}`},
		{"VM without type", `{"id":"did:web:example.com","verificationMethod":[{"id":"#k","controller":"did:web:example.com"}]}`},
		{"VM wrong member type", `{"id":"did:web:example.com","verificationMethod":[{"id":"#k","type":"Multikey","controller":["x"]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeFetcher()
			f.docs[u] = []byte(tt.body)
			r := &did.WebResolver{Fetcher: f, Cache: fetch.NewCache[*did.Document](8, nil)}
			doc, err := r.Resolve(ctxT(t), id)
			if !errors.Is(err, did.ErrInvalidDocument) {
				t.Fatalf("got %+v, %v; want ErrInvalidDocument", doc, err)
			}
			if len(err.Error()) > 400 {
				t.Errorf("error message is %d bytes", len(err.Error()))
			}
			// Failures are not cached.
			r.Resolve(ctxT(t), id)
			if n := f.count(u); n != 2 {
				t.Errorf("fetched %d times, want 2 (errors must not be cached)", n)
			}
		})
	}
}

func TestWebResolveEmbeddedVerificationMethods(t *testing.T) {
	t.Parallel()
	const id = "did:web:example.com:issuers:7"
	u, _ := did.WebDocumentURL(id)
	signer, err := did.GenerateKey(did.P256)
	if err != nil {
		t.Fatal(err)
	}
	body := fmt.Sprintf(`{
  "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
  "id": %[1]q,
  "verificationMethod": [{"id": "#auth", "type": "Multikey", "controller": %[1]q, "publicKeyMultibase": %[2]q}],
  "assertionMethod": [
    {"id": "#assert", "type": "Multikey", "controller": %[1]q, "publicKeyMultibase": %[3]q},
    {"id": %[4]q, "type": "Multikey", "controller": %[1]q, "publicKeyMultibase": %[3]q}
  ],
  "authentication": ["#auth"]
}`, id, multikey(t, webKey.Public()), multikey(t, signer.Public()), id+"#assert-abs")
	f := newFakeFetcher()
	f.docs[u] = []byte(body)
	r := &did.WebResolver{Fetcher: f}
	doc, err := r.Resolve(ctxT(t), id)
	if err != nil {
		t.Fatalf("%v\n%s", err, body)
	}
	if len(doc.VerificationMethod) != 3 || strings.Join(doc.AssertionMethod, " ") != "#assert "+id+"#assert-abs" {
		t.Fatalf("normalised document: %+v", doc)
	}
	for _, frag := range []string{"#assert", "#assert-abs"} {
		vm, err := did.ResolveVerificationMethod(ctxT(t), r, id+frag, did.AssertionMethod)
		if err != nil {
			t.Fatalf("%s: %v", frag, err)
		}
		if pub, err := vm.PublicKey(); err != nil || !signer.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Errorf("%s: key %v %v", frag, pub, err)
		}
	}
	// An embedded method is authorised only for the relationship embedding it.
	if _, err := did.ResolveVerificationMethod(ctxT(t), r, id+"#assert", did.Authentication); !errors.Is(err, did.ErrRelationship) {
		t.Errorf("embedded assertion key used for authentication: %v", err)
	}
	if _, err := did.ResolveVerificationMethod(ctxT(t), r, id+"#auth", did.AssertionMethod); !errors.Is(err, did.ErrRelationship) {
		t.Errorf("authentication key used for assertion: %v", err)
	}
}

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "web", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestWebResolveOB3QuickstartIssuer serves the OB 3.0 implementation
// guide's did:web issuer profile as a DID document: it resolves (a Profile
// is a valid DID document shape), but its key must not be accepted for
// assertions: its controller is not the DID and it is not listed under
// assertionMethod. The corrected shape (W3C Multikey, controller = DID,
// listed under assertionMethod) is accepted.
func TestWebResolveOB3QuickstartIssuer(t *testing.T) {
	t.Parallel()
	const id = "did:web:example.com:issuers:540e388e-2735-4c3e-9709-80142801c774"
	body := readFixture(t, "impl-quickstart-issuer-profile-did-web.json")
	u, err := did.WebDocumentURL(id)
	if err != nil || u != "https://example.com/issuers/540e388e-2735-4c3e-9709-80142801c774/did.json" {
		t.Fatalf("URL %q, %v", u, err)
	}
	f := newFakeFetcher()
	f.docs[u] = body
	r := &did.WebResolver{Fetcher: f}
	doc, err := r.Resolve(ctxT(t), id)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.VerificationMethod) != 1 || doc.VerificationMethod[0].Type != "DataIntegrityProof" {
		t.Fatalf("document %+v", doc)
	}
	if _, err := did.ResolveVerificationMethod(ctxT(t), r, id+"#key-0", did.AssertionMethod); !errors.Is(err, did.ErrRelationship) {
		t.Errorf("quickstart key accepted: %v", err)
	}

	// The corrected document.
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		t.Fatal(err)
	}
	vm := m["verificationMethod"].([]any)[0].(map[string]any)
	vm["type"], vm["controller"] = "Multikey", id
	delete(vm, "cryptosuite")
	m["assertionMethod"] = []any{id + "#key-0"}
	fixed, _ := json.Marshal(m)
	f.docs[u] = fixed
	got, err := did.ResolveVerificationMethod(ctxT(t), r, id+"#key-0", did.AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := got.PublicKey(); err != nil {
		t.Errorf("quickstart key: %v", err)
	}

	// The 1EdTech validator fixture's subject DID (path form).
	var cred struct {
		CredentialSubject struct{ ID string } `json:"credentialSubject"`
	}
	if err := json.Unmarshal(readFixture(t, "simple-did-web-method.json"), &cred); err != nil {
		t.Fatal(err)
	}
	if u, err := did.WebDocumentURL(cred.CredentialSubject.ID); err != nil || !strings.HasPrefix(u, "https://dc.1edtech.org/wellspring2022/wellspring-portal/learner/") || !strings.HasSuffix(u, "/did.json") {
		t.Errorf("fixture subject %q → %q, %v", cred.CredentialSubject.ID, u, err)
	}
}

func TestMultiResolverWithWeb(t *testing.T) {
	t.Parallel()
	const webID = "did:web:issuer.example"
	u, _ := did.WebDocumentURL(webID)
	f := newFakeFetcher()
	f.docs[u] = webDoc(t, webID)
	mr := did.MultiResolver{"key": did.Offline, "jwk": did.Offline, "web": &did.WebResolver{Fetcher: f}}

	keyDID, keyVM, err := did.KeyDID(webKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	jwkDID, jwkVM, err := did.JWKDID(webKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	for _, vmURL := range []string{keyVM, jwkVM, webID + "#key-1"} {
		vm, err := did.ResolveVerificationMethod(ctxT(t), mr, vmURL, did.AssertionMethod)
		if err != nil {
			t.Errorf("%s: %v", vmURL, err)
			continue
		}
		if pub, err := vm.PublicKey(); err != nil || !webKey.Public().(ed25519.PublicKey).Equal(pub) {
			t.Errorf("%s: key %v %v", vmURL, pub, err)
		}
	}
	if f.count(u) != 1 {
		t.Errorf("did:web fetched %d times, want 1", f.count(u))
	}
	for _, d := range []string{keyDID, jwkDID} {
		if doc, err := mr.Resolve(ctxT(t), d); err != nil || doc.ID != d {
			t.Errorf("%s: %v", d, err)
		}
	}
	if _, err := mr.Resolve(ctxT(t), "did:example:123"); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("did:example: %v", err)
	}
	// The web resolver refuses other methods on its own too.
	if _, err := (&did.WebResolver{Fetcher: f}).Resolve(ctxT(t), keyDID); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("did:key through WebResolver: %v", err)
	}
	// No fetcher configured.
	if _, err := (&did.WebResolver{}).Resolve(ctxT(t), webID); !errors.Is(err, did.ErrResolution) {
		t.Errorf("nil Fetcher: %v", err)
	}
	// A relative reference in the web document that names no method.
	if _, err := did.ResolveVerificationMethod(ctxT(t), mr, webID+"#nope", did.AssertionMethod); !errors.Is(err, did.ErrNotFound) {
		t.Errorf("unknown fragment: %v", err)
	}
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func TestWebResolverCache(t *testing.T) {
	t.Parallel()
	const id = "did:web:example.com:cached"
	u, _ := did.WebDocumentURL(id)
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := newFakeFetcher()
	f.errs[u] = errors.New("test: server down")
	r := &did.WebResolver{Fetcher: f, Cache: fetch.NewCache[*did.Document](16, clk.now)}

	if _, err := r.Resolve(ctxT(t), id); !errors.Is(err, did.ErrResolution) || !strings.Contains(err.Error(), "server down") {
		t.Fatalf("fetch failure: %v", err)
	}
	delete(f.errs, u)
	f.docs[u] = webDoc(t, id)
	doc, err := r.Resolve(ctxT(t), id) // the failure was not cached
	if err != nil {
		t.Fatal(err)
	}
	// Callers own what they get: modifying it leaves the cache intact.
	doc.AssertionMethod[0] = "#evil"
	doc.VerificationMethod[0].PublicKeyMultibase = "zEvil"
	doc.Context.([]any)[0] = "evil"
	clk.advance(did.DefaultWebTTL - time.Second)
	doc2, err := r.Resolve(ctxT(t), id)
	if err != nil || doc2.AssertionMethod[0] != "#key-1" || doc2.VerificationMethod[0].PublicKeyMultibase == "zEvil" || doc2.Context.([]any)[0] != "https://www.w3.org/ns/did/v1" {
		t.Fatalf("cached document altered: %+v, %v", doc2, err)
	}
	if n := f.count(u); n != 2 {
		t.Fatalf("fetched %d times within the TTL, want 2 (one failure, one success)", n)
	}
	clk.advance(time.Second)
	if _, err := r.Resolve(ctxT(t), id); err != nil || f.count(u) != 3 {
		t.Fatalf("after the TTL: %v, %d fetches", err, f.count(u))
	}
	// A custom TTL, and a negative one disabling the cache.
	r.TTL = time.Hour
	clk.advance(did.DefaultWebTTL + time.Second)
	r.Resolve(ctxT(t), id)
	clk.advance(30 * time.Minute)
	r.Resolve(ctxT(t), id)
	if f.count(u) != 4 {
		t.Errorf("TTL 1h: %d fetches, want 4", f.count(u))
	}
	nc := &did.WebResolver{Fetcher: f, Cache: fetch.NewCache[*did.Document](16, clk.now), TTL: -1}
	nc.Resolve(ctxT(t), id)
	nc.Resolve(ctxT(t), id)
	if f.count(u) != 6 {
		t.Errorf("TTL -1: %d fetches, want 6", f.count(u))
	}
}

// FuzzWebDIDToURL checks WebDocumentURL: it never panics, and every URL it
// produces is https, parses, has no userinfo, query or fragment, ends in
// /did.json without "." or ".." segments, and its host equals the first
// segment of the method-specific identifier with the port colon decoded.
func FuzzWebDIDToURL(f *testing.F) {
	for _, s := range []string{
		"did:web:example.com",
		"did:web:w3c-ccg.github.io:user:alice",
		"did:web:example.com%3A3000:user:alice",
		"did:web:localhost%3a8443",
		"did:web:example.com:issuers:540e388e-2735-4c3e-9709-80142801c774",
		"did:web:127.0.0.1",
		"did:web:user%40example.com",
		"did:web:example.com:..:x",
		"did:web:example.com%3A443%3A1",
		"did:web:0x7f.1",
		"did:web:example.com:%2e%2e",
		"did:web:a.b.c%3A1:d:e:f",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, d string) {
		got, err := did.WebDocumentURL(d)
		if err != nil {
			if !errors.Is(err, did.ErrInvalidDID) && !errors.Is(err, did.ErrUnsupportedMethod) {
				t.Fatalf("%q: error wraps no sentinel: %v", d, err)
			}
			return
		}
		u, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q → unparsable %q: %v", d, got, err)
		}
		if u.Scheme != "https" || u.User != nil || u.Opaque != "" || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
			t.Fatalf("%q → %q", d, got)
		}
		first, _, _ := strings.Cut(strings.TrimPrefix(d, "did:web:"), ":")
		first = strings.NewReplacer("%3A", ":", "%3a", ":").Replace(first)
		if u.Host != first {
			t.Fatalf("%q → host %q, want %q", d, u.Host, first)
		}
		if _, err := netip.ParseAddr(u.Hostname()); err == nil {
			t.Fatalf("%q → IP host %q", d, u.Hostname())
		}
		if !strings.HasSuffix(u.Path, "/did.json") || u.EscapedPath() != u.Path {
			t.Fatalf("%q → path %q", d, u.EscapedPath())
		}
		for _, seg := range strings.Split(u.Path, "/")[1:] {
			if seg == "" || seg == "." || seg == ".." {
				t.Fatalf("%q → path %q has segment %q", d, u.Path, seg)
			}
		}
	})
}
