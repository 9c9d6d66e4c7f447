package credential

import (
	"bytes"
	"embed"
	"fmt"
	"path"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// printer renders jsonschema error kinds in English.
var printer = message.NewPrinter(language.English)

// The 1EdTech OB 3.0 JSON Schemas (JSON Schema 2019-09), embedded; see
// schemas/README.md for where each file comes from.
//
//go:embed schemas/formal/*.json schemas/jsonld-compaction/*.json
var schemaFS embed.FS

// purlSchemaBase is where 1EdTech publishes the schemas (the
// credentialSchema.id of OB 3.0 credentials).
const purlSchemaBase = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"

// SchemaVariant selects one of the two published variants of the OB 3.0
// JSON Schemas (digest §10 item 6).
type SchemaVariant int

const (
	// Strict is the formal, array-only variant (schemas/formal/): what the
	// credentials our issuer emits must pass.
	Strict SchemaVariant = iota
	// Compaction is the JSON-LD-compaction-friendly variant
	// (schemas/jsonld-compaction/, App. A.2.1: single values may replace
	// one-element arrays, strings may be language maps): what the verifier
	// accepts from others.
	Compaction
)

func (v SchemaVariant) String() string {
	switch v {
	case Strict:
		return "strict"
	case Compaction:
		return "compaction"
	}
	return "SchemaVariant(" + strconv.Itoa(int(v)) + ")"
}

func (v SchemaVariant) dir() string {
	if v == Compaction {
		return "schemas/jsonld-compaction"
	}
	return "schemas/formal"
}

func schemaFile(k Kind) string {
	switch k {
	case OpenBadge:
		return "ob_v3p0_achievementcredential_schema.json"
	case Endorsement:
		return "ob_v3p0_endorsementcredential_schema.json"
	}
	return ""
}

// compiledSchemas holds the compiled schemas of one variant.
type compiledSchemas struct {
	once    sync.Once
	err     error
	byKind  map[Kind]*jsonschema.Schema
	variant SchemaVariant
	// singleOrArray lists, by kind, the root properties whose schema is
	// exactly oneOf [S, {"type": "array", "items": S}] (see
	// singleOrArrayProps).
	singleOrArray map[Kind]map[string]bool
}

var compiled = [...]*compiledSchemas{
	Strict:     {variant: Strict},
	Compaction: {variant: Compaction},
}

// embeddedLoader serves only the embedded schema files, by their $id and by
// their purl URL. Anything else (including every http(s) and file URL that is
// not embedded) is an error: compiling never touches the network or the file
// system. The JSON Schema 2019-09 metaschemas named by "$schema" are bundled
// in the jsonschema library itself and never reach this loader.
type embeddedLoader map[string]any

func (l embeddedLoader) Load(url string) (any, error) {
	if doc, ok := l[url]; ok {
		return doc, nil
	}
	return nil, fmt.Errorf("schema %s is not embedded (refusing to fetch it)", url)
}

func (cs *compiledSchemas) load() error {
	cs.once.Do(func() {
		cs.err = cs.compile()
	})
	return cs.err
}

func (cs *compiledSchemas) compile() error {
	dir := cs.variant.dir()
	entries, err := schemaFS.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read embedded schemas: %w", err)
	}
	loader := embeddedLoader{}
	ids := map[string]string{} // file name -> $id
	for _, e := range entries {
		data, err := schemaFS.ReadFile(path.Join(dir, e.Name()))
		if err != nil {
			return fmt.Errorf("read embedded schema %s: %w", e.Name(), err)
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("decode embedded schema %s: %w", e.Name(), err)
		}
		m, _ := doc.(map[string]any)
		id, _ := m["$id"].(string)
		if id == "" {
			return fmt.Errorf("embedded schema %s has no $id", e.Name())
		}
		ids[e.Name()] = id
		loader[id] = doc
		loader[purlSchemaBase+e.Name()] = doc
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(loader)
	c.DefaultDraft(jsonschema.Draft2019)
	// The schemas use "format": "date-time" for DateTimeZ and "date" for
	// Date; 2019-09 treats format as an annotation unless told otherwise.
	c.AssertFormat()
	cs.byKind = map[Kind]*jsonschema.Schema{}
	cs.singleOrArray = map[Kind]map[string]bool{}
	for _, k := range []Kind{OpenBadge, Endorsement} {
		id, ok := ids[schemaFile(k)]
		if !ok {
			return fmt.Errorf("embedded %s schema %s is missing", cs.variant, schemaFile(k))
		}
		root, _ := loader[id].(map[string]any)
		cs.singleOrArray[k] = singleOrArrayProps(root)
		sch, err := c.Compile(id)
		if err != nil {
			return fmt.Errorf("compile %s schema %s: %w", cs.variant, id, err)
		}
		cs.byKind[k] = sch
	}
	return nil
}

// Violation is one reason a document failed schema validation.
type Violation struct {
	Pointer string // JSON pointer (RFC 6901) into the document; "" is the root
	Reason  string // one line
}

// SchemaError lists why a document failed ValidateSchema. It wraps ErrSchema.
type SchemaError struct {
	Variant    SchemaVariant
	Kind       Kind
	Violations []Violation // at least one
}

// maxViolationsInMessage bounds SchemaError.Error(); Violations has them all.
const maxViolationsInMessage = 4

func (e *SchemaError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%v (%s %s schema)", ErrSchema, e.Variant, e.Kind)
	for i, v := range e.Violations {
		if i == maxViolationsInMessage {
			fmt.Fprintf(&b, "; and %d more", len(e.Violations)-i)
			break
		}
		p := v.Pointer
		if p == "" {
			p = "/"
		}
		fmt.Fprintf(&b, "; %s: %s", p, v.Reason)
	}
	return b.String()
}

// Unwrap returns ErrSchema.
func (e *SchemaError) Unwrap() error { return ErrSchema }

// ValidateSchema validates a decoded credential (the Doc of a Credential, or
// any value from ParseJSON) against the embedded OB 3.0 JSON Schema of the
// given kind (AchievementCredential for OpenBadge, EndorsementCredential for
// Endorsement) and variant. Failures are *SchemaError (wrapping ErrSchema)
// with the failing JSON pointers.
//
// Both variants add one check the compaction schemas lost: wherever a
// compacted single-string "type" is allowed (App. A.2.1), the compaction
// schema accepts any string, so ValidateSchema also requires every "type" of
// a known class (Profile, AchievementSubject, Achievement, Evidence, Result,
// ResultDescription, IdentityObject, ...) to name that class, as the strict
// schema does for arrays.
//
// VC 1.1: no OB 3.0 schema exists for VC Data Model 1.1 credentials, so
// ValidateSchema returns ErrNoSchemaForV1 (without validating) when
// @context[0] is the VC 1.1 context. Callers report that as "not applicable".
//
// The schemas are compiled on first use (once per variant, safe for
// concurrent use) from the embedded copies only; nothing is fetched.
func ValidateSchema(doc any, k Kind, v SchemaVariant) error {
	if v != Strict && v != Compaction {
		return fmt.Errorf("validate schema: unknown variant %d", int(v))
	}
	if schemaFile(k) == "" {
		return fmt.Errorf("validate schema: %w: %v", ErrUnknownKind, k)
	}
	if m, ok := doc.(map[string]any); ok {
		if ver, err := FromMap(m).Version(); err == nil && ver == V1 {
			return ErrNoSchemaForV1
		}
	}
	if v == Compaction && !evidenceOutsideRoot(doc, k) {
		// Fast path, same answer. The strict schema accepts a subset of
		// what the compaction schema accepts, for documents with no
		// "evidence" below the root (nor at the root of an
		// EndorsementCredential): the strict EndorsementCredential has no
		// evidence property, so any value passes there, while the
		// compaction one checks it. TestStrictSubsumedByCompaction proves
		// the inclusion over the embedded files (every compaction oneOf
		// has branches no value can both match, and every strict
		// constraint is at least as tight as its compaction counterpart);
		// TestCompactionFastPathSame checks it over the fixtures. So a
		// document strict accepts passes compaction, at the strict
		// schema's cost (a fifth of the compaction schema's, whose every
		// value runs through a oneOf). A document that fails strict is
		// validated, and reported, by the compaction schema alone.
		//
		// The strict schema runs on a view of the document where a single
		// value of a root property the compaction schema takes as
		// oneOf [S, array of S] (a Data Integrity proof, as the VC API
		// signs it) is wrapped in a one-element array: the compaction
		// schema accepts the view exactly when it accepts the document
		// (v matches S exactly when [v] matches "array of S", and, the
		// branches' types being disjoint, [v] never matches S).
		if validateVariant(strictView(doc, k), k, Strict) == nil {
			return nil
		}
	}
	return validateVariant(doc, k, v)
}

// singleOrArrayProps returns the root properties of a schema whose schema
// is exactly oneOf [S, {"type": "array", "items": S}], annotations aside:
// for those, a single value v and the array [v] are accepted alike.
func singleOrArrayProps(root map[string]any) map[string]bool {
	out := map[string]bool{}
	props, _ := root["properties"].(map[string]any)
	for name, p := range props {
		m, _ := p.(map[string]any)
		branches, _ := m["oneOf"].([]any)
		if len(withoutAnnotations(m)) != 1 || len(branches) != 2 {
			continue
		}
		arr, _ := branches[1].(map[string]any)
		arr = withoutAnnotations(arr)
		if len(arr) == 2 && arr["type"] == "array" && reflect.DeepEqual(arr["items"], branches[0]) {
			out[name] = true
		}
	}
	return out
}

func withoutAnnotations(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch k {
		case "description", "$comment", "title":
		default:
			out[k] = v
		}
	}
	return out
}

