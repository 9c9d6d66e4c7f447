package verifier

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
)

// What is checked is what was signed (issue 7). A Data Integrity signature
// covers canonical RDF, so many JSON documents carry the same valid proof.
// These tests rewrite signed documents in ways that keep their canonical
// N-Quads (so the signature still verifies) and require that no rewrite ever
// earns a better verdict than the original.

const (
	vcNS     = "https://www.w3.org/2018/credentials#"
	obNS     = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"
	secNS    = "https://w3id.org/security#"
	statusNS = "https://www.w3.org/ns/credentials/status#"
	xsdNS    = "http://www.w3.org/2001/XMLSchema#"
)

// iriOf is the IRI each term of the test documents stands for under the
// VC 2.0, OB 3.0 and Data Integrity contexts. A wrong entry only makes
// rewrites that break the signature, which the generator discards; the
// targeted tests below assert that theirs keep it.
var iriOf = map[string]string{
	"validFrom": vcNS + "validFrom", "validUntil": vcNS + "validUntil", "credentialStatus": vcNS + "credentialStatus",
	"credentialSubject": vcNS + "credentialSubject", "issuer": vcNS + "issuer", "holder": vcNS + "holder",
	"name": "https://schema.org/name", "description": "https://schema.org/description",
	"statusPurpose": statusNS + "statusPurpose", "statusListIndex": statusNS + "statusListIndex",
	"statusListCredential": statusNS + "statusListCredential",
	"created":              "http://purl.org/dc/terms/created", "expires": secNS + "expiration",
	"verificationMethod": secNS + "verificationMethod", "proofPurpose": secNS + "proofPurpose",
	"cryptosuite": secNS + "cryptosuite", "challenge": secNS + "challenge", "domain": secNS + "domain",
	"achievement": obNS + "achievement", "criteria": obNS + "criteria", "narrative": obNS + "narrative",
	"identifier": obNS + "identifier", "identityHash": obNS + "identityHash", "identityType": obNS + "identityType",
	"hashed": obNS + "hashed", "salt": obNS + "salt",
}

var typeIRI = map[string]string{
	"VerifiableCredential": vcNS + "VerifiableCredential", "VerifiablePresentation": vcNS + "VerifiablePresentation",
	"OpenBadgeCredential": obNS + "OpenBadgeCredential", "AchievementSubject": obNS + "AchievementSubject",
	"Achievement": obNS + "Achievement", "Profile": obNS + "Profile", "IdentityObject": obNS + "IdentityObject",
	"BitstringStatusListEntry": statusNS + "BitstringStatusListEntry", "DataIntegrityProof": secNS + "DataIntegrityProof",
}

// sameStatement reports whether a and b have the same canonical unsecured
// document and the same canonical proof configurations: whether every proof
// signed for a also verifies for b.
func sameStatement(t testing.TB, a, b map[string]any) bool {
	ca, errA := statement(a)
	cb, errB := statement(b)
	if errA != nil {
		t.Fatalf("original does not canonicalise: %v", errA)
	}
	return errB == nil && reflect.DeepEqual(ca, cb)
}

func statement(doc map[string]any) ([]string, error) {
	unsecured := map[string]any{}
	for k, v := range doc {
		if k != "proof" {
			unsecured[k] = v
		}
	}
	canon, err := dataintegrity.Canonicalize(unsecured)
	if err != nil {
		return nil, err
	}
	out := []string{string(canon)}
	proofs, ok := doc["proof"].([]any)
	if !ok {
		proofs = []any{doc["proof"]}
	}
	for _, p := range proofs {
		pm, ok := p.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("proof is %T", p)
		}
		config := map[string]any{"@context": doc["@context"]}
		for k, v := range pm {
			if k != "proofValue" {
				config[k] = v
			}
		}
		c, err := dataintegrity.Canonicalize(config)
		if err != nil {
			return nil, err
		}
		out = append(out, string(c), fmt.Sprint(pm["proofValue"]))
	}
	return out, nil
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func encode(m map[string]any) []byte {
	b, _ := json.Marshal(m)
	return b
}

// verdictOf verifies a credential or a presentation and returns whether it
// verified and the outcome of every check, in a comparable form.
type verdict struct {
	verified bool
	checks   string
	reason   string // every check's detail
}

type formCase struct {
	name    string
	doc     map[string]any
	present bool
	v       *Verifier
	opts    PresentationOptions
}

