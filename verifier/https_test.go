package verifier

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// TestHTTPSIssuerProfile: an issuer identified by an https URL, whose
// profile lists its key, verifies end to end through the hardened client
// (a loopback TLS server; private addresses allowed for the test only),
// status list included; the same badge fails offline with "could not check".
func TestHTTPSIssuerProfile(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	mux := http.NewServeMux()
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	issuerID := srv.URL + "/issuers/lab"
	vm := issuerID + "#key-1"
	mk, _ := did.EncodePublicMultikey(priv.Public())
	profile := map[string]any{
		"@context":           []any{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		"id":                 issuerID,
		"verificationMethod": []any{map[string]any{"id": vm, "type": "Multikey", "controller": issuerID, "publicKeyMultibase": mk}},
		"assertionMethod":    []any{vm},
	}
	requests := 0
	mux.HandleFunc("/issuers/lab", func(w http.ResponseWriter, r *http.Request) {
		requests++
		w.Header().Set("Content-Type", "application/ld+json")
		json.NewEncoder(w).Encode(profile)
	})
	s := signer{key: priv, did: issuerID, vm: vm}
	statusURL := srv.URL + "/status/1"
	list := s.statusList(t, "revocation", func(m map[string]any) {
		m["id"] = statusURL
		m["credentialSubject"].(map[string]any)["id"] = statusURL + "#list"
	}, 9)
	mux.HandleFunc("/status/1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(list)
	})
	badge := func(index string) []byte {
		return s.badge(t, func(m map[string]any) {
			m["credentialStatus"] = map[string]any{"id": statusURL + "#" + index, "type": "BitstringStatusListEntry",
				"statusPurpose": "revocation", "statusListIndex": index, "statusListCredential": statusURL}
		})
	}
	client := fetch.New(fetch.Options{AllowPrivate: true, TLSConfig: &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}})
	v := New(Options{Now: testNow, Fetcher: client})
	r, err := v.Verify(context.Background(), badge("3"))
	if err != nil {
		t.Fatalf("%v\n%s", err, dump(r))
	}
	if r.Check(CheckIssuerKey).Outcome != Passed || r.Check(CheckStatus).Outcome != Passed {
		t.Fatalf("%s", dump(r))
	}
	if r, err := v.Verify(context.Background(), badge("9")); err == nil || r.Check(CheckStatus).Message != "status.revoked" {
		t.Fatalf("revoked: %v", err)
	}
	// The default client refuses private addresses: could not check.
	strict := New(Options{Now: testNow, Fetcher: fetch.New(fetch.Options{})})
	if r, err := strict.Verify(context.Background(), badge("3")); err == nil || r.Check(CheckProof).Outcome != Unknown ||
		!strings.Contains(r.Check(CheckProof).Detail, "not public") {
		t.Fatalf("private address: %v %+v", err, r.Check(CheckProof))
	}
	// Offline: not fetched, could not check.
	if r, _ := New(Options{Now: testNow}).Verify(context.Background(), badge("3")); r.Check(CheckProof).Outcome != Unknown {
		t.Fatalf("offline: %+v", r.Check(CheckProof))
	}
	// A key the profile does not list under assertionMethod is refused.
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	forged := signer{key: other, did: issuerID, vm: issuerID + "#key-2"}.badge(t, nil)
	if r, err := v.Verify(context.Background(), forged); err == nil || r.Check(CheckProof).Outcome != Failed {
		t.Fatalf("unlisted key: %v %+v", err, r.Check(CheckProof))
	}
}

// TestJWTHeaderKeyProvenance: a VC-JWT signed with only a header jwk is
// the issuer's when that key is in the issuer's published JWKS; otherwise
// the issuer-key check fails.
func TestJWTHeaderKeyProvenance(t *testing.T) {
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	_, other, _ := ed25519.GenerateKey(rand.Reader)
	mux := http.NewServeMux()
	srv := httptest.NewTLSServer(mux)
	defer srv.Close()
	jwk, _ := did.PublicJWK(priv.Public(), "")
	mux.HandleFunc("/.well-known/jwks.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write([]byte(`{"keys":[` + string(jwk) + `]}`))
	})
	issuerID := srv.URL + "/issuers/lab"
	token := func(key ed25519.PrivateKey) []byte {
		var doc map[string]any
		json.Unmarshal([]byte(strings.Replace(unsignedBadge, "ISSUER", issuerID, 1)), &doc)
		jws, err := vcjwt.Sign(doc, key, vcjwt.SignOptions{EmbedJWK: true})
		if err != nil {
			t.Fatal(err)
		}
		return []byte(jws)
	}
	client := fetch.New(fetch.Options{AllowPrivate: true, TLSConfig: &tls.Config{RootCAs: srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs}})
	v := New(Options{Now: testNow, Fetcher: client})
	if r, err := v.Verify(context.Background(), token(priv)); err != nil || r.Check(CheckIssuerKey).Outcome != Passed {
		t.Fatalf("key in the issuer's JWKS: %v\n%s", err, dump(r))
	}
	if r, err := v.Verify(context.Background(), token(other)); err == nil || r.Check(CheckIssuerKey).Outcome != Failed {
		t.Fatalf("key not in the issuer's JWKS: %v\n%s", err, dump(r))
	}
}
