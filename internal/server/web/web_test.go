package web

import (
	"context"
	"encoding/json"
	"errors"
	stdhtml "html"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
	"github.com/blason-badges/blason/verifier"
)

var now = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// fixture is a badge issued by the fixed key testkit.Key(0), whose
// issuer's name carries markup that the pages must escape.
type fixture struct {
	testkit.Signer
	badge []byte
}

func newFixture(t testing.TB, patch func(map[string]any)) fixture {
	s := testkit.Ed25519(t, 0)
	doc := testkit.Badge(s.DID, func(m map[string]any) {
		m["issuer"].(map[string]any)["name"] = "Science & Society Lab <script>alert(1)</script>"
		if patch != nil {
			patch(m)
		}
	})
	return fixture{s, testissuer.Sign(t, s, doc, now)}
}

func newHandler(known map[string]string, fetch func(context.Context, string) ([]byte, error)) *Handler {
	return New(Config{
		Verifier: verifier.New(verifier.Options{Now: func() time.Time { return now }}),
		Known:    known, Fetch: fetch, Now: func() time.Time { return now },
		JSON: func(w http.ResponseWriter, verified bool, checks []verifier.Check, report any) {
			w.Header().Set("Content-Type", "application/json")
			if !verified {
				w.WriteHeader(http.StatusUnprocessableEntity)
			}
			json.NewEncoder(w).Encode(map[string]any{"verified": verified, "report": report})
		},
		Problem: func(w http.ResponseWriter, status int, kind, detail string) {
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]any{"type": kind, "detail": detail})
		},
	})
}

