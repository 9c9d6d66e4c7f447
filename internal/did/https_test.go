package did_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// *fetch.Client reports the final URL, so HTTPSResolver can refuse
// cross-origin redirects.
var _ did.FinalURLFetcher = (*fetch.Client)(nil)

// profile returns an OB 3.0 issuer profile (a controller document) for id
// with the given verification methods (JSON objects) and assertionMethod
// references.
func profile(id string, vms []string, assertion []string) []byte {
	am := ""
	if assertion != nil {
		am = `, "assertionMethod": [` + strings.Join(assertion, ", ") + `]`
	}
	return []byte(fmt.Sprintf(`{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "https://w3id.org/security/multikey/v1"],
  "id": %q,
  "type": ["Profile"],
  "name": "Example University",
  "verificationMethod": [%s]%s
}`, id, strings.Join(vms, ", "), am))
}

func multikeyVM(t testing.TB, id, controller string) string {
	return fmt.Sprintf(`{"id": %q, "type": "Multikey", "controller": %q, "publicKeyMultibase": %q}`, id, controller, multikey(t, webKey.Public()))
}

func TestHTTPSResolveEndToEnd(t *testing.T) {
	t.Parallel()
	e := testkit.NewHTTPS(t)
	issuer := e.Base("example.com") + "/issuers/876543"
	mk := multikey(t, webKey.Public())
	// One method with a relative id, one with an absolute multibase
	// fragment id (the OB 3.0 test vector style), both under
	// assertionMethod; one only under authentication (by embedding).
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := did.PublicJWK(p256.Public(), "")
	if err != nil {
		t.Fatal(err)
	}
	doc := []byte(fmt.Sprintf(`{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://w3id.org/security/multikey/v1"],
  "id": %q,
  "type": "Profile",
  "verificationMethod": [
    {"id": "#key-1", "type": "Multikey", "controller": %q, "publicKeyMultibase": %q},
    {"id": %q, "type": "Multikey", "controller": %q, "publicKeyMultibase": %q},
    {"id": "#jwk", "type": "JsonWebKey", "controller": %q, "publicKeyJwk": %s}
  ],
  "assertionMethod": ["#key-1", %q, "#jwk"],
  "authentication": [{"id": "#auth", "type": "Multikey", "controller": %q, "publicKeyMultibase": %q}]
}`, issuer, issuer, mk, issuer+"#"+mk, issuer, mk, issuer, jwk, issuer+"#"+mk, issuer, mk))
	e.Serve(issuer, doc, "application/ld+json")
	r := &did.HTTPSResolver{Fetcher: e.Client()}

	for _, vmURL := range []string{issuer + "#key-1", issuer + "#" + mk} {
		vm, err := did.ResolveMethod(ctxT(t), nil, r, vmURL, did.AssertionMethod)
		if err != nil {
			t.Fatalf("%s: %v", vmURL, err)
		}
		pub, err := vm.PublicKey()
		if err != nil || !webKey.Public().(ed25519.PublicKey).Equal(pub) || vm.ID != vmURL || vm.Controller != issuer {
			t.Errorf("%s: got %+v, key %v, %v", vmURL, vm, pub, err)
		}
	}
	vm, err := did.ResolveMethod(ctxT(t), nil, r, issuer+"#jwk", did.AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	if pub, err := vm.PublicKey(); err != nil || !p256.PublicKey.Equal(pub) {
		t.Errorf("JsonWebKey: %v, %v", pub, err)
	}
	// The embedded authentication method is not an assertion method.
	if _, err := r.ResolveVerificationMethod(ctxT(t), issuer+"#auth", did.AssertionMethod); !errors.Is(err, did.ErrRelationship) {
		t.Errorf("#auth for assertionMethod: %v", err)
	}
	if _, err := r.ResolveVerificationMethod(ctxT(t), issuer+"#auth", did.Authentication); err != nil {
		t.Errorf("#auth for authentication: %v", err)
	}
	// ResolveMethod still resolves DIDs through the DID resolver.
	kd, kvm, _ := did.KeyDID(webKey.Public())
	if vm, err := did.ResolveMethod(ctxT(t), nil, r, kvm, did.AssertionMethod); err != nil || vm.Controller != kd {
		t.Errorf("did:key through ResolveMethod: %+v, %v", vm, err)
	}
	// A 404: could not check.
	_, err = r.Resolve(ctxT(t), e.Base("example.com")+"/issuers/none#key-1")
	var se *fetch.StatusError
	if !errors.Is(err, did.ErrResolution) || !errors.As(err, &se) || se.Code != 404 {
		t.Errorf("404: %v", err)
	}
}

func TestHTTPSResolveRedirects(t *testing.T) {
	t.Parallel()
	e := testkit.NewHTTPS(t)
	issuer := e.Base("example.com") + "/issuers/1"
	r := &did.HTTPSResolver{Fetcher: e.Client()}

	// Same origin: followed; the id is still the URL asked for.
	e.Redirect(issuer, issuer+"/profile.json")
	e.Serve(issuer+"/profile.json", profile(issuer, []string{multikeyVM(t, "#key-1", issuer)}, []string{`"#key-1"`}), "application/json")
	if _, err := r.ResolveVerificationMethod(ctxT(t), issuer+"#key-1", did.AssertionMethod); err != nil {
		t.Fatalf("same-origin redirect: %v", err)
	}

	// Another origin is refused even though the document there claims the
	// right id.
	victim := e.Base("example.com") + "/issuers/2"
	target := e.Base("evil.example.com") + "/issuers/2"
	e.Redirect(victim, target)
	e.Serve(target, profile(victim, []string{multikeyVM(t, "#key-1", victim)}, []string{`"#key-1"`}), "application/json")
	_, err := r.ResolveVerificationMethod(ctxT(t), victim+"#key-1", did.AssertionMethod)
	if !errors.Is(err, did.ErrResolution) || !strings.Contains(err.Error(), "another origin") || e.Count(target) != 1 {
		t.Errorf("redirect to %s: %v, want ErrResolution for another origin", target, err)
	}
	// The fetch client itself refuses redirects to http.
	e.Redirect(e.Base("example.com")+"/issuers/3", "http://example.com/issuers/3")
	if _, err := r.Resolve(ctxT(t), e.Base("example.com")+"/issuers/3"); !errors.Is(err, did.ErrResolution) || !errors.Is(err, fetch.ErrInsecureURL) {
		t.Errorf("redirect to http: %v", err)
	}
}

func TestHTTPSResolveInvalid(t *testing.T) {
	t.Parallel()
	const issuer = "https://example.com/issuers/876543"
	vm := func(id, controller string) string { return multikeyVM(t, id, controller) }
	f := newFakeFetcher()
	docs := map[string][]byte{
		"/ok":          profile(issuer+"/ok", []string{vm("#key-1", issuer+"/ok")}, []string{`"#key-1"`}),
		"/notlisted":   profile(issuer+"/notlisted", []string{vm("#key-1", issuer+"/notlisted"), vm("#key-2", issuer+"/notlisted")}, []string{`"#key-2"`}),
		"/norels":      profile(issuer+"/norels", []string{vm("#key-1", issuer+"/norels")}, nil),
		"/idmismatch":  profile(issuer+"/other", []string{vm("#key-1", issuer+"/other")}, []string{`"#key-1"`}),
		"/idfragment":  profile(issuer+"/idfragment#x", []string{vm("#key-1", issuer+"/idfragment")}, []string{`"#key-1"`}),
		"/controller":  profile(issuer+"/controller", []string{vm("#key-1", "https://evil.example/issuers/1")}, []string{`"#key-1"`}),
		"/notjson":     []byte(`<html>Example University</html>`),
		"/array":       []byte(`[]`),
		"/dup":         []byte(`{"id": "` + issuer + `/dup", "id": "` + issuer + `/dup"}`),
		"/dupcase":     []byte(`{"id": "` + issuer + `/dupcase", "ID": "https://evil.example/"}`),
		"/trailing":    append(profile(issuer+"/trailing", nil, nil), []byte(`{}`)...),
		"/badvm":       profile(issuer+"/badvm", []string{`{"id": "#key-1", "controller": "x"}`}, nil),
		"/dupvm":       profile(issuer+"/dupvm", []string{vm("#key-1", issuer+"/dupvm"), vm(issuer+"/dupvm#key-1", issuer+"/dupvm")}, []string{`"#key-1"`}),
		"/wrongtype":   []byte(`{"id": "` + issuer + `/wrongtype", "verificationMethod": {"id": "#k"}}`),
		"/twovms":      profile(issuer+"/twovms", []string{vm("#key-1", issuer+"/twovms"), vm("#key-2", issuer+"/twovms")}, []string{`"#key-1"`, `"#key-2"`}),
		"/onevm":       profile(issuer+"/onevm", []string{vm("#key-1", issuer+"/onevm")}, []string{`"#key-1"`}),
		"/huge":        append([]byte(`{"id": "`+issuer+`/huge", "x": "`), append([]byte(strings.Repeat("a", did.MaxWebDocumentBytes)), '"', '}')...),
		"/quickstart":  nil, // filled below
		"/badrelation": []byte(`{"id": "` + issuer + `/badrelation", "assertionMethod": [42]}`),
	}
	// The OB 3.0 IMPL quickstart issuer profile served at an https URL:
	// verificationMethod of "type": "DataIntegrityProof", a controller
	// that is not the profile, and no assertionMethod.
	qs := readFixture(t, "impl-quickstart-issuer-profile-did-web.json")
	docs["/quickstart"] = []byte(strings.ReplaceAll(string(qs), "did:web:example.com:issuers:540e388e-2735-4c3e-9709-80142801c774", issuer+"/quickstart"))
	for p, b := range docs {
		f.docs[issuer+p] = b
	}
	f.errs[issuer+"/down"] = errors.New("test: connection refused")
	r := &did.HTTPSResolver{Fetcher: f}
	tests := []struct {
		vm   string
		rel  string
		want error
	}{
		{issuer + "/ok#key-1", did.AssertionMethod, nil},
		{issuer + "/ok", did.AssertionMethod, nil}, // one method: no fragment needed
		{issuer + "/onevm", did.AssertionMethod, nil},
		{issuer + "/ok#key-9", did.AssertionMethod, did.ErrNotFound},
		{issuer + "/twovms", did.AssertionMethod, did.ErrNotFound},
		{issuer + "/ok#key-1", did.Authentication, did.ErrRelationship},
		{issuer + "/ok#key-1", "proofPurpose", did.ErrRelationship},
		{issuer + "/notlisted#key-1", did.AssertionMethod, did.ErrRelationship},
		{issuer + "/norels#key-1", did.AssertionMethod, did.ErrRelationship},
		{issuer + "/idmismatch#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/idfragment#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/controller#key-1", did.AssertionMethod, did.ErrRelationship},
		{issuer + "/notjson#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/array#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/dup#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/dupcase#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/trailing#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/badvm#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/dupvm#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/wrongtype#k", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/huge#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/badrelation#key-1", did.AssertionMethod, did.ErrInvalidDocument},
		{issuer + "/quickstart#key-0", did.AssertionMethod, did.ErrRelationship},
		{issuer + "/missing#key-1", did.AssertionMethod, did.ErrResolution},
		{issuer + "/down#key-1", did.AssertionMethod, did.ErrResolution},
		// URLs refused before any fetch.
		{"https://example.com/x#", did.AssertionMethod, did.ErrInvalidURL},
		{"https://user:pw@example.com/x#k", did.AssertionMethod, did.ErrInvalidURL},
		{"https:///x#k", did.AssertionMethod, did.ErrInvalidURL},
		{"https://example.com/a b#k", did.AssertionMethod, did.ErrInvalidURL},
		{"https://example.com/\u00e9#k", did.AssertionMethod, did.ErrInvalidURL},
		{"https://example.com/" + strings.Repeat("a", did.MaxDIDLength), did.AssertionMethod, did.ErrInvalidURL},
		{"HTTPS://example.com/x#k", did.AssertionMethod, did.ErrInvalidURL},
		{"http://example.com/x#k", did.AssertionMethod, did.ErrInvalidURL},
	}
	for _, tt := range tests {
		vm, err := did.ResolveMethod(ctxT(t), nil, r, tt.vm, tt.rel)
		if tt.want == nil {
			if err != nil {
				t.Errorf("%.80s: %v", tt.vm, err)
			} else if _, err := vm.PublicKey(); err != nil {
				t.Errorf("%.80s: key: %v", tt.vm, err)
			}
			continue
		}
		if !errors.Is(err, tt.want) {
			t.Errorf("%.80s (%s): got %v, want %v", tt.vm, tt.rel, err, tt.want)
		}
	}
	// The quickstart's key would be refused anyway: DataIntegrityProof is not
	// a verification method type.
	doc, err := r.Resolve(ctxT(t), issuer+"/quickstart")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.VerificationMethod[0].PublicKey(); !errors.Is(err, did.ErrInvalidKey) {
		t.Errorf("quickstart key type: %v", err)
	}
	// No HTTPS resolver: could not check, like an unregistered DID method.
	if _, err := did.ResolveMethod(ctxT(t), nil, nil, issuer+"/ok#key-1", did.AssertionMethod); !errors.Is(err, did.ErrUnsupportedMethod) {
		t.Errorf("nil HTTPSResolver: %v", err)
	}
	var nilR *did.HTTPSResolver
	if _, err := nilR.Resolve(ctxT(t), issuer+"/ok"); !errors.Is(err, did.ErrResolution) {
		t.Errorf("nil receiver: %v", err)
	}
	if _, err := did.ParseControllerDocument(issuer+"/ok#frag", docs["/ok"]); !errors.Is(err, did.ErrInvalidURL) {
		t.Errorf("ParseControllerDocument with a fragment: %v", err)
	}
}

func TestHTTPSResolverCache(t *testing.T) {
	t.Parallel()
	const u = "https://example.com/issuers/cached"
	clk := &fakeClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	f := newFakeFetcher()
	f.errs[u] = errors.New("test: server down")
	r := &did.HTTPSResolver{Fetcher: f, Cache: fetch.NewCache[*did.Document](16, clk.now)}
	if _, err := r.ResolveVerificationMethod(ctxT(t), u+"#key-1", did.AssertionMethod); !errors.Is(err, did.ErrResolution) {
		t.Fatalf("fetch failure: %v", err)
	}
	delete(f.errs, u)
	f.docs[u] = []byte(`{"id": "https://example.com/issuers/other"}`)
	if _, err := r.Resolve(ctxT(t), u); !errors.Is(err, did.ErrInvalidDocument) {
		t.Fatalf("bad document: %v", err)
	}
	f.docs[u] = profile(u, []string{multikeyVM(t, "#key-1", u)}, []string{`"#key-1"`})
	for i := range 3 {
		if _, err := r.ResolveVerificationMethod(ctxT(t), u+"#key-1", did.AssertionMethod); err != nil {
			t.Fatalf("resolution %d: %v", i, err)
		}
	}
	// Neither the failure nor the invalid document was cached; the good
	// one was (keyed without the fragment).
	if n := f.count(u); n != 3 {
		t.Fatalf("%d fetches, want 3", n)
	}
	doc, _ := r.Resolve(ctxT(t), u+"#whatever")
	doc.AssertionMethod[0] = "#evil"
	if _, err := r.ResolveVerificationMethod(ctxT(t), u+"#key-1", did.AssertionMethod); err != nil || f.count(u) != 3 {
		t.Fatalf("cached document altered or refetched: %v, %d fetches", err, f.count(u))
	}
	clk.advance(did.DefaultWebTTL)
	if _, err := r.Resolve(ctxT(t), u); err != nil || f.count(u) != 4 {
		t.Fatalf("after the TTL: %v, %d fetches", err, f.count(u))
	}
	nc := &did.HTTPSResolver{Fetcher: f, Cache: fetch.NewCache[*did.Document](16, clk.now), TTL: -1}
	nc.Resolve(ctxT(t), u)
	nc.Resolve(ctxT(t), u)
	if f.count(u) != 6 {
		t.Errorf("TTL -1: %d fetches, want 6", f.count(u))
	}
}

// TestHTTPSResolverCacheOverNetwork counts server hits through the
// production client.
func TestHTTPSResolverCacheOverNetwork(t *testing.T) {
	t.Parallel()
	e := testkit.NewHTTPS(t)
	issuer := e.Base("example.com") + "/issuers/9"
	e.Serve(issuer, profile(issuer, []string{multikeyVM(t, "#key-1", issuer)}, []string{`"#key-1"`}), "application/ld+json")
	r := &did.HTTPSResolver{Fetcher: e.Client(), Cache: fetch.NewCache[*did.Document](16, nil)}
	for range 5 {
		if _, err := r.ResolveVerificationMethod(ctxT(t), issuer+"#key-1", did.AssertionMethod); err != nil {
			t.Fatal(err)
		}
	}
	if n := e.Count(issuer); n != 1 {
		t.Errorf("%d requests, want 1", n)
	}
}

// FuzzParseControllerDocument: parsing and dereferencing never panic, and a
// document that parses has the id it was fetched under and methods with
// unique ids.
func FuzzParseControllerDocument(f *testing.F) {
	const u = "https://example.com/issuers/1"
	f.Add([]byte(profile(u, []string{multikeyVM(f, "#key-1", u)}, []string{`"#key-1"`})), "#key-1")
	f.Add([]byte(`{"id":"https://example.com/issuers/1","assertionMethod":[{"id":"#a","type":"JsonWebKey","controller":"https://example.com/issuers/1","publicKeyJwk":{"kty":"EC"}}]}`), "#a")
	f.Add([]byte(`{"id":"https://example.com/issuers/1","verificationMethod":[{"id":"#k","type":"Multikey","controller":"https://example.com/issuers/1","publicKeyMultibase":"z"}],"assertionMethod":["#k"]}`), "#k")
	f.Add([]byte(`{"id":"x","ID":"y"}`), "")
	f.Add([]byte(`[[[[[[`), "#")
	f.Fuzz(func(t *testing.T, data []byte, frag string) {
		doc, err := did.ParseControllerDocument(u, data)
		if err != nil {
			if !errors.Is(err, did.ErrInvalidDocument) {
				t.Fatalf("error does not wrap ErrInvalidDocument: %v", err)
			}
			return
		}
		if doc.ID != u {
			t.Fatalf("id %q accepted", doc.ID)
		}
		for _, rel := range []string{did.AssertionMethod, did.Authentication, did.KeyAgreement} {
			vm, err := doc.VerificationMethodFor(u+frag, rel)
			if err == nil {
				if vm.Controller != u {
					t.Fatalf("method with controller %q accepted", vm.Controller)
				}
				vm.PublicKey()
			}
		}
	})
}
