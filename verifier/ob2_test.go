package verifier

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/blason-badges/blason/internal/fetch"
)

// ob2Fetcher serves OB 2.0 documents from memory; status answers an HTTP
// error code for a URL instead, and fail a transport error.
type ob2Fetcher struct {
	docs   map[string]any
	status map[string]int
	fail   map[string]bool
	mu     sync.Mutex
	got    []string
}

func (f *ob2Fetcher) GetJSON(_ context.Context, url string, _ ...string) ([]byte, error) {
	f.mu.Lock()
	f.got = append(f.got, url)
	f.mu.Unlock()
	if f.fail[url] {
		return nil, fmt.Errorf("dial tcp: lookup %s: no such host", url)
	}
	if code, ok := f.status[url]; ok {
		return nil, &fetch.StatusError{Code: code, URL: url}
	}
	d, ok := f.docs[url]
	if !ok {
		return nil, &fetch.StatusError{Code: 404, URL: url}
	}
	if b, ok := d.([]byte); ok {
		return b, nil
	}
	return json.Marshal(d)
}

const (
	labIssuer    = "https://lab.example/issuer"
	labBadge     = "https://lab.example/badges/robotics"
	labAssertion = "https://lab.example/assertions/1"
	labKey       = "https://lab.example/keys/1"
	labRevoked   = "https://lab.example/revocations"
	learner      = "learner@example.org"
	// sha256("learner@example.org" + "pepper"), computed with coreutils
	// sha256sum, not with the code under test.
	learnerHash = "sha256$d36f500af0ac09f3426274bcc244956379790bfd99c47dc11190cb53c4ecf81d"
)

var (
	ob2KeysOnce sync.Once
	ob2RSA      [2]*rsa.PrivateKey // [0] the lab's key, [1] someone else's
)

func ob2Keys(t testing.TB) [2]*rsa.PrivateKey {
	t.Helper()
	ob2KeysOnce.Do(func() {
		for i := range ob2RSA {
			k, err := rsa.GenerateKey(rand.Reader, 2048)
			if err != nil {
				panic(err)
			}
			ob2RSA[i] = k
		}
	})
	return ob2RSA
}

func pemOf(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// ob2World is one issuer's published OB 2.0 documents, by URL.
type ob2World struct {
	f         *ob2Fetcher
	assertion map[string]any // the copy the verifier is given (a deep copy is hosted)
}

func newOB2World(t testing.TB, verification string) *ob2World {
	keys := ob2Keys(t)
	assertion := map[string]any{
		"@context":     "https://w3id.org/openbadges/v2",
		"id":           labAssertion,
		"type":         "Assertion",
		"recipient":    map[string]any{"type": "email", "hashed": true, "salt": "pepper", "identity": learnerHash},
		"badge":        labBadge,
		"issuedOn":     "2026-01-15T10:00:00+01:00",
		"verification": map[string]any{"type": verification},
	}
	if verification == "SignedBadge" {
		assertion["id"] = "urn:uuid:0b5e4b7e-4b7e-4e57-9a61-3f1f0a6f3c11"
		assertion["verification"] = map[string]any{"type": "SignedBadge", "creator": labKey}
	}
	w := &ob2World{assertion: assertion, f: &ob2Fetcher{status: map[string]int{}, fail: map[string]bool{}, docs: map[string]any{
		labIssuer: map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "Issuer", "id": labIssuer,
			"name": "Robotics Lab", "url": "https://lab.example", "email": "badges@lab.example", "publicKey": []any{labKey}},
		labBadge: map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass", "id": labBadge,
			"name": "Robot Builder", "description": "Built a robot.", "image": "https://lab.example/badges/robotics.png",
			"criteria": map[string]any{"narrative": "Build a robot that walks."}, "issuer": labIssuer},
		labKey: map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "CryptographicKey", "id": labKey,
			"owner": labIssuer, "publicKeyPem": pemOf(t, &keys[0].PublicKey)},
	}}}
	if verification == "hosted" {
		w.f.docs[labAssertion] = clone(assertion)
	}
	return w
}

func clone(m map[string]any) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func (w *ob2World) doc(url string) map[string]any { return w.f.docs[url].(map[string]any) }

// both applies patch to the given copy and the hosted one.
func (w *ob2World) both(patch func(map[string]any)) {
	patch(w.assertion)
	patch(w.doc(labAssertion))
}