// strictView is doc with the single values of its singleOrArray root
// properties wrapped in one-element arrays (doc itself when there are none
// to wrap; doc is never modified).
func strictView(doc any, k Kind) any {
	m, ok := doc.(map[string]any)
	cs := compiled[Compaction]
	if !ok || cs.load() != nil {
		return doc
	}
	var view map[string]any
	for name := range cs.singleOrArray[k] {
		v, has := m[name]
		if _, isArray := v.([]any); !has || isArray {
			continue
		}
		if view == nil {
			view = make(map[string]any, len(m))
			for key, val := range m {
				view[key] = val
			}
		}
		view[name] = []any{v}
	}
	if view == nil {
		return doc
	}
	return view
}

// evidenceOutsideRoot reports whether doc has an "evidence" member in an
// object below its root, or at its root when k is Endorsement: where the
// strict schema (an EndorsementCredential's) does not check it. Too deep to
// walk counts as having one.
func evidenceOutsideRoot(doc any, k Kind) bool {
	var walk func(v any, depth int) bool
	walk = func(v any, depth int) bool {
		if depth > DefaultMaxDepth {
			return true
		}
		switch x := v.(type) {
		case map[string]any:
			if _, has := x["evidence"]; has && (depth > 0 || k == Endorsement) {
				return true
			}
			for _, e := range x {
				if walk(e, depth+1) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e, depth+1) {
					return true
				}
			}
		}
		return false
	}
	return walk(doc, 0)
}

