package web

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

const refreshURL = "https://lab.example/refresh/42"

// versionOf is the badge urn:uuid:...42 issued on validFrom, naming its
// refresh service (or none, or another id).
func versionOf(t *testing.T, id, validFrom string, refresh bool) []byte {
	return newFixture(t, func(m map[string]any) {
		m["id"], m["validFrom"] = id, validFrom
		if refresh {
			// The type is defined by OB 3.0's extensions context.
			m["@context"] = append(m["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
			m["refreshService"] = map[string]any{"id": refreshURL, "type": "1EdTechCredentialRefresh"}
		}
	}).badge
}

var badgeID = regexp.MustCompile(`action="/wallet/c/(crd_[0-9a-f]+)/refresh`)

// The badge page's refresh: the current version from the refresh service
// replaces the badge once; again, it is already current; a service that
// answers another badge, one that does not verify, or none at all leaves
// the badge unchanged; a badge without a service has no button.
func TestWalletRefreshFromBadgePage(t *testing.T) {
	t.Parallel()
	const id = "urn:uuid:aaaaaaaa-0000-4000-8000-000000000042"
	v1, v2 := versionOf(t, id, "2026-01-01T00:00:00Z", true), versionOf(t, id, "2026-03-01T00:00:00Z", true)
	var mu sync.Mutex
	answer, asked := v2, []string{}
	var fetchErr error
	e := newWalletEnvConfig(t, nil, func(c *Config) {
		c.Fetch = func(_ context.Context, u string) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			asked = append(asked, u)
			return answer, fetchErr
		}
	})
	set := func(b []byte, err error) { mu.Lock(); answer, fetchErr = b, err; mu.Unlock() }
	me := e.browser(t)
	formPost(t, me, e.srv.URL+"/signup?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	res, _ := upload(t, me, e.srv.URL+"/wallet/import?lang=en", "badge.json", v1, nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: %d", res.StatusCode)
	}
	_, body := pageGet(t, me, e.srv.URL+loc)
	m := badgeID.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no refresh button on a badge with a refresh service:\n%s", body)
	}
	old := m[1]
	refresh := func(id string) (*http.Response, string) {
		return formPost(t, me, e.srv.URL+"/wallet/c/"+id+"/refresh?lang=en", nil)
	}

	// Another badge answered: unchanged.
	set(versionOf(t, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000099", "2026-05-01T00:00:00Z", true), nil)
	if res, body := refresh(old); res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "answered a different badge") {
		t.Fatalf("mismatch: %d", res.StatusCode)
	}
	// A newer version whose signature is broken: unchanged.
	set([]byte(strings.Replace(string(v2), "Teamwork", "Teamwerk", 1)), nil)
	if res, body := refresh(old); res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "gave no verified newer version") {
		t.Fatalf("forged: %d", res.StatusCode)
	}
	// The service is down: unchanged.
	set(nil, errors.New("connection refused"))
	if res, _ := refresh(old); res.StatusCode != http.StatusBadGateway {
		t.Fatalf("down: %d", res.StatusCode)
	}
	if c, err := e.wallet.Credential(context.Background(), mustUser(t, e), old); err != nil || string(c.Raw) != string(v1) {
		t.Fatalf("the badge changed after failed refreshes: %v", err)
	}

	// The current version replaces it.
	set(v2, nil)
	res, body = refresh(old)
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "The current version replaced the one you had") {
		t.Fatalf("refresh: %d\n%s", res.StatusCode, body)
	}
	list, _ := e.wallet.Credentials(context.Background(), mustUser(t, e))
	if len(list) != 1 || list[0].ID == old || !list[0].Verified {
		t.Fatalf("after refresh: %d badges", len(list))
	}
	if c, err := e.wallet.Credential(context.Background(), mustUser(t, e), list[0].ID); err != nil || string(c.Raw) != string(v2) || c.Source != "refresh: "+refreshURL {
		t.Fatalf("the badge kept is not the current version: %v", err)
	}
	if m := badgeID.FindStringSubmatch(body); m == nil || m[1] != list[0].ID {
		t.Fatalf("the page does not show the current version %s: %v (old %s)", list[0].ID, m, old)
	}
	// Again: already current, nothing replaced.
	if res, body := refresh(list[0].ID); res.StatusCode != http.StatusOK || !strings.Contains(body, "already the current version") {
		t.Fatalf("again: %d", res.StatusCode)
	}
	mu.Lock()
	if len(asked) != 5 || asked[0] != refreshURL {
		t.Errorf("the service was asked %v", asked)
	}
	mu.Unlock()

	// A badge without a refresh service: no button, and 422.
	res, _ = upload(t, me, e.srv.URL+"/wallet/import?lang=en", "other.json",
		versionOf(t, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000007", "2026-01-01T00:00:00Z", false), nil)
	_, body = pageGet(t, me, e.srv.URL+res.Header.Get("Location"))
	if strings.Contains(body, "/refresh?") {
		t.Fatal("a refresh button on a badge without a service")
	}
	other := strings.TrimPrefix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/wallet/c/")
	if res, body := refresh(other); res.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "names no refresh service") {
		t.Fatalf("no service: %d", res.StatusCode)
	}
}