func (w *ob2World) given(t testing.TB) []byte {
	b, err := json.Marshal(w.assertion)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (w *ob2World) revocationList(entries ...any) {
	w.doc(labIssuer)["revocationList"] = labRevoked
	w.f.docs[labRevoked] = map[string]any{"@context": "https://w3id.org/openbadges/v2", "type": "RevocationList",
		"id": labRevoked, "issuer": labIssuer, "revokedAssertions": entries}
}

// jws signs payload as a compact JWS, as OB 2.0 signed badges are made.
func jws(t testing.TB, alg string, key crypto.Signer, payload map[string]any) string {
	t.Helper()
	enc := base64.RawURLEncoding
	hb, _ := json.Marshal(map[string]string{"alg": alg})
	pb, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(pb)
	d := sha256.Sum256([]byte(input))
	sig, err := key.Sign(rand.Reader, d[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if alg == "ES256" { // DER to R||S
		var rs struct{ R, S *big.Int }
		if _, err := asn1.Unmarshal(sig, &rs); err != nil {
			t.Fatal(err)
		}
		sig = make([]byte, 64)
		rs.R.FillBytes(sig[:32])
		rs.S.FillBytes(sig[32:])
	}
	return input + "." + enc.EncodeToString(sig)
}

type ob2Case struct {
	name      string
	setup     func(t testing.TB, w *ob2World) []byte // returns the input; nil means the given assertion as JSON
	recipient string                                 // e-mail to match, "" for none
	offline   bool
	verified  bool
	format    string
	want      map[string]string // check id -> "outcome message"
}

func runOB2Cases(t *testing.T, verification string, cases []ob2Case) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			w := newOB2World(t, verification)
			var input []byte
			if c.setup != nil {
				input = c.setup(t, w)
			}
			if input == nil {
				input = w.given(t)
			}
			opts := Options{Now: testNow}
			if !c.offline {
				opts.Fetcher = w.f
			}
			if c.recipient != "" {
				opts.Recipient = &Recipient{IdentityType: "emailAddress", Value: c.recipient}
			}
			r, err := New(opts).Verify(context.Background(), input)
			if r.Verified != c.verified || (err == nil) != c.verified {
				j, _ := r.JSON()
				t.Fatalf("verified=%v err=%v, want %v\n%s", r.Verified, err, c.verified, j)
			}
			// The reason given is the check that decided, never one that
			// merely did not run because of it.
			if why := r.Reason(); !c.verified && (why == nil || (why.Outcome != Failed && why.Outcome != Unknown)) {
				t.Errorf("reason %+v: not the deciding check", why)
			}
			if r.Format != c.format {
				t.Errorf("format %q, want %q", r.Format, c.format)
			}
			if ctx := r.Check(CheckContext); ctx.Outcome != Passed || ctx.Message != "format.ob2" {
				t.Errorf("context check %s %s, want the OB 2.0 format stated", ctx.Outcome, ctx.Message)
			}
			for id, want := range c.want {
				chk := r.Check(id)
				if got := chk.Outcome.String() + " " + chk.Message; got != want {
					t.Errorf("%s: %s (%s), want %s", id, got, chk.Detail, want)
				}
			}
		})
	}
}