// validateVariant is ValidateSchema's validation against one variant, with
// no fast path.
func validateVariant(doc any, k Kind, v SchemaVariant) error {
	cs := compiled[v]
	if err := cs.load(); err != nil {
		return fmt.Errorf("validate schema: %w", err)
	}
	var violations []Violation
	if err := cs.byKind[k].Validate(doc); err != nil {
		ve, ok := err.(*jsonschema.ValidationError)
		if !ok {
			return fmt.Errorf("validate schema: %w", err)
		}
		violations = collectViolations(ve)
	}
	violations = append(violations, checkClassTypes(doc, k)...)
	if len(violations) == 0 {
		return nil
	}
	return &SchemaError{Variant: v, Kind: k, Violations: summarize(violations)}
}

// maxReasonLen bounds one Violation.Reason (enum lists can be long).
const maxReasonLen = 200

// collectViolations flattens a jsonschema error tree into its leaves. For a
// failed oneOf/anyOf it follows only the alternative that got furthest into
// the document (its deepest leaf is deepest): the other alternatives failing
// ("got array, want string") are noise around the real defect.
func collectViolations(ve *jsonschema.ValidationError) []Violation {
	var walk func(e *jsonschema.ValidationError) []Violation
	walk = func(e *jsonschema.ValidationError) []Violation {
		if len(e.Causes) == 0 {
			reason := strings.ReplaceAll(e.ErrorKind.LocalizedString(printer), "\n", " ")
			if len(reason) > maxReasonLen {
				reason = reason[:maxReasonLen] + "..."
			}
			return []Violation{{Pointer: pointer(e.InstanceLocation), Reason: reason}}
		}
		switch e.ErrorKind.(type) {
		case *kind.OneOf, *kind.AnyOf:
			var best []Violation
			bestDepth := -1
			for _, c := range e.Causes {
				leaves := walk(c)
				if d := maxDepth(leaves); d > bestDepth {
					best, bestDepth = leaves, d
				}
			}
			return best
		}
		var out []Violation
		for _, c := range e.Causes {
			out = append(out, walk(c)...)
		}
		return out
	}
	return walk(ve)
}

