// Package obapitest checks, in tests, that what Blason's Open Badges API
// sends is what the published OpenAPI file (obapi.OpenAPI) describes: the
// status is one the operation documents (or its "default"), the media type
// is one it lists, and the body validates against the schema given for
// it, which the OpenAPI takes from its component schemas (AchievementCredential,
// GetOpenBadgeCredentialsResponse, Profile, Imsx_StatusInfo,
// ServiceDescriptionDocument...).
//
// It is not imported by production code.
package obapitest

import (
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/blason-badges/blason/internal/obapi"
)

// docURL names the embedded OpenAPI file for the schema compiler (never
// fetched: the document is added as a resource).
const docURL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/openapi/ob_v3p0_oas.json"

// Validator holds the OpenAPI document and compiles schemas on demand.
type Validator struct {
	doc map[string]any
	c   *jsonschema.Compiler
	mu  sync.Mutex
	got map[string]*jsonschema.Schema
}

var shared = sync.OnceValues(func() (*Validator, error) { return New() })

// Shared returns one Validator for the whole test binary.
func Shared() (*Validator, error) { return shared() }

// New loads the embedded OpenAPI document.
func New() (*Validator, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(obapi.OpenAPI))
	if err != nil {
		return nil, err
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("OpenAPI document is not an object")
	}
	c := jsonschema.NewCompiler()
	// OpenAPI 3.0 schema objects are a subset of JSON Schema draft 5
	// (draft-wright-00), which draft 4's rules read the same way for the
	// keywords this file uses ($ref, type, properties, required, items,
	// enum, pattern, oneOf, anyOf, minItems, additionalProperties, format).
	c.DefaultDraft(jsonschema.Draft4)
	c.AssertFormat()
	if err := c.AddResource(docURL, doc); err != nil {
		return nil, err
	}
	return &Validator{doc: m, c: c, got: map[string]*jsonschema.Schema{}}, nil
}

func (v *Validator) compile(ptr string) (*jsonschema.Schema, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if s, ok := v.got[ptr]; ok {
		return s, nil
	}
	s, err := v.c.Compile(docURL + "#" + ptr)
	if err != nil {
		return nil, err
	}
	v.got[ptr] = s
	return s, nil
}

func escape(tok string) string {
	return strings.ReplaceAll(strings.ReplaceAll(tok, "~", "~0"), "/", "~1")
}

// Schema validates body (JSON) against components.schemas[name].
func (v *Validator) Schema(name string, body []byte) error {
	s, err := v.compile("/components/schemas/" + escape(name))
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("body is not JSON: %w", err)
	}
	return s.Validate(inst)
}

// Response validates one response of the operation at path (relative to
// the API base, e.g. "/credentials") and method.
func (v *Validator) Response(method, path string, status int, contentType string, body []byte) error {
	paths, _ := v.doc["paths"].(map[string]any)
	item, _ := paths[path].(map[string]any)
	op, _ := item[strings.ToLower(method)].(map[string]any)
	if op == nil {
		// A method the path does not have: the only right answer is 405,
		// with the API's error payload (every documented operation lists
		// 405 as an Imsx_StatusInfo).
		if item != nil && status == http.StatusMethodNotAllowed {
			return v.Schema("Imsx_StatusInfo", body)
		}
		return fmt.Errorf("the OpenAPI has no operation %s %s", method, path)
	}
	responses, _ := op["responses"].(map[string]any)
	code := strconv.Itoa(status)
	if _, ok := responses[code]; !ok {
		if _, ok := responses["default"]; !ok {
			return fmt.Errorf("%s %s: status %d is not documented and there is no default", method, path, status)
		}
		code = "default"
	}
	resp, _ := responses[code].(map[string]any)
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) != 0 {
			return fmt.Errorf("%s %s %d: documented without a body, got %d bytes", method, path, status, len(body))
		}
		return nil
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("%s %s %d: Content-Type %q: %w", method, path, status, contentType, err)
	}
	if _, ok := content[mt]; !ok {
		return fmt.Errorf("%s %s %d: media type %q is not one of the documented %v", method, path, status, mt, keys(content))
	}
	s, err := v.compile("/paths/" + escape(path) + "/" + strings.ToLower(method) + "/responses/" + code + "/content/" + escape(mt) + "/schema")
	if err != nil {
		return err
	}
	var inst any
	if mt == "text/plain" {
		inst = strings.TrimSpace(string(body))
	} else if inst, err = jsonschema.UnmarshalJSON(bytes.NewReader(body)); err != nil {
		return fmt.Errorf("%s %s %d: body is not JSON: %w", method, path, status, err)
	}
	if err := s.Validate(inst); err != nil {
		return fmt.Errorf("%s %s %d (%s): %w", method, path, status, mt, err)
	}
	return nil
}

// HTTP validates a recorded response; base is the API base path
// ("/ims/ob/v3p0") stripped from the request path.
func (v *Validator) HTTP(req *http.Request, status int, header http.Header, body []byte) error {
	path := strings.TrimPrefix(req.URL.Path, obapi.BasePath)
	return v.Response(req.Method, path, status, header.Get("Content-Type"), body)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