func TestOB2Hosted(t *testing.T) {
	t.Parallel()
	runOB2Cases(t, "hosted", []ob2Case{
		{name: "valid", recipient: learner, verified: true, format: FormatOB2Hosted, want: map[string]string{
			CheckParse: "passed parse.ok", CheckType: "passed type.ob2", CheckSchema: "passed schema.ob2-ok",
			CheckSubject: "passed subject.ob2", CheckProof: "passed proof.ob2-hosted", CheckIssuerKey: "passed issuer-key.ob2-hosted",
			CheckStatus: "passed status.ok", CheckValidity: "passed validity.ok", CheckRecipient: "passed recipient.ok"}},
		{name: "valid, recipient address in capitals", recipient: "Learner@Example.org", verified: true, format: FormatOB2Hosted,
			want: map[string]string{CheckRecipient: "passed recipient.ok"}},
		{name: "revoked flag on the hosted copy", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.docs[labAssertion] = map[string]any{"@context": "https://w3id.org/openbadges/v2", "id": labAssertion,
				"revoked": true, "revocationReason": "awarded in error"}
			return nil
		}, want: map[string]string{CheckStatus: "failed status.revoked", CheckProof: "passed proof.ob2-hosted-revoked",
			CheckIssuerKey: "passed issuer-key.ob2-hosted"}},
		{name: "revoked by 410 Gone", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.status[labAssertion] = 410
			return nil
		}, want: map[string]string{CheckStatus: "failed status.revoked", CheckProof: "passed proof.ob2-hosted-revoked", CheckIssuerKey: "passed issuer-key.ob2-hosted"}},
		{name: "410 Gone off the issuer's origin is not the issuer's word", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			const evil = "https://evil.example/assertions/1"
			w.assertion["id"] = evil
			w.f.status[evil] = 410
			return nil
		}, want: map[string]string{CheckStatus: "failed status.revoked", CheckIssuerKey: "failed issuer-key.ob2-scope"}},
		{name: "revoked in the issuer's revocation list", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.revocationList("https://lab.example/assertions/0", map[string]any{"id": labAssertion, "revocationReason": "cheated"})
			return nil
		}, want: map[string]string{CheckProof: "passed proof.ob2-hosted", CheckStatus: "failed status.revoked"}},
		{name: "not in the revocation list", verified: true, format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.revocationList("https://lab.example/assertions/0", map[string]any{"uid": "abc"})
			return nil
		}, want: map[string]string{CheckStatus: "passed status.ok"}},
		{name: "revocation list unreachable: could not check", verified: true, format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.revocationList()
			w.f.fail[labRevoked] = true
			return nil
		}, want: map[string]string{CheckStatus: "unknown status.unreachable"}},
		{name: "copy differs from the hosted one", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.assertion["recipient"].(map[string]any)["identity"] = "sha256$" + strings.Repeat("ab", 32)
			return nil
		}, want: map[string]string{CheckProof: "failed proof.ob2-hosted-differs", CheckStatus: "not-run status.not-run"}},
		{name: "copy drops the expiry of the hosted one", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.doc(labAssertion)["expires"] = "2026-03-01T00:00:00Z"
			return nil
		}, want: map[string]string{CheckProof: "failed proof.ob2-hosted-differs"}},
		{name: "expired", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.both(func(m map[string]any) { m["expires"] = "2026-03-01T00:00:00Z" })
			return nil
		}, want: map[string]string{CheckProof: "passed proof.ob2-hosted", CheckValidity: "failed validity.expired"}},
		{name: "issued in the future", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.both(func(m map[string]any) { m["issuedOn"] = "2027-01-01T00:00:00Z" })
			return nil
		}, want: map[string]string{CheckValidity: "failed validity.not-yet-valid"}},
		{name: "Unix timestamp date (OB 1.x) refused", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.both(func(m map[string]any) { m["issuedOn"] = 1767225600 })
			return nil
		}, want: map[string]string{CheckType: "failed type.ob2-invalid"}},
		{name: "wrong recipient", recipient: "someone@example.org", format: FormatOB2Hosted,
			want: map[string]string{CheckProof: "passed proof.ob2-hosted", CheckRecipient: "failed recipient.mismatch"}},
		{name: "hosted off the issuer's origin", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			const evil = "https://evil.example/assertions/1"
			w.assertion["id"] = evil
			w.f.docs[evil] = clone(w.assertion)
			return nil
		}, want: map[string]string{CheckProof: "passed proof.ob2-hosted", CheckIssuerKey: "failed issuer-key.ob2-scope", CheckStatus: "not-run status.not-run"}},
		{name: "forged embedded issuer policy is not trusted", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			const evil = "https://evil.example/assertions/1"
			w.assertion["id"] = evil
			bc := clone(w.doc(labBadge))
			bc["id"] = "https://evil.example/badges/robotics"
			bc["issuer"] = map[string]any{"id": labIssuer, "type": "Profile", "name": "Robotics Lab", "url": "https://lab.example",
				"verification": map[string]any{"allowedOrigins": "evil.example"}}
			w.assertion["badge"] = bc
			w.f.docs[evil] = clone(w.assertion)
			return nil
		}, want: map[string]string{CheckIssuerKey: "failed issuer-key.ob2-scope"}},
		{name: "badge class off the issuer's origin", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			const other = "https://badges.other.example/robotics"
			bc := clone(w.doc(labBadge))
			bc["id"] = other
			w.f.docs[other] = bc
			w.both(func(m map[string]any) { m["badge"] = other })
			return nil
		}, want: map[string]string{CheckIssuerKey: "failed issuer-key.ob2-scope"}},
		{name: "startsWith policy, outside", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.doc(labIssuer)["verification"] = map[string]any{"type": "VerificationObject", "startsWith": []any{"https://lab.example/public/"}}
			return nil
		}, want: map[string]string{CheckIssuerKey: "failed issuer-key.ob2-scope"}},
		{name: "startsWith policy, inside", verified: true, format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			const id = "https://lab.example/public/assertions/1"
			w.doc(labIssuer)["verification"] = map[string]any{"type": "VerificationObject", "startsWith": "https://lab.example/public/"}
			w.assertion["id"] = id
			w.f.docs[id] = clone(w.assertion)
			return nil
		}, want: map[string]string{CheckIssuerKey: "passed issuer-key.ob2-hosted"}},
		{name: "allowedOrigins policy (a badge platform's host)", verified: true, format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			const id = "https://badges.platform.example/a/1"
			w.doc(labIssuer)["verification"] = map[string]any{"type": "VerificationObject", "allowedOrigins": []any{"badges.platform.example"}}
			w.assertion["id"] = id
			w.f.docs[id] = clone(w.assertion)
			return nil
		}, want: map[string]string{CheckIssuerKey: "passed issuer-key.ob2-hosted"}},
		{name: "offline: could not check", offline: true, format: FormatOB2Hosted,
			want: map[string]string{CheckProof: "unknown proof.ob2-offline", CheckSchema: "not-run schema.not-run", CheckValidity: "passed validity.ok"}},
		{name: "issuer's site unreachable: could not check", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.fail[labAssertion] = true
			return nil
		}, want: map[string]string{CheckProof: "unknown proof.ob2-unreachable"}},
		{name: "not published (404)", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			delete(w.f.docs, labAssertion)
			return nil
		}, want: map[string]string{CheckProof: "failed proof.ob2-not-published"}},
		{name: "issuer profile unreachable", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.fail[labIssuer] = true
			return nil
		}, want: map[string]string{CheckSchema: "unknown schema.ob2-unreachable", CheckProof: "unknown proof.ob2-unreachable",
			CheckIssuerKey: "unknown issuer-key.ob2-unreachable"}},
		{name: "revoked, issuer profile unreachable", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.status[labAssertion] = 410
			w.f.fail[labIssuer] = true
			return nil
		}, want: map[string]string{CheckStatus: "failed status.revoked", CheckIssuerKey: "unknown issuer-key.ob2-unreachable"}},
		{name: "issuer profile incomplete", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			delete(w.doc(labIssuer), "name")
			return nil
		}, want: map[string]string{CheckSchema: "failed schema.ob2-invalid"}},
		{name: "http id is not fetched", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.assertion["id"] = "http://lab.example/assertions/1"
			return nil
		}, want: map[string]string{CheckProof: "unknown proof.ob2-unreachable"}},
		{name: "claims signed but bare JSON", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.assertion["verification"] = map[string]any{"type": "signed"}
			return nil
		}, want: map[string]string{CheckProof: "failed proof.ob2-unsigned"}},
		{name: "no recipient", format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			delete(w.assertion, "recipient")
			return nil
		}, want: map[string]string{CheckType: "failed type.ob2-invalid", CheckProof: "not-run proof.not-run"}},
		{name: "context in an array", verified: true, format: FormatOB2Hosted, setup: func(t testing.TB, w *ob2World) []byte {
			w.both(func(m map[string]any) {
				m["@context"] = []any{"https://w3id.org/openbadges/v2", map[string]any{"foo": "https://example.org/foo"}}
			})
			return nil
		}},
	})
}

