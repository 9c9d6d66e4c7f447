package status

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
)

// MaxRevocationListBytes caps the document ParseRevocationList accepts.
const MaxRevocationListBytes = 16 << 20

// RevokedCredential is one element of a 1EdTech revocation list.
type RevokedCredential struct {
	// ID is the revoked credential's id.
	ID string
	// Revoked is the "revoked" flag; true when absent.
	Revoked bool
	// Reason is revocationReason ("" when absent).
	Reason string
}

// RevocationList is a 1EdTech Revocation List (credentialStatus type
// 1EdTechRevocationList, VCRL 1.0) as the official 1EdTech validator reads
// it (RevocationListProbe): the verifier GETs credentialStatus.id with
// Accept: application/json and reads the array "revokedCredential". Older
// validator versions read "revokedCredentials"; both are accepted and
// merged.
type RevocationList struct {
	Entries []RevokedCredential
}

// ParseRevocationList parses a revocation list document: a JSON object
// whose "revokedCredential" (or "revokedCredentials") member, when present,
// is an array of objects with a string "id", an optional boolean "revoked"
// and an optional string "revocationReason". A document without either
// member revokes nothing. Anything else is ErrMalformedList.
func ParseRevocationList(data []byte) (*RevocationList, error) {
	if len(data) > MaxRevocationListBytes {
		return nil, fmt.Errorf("revocation list of %d bytes exceeds %d: %w", len(data), MaxRevocationListBytes, ErrTooLarge)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil || doc == nil {
		return nil, fmt.Errorf("revocation list is not a JSON object: %w", ErrMalformedList)
	}
	rl := &RevocationList{}
	for _, key := range []string{"revokedCredential", "revokedCredentials"} {
		raw, ok := doc[key]
		if !ok {
			continue
		}
		var items []map[string]any
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, fmt.Errorf("revocation list %s is not an array of objects: %w", key, ErrMalformedList)
		}
		for i, it := range items {
			id, ok := it["id"].(string)
			if !ok || id == "" {
				return nil, fmt.Errorf("revocation list %s[%d].id is %s: %w", key, i, describe(it["id"]), ErrMalformedList)
			}
			rc := RevokedCredential{ID: id, Revoked: true}
			if v, ok := it["revoked"]; ok {
				b, ok := v.(bool)
				if !ok {
					return nil, fmt.Errorf("revocation list %s[%d].revoked is %s, not a boolean: %w", key, i, describe(v), ErrMalformedList)
				}
				rc.Revoked = b
			}
			if v, ok := it["revocationReason"]; ok {
				s, ok := v.(string)
				if !ok {
					return nil, fmt.Errorf("revocation list %s[%d].revocationReason is %s: %w", key, i, kind(v), ErrMalformedList)
				}
				rc.Reason = s
			}
			rl.Entries = append(rl.Entries, rc)
		}
	}
	return rl, nil
}

// Revoked reports whether credentialID is revoked by the list, and the
// revocationReason of the matching entry: "If the credential's id is in the
// list of revokedCredentials and the value of revoked is true or omitted,
// the issuer has revoked the credential" (1EdTech validator).
//
// Ids are compared as the validator does (exact string equality) and, in
// addition, after trimming surrounding whitespace and percent-decoding
// both sides, the credential identity rule of OB 3.0 §10 ("equal after
// percent-decoding and trimming whitespace"). The extra comparison can
// only add matches, so it errs towards "revoked", never towards "valid".
// An entry with "revoked": false for the same id does not cancel a
// revoking entry.
func (rl *RevocationList) Revoked(credentialID string) (bool, string) {
	if rl == nil || credentialID == "" {
		return false, ""
	}
	norm := normalizeID(credentialID)
	for _, e := range rl.Entries {
		if !e.Revoked {
			continue
		}
		if e.ID == credentialID || (norm != "" && normalizeID(e.ID) == norm) {
			return true, e.Reason
		}
	}
	return false, ""
}

// normalizeID applies OB 3.0 §10: trim whitespace, then percent-decode. An
// id whose percent-encoding is invalid is compared trimmed only.
func normalizeID(s string) string {
	s = strings.TrimSpace(s)
	if d, err := url.PathUnescape(s); err == nil {
		return d
	}
	return s
}
