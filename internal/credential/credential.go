// Package credential is the Open Badges 3.0 data model shared by the issuer,
// wallet and verifier: strict JSON decoding (duplicate keys, size and depth
// limits), VC Data Model version detection (2.0 and legacy 1.1), accessors
// for the properties the verifier needs, the structural checks of OB 3.0
// App. A.2/B.1 and §9.1 step 1, IdentityHash (§2.4 of our digest, B.1
// IdentityObject) and validation against the embedded 1EdTech JSON Schemas.
//
// A Credential is a view over the decoded JSON (Doc); accessors never panic
// whatever the document holds and never modify it. Nothing in this package
// does I/O, logs or panics on input.
package credential

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Context URLs.
const (
	ContextV2 = "https://www.w3.org/ns/credentials/v2"   // VC Data Model 2.0
	ContextV1 = "https://www.w3.org/2018/credentials/v1" // VC Data Model 1.1 (legacy, verify only)
)

// obContextPattern is the second @context entry allowed by the OB 3.0 JSON
// Schema (App. B.1.2): context.json, context-3.0.1.json ... context-3.0.3.json.
var obContextPattern = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$`)

// Version is the W3C VC Data Model version of a credential, from @context[0].
type Version int

// Versions.
const (
	VersionUnknown Version = iota
	V1                     // VC Data Model 1.1: issuanceDate/expirationDate
	V2                     // VC Data Model 2.0: validFrom/validUntil
)

func (v Version) String() string {
	switch v {
	case V1:
		return "VC 1.1"
	case V2:
		return "VC 2.0"
	}
	return "unknown VC version"
}

// Kind is the kind of OB 3.0 credential, from its type.
type Kind int

// Kinds.
const (
	KindUnknown Kind = iota
	OpenBadge        // type includes OpenBadgeCredential or AchievementCredential
	Endorsement      // type includes EndorsementCredential
)

func (k Kind) String() string {
	switch k {
	case OpenBadge:
		return "OpenBadgeCredential"
	case Endorsement:
		return "EndorsementCredential"
	}
	return "unknown credential kind"
}

// Credential is a decoded credential: the raw JSON object plus accessors.
type Credential struct {
	// Doc is the decoded top-level JSON object, as returned by ParseJSON.
	// Callers may read it; the accessors assume nobody modifies it.
	Doc map[string]any
}

// Parse decodes data with ParseJSON and requires the top-level value to be a
// JSON object (ErrNotObject otherwise, e.g. for a JSON string that itself
// contains a credential). It checks nothing else: run CheckContext,
// CheckType, ValidateSchema and CheckSubject for that.
func Parse(data []byte, lim Limits) (*Credential, error) {
	v, err := ParseJSON(data, lim)
	if err != nil {
		return nil, fmt.Errorf("parse credential: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w, got %s", ErrNotObject, jsonKind(v))
	}
	return &Credential{Doc: m}, nil
}

// FromMap wraps an already decoded JSON object (for example an embedded
// endorsement) as a Credential.
func FromMap(m map[string]any) *Credential { return &Credential{Doc: m} }

// jsonKind names the JSON type of a decoded value for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	}
	return fmt.Sprintf("%T", v)
}

// Version returns the VC Data Model version named by @context[0] (or by
// @context itself when it is a single string). Anything else is ErrContext.
func (c *Credential) Version() (Version, error) {
	var first any
	switch ctx := c.Doc["@context"].(type) {
	case nil:
		return VersionUnknown, fmt.Errorf("%w: @context is missing", ErrContext)
	case string:
		first = ctx
	case []any:
		if len(ctx) == 0 {
			return VersionUnknown, fmt.Errorf("%w: @context is empty", ErrContext)
		}
		first = ctx[0]
	default:
		return VersionUnknown, fmt.Errorf("%w: @context must be an array, got %s", ErrContext, jsonKind(ctx))
	}
	switch first {
	case ContextV2:
		return V2, nil
	case ContextV1:
		return V1, nil
	}
	return VersionUnknown, fmt.Errorf("%w: @context[0] must be %q (VC 2.0) or %q (VC 1.1), got %s",
		ErrContext, ContextV2, ContextV1, describeValue(first))
}

// describeValue quotes strings and names other JSON types, for messages.
func describeValue(v any) string {
	if s, ok := v.(string); ok {
		if len(s) > 120 {
			s = s[:120] + "..."
		}
		return fmt.Sprintf("%q", s)
	}
	return jsonKind(v)
}

// CheckContext applies OB 3.0 App. A.2 and B.1.2 (same rule for
// EndorsementCredential, B.1.7): @context is an ordered array of at least two
// entries; [0] is the VC base context (2.0, or 1.1 for legacy credentials);
// [1] is an OB 3.0 context matching
// ^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$;
// later entries are absolute URLs or objects (embedded contexts).
// Violations wrap ErrContext.
func (c *Credential) CheckContext() error {
	raw, present := c.Doc["@context"]
	if !present {
		return fmt.Errorf("%w: @context is missing", ErrContext)
	}
	arr, ok := raw.([]any)
	if !ok {
		if _, isStr := raw.(string); isStr {
			return fmt.Errorf("%w: @context must be an array holding the VC and the Open Badges 3.0 contexts, got a single string", ErrContext)
		}
		return fmt.Errorf("%w: @context must be an array, got %s", ErrContext, jsonKind(raw))
	}
	if _, err := c.Version(); err != nil {
		return err
	}
	if len(arr) < 2 {
		return fmt.Errorf("%w: @context must hold at least 2 entries (VC and Open Badges 3.0 contexts), got %d", ErrContext, len(arr))
	}
	if s, ok := arr[1].(string); !ok || !obContextPattern.MatchString(s) {
		return fmt.Errorf("%w: @context[1] must be an Open Badges 3.0 context (https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json), got %s",
			ErrContext, describeValue(arr[1]))
	}
	for i, e := range arr[2:] {
		switch e := e.(type) {
		case map[string]any:
		case string:
			if !isAbsoluteURI(e) {
				return fmt.Errorf("%w: @context[%d] must be an absolute URL, got %s", ErrContext, i+2, describeValue(e))
			}
		default:
			return fmt.Errorf("%w: @context[%d] must be a URL or an object, got %s", ErrContext, i+2, jsonKind(e))
		}
	}
	return nil
}

// isAbsoluteURI reports whether s starts with an RFC 3986 scheme followed by
// ':' and has no whitespace.
func isAbsoluteURI(s string) bool {
	colon := strings.IndexByte(s, ':')
	if colon < 1 || colon == len(s)-1 || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	for i := 0; i < colon; i++ {
		b := s[i]
		switch {
		case b >= 'a' && b <= 'z', b >= 'A' && b <= 'Z':
		case i > 0 && (b >= '0' && b <= '9' || b == '+' || b == '-' || b == '.'):
		default:
			return false
		}
	}
	return true
}

// TypesOf returns the string members of a JSON-LD "type" value, which may be
// a single string (compacted form, App. A.2.1) or an array.
func TypesOf(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

func hasType(v any, want string) bool {
	for _, t := range TypesOf(v) {
		if t == want {
			return true
		}
	}
	return false
}

// Types returns the credential's type values (a single string or an array;
// non-string members are skipped).
func (c *Credential) Types() []string { return TypesOf(c.Doc["type"]) }

// HasType reports whether the credential's type includes t.
func (c *Credential) HasType(t string) bool { return hasType(c.Doc["type"], t) }

// Kind classifies the credential by type: OpenBadge if it includes
// OpenBadgeCredential or AchievementCredential (checked first), else
// Endorsement if it includes EndorsementCredential, else KindUnknown.
func (c *Credential) Kind() Kind {
	switch {
	case c.HasType("OpenBadgeCredential"), c.HasType("AchievementCredential"):
		return OpenBadge
	case c.HasType("EndorsementCredential"):
		return Endorsement
	}
	return KindUnknown
}

// CheckType requires the type to include VerifiableCredential and one of
// OpenBadgeCredential, AchievementCredential (App. B.1.2) or
// EndorsementCredential (B.1.7). Violations wrap ErrType.
func (c *Credential) CheckType() error {
	raw, present := c.Doc["type"]
	if !present {
		return fmt.Errorf("%w: type is missing", ErrType)
	}
	switch raw.(type) {
	case string, []any:
	default:
		return fmt.Errorf("%w: type must be a string or an array, got %s", ErrType, jsonKind(raw))
	}
	if !c.HasType("VerifiableCredential") {
		return fmt.Errorf("%w: type must include VerifiableCredential, got %q", ErrType, c.Types())
	}
	if c.Kind() == KindUnknown {
		return fmt.Errorf("%w: type must include OpenBadgeCredential, AchievementCredential or EndorsementCredential, got %q", ErrType, c.Types())
	}
	return nil
}

func str(m map[string]any, key string) string {
	s, _ := m[key].(string)
	return s
}

// ID returns the credential's id, or "" if it is absent or not a string.
func (c *Credential) ID() string { return str(c.Doc, "id") }

// Name returns the credential's name, or "" if absent or not a plain string
// (a JSON-LD language map is not flattened).
func (c *Credential) Name() string { return str(c.Doc, "name") }

// Description returns the credential's description, or "" as for Name.
func (c *Credential) Description() string { return str(c.Doc, "description") }

// IssuerID returns the issuer's id: the issuer value itself when it is a
// string (ProfileRef), or its "id" when it is an object; "" otherwise.
func (c *Credential) IssuerID() string {
	switch iss := c.Doc["issuer"].(type) {
	case string:
		return iss
	case map[string]any:
		return str(iss, "id")
	}
	return ""
}

// IssuerName returns the issuer profile's name, or "" if the issuer is a bare
// URI or has no string name.
func (c *Credential) IssuerName() string {
	if iss, ok := c.Doc["issuer"].(map[string]any); ok {
		return str(iss, "name")
	}
	return ""
}

// ValidFrom returns the start of the validity period: validFrom for VC 2.0,
// issuanceDate for VC 1.1. ok is false when the property is absent. A value
// that is not an XSD dateTime with a time zone wraps ErrDate; an unknown
// version wraps ErrContext.
func (c *Credential) ValidFrom() (t time.Time, ok bool, err error) {
	return c.dateFor("validFrom", "issuanceDate")
}

// ValidUntil returns the end of the validity period: validUntil for VC 2.0,
// expirationDate for VC 1.1, with the same conventions as ValidFrom.
func (c *Credential) ValidUntil() (t time.Time, ok bool, err error) {
	return c.dateFor("validUntil", "expirationDate")
}

func (c *Credential) dateFor(v2Key, v1Key string) (time.Time, bool, error) {
	ver, err := c.Version()
	if err != nil {
		return time.Time{}, false, err
	}
	key := v2Key
	if ver == V1 {
		key = v1Key
	}
	raw, present := c.Doc[key]
	if !present {
		return time.Time{}, false, nil
	}
	s, isStr := raw.(string)
	if !isStr {
		return time.Time{}, false, fmt.Errorf("%w: %s must be a string, got %s", ErrDate, key, jsonKind(raw))
	}
	t, err := ParseDateTimeZ(s)
	if err != nil {
		return time.Time{}, false, fmt.Errorf("%s: %w", key, err)
	}
	return t, true, nil
}

var noZone = regexp.MustCompile(`^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$`)

// ParseDateTimeZ parses an OB 3.0 DateTimeZ: an XSD dateTime that includes a
// time zone (RFC 3339, e.g. 2010-01-01T00:00:00Z or
// 2022-11-10T07:38:00.123-08:00). A value without a zone is rejected with a
// message saying so. Errors wrap ErrDate.
func ParseDateTimeZ(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err == nil {
		return t, nil
	}
	if noZone.MatchString(s) {
		return time.Time{}, fmt.Errorf("%w: %q has no time zone (add Z or an offset such as +01:00)", ErrDate, s)
	}
	return time.Time{}, fmt.Errorf("%w: %s is not an XSD dateTime with time zone (e.g. 2010-01-01T00:00:00Z)", ErrDate, describeValue(s))
}

// objects returns v as a list of objects: an object becomes a one-element
// list, the object members of an array are kept, anything else gives nil.
func objects(v any) []map[string]any {
	switch t := v.(type) {
	case map[string]any:
		return []map[string]any{t}
	case []any:
		var out []map[string]any
		for _, e := range t {
			if m, ok := e.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// Subjects returns the credentialSubject objects (credentialSubject may be
// an object or an array); non-object members are skipped.
func (c *Credential) Subjects() []map[string]any { return objects(c.Doc["credentialSubject"]) }

// Subject returns the single credentialSubject that OB 3.0 requires (an
// object, or an array holding exactly one object). Anything else wraps
// ErrSubject.
func (c *Credential) Subject() (map[string]any, error) {
	raw, present := c.Doc["credentialSubject"]
	if !present {
		return nil, fmt.Errorf("%w: credentialSubject is missing", ErrSubject)
	}
	switch t := raw.(type) {
	case map[string]any:
		return t, nil
	case []any:
		if len(t) != 1 {
			return nil, fmt.Errorf("%w: credentialSubject must be exactly one subject, got an array of %d", ErrSubject, len(t))
		}
		if m, ok := t[0].(map[string]any); ok {
			return m, nil
		}
		return nil, fmt.Errorf("%w: credentialSubject[0] must be an object, got %s", ErrSubject, jsonKind(t[0]))
	}
	return nil, fmt.Errorf("%w: credentialSubject must be an object, got %s", ErrSubject, jsonKind(raw))
}

// SubjectID returns the id of the single subject, or "" if there is no
// single subject or it has no string id.
func (c *Credential) SubjectID() string {
	s, err := c.Subject()
	if err != nil {
		return ""
	}
	return str(s, "id")
}

// Proofs returns the embedded proofs: an object is one proof, an array is a
// proof set or chain. An absent proof gives (nil, nil) (the credential may be
// secured externally, e.g. by VC-JWT); proof: null wraps ErrNullProof; any
// other shape, or a non-object member, wraps ErrProof.
func (c *Credential) Proofs() ([]map[string]any, error) {
	raw, present := c.Doc["proof"]
	if !present {
		return nil, nil
	}
	switch t := raw.(type) {
	case nil:
		return nil, fmt.Errorf("%w: remove it or give a proof object", ErrNullProof)
	case map[string]any:
		return []map[string]any{t}, nil
	case []any:
		out := make([]map[string]any, 0, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%w: proof[%d] must be an object, got %s", ErrProof, i, jsonKind(e))
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: proof must be an object or an array, got %s", ErrProof, jsonKind(raw))
}

// Endorsements returns the embedded EndorsementCredentials of the
// credential's "endorsement" property (object or array; non-objects are
// skipped). Endorsements of the issuer profile or the achievement are not
// included: read them from those objects with the same rule.
func (c *Credential) Endorsements() []map[string]any { return objects(c.Doc["endorsement"]) }

// CheckSubject applies OB 3.0 §9.1 step 1b and App. B.1.3 / B.1.8 to the
// single credentialSubject:
//   - OpenBadge: identified by a non-empty id and/or at least one identifier
//     object; type includes AchievementSubject (a single string is accepted,
//     App. A.2.1); an achievement object whose type includes Achievement.
//   - Endorsement: a non-empty id; type includes EndorsementSubject.
//
// It calls Kind; a credential of unknown kind wraps ErrType. Violations wrap
// ErrSubject.
func (c *Credential) CheckSubject() error {
	kind := c.Kind()
	if kind == KindUnknown {
		return fmt.Errorf("%w: cannot check credentialSubject of a credential that is neither an OpenBadgeCredential nor an EndorsementCredential", ErrType)
	}
	s, err := c.Subject()
	if err != nil {
		return err
	}
	id, hasID := s["id"].(string)
	hasID = hasID && id != ""
	if kind == Endorsement {
		if !hasID {
			return fmt.Errorf("%w: credentialSubject.id is required for an EndorsementSubject", ErrSubject)
		}
		if !hasType(s["type"], "EndorsementSubject") {
			return fmt.Errorf("%w: credentialSubject.type must include EndorsementSubject, got %s", ErrSubject, describeTypes(s["type"]))
		}
		return nil
	}
	if !hasID && len(objects(s["identifier"])) == 0 {
		return fmt.Errorf("%w: credentialSubject must have an id or at least one identifier", ErrSubject)
	}
	if !hasType(s["type"], "AchievementSubject") {
		return fmt.Errorf("%w: credentialSubject.type must include AchievementSubject, got %s", ErrSubject, describeTypes(s["type"]))
	}
	ach, ok := s["achievement"].(map[string]any)
	if !ok {
		if _, present := s["achievement"]; !present {
			return fmt.Errorf("%w: credentialSubject.achievement is missing", ErrSubject)
		}
		return fmt.Errorf("%w: credentialSubject.achievement must be an object, got %s", ErrSubject, jsonKind(s["achievement"]))
	}
	if !hasType(ach["type"], "Achievement") {
		return fmt.Errorf("%w: credentialSubject.achievement.type must include Achievement, got %s", ErrSubject, describeTypes(ach["type"]))
	}
	return nil
}

func describeTypes(v any) string {
	switch v.(type) {
	case nil:
		return "none"
	case string, []any:
		return fmt.Sprintf("%q", TypesOf(v))
	}
	return jsonKind(v)
}