func TestOB2Signed(t *testing.T) {
	t.Parallel()
	keys := ob2Keys(t)
	sign := func(t testing.TB, w *ob2World) []byte { return []byte(jws(t, "RS256", keys[0], w.assertion)) }
	runOB2Cases(t, "SignedBadge", []ob2Case{
		{name: "valid", recipient: learner, verified: true, format: FormatOB2Signed, setup: sign, want: map[string]string{
			CheckParse: "passed parse.ok", CheckSchema: "passed schema.ob2-ok", CheckProof: "passed proof.ok",
			CheckIssuerKey: "passed issuer-key.ok", CheckStatus: "skipped status.none", CheckRecipient: "passed recipient.ok"}},
		{name: "valid, key found through the profile (no creator)", verified: true, format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.assertion["verification"] = map[string]any{"type": "signed"}
			return sign(t, w)
		}, want: map[string]string{CheckProof: "passed proof.ok", CheckIssuerKey: "passed issuer-key.ok"}},
		{name: "valid ES256", verified: true, format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
			w.doc(labKey)["publicKeyPem"] = pemOf(t, &ec.PublicKey)
			return []byte(jws(t, "ES256", ec, w.assertion))
		}, want: map[string]string{CheckProof: "passed proof.ok"}},
		{name: "key owned by someone else", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			const evilKey = "https://evil.example/keys/1"
			w.f.docs[evilKey] = map[string]any{"type": "CryptographicKey", "id": evilKey, "owner": "https://evil.example/issuer",
				"publicKeyPem": pemOf(t, &keys[1].PublicKey)}
			w.assertion["verification"] = map[string]any{"type": "SignedBadge", "creator": evilKey}
			return []byte(jws(t, "RS256", keys[1], w.assertion))
		}, want: map[string]string{CheckProof: "passed proof.ok", CheckIssuerKey: "failed issuer-key.not-issuer", CheckStatus: "not-run status.not-run"}},
		{name: "issuer lists a key another profile owns", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.doc(labKey)["owner"] = "https://other.example/issuer"
			return sign(t, w)
		}, want: map[string]string{CheckProof: "passed proof.ok", CheckIssuerKey: "failed issuer-key.not-issuer"}},
		{name: "key claims the issuer, issuer does not list it", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			const evilKey = "https://evil.example/keys/1"
			w.f.docs[evilKey] = map[string]any{"type": "CryptographicKey", "id": evilKey, "owner": labIssuer,
				"publicKeyPem": pemOf(t, &keys[1].PublicKey)}
			w.assertion["verification"] = map[string]any{"type": "SignedBadge", "creator": evilKey}
			return []byte(jws(t, "RS256", keys[1], w.assertion))
		}, want: map[string]string{CheckIssuerKey: "failed issuer-key.not-issuer"}},
		{name: "signed with another key than the creator's", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			return []byte(jws(t, "RS256", keys[1], w.assertion))
		}, want: map[string]string{CheckProof: "failed proof.bad-signature", CheckIssuerKey: "not-run issuer-key.not-run"}},
		{name: "tampered payload", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			tok := strings.Split(jws(t, "RS256", keys[0], w.assertion), ".")
			w.assertion["expires"] = "2099-01-01T00:00:00Z"
			pb, _ := json.Marshal(w.assertion)
			return []byte(tok[0] + "." + base64.RawURLEncoding.EncodeToString(pb) + "." + tok[2])
		}, want: map[string]string{CheckProof: "failed proof.bad-signature"}},
		{name: "revoked", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.revocationList(w.assertion["id"])
			return sign(t, w)
		}, want: map[string]string{CheckProof: "passed proof.ok", CheckStatus: "failed status.revoked"}},
		{name: "not revoked", verified: true, format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.revocationList("urn:uuid:someone-else")
			return sign(t, w)
		}, want: map[string]string{CheckStatus: "passed status.ok"}},
		{name: "revocation list of another issuer: could not check", verified: true, format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.revocationList(w.assertion["id"])
			w.doc(labRevoked)["issuer"] = "https://evil.example/issuer"
			return sign(t, w)
		}, want: map[string]string{CheckStatus: "unknown status.invalid-list"}},
		{name: "expired", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.assertion["expires"] = "2026-02-01T00:00:00Z"
			return sign(t, w)
		}, want: map[string]string{CheckProof: "passed proof.ok", CheckValidity: "failed validity.expired"}},
		{name: "alg none", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			enc := base64.RawURLEncoding
			pb, _ := json.Marshal(w.assertion)
			return []byte(enc.EncodeToString([]byte(`{"alg":"none"}`)) + "." + enc.EncodeToString(pb) + ".")
		}, want: map[string]string{CheckProof: "failed proof.invalid"}},
		{name: "RSA-1024 key refused", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			small, _ := rsa.GenerateKey(rand.Reader, 1024)
			w.doc(labKey)["publicKeyPem"] = pemOf(t, &small.PublicKey)
			return []byte(jws(t, "RS256", small, w.assertion))
		}, want: map[string]string{CheckProof: "failed proof.invalid"}},
		{name: "key unreachable: could not check", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.fail[labKey] = true
			return sign(t, w)
		}, want: map[string]string{CheckProof: "unknown proof.key-unavailable"}},
		{name: "issuer profile unreachable: could not check", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.f.fail[labIssuer] = true
			return sign(t, w)
		}, want: map[string]string{CheckProof: "unknown proof.key-unavailable", CheckSchema: "unknown schema.ob2-unreachable"}},
		{name: "offline: could not check", offline: true, format: FormatOB2Signed, setup: sign,
			want: map[string]string{CheckProof: "unknown proof.key-unavailable"}},
		{name: "JWS of a hosted assertion", format: FormatOB2Signed, setup: func(t testing.TB, w *ob2World) []byte {
			w.assertion["verification"] = map[string]any{"type": "hosted"}
			return sign(t, w)
		}, want: map[string]string{CheckType: "failed type.ob2-invalid"}},
	})
}