func maxDepth(vs []Violation) int {
	d := -1
	for _, v := range vs {
		d = max(d, strings.Count(v.Pointer, "/"))
	}
	return d
}

// summarize sorts violations deepest first, then by pointer, and drops
// duplicates.
func summarize(vs []Violation) []Violation {
	var out []Violation
	seen := map[Violation]bool{}
	for _, v := range vs {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	slices.SortStableFunc(out, func(a, b Violation) int {
		if d := strings.Count(b.Pointer, "/") - strings.Count(a.Pointer, "/"); d != 0 {
			return d
		}
		return strings.Compare(a.Pointer, b.Pointer)
	})
	return out
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		t = strings.ReplaceAll(t, "~", "~0")
		b.WriteString(strings.ReplaceAll(t, "/", "~1"))
	}
	return b.String()
}

// classProps maps, for each OB 3.0 class, the properties whose values are
// instances of another class (App. B.1). It drives checkClassTypes.
var classProps = map[string]map[string]string{
	"AchievementCredential": {
		"issuer": "Profile", "credentialSubject": "AchievementSubject", "evidence": "Evidence",
		"endorsement": "EndorsementCredential", "image": "Image",
	},
	"EndorsementCredential": {
		"issuer": "Profile", "credentialSubject": "EndorsementSubject", "evidence": "Evidence",
	},
	"Profile": {
		"parentOrg": "Profile", "otherIdentifier": "IdentifierEntry", "address": "Address",
		"endorsement": "EndorsementCredential", "image": "Image",
	},
	"Address": {"geo": "GeoCoordinates"},
	"AchievementSubject": {
		"identifier": "IdentityObject", "achievement": "Achievement", "result": "Result",
		"source": "Profile", "image": "Image",
	},
	"Achievement": {
		"alignment": "Alignment", "creator": "Profile", "resultDescription": "ResultDescription",
		"related": "Related", "otherIdentifier": "IdentifierEntry", "endorsement": "EndorsementCredential",
		"image": "Image",
	},
	"ResultDescription":    {"alignment": "Alignment", "rubricCriterionLevel": "RubricCriterionLevel"},
	"RubricCriterionLevel": {"alignment": "Alignment"},
	"Result":               {"alignment": "Alignment"},
}

// checkClassTypes walks the document along classProps and reports every
// object whose "type" is present (a string or an array) but does not name its
// class. Missing or ill-typed "type" values are left to the schema.
func checkClassTypes(doc any, k Kind) []Violation {
	root := "AchievementCredential"
	if k == Endorsement {
		root = "EndorsementCredential"
	}
	var out []Violation
	var visit func(v any, class, ptr string, depth int)
	visit = func(v any, class, ptr string, depth int) {
		if depth > DefaultMaxDepth { // cycles are impossible in decoded JSON; this bounds hand-built values
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		if depth > 0 { // the top-level type is CheckType's business and the schema's
			if t, present := m["type"]; present && (isString(t) || isArray(t)) && !hasType(t, class) {
				out = append(out, Violation{Pointer: ptr + "/type",
					Reason: fmt.Sprintf("type must include %q, got %q", class, TypesOf(t))})
			}
		}
		for prop, sub := range classProps[class] {
			child, present := m[prop]
			if !present {
				continue
			}
			p := ptr + "/" + prop
			if arr, ok := child.([]any); ok {
				for i, e := range arr {
					visit(e, sub, p+"/"+strconv.Itoa(i), depth+1)
				}
				continue
			}
			visit(child, sub, p, depth+1)
		}
	}
	visit(doc, root, "", 0)
	slices.SortFunc(out, func(a, b Violation) int { return strings.Compare(a.Pointer, b.Pointer) })
	return out
}

func isString(v any) bool { _, ok := v.(string); return ok }
func isArray(v any) bool  { _, ok := v.([]any); return ok }
