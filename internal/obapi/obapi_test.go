package obapi_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obapi/obapitest"
)

func validator(t *testing.T) *obapitest.Validator {
	t.Helper()
	v, err := obapitest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestEmbeddedOpenAPIHash(t *testing.T) {
	t.Parallel()
	sum := sha256.Sum256(obapi.OpenAPI)
	if got := hex.EncodeToString(sum[:]); got != obapi.OpenAPISHA256 {
		t.Fatalf("embedded OpenAPI sha256 %s, want %s (assets/README.md)", got, obapi.OpenAPISHA256)
	}
}

func host() obapi.Host {
	return obapi.Host{
		Title: "Blason test host", TermsOfService: "https://host.example/terms", PrivacyPolicy: "https://host.example/privacy",
		Image: "https://host.example/logo.png", APIBase: "https://host.example/ims/ob/v3p0",
		AuthorizationURL: "https://host.example/oauth/authorize", TokenURL: "https://host.example/oauth/token",
		RegistrationURL: "https://host.example/oauth/register",
	}
}

// The profiled document is valid against the ServiceDescriptionDocument
// schema and the discovery operation's 200 response, carries the §7 profile
// fields, and a client reads back what the host put in.
func TestServiceDescription(t *testing.T) {
	t.Parallel()
	b, err := obapi.ServiceDescription(host())
	if err != nil {
		t.Fatal(err)
	}
	v := validator(t)
	if err := v.Schema("ServiceDescriptionDocument", b); err != nil {
		t.Fatal(err)
	}
	if err := v.Response("GET", "/discovery", 200, "application/json", b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Info       map[string]any `json:"info"`
		Paths      map[string]any `json:"paths"`
		Components struct {
			SecuritySchemes map[string]struct {
				Type  string `json:"type"`
				Reg   string `json:"x-imssf-registrationUrl"`
				Flows struct {
					Code struct {
						Scopes map[string]string `json:"scopes"`
					} `json:"authorizationCode"`
				} `json:"flows"`
			} `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info["x-imssf-privacyPolicyUrl"] != "https://host.example/privacy" || doc.Info["termsOfService"] != "https://host.example/terms" {
		t.Errorf("info = %v", doc.Info)
	}
	acg := doc.Components.SecuritySchemes["OAuth2ACG"]
	if acg.Type != "oauth2" || acg.Reg != "https://host.example/oauth/register" {
		t.Errorf("OAuth2ACG = %+v", acg)
	}
	for _, s := range obapi.Scopes {
		if acg.Flows.Code.Scopes[s] == "" {
			t.Errorf("scope %s missing", s)
		}
	}
	if len(doc.Paths) != 3 {
		t.Errorf("paths %v, want the three published", doc.Paths)
	}
	sdd, err := obapi.ParseSDD(b)
	if err != nil {
		t.Fatal(err)
	}
	want := &obapi.SDD{Title: "Blason test host", TermsOfService: "https://host.example/terms", PrivacyPolicy: "https://host.example/privacy",
		Image: "https://host.example/logo.png", APIBase: "https://host.example/ims/ob/v3p0",
		AuthorizationURL: "https://host.example/oauth/authorize", TokenURL: "https://host.example/oauth/token",
		RefreshURL: "https://host.example/oauth/token", RegistrationURL: "https://host.example/oauth/register", Scopes: acg.Flows.Code.Scopes}
	if !reflect.DeepEqual(sdd, want) {
		t.Errorf("ParseSDD = %+v\nwant %+v", sdd, want)
	}
	// The published file itself is not a valid SDD: its sample URLs lack a
	// scheme and it has no registration URL or privacy policy.
	if _, err := obapi.ParseSDD(obapi.OpenAPI); err == nil {
		t.Error("ParseSDD accepted the unprofiled OpenAPI file")
	}
}

func TestServiceDescriptionRefusesBadHost(t *testing.T) {
	t.Parallel()
	for name, mod := range map[string]func(*obapi.Host){
		"no privacy":         func(h *obapi.Host) { h.PrivacyPolicy = "" },
		"http token":         func(h *obapi.Host) { h.TokenURL = "http://host.example/oauth/token" },
		"relative register":  func(h *obapi.Host) { h.RegistrationURL = "/oauth/register" },
		"userinfo authorize": func(h *obapi.Host) { h.AuthorizationURL = "https://a@host.example/x" },
	} {
		h := host()
		mod(&h)
		if _, err := obapi.ServiceDescription(h); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	h := host()
	h.TokenURL = "http://127.0.0.1:8080/oauth/token"
	if _, err := obapi.ServiceDescription(h); err != nil {
		t.Errorf("loopback http: %v", err)
	}
}

func TestCheckURL(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://a.example/cb":        true,
		"http://127.0.0.1:9/cb":       true,
		"http://[::1]:9/cb":           true,
		"http://localhost/cb":         true,
		"http://127.evil.example/cb":  false,
		"http://a.example/cb":         false,
		"https://a.example/cb#frag":   false,
		"javascript:alert(1)":         false,
		"//a.example/cb":              false,
		"https://user:pw@a.example/x": false,
	} {
		if err := obapi.CheckURL(raw); (err == nil) != ok {
			t.Errorf("CheckURL(%q) = %v, want ok=%v", raw, err, ok)
		}
	}
}

// Every error body the package builds is a valid Imsx_StatusInfo and a
// valid body for each status the operations document.
func TestStatusInfoValidates(t *testing.T) {
	t.Parallel()
	v := validator(t)
	for _, e := range []*obapi.Error{
		obapi.BadRequest(obapi.MinorInvalidQueryParam, "limit"), obapi.Unauthorized("no token"), obapi.Forbidden("scope"),
		obapi.NotFound("none"), obapi.MethodNotAllowed("no"), obapi.Internal(), obapi.Busy(),
	} {
		b, _ := json.Marshal(e.Info)
		if err := v.Schema("Imsx_StatusInfo", b); err != nil {
			t.Errorf("%d: %v", e.Status, err)
		}
		if err := v.Response("GET", "/credentials", e.Status, "application/json", b); err != nil {
			t.Errorf("%d: %v", e.Status, err)
		}
		if got, ok := obapi.ParseStatusInfo(b); !ok || got.CodeMinor.Fields[0].Value != e.Info.CodeMinor.Fields[0].Value {
			t.Errorf("ParseStatusInfo round trip: %+v %v", got, ok)
		}
	}
	b, _ := json.Marshal(obapi.Processing("queued"))
	if err := v.Response("PUT", "/profile", 202, "application/json", b); err != nil {
		t.Error(err)
	}
}

// The validator is not a rubber stamp: the spec's own getCredentials
// example (compactJwsStrings, not the schema's compactJwsString), an
// undocumented media type and a malformed status body all fail.
func TestValidatorRefuses(t *testing.T) {
	t.Parallel()
	v := validator(t)
	example, err := os.ReadFile("testdata/api-getcredentials-response-body.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := v.Response("GET", "/credentials", 200, "application/json", example); err == nil {
		t.Error("the example with compactJwsStrings validated")
	}
	fixed := []byte(strings.Replace(string(example), "compactJwsStrings", "compactJwsString", 1))
	if err := v.Response("GET", "/credentials", 200, "application/json", fixed); err != nil {
		t.Errorf("with the schema's key name the example validates: %v", err)
	}
	good := []byte(`{"compactJwsString":["eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2ln"]}`)
	if err := v.Response("GET", "/credentials", 200, "application/json", good); err != nil {
		t.Errorf("a valid page: %v", err)
	}
	for name, c := range map[string]struct {
		method, path string
		status       int
		ct, body     string
	}{
		"bad jws":        {"GET", "/credentials", 200, "application/json", `{"compactJwsString":["not a jws"]}`},
		"extra key":      {"GET", "/credentials", 200, "application/json", `{"credentials":[]}`},
		"html":           {"GET", "/credentials", 200, "text/html", `{}`},
		"status no code": {"GET", "/credentials", 400, "application/json", `{"imsx_severity":"error"}`},
		"status enum":    {"GET", "/credentials", 400, "application/json", `{"imsx_codeMajor":"oops","imsx_severity":"error"}`},
		"no operation":   {"DELETE", "/credentials", 200, "application/json", `{}`},
		"jws text bad":   {"POST", "/credentials", 201, "text/plain", `a.b`},
	} {
		if err := v.Response(c.method, c.path, c.status, c.ct, []byte(c.body)); err == nil {
			t.Errorf("%s: validated", name)
		}
	}
	if err := v.Response("POST", "/credentials", 201, "text/plain", []byte("eyJhIjoxfQ.eyJhIjoxfQ.c2ln")); err != nil {
		t.Errorf("jws text: %v", err)
	}
}

func TestParsePage(t *testing.T) {
	t.Parallel()
	since := time.Date(2024, 1, 31, 9, 0, 0, 0, time.UTC)
	for q, want := range map[string]*obapi.Page{
		"":                                  {Limit: obapi.DefaultLimit},
		"limit=2&offset=4":                  {Limit: 2, Offset: 4},
		"limit=100000":                      {Limit: obapi.MaxLimit},
		"since=2024-01-31T09:00:00Z":        {Limit: obapi.DefaultLimit, Since: since},
		"since=2024-01-31T10:00:00%2B01:00": {Limit: obapi.DefaultLimit, Since: since},
		"since=2024-01-31T09:00:00":         {Limit: obapi.DefaultLimit, Since: since},
		"limit=0":                           nil,
		"limit=-1":                          nil,
		"limit=":                            nil,
		"limit=1.5":                         nil,
		"offset=-1":                         nil,
		"offset=x":                          nil,
		"since=yesterday":                   nil,
		"limit=1&limit=2":                   nil,
	} {
		vals, _ := url.ParseQuery(q)
		got, err := obapi.ParsePage(vals)
		if want == nil {
			if err == nil || err.Status != http.StatusBadRequest || err.Info.CodeMinor.Fields[0].Value != obapi.MinorInvalidQueryParam {
				t.Errorf("%q: %+v, %v; want 400 invalid_query_parameter", q, got, err)
			}
			continue
		}
		if err != nil || !got.Since.Equal(want.Since) || got.Limit != want.Limit || got.Offset != want.Offset {
			t.Errorf("%q: %+v, %v; want %+v", q, got, err, *want)
		}
	}
}

func TestPageLinks(t *testing.T) {
	t.Parallel()
	self := "https://h.example/ims/ob/v3p0/credentials"
	type c struct {
		limit, offset, total int
		want                 map[string]string // rel -> offset
	}
	for _, tc := range []c{
		{2, 0, 5, map[string]string{"first": "0", "next": "2", "last": "4"}},
		{2, 2, 5, map[string]string{"first": "0", "next": "4", "prev": "0", "last": "4"}},
		{2, 4, 5, map[string]string{"first": "0", "prev": "2", "last": "4"}},
		{2, 0, 0, map[string]string{"first": "0", "last": "0"}},
		{2, 0, 2, map[string]string{"first": "0", "last": "0"}},
		{2, 9, 5, map[string]string{"first": "0", "prev": "4", "last": "4"}},
		{3, 1, 7, map[string]string{"first": "0", "next": "4", "prev": "0", "last": "6"}},
	} {
		links := obapi.PageLinks(self, obapi.Page{Limit: tc.limit, Offset: tc.offset}, tc.total)
		parsed := obapi.ParseLinkHeader(obapi.LinkHeader(links))
		got := map[string]string{}
		for rel, u := range parsed {
			pu, err := url.Parse(u)
			if err != nil || pu.Scheme+"://"+pu.Host+pu.Path != self {
				t.Errorf("%+v: link %s = %q", tc, rel, u)
			}
			if pu.Query().Get("limit") != itoa(tc.limit) {
				t.Errorf("%+v: link %s lost limit: %q", tc, rel, u)
			}
			got[rel] = pu.Query().Get("offset")
		}
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: links %v, want %v", tc, got, tc.want)
		}
	}
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	l := obapi.PageLinks(self, obapi.Page{Limit: 1, Since: since}, 3)
	if !strings.Contains(l[0].URL, "since=2024-01-01T00%3A00%3A00Z") {
		t.Errorf("since not carried: %v", l)
	}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestParseLinkHeaderForms(t *testing.T) {
	t.Parallel()
	got := obapi.ParseLinkHeader(`<https://a/x?a=1,2>; rel="next", <https://a/y>;rel=last , garbage, <https://a/z>; title="a, b"; rel="first prev"`)
	want := map[string]string{"next": "https://a/x?a=1,2", "last": "https://a/y", "first": "https://a/z", "prev": "https://a/z"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v", got)
	}
}

func readCred(t *testing.T, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// §10's samples: A, B and D are the same credential; C is the same
// credential, issued later, and supersedes A; A does not supersede C.
func TestEquality(t *testing.T) {
	t.Parallel()
	a, c := readCred(t, "spec-10-equality-credential-A.json"), readCred(t, "spec-10-equality-credential-C.json")
	ka, err := obapi.KeyOf(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"B", "C", "D"} {
		k, err := obapi.KeyOf(readCred(t, "spec-10-equality-credential-"+n+".json"))
		if err != nil || k != ka {
			t.Errorf("%s: key %+v %v, want %+v", n, k, err, ka)
		}
	}
	if !obapi.Supersedes(c, a) || obapi.Supersedes(a, c) || !obapi.Supersedes(a, a) {
		t.Error("validFrom ordering wrong")
	}
	// Percent-encoding and surrounding whitespace do not make another
	// credential; another issuer or id does.
	enc := map[string]any{"id": " http://example.edu/credentials/%33732 ", "issuer": map[string]any{"id": "https://example.edu/issuers/565049\n"}}
	if k, _ := obapi.KeyOf(enc); k != ka {
		t.Errorf("encoded key %+v != %+v", k, ka)
	}
	for _, m := range []map[string]any{
		{"id": "http://example.edu/credentials/3733", "issuer": "https://example.edu/issuers/565049"},
		{"id": "http://example.edu/credentials/3732", "issuer": "https://example.edu/issuers/565050"},
	} {
		if k, _ := obapi.KeyOf(m); k == ka {
			t.Errorf("%v has the same key", m)
		}
	}
	for _, m := range []map[string]any{{"issuer": "https://i"}, {"id": "urn:x"}, {"id": "urn:x", "issuer": map[string]any{}}, {"id": "  ", "issuer": "x"}} {
		if _, err := obapi.KeyOf(m); err == nil {
			t.Errorf("%v: key without id or issuer", m)
		}
	}
}
