package obapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/oauth"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obapi/obapitest"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	"github.com/blason-badges/blason/internal/server/obapi"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// memWallet is an in-memory Wallet: the host part's contract, kept by a
// map. It applies the §10 rule as the contract says.
type memWallet struct {
	mu       sync.Mutex
	owners   map[string]*obapi.Owner
	creds    map[string][]stored // by user, in insertion order
	profiles map[string][]byte
}

type stored struct {
	held      obapi.Held
	key       ob.Key
	validFrom time.Time
}

func newWallet() *memWallet {
	return &memWallet{owners: map[string]*obapi.Owner{}, creds: map[string][]stored{}, profiles: map[string][]byte{}}
}

func (w *memWallet) Owner(_ context.Context, user string) (*obapi.Owner, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	o, ok := w.owners[user]
	if !ok {
		return nil, io.ErrUnexpectedEOF
	}
	return o, nil
}

func (w *memWallet) Credentials(_ context.Context, user string, p ob.Page) ([]obapi.Held, int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var all []stored
	for _, s := range w.creds[user] {
		if p.Since.IsZero() || s.validFrom.After(p.Since) {
			all = append(all, s)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].validFrom.Before(all[j].validFrom) })
	var out []obapi.Held
	for i := p.Offset; i < len(all) && i < p.Offset+p.Limit; i++ {
		out = append(out, all[i].held)
	}
	return out, len(all), nil
}

func (w *memWallet) Upsert(_ context.Context, user string, c obapi.Upsert) (bool, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, s := range w.creds[user] {
		if s.key == c.Key {
			if !c.ValidFrom.Before(s.validFrom) {
				w.creds[user][i] = stored{obapi.Held{Raw: c.Raw, JWS: c.JWS}, c.Key, c.ValidFrom}
			}
			return false, nil
		}
	}
	w.creds[user] = append(w.creds[user], stored{obapi.Held{Raw: c.Raw, JWS: c.JWS}, c.Key, c.ValidFrom})
	return true, nil
}

func (w *memWallet) Profile(_ context.Context, user string) ([]byte, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if b, ok := w.profiles[user]; ok {
		return b, nil
	}
	return nil, obapi.ErrNoProfile
}

func (w *memWallet) PutProfile(_ context.Context, user string, b []byte) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.profiles[user] = b
	return nil
}

// host is Blason's OB API host and authorization server on a loopback
// test server; every response under /ims/ob/v3p0 is validated against the
// published OpenAPI as it is sent.
type host struct {
	t      *testing.T
	ts     *httptest.Server
	wallet *memWallet
	oauth  *oauth.Server
	mu     sync.Mutex
	seen   int // API responses validated
}

const cookieUser = "test_user"

