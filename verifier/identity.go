package verifier

import (
	"net/url"
	"strings"

	"github.com/blason-badges/blason/internal/i18n"
)

// What a verified signature proves about who issued a credential. A name
// in the credential is only a claim; the key is the proof, and what it
// proves depends on where the key is published.
const (
	// ProvenDomain: a did:web key, published by Where (a host name): only
	// whoever runs that domain could have signed.
	ProvenDomain = "domain"
	// ProvenURL: a key published at an https URL on Where (a host name).
	ProvenURL = "url"
	// ProvenAnonymous: a did:key or did:jwk: the key is its own identifier;
	// anyone can make one and sign under any name.
	ProvenAnonymous = "anonymous"
	// ProvenOther: another DID method; Where is the issuer id.
	ProvenOther = "other"
	// ProvenHosted: an Open Badges 2.0 hosted assertion, which has no
	// signature: it is genuine because Where (a host name) serves it.
	ProvenHosted = "hosted"
)

// IssuerProof is what the issuer's key proves (ProvenIssuer).
type IssuerProof struct {
	Kind  string
	Where string
}

// Proven says what the verification of r proves about its issuer: its key
// (ProvenIssuer), or for an Open Badges 2.0 hosted assertion, the host
// that serves it.
func (r *Report) Proven() IssuerProof {
	if r.Format == FormatOB2Hosted {
		if u, err := url.Parse(r.Credential.ID); err == nil {
			return IssuerProof{ProvenHosted, u.Host}
		}
	}
	return ProvenIssuer(r.Credential.IssuerID)
}

// ProvenIssuer says what a verified signature by issuerID's own key
// (the issuer-key check passed) proves about who issued the credential.
func ProvenIssuer(issuerID string) IssuerProof {
	switch {
	case strings.HasPrefix(issuerID, "did:web:"):
		host, _ := url.PathUnescape(strings.SplitN(strings.TrimPrefix(issuerID, "did:web:"), ":", 2)[0])
		return IssuerProof{ProvenDomain, host}
	case strings.HasPrefix(issuerID, "did:key:"), strings.HasPrefix(issuerID, "did:jwk:"):
		return IssuerProof{ProvenAnonymous, ""}
	case strings.HasPrefix(issuerID, "https://"):
		if u, err := url.Parse(issuerID); err == nil {
			return IssuerProof{ProvenURL, u.Host}
		}
	}
	return IssuerProof{ProvenOther, issuerID}
}

// Text says in lang what the key proves, for a person (the page and the
// command line say the same).
func (p IssuerProof) Text(lang i18n.Lang) string {
	switch p.Kind {
	case ProvenDomain:
		return i18n.T(lang, "issuer.didweb", p.Where)
	case ProvenAnonymous:
		return i18n.T(lang, "issuer.didkey")
	case ProvenURL:
		return i18n.T(lang, "issuer.https", p.Where)
	case ProvenHosted:
		return i18n.T(lang, "issuer.ob2-hosted", p.Where)
	}
	return i18n.T(lang, "issuer.other", p.Where)
}