func (c formCase) verdict(doc map[string]any) verdict {
	if c.present {
		r, err := c.v.VerifyPresentation(context.Background(), encode(doc), c.opts)
		var parts []string
		for _, ch := range r.Checks {
			parts = append(parts, ch.ID+"="+ch.Outcome.String())
		}
		reason := ""
		for _, ch := range r.Checks {
			reason += ch.Detail + "\n"
		}
		for _, cr := range r.Credentials {
			for _, ch := range cr.Checks {
				parts = append(parts, "vc."+ch.ID+"="+ch.Outcome.String())
				reason += ch.Detail + "\n"
			}
		}
		return verdict{err == nil, strings.Join(parts, " "), reason}
	}
	r, err := c.v.Verify(context.Background(), encode(doc))
	var parts []string
	reason := ""
	for _, ch := range r.Checks {
		parts = append(parts, ch.ID+"="+ch.Outcome.String())
		reason += ch.Detail + "\n"
	}
	return verdict{err == nil, strings.Join(parts, " "), reason}
}

// formCases are signed documents whose honest verdict is "not verified" for
// one reason each of issue 7's, plus one that verifies.
func formCases(t testing.TB) []formCase {
	s, holder, mallory := edSigner(t), edSigner(t), edSigner(t)
	revoked := testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil, 42)})
	withRevoked := New(Options{Now: testNow, Fetcher: revoked})
	plain := New(Options{Now: testNow, Fetcher: testkit.NewWeb(map[string][]byte{listURL: s.statusList(t, "revocation", nil)})})
	generic := New(Options{Now: testNow, AcceptGeneric: true})

	toHolder := s.badge(t, func(m map[string]any) {
		sub := m["credentialSubject"].(map[string]any)
		delete(sub, "identifier")
		sub["id"] = holder.did
	})
	var expiringProof map[string]any
	{
		var doc map[string]any
		json.Unmarshal([]byte(strings.Replace(unsignedBadge, "ISSUER", s.did, 1)), &doc)
		signed, err := dataintegrity.Sign(doc, s.key, dataintegrity.SignOptions{VerificationMethod: s.vm,
			Created: testNow().Add(-48 * time.Hour), Expires: testNow().Add(-24 * time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
		expiringProof = signed
	}
	return []formCase{
		{name: "revoked", doc: decode(t, s.badge(t, withStatus("revocation", "42"))), v: withRevoked},
		{name: "expired", doc: decode(t, s.badge(t, func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" })), v: plain},
		{name: "not yet valid (generic rules)", doc: decode(t, s.badge(t, func(m map[string]any) { m["validFrom"] = "2027-01-01T00:00:00Z" })), v: generic},
		{name: "proof expired", doc: expiringProof, v: plain},
		{name: "holder is not the subject", present: true, v: plain,
			doc:  decode(t, vp(t, mallory, "c-1", "employer.example", toHolder)),
			opts: PresentationOptions{Challenge: "c-1", Domain: "employer.example"}},
		{name: "genuine", doc: decode(t, s.badge(t, withStatus("revocation", "42"))), v: plain},
	}
}

// TestFormAttacks: each rewrite named in issue 7 keeps the signature and
// once changed the verdict. Now none verifies, and the reason is the form.
func TestFormAttacks(t *testing.T) {
	cases := formCases(t)
	byName := map[string]formCase{}
	for _, c := range cases {
		byName[c.name] = c
	}
	attacks := []struct {
		on, name string
		rewrite  func(m map[string]any)
	}{
		{"revoked", "credentialStatus under its IRI", func(m map[string]any) { rename(m, "credentialStatus", vcNS+"credentialStatus") }},
		{"revoked", "statusListIndex as a value object", func(m map[string]any) {
			st := m["credentialStatus"].(map[string]any)
			st["statusListIndex"] = map[string]any{"@value": st["statusListIndex"]}
		}},
		{"revoked", "statusListIndex as a typed value object", func(m map[string]any) {
			st := m["credentialStatus"].(map[string]any)
			st["statusListIndex"] = map[string]any{"@value": st["statusListIndex"], "@type": xsdNS + "string"}
		}},
		{"revoked", "statusListCredential in a one-element array", func(m map[string]any) {
			st := m["credentialStatus"].(map[string]any)
			st["statusListCredential"] = []any{st["statusListCredential"]}
		}},
		{"revoked", "statusListIndex in a one-element array", func(m map[string]any) {
			st := m["credentialStatus"].(map[string]any)
			st["statusListIndex"] = []any{st["statusListIndex"]}
		}},
		{"revoked", "statusListCredential as an object", func(m map[string]any) {
			st := m["credentialStatus"].(map[string]any)
			st["statusListCredential"] = map[string]any{"id": st["statusListCredential"]}
		}},
		{"revoked", "statusListCredential through an inline prefix", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"lst": "https://lab.example/status/"})
			st := m["credentialStatus"].(map[string]any)
			st["statusListCredential"] = "lst:1"
		}},
		{"revoked", "credentialStatus renamed by an inline context", func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), map[string]any{"st": map[string]any{"@id": vcNS + "credentialStatus", "@type": "@id"}})
			rename(m, "credentialStatus", "st")
		}},
		{"expired", "validUntil under its IRI", func(m map[string]any) { typedUnder(m, "validUntil", vcNS+"validUntil") }},
		{"expired", "validUntil as a typed value object", func(m map[string]any) {
			m["validUntil"] = map[string]any{"@value": m["validUntil"], "@type": xsdNS + "dateTime"}
		}},
		{"not yet valid (generic rules)", "OB type as an IRI", func(m map[string]any) {
			m["type"] = []any{"VerifiableCredential", obNS + "OpenBadgeCredential"}
		}},
		{"not yet valid (generic rules)", "validFrom under its IRI", func(m map[string]any) { typedUnder(m, "validFrom", vcNS+"validFrom") }},
		{"proof expired", "expires under its IRI", func(m map[string]any) { typedUnder(m["proof"].(map[string]any), "expires", secNS+"expiration") }},
		{"holder is not the subject", "credentialSubject.id written @id", func(m map[string]any) {
			vc := m["verifiableCredential"].([]any)[0].(map[string]any)
			rename(vc["credentialSubject"].(map[string]any), "id", "@id")
		}},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			c := byName[a.on]
			orig := c.verdict(c.doc)
			if orig.verified {
				t.Fatalf("the original %q verifies: %s", a.on, orig.checks)
			}
			m := deepCopy(c.doc).(map[string]any)
			a.rewrite(m)
			if !sameStatement(t, c.doc, m) {
				t.Fatal("the rewrite changes what was signed; it tests nothing")
			}
			got := c.verdict(m)
			if got.verified {
				t.Fatalf("a signature-preserving rewrite verifies: %s", got.checks)
			}
			if !strings.Contains(got.reason, dataintegrity.ErrForm.Error()) {
				t.Fatalf("details %q, want the form", got.reason)
			}
		})
	}
}

