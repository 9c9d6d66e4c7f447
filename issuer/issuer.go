// Package issuer awards Open Badges 3.0 credentials: it builds an
// OpenBadgeCredential (VC Data Model 2.0) from an issuer profile, an
// achievement and a recipient, signs it with a Data Integrity proof
// (eddsa-rdfc-2022, the suite OB 3.0 certification requires) and returns it
// only if it passes the strict OB 3.0 JSON Schema and the caller's
// preflight verifier.
package issuer

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// Errors callers branch on.
var (
	ErrAchievement = errors.New("invalid achievement")
	ErrRecipient   = errors.New("invalid recipient")
	ErrProfile     = errors.New("invalid issuer profile")
	ErrPreflight   = errors.New("issued credential failed preflight verification")
)

// Profile is the issuer's OB 3.0 Profile (App. B.1 "Profile"). ID is the
// issuer's identifier, which must control the signing key.
type Profile struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	URL         string `json:"url,omitempty"`
	Email       string `json:"email,omitempty"`
	Description string `json:"description,omitempty"`
}

// Recipient identifies who earns the badge: a DID the learner controls, or
// an e-mail address, which is stored only as a salted SHA-256 hash (OB 3.0
// §2.4 IdentityHash; IMPL "Privacy").
type Recipient struct {
	DID   string
	Email string
}

// Award is one credential to issue.
type Award struct {
	// Achievement is an OB 3.0 Achievement (App. B.1.1): id, name,
	// description and criteria are required; type defaults to ["Achievement"].
	Achievement map[string]any
	Recipient   Recipient
	// ID of the credential; empty means a fresh urn:uuid.
	ID string
	// Name of the credential; empty means the achievement's name.
	Name string
	// ValidFrom; zero means now. ValidUntil; zero means no expiry.
	ValidFrom, ValidUntil time.Time
	// CredentialStatus, when set, is the credential's credentialStatus (the
	// Service fills it with the entries of the slots it allocated).
	CredentialStatus any
	// Narrative (AchievementSubject.narrative), Results
	// (AchievementSubject.result) and Evidence (the credential's evidence,
	// OB 3.0 App. B.1.2 Evidence) say what this recipient did; all optional.
	Narrative string
	Results   []map[string]any
	Evidence  []map[string]any
	// Format is FormatDataIntegrity (the default: an embedded
	// eddsa-rdfc-2022 proof, JSON output) or FormatJWT (a VC-JWT, OB 3.0
	// §8.2: a compact JWS).
	Format Format
}

// Format is the proof format of an issued credential.
type Format string

const (
	FormatDataIntegrity Format = ""
	FormatJWT           Format = "jwt"
)

// Preflight verifies a freshly signed credential as any verifier would.
// Declared here so that the issuer does not import the verifier.
type Preflight interface {
	Verify(ctx context.Context, credential []byte) error
}

// StrictPreflight is a Preflight that can also hold an Open Badge to the
// strict (array-only) OB 3.0 JSON Schema, as the verifier's Preflight
// does. When the Preflight is one, Issue leaves the strict schema check to
// it (on the very bytes it emits) rather than running the schema twice.
type StrictPreflight interface {
	Preflight
	VerifyStrict(ctx context.Context, credential []byte) error
}

// Issuer signs credentials for one profile with one key.
type Issuer struct {
	Profile Profile
	Key     *Key
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Preflight, when set, must accept every credential before it is
	// returned. Blason always sets it to its own verifier.
	Preflight Preflight
}

// Issue builds, signs and checks one credential and returns its JSON (or,
// with FormatJWT, its compact JWS).
func (is *Issuer) Issue(ctx context.Context, a Award) ([]byte, error) {
	out, _, err := is.issue(ctx, a)
	return out, err
}

