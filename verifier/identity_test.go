package verifier

import (
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/i18n"
)

// TestProvenIssuer: what a key proves depends on where it is published.
func TestProvenIssuer(t *testing.T) {
	for _, c := range []struct {
		id, kind, where, says string
	}{
		{"did:web:lab.example", ProvenDomain, "lab.example", "It was signed with a key published by lab.example."},
		{"did:web:lab.example%3A8443:badges", ProvenDomain, "lab.example:8443", "published by lab.example:8443"},
		{"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", ProvenAnonymous, "", "anonymous key"},
		{"did:jwk:eyJrdHkiOiJPS1AifQ", ProvenAnonymous, "", "anonymous key"},
		{"https://lab.example/issuers/1", ProvenURL, "lab.example", "published at lab.example"},
		{"did:example:123", ProvenOther, "did:example:123", "with the key did:example:123"},
	} {
		p := ProvenIssuer(c.id)
		if p.Kind != c.kind || p.Where != c.where {
			t.Errorf("%s: %+v", c.id, p)
		}
		if got := p.Text(i18n.EN); !strings.Contains(got, c.says) {
			t.Errorf("%s: %q does not say %q", c.id, got, c.says)
		}
	}
}

// TestProvenHosted: an Open Badges 2.0 hosted assertion proves its host,
// not a key.
func TestProvenHosted(t *testing.T) {
	r := &Report{Format: FormatOB2Hosted, Credential: Summary{ID: "https://lab.example/assertions/1", IssuerID: "https://lab.example/issuer"}}
	if p := r.Proven(); p.Kind != ProvenHosted || p.Where != "lab.example" || !strings.Contains(p.Text(i18n.FR), "lab.example") {
		t.Fatalf("%+v %q", p, p.Text(i18n.FR))
	}
	r.Format = ""
	if p := r.Proven(); p.Kind != ProvenURL {
		t.Fatalf("OB 3.0 issuer at an https URL: %+v", p)
	}
}
