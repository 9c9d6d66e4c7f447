package credential

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"regexp"
	"strings"

	"github.com/blason-badges/blason/internal/multibase"
)

// ErrDataModel: the credential breaks a rule of the W3C Verifiable
// Credentials Data Model. Every such error is a *RuleError naming the rule.
var ErrDataModel = errors.New("breaks a VC Data Model rule")

// RuleError is one broken VC Data Model rule. It wraps ErrDataModel.
type RuleError struct {
	// Rule is a stable identifier (e.g. "evidence-type"), the key clients
	// and the documentation's table (docs/vc-2.0-rules.md) use.
	Rule string
	// Section of VC Data Model 2.0 that states the rule, e.g. "4.5".
	Section string
	// Detail says what was found, and where.
	Detail string
}

func (e *RuleError) Error() string {
	return fmt.Sprintf("VC Data Model §%s (%s): %s", e.Section, e.Rule, e.Detail)
}

// Unwrap returns ErrDataModel.
func (e *RuleError) Unwrap() error { return ErrDataModel }

// typedProperties must hold objects that each have a type (VC DM 2.0 §4.5:
// "the following table lists the objects that MUST have a type specified").
var typedProperties = []struct{ name, section string }{
	{"credentialStatus", "4.10"},
	{"termsOfUse", "5.5"},
	{"evidence", "5.6"},
	{"refreshService", "5.4"},
	{"credentialSchema", "4.11"},
}

// maxRuleObjects bounds how many objects of one property are checked (and
// related resources compared): the credential's size is already bounded,
// this bounds the work per property.
const maxRuleObjects = 1000