// issue is Issue that also returns the unsigned credential it built, so
// that a caller recording it reads its dates from the map instead of
// re-parsing the output, which is not JSON for a VC-JWT.
func (is *Issuer) issue(ctx context.Context, a Award) ([]byte, map[string]any, error) {
	if err := is.check(); err != nil {
		return nil, nil, err
	}
	if _, ok := is.Key.Signer.Public().(*rsa.PublicKey); ok && a.Format != FormatJWT {
		// No Data Integrity cryptosuite signs with RSA; OB 3.0 §8.2.3 makes
		// RS256 the VC-JWT minimum.
		return nil, nil, fmt.Errorf("%w: RSA keys sign VC-JWTs only (RS256): use --format jwt (issuer.FormatJWT)", dataintegrity.ErrKeyType)
	}
	now := is.now
	achievement, err := normalizeAchievement(a.Achievement)
	if err != nil {
		return nil, nil, err
	}
	subject, err := subjectFor(a.Recipient)
	if err != nil {
		return nil, nil, err
	}
	subject["achievement"] = achievement
	if a.Narrative != "" {
		subject["narrative"] = a.Narrative
	}
	if len(a.Results) > 0 {
		rs := make([]any, len(a.Results))
		for i, r := range a.Results {
			rs[i] = r
		}
		subject["result"] = rs
	}

	id := a.ID
	if id == "" {
		if id, err = newURNUUID(); err != nil {
			return nil, nil, err
		}
	}
	name := a.Name
	if name == "" {
		name, _ = achievement["name"].(string)
	}
	validFrom := a.ValidFrom
	if validFrom.IsZero() {
		validFrom = now()
	}
	issuerProfile := map[string]any{"id": is.Profile.ID, "type": []any{"Profile"}, "name": is.Profile.Name}
	for k, v := range map[string]string{"url": is.Profile.URL, "email": is.Profile.Email, "description": is.Profile.Description} {
		if v != "" {
			issuerProfile[k] = v
		}
	}
	// App. A.1: sequences are always arrays; App. B.1.2: the VC 2.0 context
	// first, the OB 3.0.3 context second.
	doc := map[string]any{
		"@context":          []any{contexts.CredentialsV2, contexts.OB303},
		"id":                id,
		"type":              []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":            issuerProfile,
		"validFrom":         xsdDateTime(validFrom),
		"name":              name,
		"credentialSubject": subject,
	}
	if !a.ValidUntil.IsZero() {
		if !a.ValidUntil.After(validFrom) {
			return nil, nil, fmt.Errorf("issue: validUntil %s is not after validFrom %s", xsdDateTime(a.ValidUntil), xsdDateTime(validFrom))
		}
		doc["validUntil"] = xsdDateTime(a.ValidUntil)
	}
	if a.CredentialStatus != nil {
		doc["credentialStatus"] = a.CredentialStatus
	}
	if len(a.Evidence) > 0 {
		ev := make([]any, len(a.Evidence))
		for i, e := range a.Evidence {
			ev[i] = e
		}
		doc["evidence"] = ev
	}

	if a.Format == FormatJWT {
		out, err := is.issueJWT(ctx, doc)
		return out, doc, err
	}
	signed, err := dataintegrity.Sign(doc, is.Key.Signer, dataintegrity.SignOptions{
		VerificationMethod: is.Key.VerificationMethod,
		Created:            now(),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("issue: %w", err)
	}
	// App. A.1: proof [0..*] is serialised as an array.
	if p, ok := signed["proof"].(map[string]any); ok {
		signed["proof"] = []any{p}
	}
	out, err := json.MarshalIndent(signed, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("issue: %w", err)
	}
	// What we emit must pass the strict (array-only) OB 3.0 schema, not
	// just the lenient one verifiers use: checked by the preflight on the
	// bytes when it can (one schema check per credential), else here.
	if sp, ok := is.Preflight.(StrictPreflight); ok {
		if err := sp.VerifyStrict(ctx, out); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrPreflight, err)
		}
		return out, doc, nil
	}
	if err := credential.ValidateSchema(signed, credential.OpenBadge, credential.Strict); err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrPreflight, err)
	}
	if is.Preflight != nil {
		if err := is.Preflight.Verify(ctx, out); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrPreflight, err)
		}
	}
	return out, doc, nil
}

// issueJWT signs doc as a VC-JWT (OB 3.0 §8.2): the credential is the JWT
// payload, with iss, sub, nbf, jti and exp derived from it, and the kid
// naming the issuer's verification method.
func (is *Issuer) issueJWT(ctx context.Context, doc map[string]any) ([]byte, error) {
	if err := credential.ValidateSchema(doc, credential.OpenBadge, credential.Strict); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrPreflight, err)
	}
	jws, err := vcjwt.Sign(doc, is.Key.Signer, vcjwt.SignOptions{KeyID: is.Key.VerificationMethod})
	if err != nil {
		return nil, fmt.Errorf("issue: %w", err)
	}
	out := []byte(jws)
	if is.Preflight != nil {
		if err := is.Preflight.Verify(ctx, out); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrPreflight, err)
		}
	}
	return out, nil
}