func newHost(t *testing.T) *host {
	t.Helper()
	store, err := oauthdb.Open(context.Background(), sqldbtest.SQLite(t))
	if err != nil {
		t.Fatal(err)
	}
	h := &host{t: t, wallet: newWallet()}
	h.wallet.owners["alice"] = &obapi.Owner{Email: "alice@example.org", ProfileID: "https://blason.test/users/alice", Name: "Alice"}
	h.wallet.owners["bob"] = &obapi.Owner{Email: "bob@example.org", DIDs: []string{"did:example:bob"}}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	var ts *httptest.Server
	v, err := obapitest.Shared()
	if err != nil {
		t.Fatal(err)
	}
	// Validate every API response (the test server runs handlers on
	// other goroutines; t.Errorf is safe there).
	handler := http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path == "/signin" {
			signIn(w, req)
			return
		}
		if req.URL.Path == "/static/blason.css" {
			// The pages' stylesheet, as the server serves it beside this
			// part: the screenshots show the page as people see it.
			css, err := os.ReadFile("../web/static/blason.css")
			if err != nil {
				t.Error(err)
			}
			w.Header().Set("Content-Type", "text/css; charset=utf-8")
			_, _ = w.Write(css)
			return
		}
		if !strings.HasPrefix(req.URL.Path, ob.BasePath+"/") {
			r.ServeHTTP(w, req)
			return
		}
		rec := httptest.NewRecorder()
		r.ServeHTTP(rec, req)
		if rec.Code != http.StatusNotModified {
			if err := v.HTTP(req, rec.Code, rec.Header(), rec.Body.Bytes()); err != nil {
				t.Errorf("response not as the OpenAPI describes: %v\nbody: %s", err, rec.Body)
			}
		}
		h.mu.Lock()
		h.seen++
		h.mu.Unlock()
		for k, vs := range rec.Header() {
			w.Header()[k] = vs
		}
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
	})
	ts = httptest.NewServer(handler)
	t.Cleanup(ts.Close)
	h.ts = ts
	h.oauth, err = oauth.New(store, oauth.Config{Secret: bytes.Repeat([]byte{7}, 32), TokenURL: ts.URL + oauthpart.PathToken})
	if err != nil {
		t.Fatal(err)
	}
	sdd, err := ob.ServiceDescription(ob.Host{Title: "Blason test host", TermsOfService: ts.URL + "/terms", PrivacyPolicy: ts.URL + "/privacy",
		APIBase: ts.URL + ob.BasePath, AuthorizationURL: ts.URL + oauthpart.PathAuthorize, TokenURL: ts.URL + oauthpart.PathToken,
		RegistrationURL: ts.URL + oauthpart.PathRegister})
	if err != nil {
		t.Fatal(err)
	}
	sh := part.Shared{MaxBody: 1 << 20, BodyTimeout: 5 * time.Second}
	obapi.New(sh, obapi.Config{OAuth: h.oauth, Wallet: h.wallet, Verifier: verifier.New(verifier.Options{}), SDD: sdd,
		PerSecond: 1000, Burst: 1000}).Mount(r)
	oauthpart.New(sh, oauthpart.Config{
		OAuth: h.oauth, Lang: i18n.EN,
		CurrentUser: func(req *http.Request) *oauthpart.User {
			c, err := req.Cookie(cookieUser)
			if err != nil || h.wallet.owners[c.Value] == nil {
				return nil
			}
			return &oauthpart.User{ID: c.Value, Label: h.wallet.owners[c.Value].Email}
		},
		SignIn:          func(next string) string { return "/signin?next=" + url.QueryEscape(next) },
		RegisterPerHour: 3600 * 100, RegisterBurst: 100, TokenPerSecond: 100, TokenBurst: 100,
		FetchLogo: func(ctx context.Context, u string) ([]byte, error) {
			r, err := fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true}).Get(ctx, u)
			if err != nil {
				return nil, err
			}
			return r.Body, nil
		},
	}).Mount(r)
	return h
}

// signIn stands in for the account pages: a button that signs in as
// alice and goes back to next (a path on this site).
func signIn(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		http.Error(w, "bad next", http.StatusBadRequest)
		return
	}
	if r.Method == http.MethodPost {
		http.SetCookie(w, &http.Cookie{Name: cookieUser, Value: "alice", Path: "/", HttpOnly: true})
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = io.WriteString(w, `<!DOCTYPE html><html lang="en"><head><title>Sign in</title></head><body><main><h1>Sign in</h1>`+
		`<form method="post" action="/signin?next=`+url.QueryEscape(next)+`"><button id="signin" type="submit">Sign in as Alice</button></form></main></body></html>`)
}

// badges issues credentials with a did:key issuer (verifiable offline).
type badges struct {
	is *issuer.Issuer
}

func newBadges(t *testing.T) *badges {
	t.Helper()
	k, err := issuer.NewKey(did.Ed25519)
	if err != nil {
		t.Fatal(err)
	}
	return &badges{is: &issuer.Issuer{Profile: issuer.Profile{ID: k.DID, Name: "Test Lab", URL: "https://lab.example"}, Key: k}}
}

func (b *badges) issue(t *testing.T, a issuer.Award) []byte {
	t.Helper()
	if a.Achievement == nil {
		a.Achievement = map[string]any{"id": "https://lab.example/achievements/a", "name": "Teamwork",
			"description": "Worked well with others.", "criteria": map[string]any{"narrative": "Did it."}}
	}
	out, err := b.is.Issue(context.Background(), a)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// browser is a user agent with a session cookie that does not follow
// redirects.
func (h *host) browser(user string) *http.Client {
	jar := &cookieJar{user: user}
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

type cookieJar struct{ user string }

func (j *cookieJar) SetCookies(*url.URL, []*http.Cookie) {}
func (j *cookieJar) Cookies(*url.URL) []*http.Cookie {
	if j.user == "" {
		return nil
	}
	return []*http.Cookie{{Name: cookieUser, Value: j.user}}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