func mustUser(t *testing.T, e *walletEnv) string {
	t.Helper()
	u, err := e.users.Store.UserByEmail(context.Background(), "ada@example.org")
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// Presenting to a verifier's address posts the signed presentation there
// (VC API body, through the hardened client) and shows its answer as
// text; an http address is refused before anything is sent.
func TestWalletPresentToVerifierURL(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got []map[string]json.RawMessage
	ver := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		var m map[string]json.RawMessage
		json.Unmarshal(b, &m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
		if r.Method != http.MethodPost || r.URL.Path != "/presentations/verify" || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"verified":true,"note":"<script>alert(1)</script>"}`))
	}))
	t.Cleanup(ver.Close)
	pool := x509.NewCertPool()
	pool.AddCert(ver.Certificate())
	// Loopback allowed (the test server); https only, as served.
	client := fetch.New(fetch.Options{AllowPrivate: true, TLSConfig: &tls.Config{RootCAs: pool}, Timeout: 5 * time.Second})
	e := newWalletEnvConfig(t, nil, func(c *Config) { c.Post = wallet.PostWith(client) })
	me := e.browser(t)
	formPost(t, me, e.srv.URL+"/signup?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	res, _ := upload(t, me, e.srv.URL+"/wallet/import?lang=en", "teamwork.png", bakedBadge(t, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000003"), nil)
	id := strings.TrimPrefix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/wallet/c/")

	res, body := formPost(t, me, e.srv.URL+"/wallet/present?lang=en", url.Values{"credential": {id}, "challenge": {"job-42"},
		"domain": {"jobs.example"}, "verifier": {ver.URL + "/presentations/verify"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "answered (status 200)") {
		t.Fatalf("send: %d\n%s", res.StatusCode, body)
	}
	if strings.Contains(body, "<script>alert(1)") || !strings.Contains(body, "&lt;script&gt;alert(1)") {
		t.Fatal("the verifier's answer is not shown as escaped text")
	}
	mu.Lock()
	if len(got) != 1 {
		t.Fatalf("the verifier got %d requests", len(got))
	}
	sent := got[0]
	mu.Unlock()
	var opts struct{ Challenge, Domain string }
	json.Unmarshal(sent["options"], &opts)
	if opts.Challenge != "job-42" || opts.Domain != "jobs.example" {
		t.Fatalf("options sent: %s", sent["options"])
	}
	rep, _ := verifier.New(verifier.Options{Now: func() time.Time { return now }}).VerifyPresentation(context.Background(),
		sent["verifiablePresentation"], verifier.PresentationOptions{Challenge: "job-42", Domain: "jobs.example"})
	if rep == nil || rep.Check(verifier.CheckPresentation).Outcome != verifier.Passed {
		t.Fatal("the presentation sent does not verify for its challenge")
	}
	// The page still shows the presentation, to copy.
	if vp := regexp.MustCompile(`(?s)<textarea id="vp"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body); vp == nil ||
		!json.Valid([]byte(html.UnescapeString(vp[1]))) {
		t.Fatal("no presentation on the page")
	}
	// http, and a foreign scheme: refused, nothing sent.
	for _, to := range []string{strings.Replace(ver.URL, "https://", "http://", 1) + "/presentations/verify", "file:///etc/passwd"} {
		res, body := formPost(t, me, e.srv.URL+"/wallet/present?lang=en", url.Values{"credential": {id}, "challenge": {"job-42"}, "verifier": {to}})
		if res.StatusCode != http.StatusBadGateway || !strings.Contains(body, "could not be sent to that address") {
			t.Errorf("%s: %d\n%s", to, res.StatusCode, body)
		}
	}
	mu.Lock()
	if len(got) != 1 {
		t.Errorf("the verifier got %d requests after refusals", len(got))
	}
	mu.Unlock()
}