func (is *Issuer) now() time.Time {
	if is.Now != nil {
		return is.Now()
	}
	return time.Now()
}

func (is *Issuer) check() error {
	switch {
	case is.Key == nil || is.Key.Signer == nil:
		return fmt.Errorf("%w: no signing key", ErrProfile)
	case is.Profile.ID == "":
		return fmt.Errorf("%w: no issuer id", ErrProfile)
	case is.Profile.Name == "":
		return fmt.Errorf("%w: the issuer needs a name (wallets and verification pages show it)", ErrProfile)
	case is.Key.DID != is.Profile.ID:
		// Key provenance (IMPL): the verification method's controller must
		// be the issuer, or every verifier will reject the credential.
		return fmt.Errorf("%w: issuer id %s does not control the key %s", ErrProfile, is.Profile.ID, is.Key.VerificationMethod)
	}
	return nil
}

// normalizeAchievement checks an Achievement (App. B.1.1) and fills in its
// type. It returns a copy.
func normalizeAchievement(a map[string]any) (map[string]any, error) {
	if a == nil {
		return nil, fmt.Errorf("%w: none given", ErrAchievement)
	}
	out := make(map[string]any, len(a)+1)
	for k, v := range a {
		out[k] = v
	}
	switch t := out["type"].(type) {
	case nil:
		out["type"] = []any{"Achievement"}
	case string:
		out["type"] = []any{t}
	}
	var missing []string
	for _, k := range []string{"id", "name", "description"} {
		if s, _ := out[k].(string); strings.TrimSpace(s) == "" {
			missing = append(missing, k)
		}
	}
	criteria, _ := out["criteria"].(map[string]any)
	if criteria == nil || (criteria["id"] == nil && criteria["narrative"] == nil) {
		missing = append(missing, "criteria (with a narrative or an id)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: missing %s", ErrAchievement, strings.Join(missing, ", "))
	}
	return out, nil
}

// subjectFor builds the AchievementSubject (App. B.1.3): "either id or at
// least one identifier MUST be supplied".
func subjectFor(r Recipient) (map[string]any, error) {
	s := map[string]any{"type": []any{"AchievementSubject"}}
	switch {
	case r.DID != "" && r.Email != "":
		return nil, fmt.Errorf("%w: give a DID or an e-mail address, not both", ErrRecipient)
	case r.DID != "":
		if !strings.HasPrefix(r.DID, "did:") {
			return nil, fmt.Errorf("%w: %q is not a DID", ErrRecipient, r.DID)
		}
		s["id"] = r.DID
	case r.Email != "":
		// Lower-cased: mail systems treat addresses case-insensitively in
		// practice, and a learner typing "Alice@Lab.org" must still match.
		email := strings.ToLower(strings.TrimSpace(r.Email))
		if !strings.Contains(email, "@") || strings.ContainsAny(email, " \t\r\n") {
			return nil, fmt.Errorf("%w: %q is not an e-mail address", ErrRecipient, r.Email)
		}
		salt, err := credential.NewSalt()
		if err != nil {
			return nil, err
		}
		// §2.4: IdentityHash = sha256$hex(sha256(identifier ‖ salt)), with a
		// fresh random salt per credential so hashes cannot be linked.
		h, err := credential.IdentityHash("sha256", email, salt)
		if err != nil {
			return nil, err
		}
		s["identifier"] = []any{map[string]any{
			"type":         "IdentityObject",
			"hashed":       true,
			"identityHash": h,
			"identityType": "emailAddress",
			"salt":         salt,
		}}
	default:
		return nil, fmt.Errorf("%w: give the recipient's DID or e-mail address", ErrRecipient)
	}
	return s, nil
}

func xsdDateTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

func newURNUUID() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40 // version 4
	b[8] = b[8]&0x3f | 0x80 // RFC 4122 variant
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}