// CheckDataModel applies the rules of the VC Data Model that hold for every
// credential whatever its kind (Open Badge or not), and returns every
// violation found, each a *RuleError (nil when there is none). For a VC
// 1.1 credential, the rules VC 1.1 shares are applied (types, schema id,
// subject); validFrom, validUntil and relatedResource are VC 2.0's.
//
// The issuer refuses to sign a credential that breaks one (VC API: 400
// naming the rule) and the verifier fails it.
func (c *Credential) CheckDataModel() []error {
	var errs []error
	fail := func(rule, section, format string, args ...any) {
		if len(errs) < 20 {
			errs = append(errs, &RuleError{Rule: rule, Section: section, Detail: fmt.Sprintf(format, args...)})
		}
	}
	ver, verr := c.Version()

	// §4.5: "Verifiable credentials ... MUST contain a type property"; "One
	// value of this property MUST be VerifiableCredential".
	if !c.HasType("VerifiableCredential") {
		fail("credential-type", "4.5", "type must include VerifiableCredential, got %s", describeValue(c.Doc["type"]))
	}
	// §4.4: "If present, the value of the id property MUST be a single URL".
	if raw, ok := c.Doc["id"]; ok {
		if s, isStr := raw.(string); !isStr || !isAbsoluteURI(s) {
			fail("id-url", "4.4", "id must be a single URL, got %s", describeValue(raw))
		}
	}
	// §4.7: "The value of the issuer property MUST be either a URL or an
	// object containing an id property whose value is a URL".
	switch iss := c.Doc["issuer"].(type) {
	case string:
		if !isAbsoluteURI(iss) {
			fail("issuer-url", "4.7", "issuer must be a URL, got %s", describeValue(iss))
		}
	case map[string]any:
		if id, ok := iss["id"].(string); !ok || !isAbsoluteURI(id) {
			fail("issuer-url", "4.7", "issuer.id must be a URL, got %s", describeValue(iss["id"]))
		}
	default:
		fail("issuer-url", "4.7", "a credential must have an issuer: a URL or an object with an id, got %s", describeValue(c.Doc["issuer"]))
	}

	// §4.6: "If present, the value of the name property MUST be a string or
	// a language value object as described in 11.1"; likewise description.
	// The W3C suite applies it to the credential and to its issuer.
	for _, owner := range []struct {
		where string
		m     map[string]any
	}{{"", c.Doc}, {"issuer.", asObject(c.Doc["issuer"])}} {
		for _, key := range []string{"name", "description"} {
			if raw, ok := owner.m[key]; ok && !languageValue(raw) {
				fail("name-value", "4.6", "%s%s must be a string or language value objects ({\"@value\", \"@language\", \"@direction\"}), got %s", owner.where, key, describeValue(raw))
			}
		}
	}

	// §4.8: "A verifiable credential MUST contain a credentialSubject
	// property"; "The value of the credentialSubject property is a set of
	// objects where each object MUST be the subject of one or more claims".
	subjects, kind := objectList(c.Doc["credentialSubject"])
	switch {
	case kind == listAbsent:
		fail("credentialSubject", "4.8", "a credential must have a credentialSubject")
	case kind != listOK:
		fail("credentialSubject", "4.8", "credentialSubject must be one or more objects, got %s", kind)
	default:
		for i, s := range subjects {
			if len(s) == 0 {
				fail("credentialSubject", "4.8", "credentialSubject%s is an empty object: each subject must carry at least one claim", at(i, len(subjects)))
			}
		}
	}

	for _, p := range typedProperties {
		objs, kind := objectList(c.Doc[p.name])
		switch kind {
		case listAbsent:
			continue
		case listOK:
		default:
			fail(p.name+"-type", p.section, "%s must be one or more objects, got %s", p.name, kind)
			continue
		}
		for i, o := range objs {
			if !validType(o["type"]) {
				fail(p.name+"-type", p.section, "%s%s has no type (every %s object must name its type)", p.name, at(i, len(objs)), p.name)
			}
			// §4.11: "Each credentialSchema MUST specify its type ... and
			// an id property that MUST be a URL identifying the schema file."
			if p.name == "credentialSchema" {
				if id, ok := o["id"].(string); !ok || !isAbsoluteURI(id) {
					fail("credentialSchema-id", "4.11", "credentialSchema%s must have an id that is a URL, got %s", at(i, len(objs)), describeValue(o["id"]))
				}
			}
		}
	}

	if verr != nil || ver != V2 {
		return errs
	}

	// §4.9: "If present, the value of the validFrom property MUST be an
	// [XMLSCHEMA11-2] dateTimeStamp string value"; likewise validUntil; "If
	// a validUntil value also exists, the validFrom value MUST express a
	// datetime that is temporally the same or earlier".
	var bounds [2]struct {
		ok bool
		s  string
	}
	for i, key := range []string{"validFrom", "validUntil"} {
		raw, present := c.Doc[key]
		if !present {
			continue
		}
		s, isStr := raw.(string)
		if !isStr || !IsDateTimeStamp(s) {
			fail(key+"-dateTimeStamp", "4.9", "%s must be an XML Schema dateTimeStamp (a date and time with a time zone, e.g. 2010-01-01T00:00:00Z), got %s", key, describeValue(raw))
			continue
		}
		bounds[i].ok, bounds[i].s = true, s
	}
	if bounds[0].ok && bounds[1].ok {
		from, err1 := ParseDateTimeZ(bounds[0].s)
		until, err2 := ParseDateTimeZ(bounds[1].s)
		if err1 == nil && err2 == nil && from.After(until) {
			fail("validity-order", "4.9", "validFrom %s is later than validUntil %s", bounds[0].s, bounds[1].s)
		}
	}

	// §5.3: "The value of the relatedResource property MUST be one or more
	// objects"; id "is REQUIRED ... The value MUST be unique among the list
	// of related resource objects"; "Each object associated with
	// relatedResource MUST contain at least a digestSRI or a digestMultibase
	// value."
	rr, kind := objectList(c.Doc["relatedResource"])
	switch kind {
	case listAbsent:
	case listOK:
		seen := map[string]bool{}
		for i, o := range rr {
			where := at(i, len(rr))
			id, ok := o["id"].(string)
			switch {
			case !ok || !isAbsoluteURI(id):
				fail("relatedResource-id", "5.3", "relatedResource%s must have an id that is a URL, got %s", where, describeValue(o["id"]))
			case seen[id]:
				fail("relatedResource-id-unique", "5.3", "relatedResource%s repeats the id %s", where, describeValue(id))
			default:
				seen[id] = true
			}
			_, sri := o["digestSRI"]
			_, mb := o["digestMultibase"]
			if !sri && !mb {
				fail("relatedResource-digest", "5.3", "relatedResource%s has neither digestSRI nor digestMultibase", where)
				continue
			}
			if _, err := ParseDigests(o); err != nil {
				fail("relatedResource-digest", "5.3", "relatedResource%s: %v", where, err)
			}
		}
	default:
		fail("relatedResource", "5.3", "relatedResource must be one or more objects, got %s", kind)
	}
	return errs
}