func post(h http.Handler, lang string, fields map[string]string, header map[string]string) *httptest.ResponseRecorder {
	form := url.Values{}
	for k, v := range fields {
		form.Set(k, v)
	}
	r := httptest.NewRequest("POST", "/verify?lang="+lang, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// rawKey matches a message key shown instead of its text.
var rawKey = regexp.MustCompile(`\b(check|outcome|verdict|issuer|badge|todo|verify|recipient|status|proof|validity)\.[a-z][a-z-]*`)

// visibleText strips tags, for asserting what a person reads.
func visibleText(html string) string {
	html = regexp.MustCompile(`(?s)<style[^>]*>.*?</style>`).ReplaceAllString(html, " ")
	html = regexp.MustCompile(`(?s)<[^>]*>`).ReplaceAllString(html, " ")
	return strings.Join(strings.Fields(stdhtml.UnescapeString(html)), " ")
}

func TestVerifyPageVerdicts(t *testing.T) {
	good := newFixture(t, nil)
	expired := newFixture(t, func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" })
	tampered := strings.Replace(string(good.badge), "Peer nominated.", "Nominated by the board.", 1)
	h := newHandler(nil, nil)
	cases := []struct {
		name, lang, cred string
		status           int
		says             []string
	}{
		{"genuine, English", "en", string(good.badge), 200, []string{"Genuine and valid", "Teamwork", "Works well in a team.", "anonymous key", "Unknown issuer", "1 January 2026"}},
		{"genuine, French", "fr", string(good.badge), 200, []string{"Authentique et valide", "clé anonyme", "Émetteur inconnu", "1er janvier 2026", "Toutes les vérifications"}},
		{"expired", "en", string(expired.badge), 422, []string{"Genuine, but expired", "1 February 2026"}},
		{"expired, French", "fr", string(expired.badge), 422, []string{"Authentique, mais expiré"}},
		{"tampered", "en", tampered, 422, []string{"Not genuine", "Do not rely on this badge", "Nothing proves who issued it"}},
		{"tampered, French", "fr", tampered, 422, []string{"Non authentique", "Rien ne prouve qui l'a émis"}},
		{"unreadable", "en", "this is not a badge", 422, []string{"Could not read this", "Nothing was verified"}},
		{"unreadable, French", "fr", "\x89PNG garbage", 422, []string{"Illisible"}},
		{"duplicate keys", "en", `{"name": "a", "name": "b"}`, 422, []string{"Could not read this", "duplicate key"}},
		{"larger than a credential may be", "fr", `{"name": "` + strings.Repeat("x", 1<<20) + `"}`, 422, []string{"Illisible"}},
		{"saved by a browser (BOM, CRLF)", "en", "\xef\xbb\xbf" + strings.ReplaceAll(string(good.badge), ",", ",\r\n"), 200, []string{"Genuine and valid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := post(h, c.lang, map[string]string{"credential": c.cred}, nil)
			body := w.Body.String()
			text := visibleText(body)
			if w.Code != c.status {
				t.Fatalf("status %d, want %d: %s", w.Code, c.status, text)
			}
			for _, s := range c.says {
				if !strings.Contains(text, s) {
					t.Errorf("the page does not say %q:\n%s", s, text)
				}
			}
			if !strings.Contains(body, `<html lang="`+c.lang+`">`) {
				t.Error("no lang attribute")
			}
			if k := rawKey.FindString(text); k != "" {
				t.Errorf("the text key %q reached the page:\n%s", k, text)
			}
			if strings.Contains(body, "<script>alert(1)") {
				t.Fatal("a string from the credential reached the page unescaped")
			}
			if n := len(body); n > 60<<10 {
				t.Errorf("page weighs %d bytes, over 60 KB", n)
			}
		})
	}
}

func TestKnownIssuer(t *testing.T) {
	good := newFixture(t, nil)
	h := newHandler(map[string]string{good.DID: "Lab"}, nil)
	text := visibleText(post(h, "en", map[string]string{"credential": string(good.badge)}, nil).Body.String())
	if !strings.Contains(text, "Known issuer") || strings.Contains(text, "Unknown issuer") {
		t.Fatalf("known issuer not shown as known:\n%s", text)
	}
}

// TestRecipientConfirmation: a hashed e-mail recipient can be confirmed (or
// not) from the report, without uploading again.
func TestRecipientConfirmation(t *testing.T) {
	good := newFixture(t, nil)
	h := newHandler(nil, nil)
	page := post(h, "en", map[string]string{"credential": string(good.badge)}, nil).Body.String()
	if !strings.Contains(page, `name="email"`) {
		t.Fatal("no e-mail field for a hashed recipient")
	}
	for _, c := range []struct {
		email string
		says  string
	}{{"someone.else@example.org", "It was not awarded to the person you named."}} {
		text := visibleText(post(h, "en", map[string]string{"credential": string(good.badge), "email": c.email}, nil).Body.String())
		if !strings.Contains(text, c.says) {
			t.Errorf("%s: page does not say %q:\n%s", c.email, c.says, text)
		}
	}
}

func TestVerifyJSONAndErrors(t *testing.T) {
	good := newFixture(t, nil)
	h := newHandler(nil, nil)
	w := post(h, "en", map[string]string{"credential": string(good.badge)}, map[string]string{"Accept": "application/json"})
	var res struct {
		Verified bool            `json:"verified"`
		Report   verifier.Report `json:"report"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 || !res.Verified || res.Report.Credential.Name != "Teamwork" {
		t.Fatalf("JSON: %d %v %s", w.Code, err, w.Body)
	}
	w = post(h, "en", map[string]string{"credential": "nope"}, map[string]string{"Accept": "application/json"})
	if w.Code != 400 || !strings.Contains(w.Header().Get("Content-Type"), "json") {
		t.Fatalf("unreadable JSON: %d %s", w.Code, w.Body)
	}
	// Nothing given.
	if w := post(h, "fr", map[string]string{}, nil); w.Code != 400 || !strings.Contains(visibleText(w.Body.String()), "Fournissez un fichier") {
		t.Fatalf("empty form: %d %s", w.Code, visibleText(w.Body.String()))
	}
	// A cross-site form post is refused.
	w = post(h, "en", map[string]string{"credential": string(good.badge)}, map[string]string{"Sec-Fetch-Site": "cross-site"})
	if w.Code != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", w.Code)
	}
	// Too large.
	small := New(Config{Verifier: verifier.New(verifier.Options{}), MaxUpload: 1024})
	if w := post(small, "en", map[string]string{"credential": strings.Repeat("x", 4096)}, nil); w.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("too large: %d", w.Code)
	}
}

func TestUploadAndURL(t *testing.T) {
	good := newFixture(t, nil)
	var fetched string
	h := newHandler(nil, func(_ context.Context, u string) ([]byte, error) {
		fetched = u
		if u == "https://lab.example/badges/1" {
			return good.badge, nil
		}
		return nil, errors.New("404")
	})
	// Multipart upload of a JSON file.
	var buf strings.Builder
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "badge.json")
	fw.Write(good.badge)
	mw.Close()
	r := httptest.NewRequest("POST", "/verify", strings.NewReader(buf.String()))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || !strings.Contains(visibleText(w.Body.String()), "Genuine and valid") {
		t.Fatalf("upload: %d %s", w.Code, visibleText(w.Body.String()))
	}
	// GET /verify?url= opens on the report.
	r = httptest.NewRequest("GET", "/verify?url="+url.QueryEscape("https://lab.example/badges/1"), nil)
	r.Header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != 200 || fetched != "https://lab.example/badges/1" || !strings.Contains(visibleText(w.Body.String()), "Authentique et valide") {
		t.Fatalf("by address: %d %q %s", w.Code, fetched, visibleText(w.Body.String()))
	}
	// Only https addresses; an unreachable one says so.
	for _, u := range []string{"http://lab.example/b", "https://lab.example/missing", "file:///etc/passwd"} {
		r = httptest.NewRequest("GET", "/verify?url="+url.QueryEscape(u), nil)
		w = httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code < 400 || !strings.Contains(visibleText(w.Body.String()), "could not be fetched") {
			t.Fatalf("%s: %d %s", u, w.Code, visibleText(w.Body.String()))
		}
	}
}

func TestSecurityHeadersAndStatic(t *testing.T) {
	h := newHandler(nil, nil)
	for _, path := range []string{"/verify", "/static/blason.css", "/static/favicon.svg"} {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
		csp := w.Header().Get("Content-Security-Policy")
		if !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
			t.Fatalf("%s: CSP %q", path, csp)
		}
		if w.Header().Get("X-Content-Type-Options") != "nosniff" || w.Header().Get("Referrer-Policy") != "same-origin" {
			t.Fatalf("%s: headers %v", path, w.Header())
		}
	}
	// The language switch sets a cookie that later pages follow.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest("GET", "/verify?lang=fr", nil))
	cookie := w.Result().Cookies()
	if len(cookie) != 1 || cookie[0].Value != "fr" || !cookie[0].HttpOnly {
		t.Fatalf("cookie %v", cookie)
	}
	r := httptest.NewRequest("GET", "/verify", nil)
	r.AddCookie(cookie[0])
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if !strings.Contains(w.Body.String(), `lang="fr"`) {
		t.Fatal("the language cookie is not followed")
	}
}

// TestTemplatesUseKnownKeys: every key a template asks for has texts, and
// every message a report can carry has a French and an English sentence.
func TestTemplatesUseKnownKeys(t *testing.T) {
	keyUse := regexp.MustCompile(`t \S+ "([a-z0-9.\-]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(templateFS, path)
		for _, m := range keyUse.FindAllSubmatch(b, -1) {
			if !i18n.Has(string(m[1])) {
				t.Errorf("%s uses unknown key %q", path, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for key := range verifier.English {
		if !i18n.Has(key) {
			t.Errorf("report message %q has no French and English text in internal/i18n", key)
		}
	}
	for _, o := range []verifier.Outcome{verifier.NotRun, verifier.Passed, verifier.Failed, verifier.Warning, verifier.Unknown, verifier.Skipped} {
		if !i18n.Has("outcome." + o.String()) {
			t.Errorf("outcome %s has no text", o)
		}
	}
}

// TestPresentationVerdicts: a presentation's headline is the worst of its
// own checks and its badges', and never better than its verdict.
func TestPresentationVerdicts(t *testing.T) {
	holderKey := testkit.Key(7)
	holder, holderVM, _ := did.KeyDID(holderKey.Public())
	present := func(creds ...[]byte) string {
		var list []any
		for _, c := range creds {
			var m map[string]any
			json.Unmarshal(c, &m)
			list = append(list, m)
		}
		doc := map[string]any{"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiablePresentation"},
			"holder": holder, "verifiableCredential": list}
		signed, err := dataintegrity.Sign(doc, holderKey, dataintegrity.SignOptions{VerificationMethod: holderVM,
			Purpose: dataintegrity.PurposeAuthentication, Challenge: "c", Created: now})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(signed)
		return string(b)
	}
	good := newFixture(t, nil)
	revoked, lists := revokedFixture(t)
	h := New(Config{Verifier: verifier.New(verifier.Options{Now: func() time.Time { return now }, Fetcher: lists}),
		Now: func() time.Time { return now }})
	forged := strings.Replace(present(good.badge), `"holder":"`+holder, `"holder":"did:example:mallory`, 1)
	for _, c := range []struct {
		name, vp string
		says     string
	}{
		{"genuine", present(good.badge), "Genuine and valid"},
		{"a revoked badge inside", present(good.badge, revoked.badge), "Revoked"},
		{"altered presentation", forged, "Not genuine"},
	} {
		text := visibleText(post(h, "en", map[string]string{"credential": c.vp}, nil).Body.String())
		if !strings.Contains(text, c.says) {
			t.Errorf("%s: the page does not say %q:\n%s", c.name, c.says, text)
		}
	}
}