// TestRewritesNeverImproveTheVerdict is the property test of issue 7: for at
// least 1,000 random signature-preserving rewrites (IRI keys, @id/@type
// forms, value objects, one-element arrays, @index, scoped and inline
// contexts, prefixes), the verdict is never more favourable than the
// original's: a document that did not verify still does not, and one that
// did verifies with the same outcome for every check, or not at all.
func TestRewritesNeverImproveTheVerdict(t *testing.T) {
	const want = 1000
	cases := formCases(t)
	rng := rand.New(rand.NewPCG(7, 2026))
	tried, kept, byKind := 0, 0, map[string]int{}
	orig := make([]verdict, len(cases))
	for i, c := range cases {
		orig[i] = c.verdict(c.doc)
	}
	for kept < want && tried < 40*want {
		tried++
		i := rng.IntN(len(cases))
		c := cases[i]
		m := deepCopy(c.doc).(map[string]any)
		var kinds []string
		for n := 1 + rng.IntN(3); n > 0; n-- {
			if k := rewriteOnce(rng, m); k != "" {
				kinds = append(kinds, k)
			}
		}
		if len(kinds) == 0 || !sameStatement(t, c.doc, m) {
			continue
		}
		kept++
		for _, k := range kinds {
			byKind[k]++
		}
		got := c.verdict(m)
		switch {
		case got.verified && !orig[i].verified:
			t.Fatalf("%s: rewrite %v verifies where the original did not\n%s\n%s", c.name, kinds, encode(m), got.checks)
		case got.verified && got.checks != orig[i].checks:
			t.Fatalf("%s: rewrite %v changes the checks\n%s\nwant %s\n got %s", c.name, kinds, encode(m), orig[i].checks, got.checks)
		}
	}
	if kept < want {
		t.Fatalf("only %d signature-preserving rewrites in %d tries", kept, tried)
	}
	var names []string
	for k := range byKind {
		names = append(names, fmt.Sprintf("%s=%d", k, byKind[k]))
	}
	sort.Strings(names)
	t.Logf("%d signature-preserving rewrites of %d tried: %s", kept, tried, strings.Join(names, " "))
	for _, k := range []string{"iri-key", "keyword", "type-iri", "value-object", "array", "index", "scoped-context", "prefix", "id-object"} {
		if byKind[k] == 0 {
			t.Errorf("no signature-preserving rewrite of kind %s", k)
		}
	}
}