// RelatedResources returns the credential's well-formed relatedResource
// objects (id and at least one digest), at most maxRuleObjects.
func (c *Credential) RelatedResources() []map[string]any {
	rr, kind := objectList(c.Doc["relatedResource"])
	if kind != listOK {
		return nil
	}
	return rr
}

func asObject(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// languageValue: a string, a language value object (§11.1: @value, and
// optionally @language and @direction, nothing else), or an array of them
// (one per language).
func languageValue(v any) bool {
	switch t := v.(type) {
	case string:
		return true
	case map[string]any:
		if _, ok := t["@value"].(string); !ok {
			return false
		}
		for k, e := range t {
			switch k {
			case "@value":
			case "@language":
				if _, ok := e.(string); !ok {
					return false
				}
			case "@direction":
				if e != "ltr" && e != "rtl" {
					return false
				}
			default:
				return false
			}
		}
		return true
	case []any:
		if len(t) == 0 {
			return false
		}
		for _, e := range t {
			if _, isList := e.([]any); isList || !languageValue(e) {
				return false
			}
		}
		return true
	}
	return false
}

func at(i, n int) string {
	if n == 1 {
		return ""
	}
	return fmt.Sprintf("[%d]", i)
}

// validType: a type is a non-empty string or a non-empty array of non-empty strings.
func validType(v any) bool {
	switch t := v.(type) {
	case string:
		return t != ""
	case []any:
		if len(t) == 0 {
			return false
		}
		for _, e := range t {
			if s, ok := e.(string); !ok || s == "" {
				return false
			}
		}
		return true
	}
	return false
}

const (
	listOK     = ""
	listAbsent = "absent"
)

// objectList reads "one or more objects": an object, or a non-empty array
// of objects. kind is listOK, listAbsent, or a description of what was
// found instead.
func objectList(v any) ([]map[string]any, string) {
	switch t := v.(type) {
	case nil:
		return nil, listAbsent
	case map[string]any:
		return []map[string]any{t}, listOK
	case []any:
		if len(t) == 0 {
			return nil, "an empty array"
		}
		if len(t) > maxRuleObjects {
			return nil, fmt.Sprintf("an array of %d values (at most %d are accepted)", len(t), maxRuleObjects)
		}
		out := make([]map[string]any, 0, len(t))
		for i, e := range t {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Sprintf("an array whose member %d is %s", i, jsonKind(e))
			}
			out = append(out, m)
		}
		return out, listOK
	}
	return nil, jsonKind(v)
}

// dateTimeStamp is the lexical space of XML Schema 1.1 dateTimeStamp: a
// dateTime whose time zone is required.
var dateTimeStamp = regexp.MustCompile(`^-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))$`)

// IsDateTimeStamp reports whether s is an XML Schema 1.1 dateTimeStamp
// (VC DM 2.0 §4.9) that names a real instant.
func IsDateTimeStamp(s string) bool {
	if !dateTimeStamp.MatchString(s) {
		return false
	}
	// The pattern admits 24:00:00 (end of day) and days that do not exist
	// in their month; Go's parser refuses both, so a value Go cannot parse
	// is accepted only for 24:00:00 on a real date.
	if _, err := ParseDateTimeZ(s); err == nil {
		return true
	}
	i := strings.Index(s, "T24:00:00")
	if i < 0 {
		return false
	}
	_, err := ParseDateTimeZ(s[:i] + "T00:00:00Z")
	return err == nil
}

