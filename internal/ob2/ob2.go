// Package ob2 reads the documents of Open Badges 2.0 (IMS Global, 2018):
// Assertion, BadgeClass, issuer Profile, CryptographicKey and
// RevocationList, and implements the pure parts of OB 2.0 verification
// (§"Verification"): recognition, data validation of the properties
// verification needs, the hosted-verification scope rule, recipient
// identity hashes and revocation list look-up. It fetches nothing; the
// verifier package drives the fetching.
//
// Documents are read as plain JSON in the compact form the v2 context
// defines ("https://w3id.org/openbadges/v2"); no JSON-LD processing is
// done, so a document written with other terms or a different context is
// not understood (and fails validation rather than being misread).
package ob2

import (
	"crypto"
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Context is the OB 2.0 JSON-LD context IRI.
const Context = "https://w3id.org/openbadges/v2"

// ErrInvalid is wrapped by every data validation error.
var ErrInvalid = errors.New("ob2: invalid document")

// Verification types (the VerificationObject "type"; the v2 context
// aliases hosted and signed to HostedBadge and SignedBadge).
const (
	Hosted = "hosted"
	Signed = "signed"
)

// IsAssertion reports whether doc declares the OB 2.0 context (alone or in
// an array) and the type Assertion: the recognition rule for OB 2.0.
func IsAssertion(doc map[string]any) bool {
	return hasContext(doc["@context"]) && hasType(doc["type"], "Assertion")
}

func hasContext(v any) bool {
	switch c := v.(type) {
	case string:
		return c == Context
	case []any:
		for _, x := range c {
			if s, ok := x.(string); ok && s == Context {
				return true
			}
		}
	}
	return false
}

// types returns a JSON-LD type value (string or array of strings).
func types(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		var out []string
		for _, x := range t {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasType(v any, want ...string) bool {
	for _, t := range types(v) {
		for _, w := range want {
			if t == w {
				return true
			}
		}
	}
	return false
}

// strings returns a "multiple values allowed" string property.
func stringList(v any) []string { return types(v) }

// IdentityObject is an assertion's recipient (OB 2.0 "IdentityObject").
type IdentityObject struct {
	Type     string // "email", "url", "telephone" or "id"
	Identity string // plain value, or "sha256$hex" / "md5$hex" when Hashed
	Hashed   bool
	Salt     string
}

// Assertion is an OB 2.0 Assertion, as far as verification reads it.
type Assertion struct {
	Doc              map[string]any
	ID               string
	Recipient        IdentityObject
	Badge            any    // a BadgeClass IRI (string) or an embedded BadgeClass (object)
	Verification     string // Hosted or Signed ("" if absent or unknown)
	Creator          string // verification.creator: the signing key's IRI, if given
	IssuedOn         time.Time
	Expires          time.Time // zero: no expiry
	Revoked          bool
	RevocationReason string
}

// BadgeID returns the IRI of the assertion's BadgeClass, embedded or not.
func (a *Assertion) BadgeID() string { return idOf(a.Badge) }

func idOf(v any) string {
	switch b := v.(type) {
	case string:
		return b
	case map[string]any:
		s, _ := b["id"].(string)
		return s
	}
	return ""
}

// ParseAssertion validates the properties OB 2.0 requires of an Assertion
// (id, type, recipient, badge, verification, issuedOn) and reads them. A
// revoked assertion ("revoked": true) needs only id and revoked (§"Revoking
// Hosted Assertions"); its other properties are read when present.
func ParseAssertion(doc map[string]any) (*Assertion, error) {
	a := &Assertion{Doc: doc}
	var errs []string
	bad := func(format string, args ...any) { errs = append(errs, fmt.Sprintf(format, args...)) }
	a.ID, _ = doc["id"].(string)
	if a.ID == "" {
		bad("id is missing")
	}
	if r, ok := doc["revoked"]; ok {
		b, ok := r.(bool)
		if !ok {
			bad("revoked is not a boolean")
		}
		a.Revoked = b
	}
	a.RevocationReason, _ = doc["revocationReason"].(string)
	strict := !a.Revoked
	if !hasType(doc["type"], "Assertion") && strict {
		bad("type is not Assertion")
	}
	if rec, ok := doc["recipient"].(map[string]any); ok {
		id, err := parseIdentity(rec)
		if err != nil {
			bad("recipient: %v", err)
		}
		a.Recipient = id
	} else if strict {
		bad("recipient is missing or not an object")
	}
	a.Badge = doc["badge"]
	if a.BadgeID() == "" && strict {
		bad("badge is missing (an IRI or a BadgeClass with an id)")
	}
	ver, ok := doc["verification"].(map[string]any)
	if !ok {
		ver, ok = doc["verify"].(map[string]any) // alias in the v2 context
	}
	switch {
	case ok && hasType(ver["type"], "hosted", "HostedBadge"):
		a.Verification = Hosted
	case ok && hasType(ver["type"], "signed", "SignedBadge"):
		a.Verification = Signed
		if c, present := ver["creator"]; present {
			if a.Creator = idOf(c); a.Creator == "" {
				bad("verification.creator is not a key IRI")
			}
		}
	case ok && strict:
		bad("verification.type is neither hosted nor signed")
	case strict:
		bad("verification is missing")
	}
	if s, present := doc["issuedOn"]; present || strict {
		t, err := parseDateValue(s)
		if err != nil {
			bad("issuedOn: %v", err)
		}
		a.IssuedOn = t
	}
	if s, present := doc["expires"]; present {
		t, err := parseDateValue(s)
		if err != nil {
			bad("expires: %v", err)
		}
		a.Expires = t
	}
	if len(errs) > 0 {
		return a, fmt.Errorf("%w: assertion: %s", ErrInvalid, strings.Join(errs, "; "))
	}
	return a, nil
}

func parseIdentity(rec map[string]any) (IdentityObject, error) {
	var id IdentityObject
	id.Type, _ = rec["type"].(string)
	id.Identity, _ = rec["identity"].(string)
	id.Salt, _ = rec["salt"].(string)
	if id.Type == "" {
		return id, errors.New("type is missing")
	}
	if id.Identity == "" {
		return id, errors.New("identity is missing")
	}
	switch h := rec["hashed"].(type) {
	case bool:
		id.Hashed = h
	case nil:
		// OB 2.0 makes hashed required; a missing value is read as "not
		// hashed" unless the identity is visibly a hash.
		id.Hashed = strings.HasPrefix(id.Identity, "sha256$") || strings.HasPrefix(id.Identity, "md5$")
	default:
		return id, errors.New("hashed is not a boolean")
	}
	if id.Hashed {
		if _, _, err := splitHash(id.Identity); err != nil {
			return id, err
		}
	}
	return id, nil
}

// splitHash reads an IdentityHash: "sha256$" or "md5$" then the hex digest.
func splitHash(s string) (alg string, digest []byte, err error) {
	alg, hexed, ok := strings.Cut(s, "$")
	want := map[string]int{"sha256": sha256.Size, "md5": md5.Size}[strings.ToLower(alg)]
	if !ok || want == 0 {
		return "", nil, fmt.Errorf("identity hash %q is not sha256$… or md5$…", trunc(s))
	}
	digest, err = hex.DecodeString(hexed)
	if err != nil || len(digest) != want {
		return "", nil, fmt.Errorf("identity hash %q is not a %s digest in hex", trunc(s), alg)
	}
	return strings.ToLower(alg), digest, nil
}

// MatchIdentity reports whether value (e.g. an e-mail address known out of
// band) is the recipient: equal to a plain identity, or hashing to the
// IdentityHash with the salt ("If this value is not provided, it should be
// assumed that the hash was not salted").
func MatchIdentity(id IdentityObject, value string) (bool, error) {
	if !id.Hashed {
		return id.Identity == value, nil
	}
	alg, digest, err := splitHash(id.Identity)
	if err != nil {
		return false, err
	}
	var got []byte
	switch alg {
	case "sha256":
		s := sha256.Sum256([]byte(value + id.Salt))
		got = s[:]
	case "md5":
		s := md5.Sum([]byte(value + id.Salt))
		got = s[:]
	}
	return subtle.ConstantTimeCompare(got, digest) == 1, nil
}

// BadgeClass is an OB 2.0 BadgeClass.
type BadgeClass struct {
	Doc         map[string]any
	ID          string
	Name        string
	Description string
	Image       string
	Criteria    string // criteria IRI, or the narrative of embedded criteria
	Issuer      any    // a Profile IRI (string) or an embedded Profile (object)
}

// IssuerID returns the IRI of the BadgeClass's issuer Profile.
func (b *BadgeClass) IssuerID() string { return idOf(b.Issuer) }

// ParseBadgeClass validates the properties OB 2.0 requires of a BadgeClass
// (id, type, name, description, image, criteria, issuer) and reads them.
func ParseBadgeClass(doc map[string]any) (*BadgeClass, error) {
	b := &BadgeClass{Doc: doc, Issuer: doc["issuer"]}
	b.ID, _ = doc["id"].(string)
	b.Name, _ = doc["name"].(string)
	b.Description, _ = doc["description"].(string)
	b.Image = idOf(doc["image"])
	switch c := doc["criteria"].(type) {
	case string:
		b.Criteria = c
	case map[string]any:
		if b.Criteria, _ = c["narrative"].(string); b.Criteria == "" {
			b.Criteria, _ = c["id"].(string)
		}
	}
	var errs []string
	for _, p := range []struct{ name, val string }{{"id", b.ID}, {"name", b.Name}, {"description", b.Description},
		{"image", b.Image}, {"criteria", b.Criteria}, {"issuer", b.IssuerID()}} {
		if p.val == "" {
			errs = append(errs, p.name+" is missing")
		}
	}
	if !hasType(doc["type"], "BadgeClass") {
		errs = append(errs, "type is not BadgeClass")
	}
	if len(errs) > 0 {
		return b, fmt.Errorf("%w: badge class %s: %s", ErrInvalid, trunc(b.ID), strings.Join(errs, "; "))
	}
	return b, nil
}

// Policy is a VerificationObject of an issuer Profile: the scope in which
// its hosted assertions must live.
type Policy struct {
	StartsWith     []string
	AllowedOrigins []string
}

// Profile is an OB 2.0 issuer Profile.
type Profile struct {
	Doc            map[string]any
	ID             string
	Name           string
	URL            string
	Email          string
	PublicKeys     []string // publicKey: the keys the issuer signs with
	Policy         *Policy  // nil: none declared, the default applies
	RevocationList string   // revocationList IRI, "" if none
}

// ParseProfile validates the properties OB 2.0 requires of an issuer
// Profile and reads them. The spec lists id, type, name, url and email as
// required for issuers; email is not enforced, because verification does
// not use it and some issuers leave it out to avoid spam.
func ParseProfile(doc map[string]any) (*Profile, error) {
	p := &Profile{Doc: doc}
	p.ID, _ = doc["id"].(string)
	p.Name, _ = doc["name"].(string)
	p.URL, _ = doc["url"].(string)
	p.Email, _ = doc["email"].(string)
	p.RevocationList = idOf(doc["revocationList"])
	switch k := doc["publicKey"].(type) {
	case string, map[string]any:
		p.PublicKeys = []string{idOf(k)}
	case []any:
		for _, x := range k {
			if id := idOf(x); id != "" {
				p.PublicKeys = append(p.PublicKeys, id)
			}
		}
	}
	if v, ok := doc["verification"].(map[string]any); ok {
		p.Policy = &Policy{StartsWith: stringList(v["startsWith"]), AllowedOrigins: stringList(v["allowedOrigins"])}
	}
	var errs []string
	for _, f := range []struct{ name, val string }{{"id", p.ID}, {"name", p.Name}, {"url", p.URL}} {
		if f.val == "" {
			errs = append(errs, f.name+" is missing")
		}
	}
	if !hasType(doc["type"], "Issuer", "Profile") {
		errs = append(errs, "type is not Issuer or Profile")
	}
	if len(errs) > 0 {
		return p, fmt.Errorf("%w: issuer profile %s: %s", ErrInvalid, trunc(p.ID), strings.Join(errs, "; "))
	}
	return p, nil
}

// HasKey reports whether the profile lists keyID in publicKey.
func (p *Profile) HasKey(keyID string) bool {
	for _, k := range p.PublicKeys {
		if k == keyID {
			return true
		}
	}
	return false
}

// InScope applies the hosted verification scope rule (§"HostedBadge
// Verification"): "The Assertion id must be within the permitted scope for
// hosted verification declared in issuer Profile. ... This defaults to
// requiring the Assertion and BadgeClass to be hosted on the same origin as
// the issuer Profile id if there is no verification property declared";
// with startsWith, "Valid Assertions must have an id within this scope";
// allowedOrigins lists the "host registered name subcomponent" of the
// allowed origins. As the 1EdTech validator does, an origin is compared as
// the URL's authority (host and port).
func (p *Profile) InScope(id string) error {
	u, err := url.Parse(id)
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q is not an http(s) URL", trunc(id))
	}
	if p.Policy != nil && len(p.Policy.StartsWith) > 0 {
		ok := false
		for _, prefix := range p.Policy.StartsWith {
			ok = ok || (prefix != "" && strings.HasPrefix(id, prefix))
		}
		if !ok {
			return fmt.Errorf("%s does not start with any of %v, the issuer's allowed prefixes", trunc(id), p.Policy.StartsWith)
		}
	}
	var origins []string
	if p.Policy != nil {
		origins = p.Policy.AllowedOrigins
	}
	if len(origins) == 0 {
		iu, err := url.Parse(p.ID)
		if err != nil || iu.Host == "" {
			return fmt.Errorf("the issuer %s has no web origin to host its badges on", trunc(p.ID))
		}
		origins = []string{iu.Host}
	}
	for _, o := range origins {
		if strings.EqualFold(o, u.Host) {
			return nil
		}
	}
	return fmt.Errorf("%s is hosted on %s, not on the issuer's origins %v", trunc(id), u.Host, origins)
}

// CryptographicKey is an issuer's public key document.
type CryptographicKey struct {
	ID     string
	Owner  string
	Public crypto.PublicKey
}

// ParseKey reads a CryptographicKey: id, owner and publicKeyPem (a PEM
// "PUBLIC KEY" (PKIX) or "RSA PUBLIC KEY" (PKCS #1) block).
func ParseKey(doc map[string]any) (*CryptographicKey, error) {
	k := &CryptographicKey{}
	k.ID, _ = doc["id"].(string)
	k.Owner = idOf(doc["owner"])
	pemText, _ := doc["publicKeyPem"].(string)
	var errs []string
	if k.ID == "" {
		errs = append(errs, "id is missing")
	}
	if k.Owner == "" {
		errs = append(errs, "owner is missing")
	}
	if t, ok := doc["type"]; ok && !hasType(t, "CryptographicKey") {
		errs = append(errs, "type is not CryptographicKey")
	}
	if pemText == "" {
		errs = append(errs, "publicKeyPem is missing")
	} else {
		pub, err := parsePEM(pemText)
		if err != nil {
			errs = append(errs, err.Error())
		}
		k.Public = pub
	}
	if len(errs) > 0 {
		return k, fmt.Errorf("%w: key %s: %s", ErrInvalid, trunc(k.ID), strings.Join(errs, "; "))
	}
	return k, nil
}

func parsePEM(s string) (crypto.PublicKey, error) {
	block, rest := pem.Decode([]byte(strings.TrimSpace(s)))
	if block == nil || len(strings.TrimSpace(string(rest))) != 0 {
		return nil, errors.New("publicKeyPem is not one PEM block")
	}
	switch block.Type {
	case "PUBLIC KEY":
		return x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		return x509.ParsePKCS1PublicKey(block.Bytes)
	}
	return nil, fmt.Errorf("publicKeyPem holds a %q block, not a public key", block.Type)
}

// RevocationList is an issuer's list of revoked assertions.
type RevocationList struct {
	ID      string
	Issuer  string
	entries []revoked
}

type revoked struct{ id, uid, reason string }

// ParseRevocationList reads a RevocationList (type RevocationList,
// revokedAssertions: strings or objects with id or uid).
func ParseRevocationList(doc map[string]any) (*RevocationList, error) {
	l := &RevocationList{}
	l.ID, _ = doc["id"].(string)
	l.Issuer = idOf(doc["issuer"])
	if !hasType(doc["type"], "RevocationList") {
		return nil, fmt.Errorf("%w: revocation list %s: type is not RevocationList", ErrInvalid, trunc(l.ID))
	}
	list, ok := doc["revokedAssertions"].([]any)
	if !ok {
		if _, present := doc["revokedAssertions"]; present {
			list = []any{doc["revokedAssertions"]}
		} else {
			return nil, fmt.Errorf("%w: revocation list %s: revokedAssertions is missing", ErrInvalid, trunc(l.ID))
		}
	}
	for _, x := range list {
		switch e := x.(type) {
		case string:
			l.entries = append(l.entries, revoked{id: e})
		case map[string]any:
			var r revoked
			r.id, _ = e["id"].(string)
			r.uid, _ = e["uid"].(string)
			r.reason, _ = e["revocationReason"].(string)
			if b, ok := e["revoked"].(bool); ok && !b {
				continue // listed but explicitly not revoked
			}
			l.entries = append(l.entries, r)
		}
	}
	return l, nil
}

// Revoked reports whether the assertion id (or legacy uid) is listed, and
// the reason given if any.
func (l *RevocationList) Revoked(id, uid string) (bool, string) {
	for _, e := range l.entries {
		if (id != "" && e.id == id) || (uid != "" && e.uid == uid) {
			return true, e.reason
		}
	}
	return false, ""
}

// dateLayouts are the ISO 8601 forms with a time zone OB 2.0 DateTime
// allows ("including the time and a time zone indicator"; seconds optional).
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04Z0700"}

func parseDateValue(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		// "Previous versions of Open Badges allowed Unix timestamps as
		// integers. Open Badges v2.0 requires string ISO 8601 values."
		return time.Time{}, errors.New("missing, or not an ISO 8601 string")
	}
	return ParseDate(s)
}

// ParseDate reads an OB 2.0 DateTime: ISO 8601 with a time zone.
func ParseDate(s string) (time.Time, error) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an ISO 8601 date and time with a time zone", trunc(s))
}

func trunc(s string) string {
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}

// Differences lists the verification-relevant properties in which a copy
// of an assertion differs from the issuer's hosted one: id, recipient,
// badge, verification type, issuedOn and expires. For a hosted badge "the
// input data should only be trusted to identify the URI of the hosted
// verification file" and the hosted copy is the badge; a copy that
// disagrees with it is not the badge the issuer awarded.
func Differences(copy, hosted *Assertion) []string {
	var d []string
	if copy.ID != hosted.ID {
		d = append(d, "id")
	}
	if copy.Recipient != hosted.Recipient {
		d = append(d, "recipient")
	}
	if copy.BadgeID() != hosted.BadgeID() {
		d = append(d, "badge")
	}
	if copy.Verification != hosted.Verification {
		d = append(d, "verification")
	}
	if !copy.IssuedOn.Equal(hosted.IssuedOn) {
		d = append(d, "issuedOn")
	}
	if !copy.Expires.Equal(hosted.Expires) {
		d = append(d, "expires")
	}
	return d
}