// TestOB2SpecExample verifies the OB 2.0 specification's own example
// assertion, served at its id with its issuer at the issuer's id.
func TestOB2SpecExample(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("testdata/ob2/spec-example-assertion.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	f := &ob2Fetcher{docs: map[string]any{
		"https://example.org/assertions/123": b,
		"https://example.org/issuer":         doc["badge"].(map[string]any)["issuer"],
	}}
	opts := Options{Now: testNow, Fetcher: f, Recipient: &Recipient{IdentityType: "emailAddress", Value: "alice@example.org"}}
	r, err := New(opts).Verify(context.Background(), b)
	if err != nil {
		j, _ := r.JSON()
		t.Fatalf("%v\n%s", err, j)
	}
	if r.Format != FormatOB2Hosted || r.Credential.Name != "3-D Printmaster" || r.Credential.IssuerName != "Example Maker Society" ||
		r.OB2 == nil || r.OB2.BadgeClass != "https://example.org/badges/5" || !strings.HasPrefix(r.Credential.Criteria, "Students are tested") ||
		r.Credential.RecipientID != "alice@example.org" || r.Credential.Image != "https://example.org/badges/5/image" {
		t.Fatalf("summary %+v %+v", r.Credential, r.OB2)
	}
	// Offline, the same badge is "could not check", never "no proof".
	r, err = New(Options{Now: testNow}).Verify(context.Background(), b)
	if err == nil || r.Check(CheckProof).Outcome != Unknown || r.Reason().ID != CheckProof {
		t.Fatalf("offline: %v %s", err, r.Check(CheckProof).Outcome)
	}
	for _, c := range r.Checks {
		if c.Outcome == Failed {
			t.Errorf("offline: check %s failed (%s)", c.ID, c.Message)
		}
	}
	var out strings.Builder
	if err := r.WriteText(&out, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Open Badges 2.0", "3-D Printmaster", English["format.ob2"], English["proof.ob2-offline"]} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("text report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestOB2FetchesOnlyWhatItNeeds: an OB 3.0 credential never triggers OB 2.0
// fetching, and a hosted OB 2.0 badge fetches its assertion, badge class and
// issuer exactly once each.
func TestOB2FetchesOnlyWhatItNeeds(t *testing.T) {
	t.Parallel()
	w := newOB2World(t, "hosted")
	if _, err := New(Options{Now: testNow, Fetcher: w.f}).Verify(context.Background(), w.given(t)); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(w.f.got, " "); got != labAssertion+" "+labBadge+" "+labIssuer {
		t.Fatalf("fetched %s", got)
	}
	w.f.got = nil
	s := edSigner(t)
	if _, err := New(Options{Now: testNow, Fetcher: w.f}).Verify(context.Background(), s.badge(t, nil)); err != nil {
		t.Fatal(err)
	}
	if len(w.f.got) != 0 {
		t.Fatalf("an OB 3.0 badge fetched %v", w.f.got)
	}
}

// BenchmarkVerifyOB2 is the whole report for an OB 2.0 badge, its documents
// served from memory (so the figure is Blason's work, not the network's):
// hosted (assertion, badge class and issuer fetched and parsed) and signed
// (badge class, issuer and key fetched, RS256 verified).
func BenchmarkVerifyOB2(b *testing.B) {
	for _, kind := range []string{"hosted", "SignedBadge"} {
		b.Run(kind, func(b *testing.B) {
			w := newOB2World(b, kind)
			input := w.given(b)
			if kind == "SignedBadge" {
				input = []byte(jws(b, "RS256", ob2Keys(b)[0], w.assertion))
			}
			v := New(Options{Now: testNow, Fetcher: w.f})
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := v.Verify(context.Background(), input); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