// rewriteOnce applies one random rewrite somewhere in m and names its kind,
// or returns "" when the chosen spot does not fit the chosen rewrite.
func rewriteOnce(rng *rand.Rand, m map[string]any) string {
	var objs []map[string]any
	collect(m, &objs)
	obj := objs[rng.IntN(len(objs))]
	var keys []string
	for k := range obj {
		if k != "@context" && k != "proofValue" {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return ""
	}
	sort.Strings(keys)
	key := keys[rng.IntN(len(keys))]
	val := obj[key]
	switch rng.IntN(9) {
	case 0:
		if iri, ok := iriOf[key]; ok {
			rename(obj, key, iri)
			return "iri-key"
		}
	case 1:
		if key == "id" || key == "type" {
			rename(obj, key, "@"+key)
			return "keyword"
		}
	case 2:
		if key == "type" {
			obj[key] = mapTypes(val, func(s string) string {
				if iri, ok := typeIRI[s]; ok {
					return iri
				}
				return s
			})
			return "type-iri"
		}
	case 3:
		if s, ok := val.(string); ok && key != "id" && key != "type" {
			switch rng.IntN(3) {
			case 0:
				obj[key] = map[string]any{"@value": s}
			case 1:
				obj[key] = map[string]any{"@value": s, "@type": xsdNS + "string"}
			default:
				obj[key] = map[string]any{"@value": s, "@type": xsdNS + "dateTime"}
			}
			return "value-object"
		}
	case 4:
		if key != "@context" {
			obj[key] = []any{val}
			return "array"
		}
	case 5:
		if sub, ok := val.(map[string]any); ok && key != "credentialSubject" {
			sub["@index"] = "i"
			return "index"
		}
		if s, ok := val.(string); ok && key != "id" && key != "type" {
			obj[key] = map[string]any{"@value": s, "@index": "i"}
			return "index"
		}
	case 6:
		if iri, ok := iriOf[key]; ok {
			alias := "x" + key
			ctx := map[string]any{alias: map[string]any{"@id": iri}}
			if key == "statusListCredential" || key == "verificationMethod" || key == "issuer" || key == "credentialSubject" {
				ctx[alias].(map[string]any)["@type"] = "@id"
			}
			if key == "validFrom" || key == "validUntil" || key == "created" || key == "expires" {
				ctx[alias].(map[string]any)["@type"] = xsdNS + "dateTime"
			}
			obj["@context"] = ctx
			rename(obj, key, alias)
			return "scoped-context"
		}
	case 7:
		if s, ok := val.(string); ok && (key == "id" || key == "statusListCredential" || key == "issuer" || key == "verificationMethod") {
			if i := strings.LastIndexAny(s, "/:#"); i > 0 && i < len(s)-1 {
				if _, ok := obj["@context"]; ok {
					return "" // one inline context per object is enough
				}
				obj["@context"] = map[string]any{"pfx": s[:i+1]}
				obj[key] = "pfx:" + s[i+1:]
				return "prefix"
			}
		}
	case 8:
		if s, ok := val.(string); ok && (key == "statusListCredential" || key == "issuer" || key == "verificationMethod" || key == "holder") {
			obj[key] = map[string]any{"id": s}
			return "id-object"
		}
	}
	return ""
}

func collect(v any, out *[]map[string]any) {
	switch x := v.(type) {
	case map[string]any:
		if _, isValue := x["@value"]; isValue {
			return
		}
		*out = append(*out, x)
		for k, e := range x {
			if k != "@context" {
				collect(e, out)
			}
		}
	case []any:
		for _, e := range x {
			collect(e, out)
		}
	}
}

func mapTypes(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			if s, ok := e.(string); ok {
				out[i] = f(s)
			} else {
				out[i] = e
			}
		}
		return out
	}
	return v
}

// typedUnder moves a dateTime-typed term under its IRI, with the datatype
// the term gave it written out, as the RDF requires.
func typedUnder(m map[string]any, from, iri string) {
	m[iri] = map[string]any{"@value": m[from], "@type": xsdNS + "dateTime"}
	delete(m, from)
}

func rename(m map[string]any, from, to string) {
	v, ok := m[from]
	if !ok {
		panic("rename: no key " + from)
	}
	delete(m, from)
	m[to] = v
}

func deepCopy(v any) any {
	var out any
	b, _ := json.Marshal(v)
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}