// Digest is one expected digest of a related resource.
type Digest struct {
	Algorithm string // "sha256", "sha384" or "sha512"
	Sum       []byte
	Source    string // "digestSRI" or "digestMultibase"
}

// multihash codes of the digests VC DM 2.0 §5.3 allows through
// digestMultibase (Data Integrity §2.6).
var multihashAlgorithms = map[byte]string{0x12: "sha256", 0x20: "sha384", 0x13: "sha512"}

var digestSizes = map[string]int{"sha256": 32, "sha384": 48, "sha512": 64}

// ParseDigests reads a related resource's digestSRI (one or more SRI
// hash expressions "sha384-<base64>", space-separated or in an array) and
// digestMultibase (one or more multibase-encoded multihashes). Malformed
// values and unsupported algorithms are errors: a digest that cannot be
// checked protects nothing.
func ParseDigests(o map[string]any) ([]Digest, error) {
	var out []Digest
	for _, src := range []string{"digestSRI", "digestMultibase"} {
		raw, ok := o[src]
		if !ok {
			continue
		}
		var values []string
		switch t := raw.(type) {
		case string:
			values = strings.Fields(t)
		case []any:
			for _, e := range t {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("%s must hold strings, got %s", src, jsonKind(e))
				}
				values = append(values, strings.Fields(s)...)
			}
		default:
			return nil, fmt.Errorf("%s must be a string, got %s", src, jsonKind(raw))
		}
		if len(values) == 0 {
			return nil, fmt.Errorf("%s is empty", src)
		}
		for _, v := range values {
			d, err := parseDigest(src, v)
			if err != nil {
				return nil, err
			}
			out = append(out, d)
		}
	}
	return out, nil
}

func parseDigest(src, v string) (Digest, error) {
	if src == "digestSRI" {
		alg, b64, ok := strings.Cut(v, "-")
		if _, known := digestSizes[alg]; !ok || !known {
			return Digest{}, fmt.Errorf("digestSRI %s is not sha256-, sha384- or sha512-<base64>", describeValue(v))
		}
		b64, _, _ = strings.Cut(b64, "?") // SRI options are ignored (SRI §3.5)
		sum, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(sum) != digestSizes[alg] {
			return Digest{}, fmt.Errorf("digestSRI %s does not hold a %s digest in base64", describeValue(v), alg)
		}
		return Digest{Algorithm: alg, Sum: sum, Source: src}, nil
	}
	mh, err := multibase.Decode(v)
	if err != nil {
		return Digest{}, fmt.Errorf("digestMultibase %s: %v", describeValue(v), err)
	}
	if len(mh) < 2 {
		return Digest{}, fmt.Errorf("digestMultibase %s is not a multihash", describeValue(v))
	}
	alg, ok := multihashAlgorithms[mh[0]]
	if !ok || int(mh[1]) != digestSizes[alg] || len(mh) != 2+digestSizes[alg] {
		return Digest{}, fmt.Errorf("digestMultibase %s is not a sha2-256, sha2-384 or sha2-512 multihash", describeValue(v))
	}
	return Digest{Algorithm: alg, Sum: mh[2:], Source: src}, nil
}

// Matches reports whether body has this digest.
func (d Digest) Matches(body []byte) bool {
	var h hash.Hash
	switch d.Algorithm {
	case "sha256":
		h = sha256.New()
	case "sha384":
		h = sha512.New384()
	case "sha512":
		h = sha512.New()
	default:
		return false
	}
	h.Write(body)
	return subtle.ConstantTimeCompare(h.Sum(nil), d.Sum) == 1
}
