package obapi

import (
	"errors"
	"net/url"
	"strings"
	"time"
)

// Key identifies a credential for the §10 equality rule: "two credentials
// are the same when the issuer id and the credential id are equal after
// percent-decoding and trimming whitespace".
type Key struct {
	Issuer string
	ID     string
}

// ErrNoKey reports a credential without the id or issuer id the equality
// rule needs (both are required by the OB 3.0 data model).
var ErrNoKey = errors.New("credential has no id or no issuer id")

// KeyOf returns the equality key of a credential (decoded JSON). issuer
// may be a string or a Profile object with an id.
func KeyOf(cred map[string]any) (Key, error) {
	id, _ := cred["id"].(string)
	var issuer string
	switch v := cred["issuer"].(type) {
	case string:
		issuer = v
	case map[string]any:
		issuer, _ = v["id"].(string)
	}
	return KeyFrom(issuer, id)
}

// KeyFrom is the equality key of a credential with this issuer id and
// credential id (as a verifier's summary gives them).
func KeyFrom(issuer, id string) (Key, error) {
	k := Key{Issuer: normalizeID(issuer), ID: normalizeID(id)}
	if k.Issuer == "" || k.ID == "" {
		return Key{}, ErrNoKey
	}
	return k, nil
}

// normalizeID percent-decodes (as a path, so '+' stays '+') and trims
// whitespace; an undecodable string is compared as written, trimmed.
func normalizeID(s string) string {
	if d, err := url.PathUnescape(s); err == nil {
		s = d
	}
	return strings.TrimSpace(s)
}

// ValidFrom reads validFrom (VC 2.0) or issuanceDate (VC 1.1); zero when
// absent or unreadable.
func ValidFrom(cred map[string]any) time.Time {
	for _, k := range []string{"validFrom", "issuanceDate"} {
		if s, ok := cred[k].(string); ok {
			if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
				return t
			}
		}
	}
	return time.Time{}
}

// Supersedes reports whether incoming should replace stored, two
// credentials with the same Key: §10 says "the one with the newer
// validFrom is the up-to-date replacement". Equal dates replace (the
// issuer sent it again, perhaps corrected); an older one does not
// overwrite the newer copy the host holds.
func Supersedes(incoming, stored map[string]any) bool {
	return !ValidFrom(incoming).Before(ValidFrom(stored))
}
