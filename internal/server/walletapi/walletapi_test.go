package walletapi_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	fetchpkg "github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/server"
	"github.com/blason-badges/blason/internal/server/walletapi"
	"github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/internal/store/walletdb"
	"github.com/blason-badges/blason/internal/vcjwt"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

const unsigned = `{
  "@context": ["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
  "id": "ID",
  "type": ["VerifiableCredential", "OpenBadgeCredential"],
  "issuer": {"id": "ISSUER", "type": ["Profile"], "name": "Science & Society Lab"},
  "validFrom": "2026-01-01T00:00:00Z",
  "name": "Teamwork",
  "credentialSubject": {"type": ["AchievementSubject"], SUBJECT
    "achievement": {"id": "https://lab.example/achievements/teamwork", "type": ["Achievement"], "name": "Teamwork",
      "description": "Works well in a team.", "criteria": {"narrative": "Peer nominated."}}
  }
}`

var issuerKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, 32))

// signed returns a badge signed by a did:key issuer (Data Integrity, or
// VC-JWT when jwt).
func signed(t testing.TB, id, subjectID string, jwt bool) []byte {
	return signedWith(t, id, subjectID, jwt, nil)
}

// signedWith: patch edits the document before it is signed.
func signedWith(t testing.TB, id, subjectID string, jwt bool, patch func(map[string]any)) []byte {
	t.Helper()
	iss, vm, err := did.KeyDID(issuerKey.Public())
	if err != nil {
		t.Fatal(err)
	}
	h, _ := credential.IdentityHash("sha256", "ada@example.org", "pepper")
	subj := `"identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true, "salt": "pepper", "identityHash": "` + h + `"}],`
	if subjectID != "" {
		subj = `"id": "` + subjectID + `",`
	}
	var doc map[string]any
	src := strings.NewReplacer("ID", id, "ISSUER", iss, "SUBJECT", subj).Replace(unsigned)
	if err := json.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	if patch != nil {
		patch(doc)
	}
	if jwt {
		s, err := vcjwt.Sign(doc, issuerKey, vcjwt.SignOptions{KeyID: vm})
		if err != nil {
			t.Fatal(err)
		}
		return []byte(s)
	}
	out, err := dataintegrity.Sign(doc, issuerKey, dataintegrity.SignOptions{VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	return b
}

type apiEnv struct {
	srv          *httptest.Server
	users        *account.Users
	wallet       *wallet.Service
	tokA, tokB   string
	userA, userB *account.User
	// served is what the fetch answers by address (beside badges/9).
	served sync.Map
	// verifier is a verifier's https endpoint the wallet may post to; got
	// holds the bodies it received.
	verifier *httptest.Server
	gotMu    sync.Mutex
	got      [][]byte
}

func newAPI(t *testing.T) *apiEnv {
	t.Helper()
	ctx := context.Background()
	db := sqldbtest.SQLite(t)
	us, err := userdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	ws, err := walletdb.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	v := verifier.New(verifier.Options{Fetcher: statusLists(t)})
	users := &account.Users{Store: us, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
	w := &wallet.Service{Store: ws, Verify: walletapi.VerifyWith(v), MasterKey: bytes.Repeat([]byte{9}, 32)}
	e := &apiEnv{users: users, wallet: w}
	e.userA, _ = users.Create(ctx, "ada@example.org", "")
	e.userB, _ = users.Create(ctx, "bob@example.org", "")
	e.tokA, _, _ = users.NewPersonalToken(ctx, e.userA.ID, "test", 0)
	e.tokB, _, _ = users.NewPersonalToken(ctx, e.userB.ID, "test", 0)
	hosted := signed(t, "urn:uuid:99999999-9999-4999-8999-999999999999", "", false)
	fetch := func(_ context.Context, u string) ([]byte, error) {
		if u == "https://lab.example/badges/9" {
			return hosted, nil
		}
		if b, ok := e.served.Load(u); ok {
			return b.([]byte), nil
		}
		return nil, errors.New("404 from 10.0.0.7")
	}
	e.verifier = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e.gotMu.Lock()
		e.got = append(e.got, b)
		e.gotMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		w.Write([]byte(`{"verified":true}`))
	}))
	t.Cleanup(e.verifier.Close)
	pool := x509.NewCertPool()
	pool.AddCert(e.verifier.Certificate())
	// Loopback allowed for the test server; https only, as served.
	post := wallet.PostWith(fetchpkg.New(fetchpkg.Options{AllowPrivate: true, TLSConfig: &tls.Config{RootCAs: pool}}))
	s := server.New(server.Config{
		Verifier: v,
		Wallet:   walletapi.Config{Wallet: w, Users: users, Fetch: fetch, Post: post},
		Pages:    &web.Config{Users: users, Wallet: w},
	})
	e.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body is not JSON (%d): %s", r.status, r.body)
	}
	return m
}

func (e *apiEnv) call(t *testing.T, method, path, token, contentType string, body []byte) resp {
	t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (e *apiEnv) list(t *testing.T, tok string) []any {
	t.Helper()
	r := e.call(t, "GET", "/wallet/api/credentials", tok, "", nil)
	if r.status != 200 {
		t.Fatalf("list: %d %s", r.status, r.body)
	}
	l, _ := r.json(t)["credentials"].([]any)
	return l
}

// Every operation refuses a request without a token, or with a wrong one.
func TestEveryOperationNeedsAToken(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	ops := []struct{ method, path string }{
		{"POST", "/wallet/api/credentials"}, {"GET", "/wallet/api/credentials"}, {"GET", "/wallet/api/credentials/crd_x"},
		{"DELETE", "/wallet/api/credentials/crd_x"}, {"POST", "/wallet/api/credentials/crd_x/shares"},
		{"DELETE", "/wallet/api/shares/x"}, {"POST", "/wallet/api/presentations"},
	}
	for _, op := range ops {
		for _, tok := range []string{"", "blsn_not-a-token", e.tokA + "x"} {
			r := e.call(t, op.method, op.path, tok, "application/json", []byte(`{}`))
			if r.status != http.StatusUnauthorized || r.header.Get("WWW-Authenticate") == "" || !strings.HasSuffix(r.json(t)["type"].(string), "#unauthorized") {
				t.Errorf("%s %s with %q: %d %s %v", op.method, op.path, tok, r.status, r.body, r.header)
			}
		}
	}
}

func TestImportListGetDelete(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	req, _ := http.NewRequest("GET", e.srv.URL+"/wallet/api/credentials", nil)
	req.Header.Set("Authorization", "bearer  "+e.tokA)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("lower-case scheme: %d", res.StatusCode)
	}
	badge := signed(t, "urn:uuid:11111111-1111-4111-8111-111111111111", "", false)
	r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", badge)
	if r.status != http.StatusCreated {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	m := r.json(t)
	id, _ := m["id"].(string)
	if m["verified"] != true || m["report"] == nil || !strings.HasPrefix(id, "crd_") || r.header.Get("Location") != "/wallet/api/credentials/"+id {
		t.Fatalf("import answer %s", r.body)
	}
	// A duplicate: 409 naming the one held, nothing added.
	r = e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", badge)
	if r.status != http.StatusConflict || r.json(t)["id"] != id || len(e.list(t, e.tokA)) != 1 {
		t.Fatalf("duplicate: %d %s", r.status, r.body)
	}
	// A VC-JWT as text/plain, kept as the JWT.
	jwt := signed(t, "urn:uuid:22222222-2222-4222-8222-222222222222", "", true)
	r = e.call(t, "POST", "/wallet/api/credentials", e.tokA, "text/plain", jwt)
	if r.status != http.StatusCreated {
		t.Fatalf("import JWT: %d %s", r.status, r.body)
	}
	jid := r.json(t)["id"].(string)
	g := e.call(t, "GET", "/wallet/api/credentials/"+jid, e.tokA, "", nil).json(t)
	if g["credential"] != string(jwt) || g["meta"].(map[string]any)["format"] != "jwt" {
		t.Fatalf("get JWT: %v", g["credential"])
	}
	// A baked PNG in a multipart form.
	png, err := os.ReadFile("../../bake/testdata/simple-json.png")
	if err != nil {
		t.Fatal(err)
	}
	inner := signed(t, "urn:uuid:33333333-3333-4333-8333-333333333333", "", false)
	baked, err := bake.Bake(png, inner)
	if err != nil {
		t.Fatal(err)
	}
	var form bytes.Buffer
	mw := multipart.NewWriter(&form)
	fw, _ := mw.CreateFormFile("file", "teamwork.png")
	fw.Write(baked)
	mw.Close()
	r = e.call(t, "POST", "/wallet/api/credentials", e.tokA, mw.FormDataContentType(), form.Bytes())
	if r.status != http.StatusCreated {
		t.Fatalf("import PNG: %d %s", r.status, r.body)
	}
	pid := r.json(t)["id"].(string)
	cr, _ := e.wallet.Credential(context.Background(), e.userA.ID, pid)
	if !bytes.Equal(cr.Raw, inner) || !bytes.Equal(cr.Image, baked) || cr.Source != "upload:teamwork.png" {
		t.Fatal("the PNG import did not keep the bytes received")
	}
	// The exact JSON bytes come back.
	g = e.call(t, "GET", "/wallet/api/credentials/"+id, e.tokA, "", nil).json(t)
	back, _ := json.Marshal(g["credential"])
	var a, b any
	json.Unmarshal(back, &a)
	json.Unmarshal(badge, &b)
	if cr2, _ := e.wallet.Credential(context.Background(), e.userA.ID, id); !bytes.Equal(cr2.Raw, badge) {
		t.Fatal("JSON bytes not kept")
	}
	if len(e.list(t, e.tokA)) != 3 || len(e.list(t, e.tokB)) != 0 {
		t.Fatal("lists")
	}
	// Another user can neither read nor delete it.
	if r := e.call(t, "GET", "/wallet/api/credentials/"+id, e.tokB, "", nil); r.status != 404 {
		t.Fatalf("B reads A's badge: %d", r.status)
	}
	if r := e.call(t, "DELETE", "/wallet/api/credentials/"+id, e.tokB, "", nil); r.status != 404 {
		t.Fatalf("B deletes A's badge: %d", r.status)
	}
	if r := e.call(t, "DELETE", "/wallet/api/credentials/"+id, e.tokA, "", nil); r.status != 204 {
		t.Fatalf("delete: %d", r.status)
	}
	if r := e.call(t, "GET", "/wallet/api/credentials/"+id, e.tokA, "", nil); r.status != 404 {
		t.Fatalf("deleted badge: %d", r.status)
	}
}

func TestImportBadInput(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	badge := signed(t, "urn:uuid:44444444-4444-4444-8444-444444444444", "", false)
	forged := bytes.Replace(badge, []byte("Works well in a team."), []byte("Works well alone.    "), 1)
	for name, tc := range map[string]struct {
		ct     string
		body   []byte
		status int
		kind   string
	}{
		"garbage":        {"text/plain", []byte("hello"), 400, "unreadable"},
		"not json":       {"application/json", []byte("{"), 400, "unreadable"},
		"form urlencode": {"application/x-www-form-urlencoded", []byte("a=b"), 415, "unsupported-media-type"},
		"huge":           {"application/json", append([]byte(`{"x":"`), bytes.Repeat([]byte("a"), 3<<20)...), 413, "too-large"},
		"forged":         {"application/json", forged, 422, "not-verified"},
		"presentation":   {"application/json", []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"]}`), 400, "unreadable"},
		"png no badge":   {"multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n\x89PNG\r\n\x1a\n\r\n--x--\r\n"), 400, "unreadable"},
	} {
		r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, tc.ct, tc.body)
		if r.status != tc.status || !strings.HasSuffix(r.json(t)["type"].(string), "#"+tc.kind) {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
		if name == "forged" {
			m := r.json(t)
			if m["verified"] != false || m["report"] == nil {
				t.Errorf("forged: no report: %s", r.body)
			}
		}
	}
	if n := len(e.list(t, e.tokA)); n != 0 {
		t.Fatalf("%d badges stored from bad input", n)
	}
	// Insisting keeps it, marked.
	r := e.call(t, "POST", "/wallet/api/credentials?insist=true", e.tokA, "application/json", forged)
	if r.status != 201 || r.json(t)["verified"] != false {
		t.Fatalf("insist: %d %s", r.status, r.body)
	}
	l := e.list(t, e.tokA)
	if len(l) != 1 || l[0].(map[string]any)["keptUnverified"] != true {
		t.Fatalf("list after insist: %v", l)
	}
	// Someone else's badge: kept, with a warning.
	other := signed(t, "urn:uuid:55555555-5555-4555-8555-555555555555", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", false)
	r = e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", other)
	if r.status != 201 || r.json(t)["warning"] != "wallet.warn.other-holder" {
		t.Fatalf("someone else's badge: %d %s", r.status, r.body)
	}
}

func TestSharesOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", signed(t, "urn:uuid:66666666-6666-4666-8666-666666666666", "", false))
	id, ok := r.json(t)["id"].(string)
	if !ok {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	r = e.call(t, "POST", "/wallet/api/credentials/"+id+"/shares", e.tokA, "", nil)
	if r.status != 201 {
		t.Fatalf("share: %d %s", r.status, r.body)
	}
	m := r.json(t)
	url, _ := m["url"].(string)
	if _, has := m["expiresAt"]; !has || m["expiresAt"] != nil || !strings.Contains(url, "/s/") {
		t.Fatalf("share answer %s", r.body)
	}
	r = e.call(t, "POST", "/wallet/api/credentials/"+id+"/shares", e.tokA, "application/json", []byte(`{"expiresIn": 3600}`))
	if r.status != 201 || r.json(t)["expiresAt"] == nil {
		t.Fatalf("share with expiry: %d %s", r.status, r.body)
	}
	for _, bad := range []string{`{"expiresIn": -1}`, `{"expiresIn": "soon"}`, `[1]`} {
		if r := e.call(t, "POST", "/wallet/api/credentials/"+id+"/shares", e.tokA, "application/json", []byte(bad)); r.status != 400 {
			t.Errorf("share body %s: %d", bad, r.status)
		}
	}
	if r := e.call(t, "POST", "/wallet/api/credentials/"+id+"/shares", e.tokB, "", nil); r.status != 404 {
		t.Fatalf("B shares A's badge: %d", r.status)
	}
	// The public link, signed out: JSON for a program.
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var pub map[string]any
	json.NewDecoder(res.Body).Decode(&pub)
	res.Body.Close()
	if res.StatusCode != 200 || pub["credential"] == nil || pub["report"].(map[string]any)["verified"] != true {
		t.Fatalf("public JSON: %d %v", res.StatusCode, pub)
	}
	token := url[strings.LastIndex(url, "/")+1:]
	if r := e.call(t, "DELETE", "/wallet/api/shares/"+token, e.tokB, "", nil); r.status != 404 {
		t.Fatalf("B revokes A's link: %d", r.status)
	}
	if r := e.call(t, "DELETE", "/wallet/api/shares/"+token, e.tokA, "", nil); r.status != 204 {
		t.Fatalf("revoke: %d", r.status)
	}
	res, err = http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusGone {
		t.Fatalf("revoked link answers %d, want 410", res.StatusCode)
	}
}

func TestPresentationOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	ctx := context.Background()
	h, err := e.wallet.Holder(ctx, e.userA.ID)
	if err != nil {
		t.Fatal(err)
	}
	r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", signed(t, "urn:uuid:77777777-7777-4777-8777-777777777777", h.DID, false))
	if r.status != 201 || r.json(t)["warning"] != nil {
		t.Fatalf("import own badge: %d %s", r.status, r.body)
	}
	id := r.json(t)["id"].(string)
	body, _ := json.Marshal(map[string]any{"credentials": []string{id}, "challenge": "c-2026", "domain": "jobs.example"})
	r = e.call(t, "POST", "/wallet/api/presentations", e.tokA, "application/json", body)
	if r.status != 201 || r.header.Get("Content-Type") != "application/vp+ld+json" {
		t.Fatalf("present: %d %s", r.status, r.body)
	}
	rep, err := verifier.New(verifier.Options{}).VerifyPresentation(ctx, r.body, verifier.PresentationOptions{Challenge: "c-2026", Domain: "jobs.example"})
	if err != nil || !rep.Verified || rep.Holder != h.DID {
		b, _ := json.Marshal(rep)
		t.Fatalf("the presentation does not verify: %v %s", err, b)
	}
	if _, err := verifier.New(verifier.Options{}).VerifyPresentation(ctx, r.body, verifier.PresentationOptions{Challenge: "other", Domain: "jobs.example"}); err == nil {
		t.Fatal("replayed to another challenge")
	}
	for _, bad := range []string{`{"credentials": ["` + id + `"]}`, `{"credentials": [1], "challenge": "c"}`, `{"credentials": ["crd_nope"], "challenge": "c"}`} {
		if r := e.call(t, "POST", "/wallet/api/presentations", e.tokA, "application/json", []byte(bad)); r.status != 400 && r.status != 404 {
			t.Errorf("%s: %d %s", bad, r.status, r.body)
		}
	}
	if r := e.call(t, "POST", "/wallet/api/presentations", e.tokB, "application/json", body); r.status != 404 {
		t.Fatalf("B presents A's badge: %d", r.status)
	}
}

func TestImportByAddress(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	r := e.call(t, "POST", "/wallet/api/credentials?url="+url.QueryEscape("https://lab.example/badges/9"), e.tokA, "", nil)
	if r.status != 201 {
		t.Fatalf("import by address: %d %s", r.status, r.body)
	}
	l := e.list(t, e.tokA)
	if len(l) != 1 || l[0].(map[string]any)["source"] != "url:https://lab.example/badges/9" {
		t.Fatalf("list %v", l)
	}
	r = e.call(t, "POST", "/wallet/api/credentials?url="+url.QueryEscape("https://lab.example/nope"), e.tokA, "", nil)
	if r.status != http.StatusBadGateway || strings.Contains(string(r.body), "10.0.0.7") {
		t.Fatalf("unreachable address: %d %s (internal addresses must not leak)", r.status, r.body)
	}
}

// The pages are routed beside the API through the server (gin): the
// wallet page asks to sign in, the account pages and privacy answer.
func TestPagesBesideTheAPI(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for path, want := range map[string]int{"/wallet": 303, "/wallet/c/crd_x": 303, "/signin": 200, "/signup": 200, "/privacy?lang=fr": 200, "/s/nope": 404} {
		res, err := noFollow.Get(e.srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, res.StatusCode, want)
		}
	}
}

const revokedList = "https://lab.example/status/1"

// statusLists serves a signed status list with bit 42 set, for a badge
// revoked before it reaches the wallet.
func statusLists(t testing.TB) verifier.Fetcher {
	iss, vm, _ := did.KeyDID(issuerKey.Public())
	bits, _ := status.New(status.MinBits)
	bits.Set(42, true)
	enc, _ := bits.Encode()
	doc := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "id": revokedList,
		"type": []any{"VerifiableCredential", "BitstringStatusListCredential"}, "issuer": iss,
		"validFrom": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{"id": revokedList + "#list", "type": "BitstringStatusList",
			"statusPurpose": "revocation", "encodedList": enc, "ttl": 60000},
	}
	out, err := dataintegrity.Sign(doc, issuerKey, dataintegrity.SignOptions{VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(out)
	return listFetcher{revokedList: b}
}

type listFetcher map[string][]byte

func (m listFetcher) GetJSON(_ context.Context, u string, _ ...string) ([]byte, error) {
	if b, ok := m[u]; ok {
		return b, nil
	}
	return nil, errors.New("not found")
}

// A badge its issuer has already revoked: refused with the report saying
// so, nothing stored; kept only on insistence, marked.
func TestImportRevokedBadge(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	iss, vm, _ := did.KeyDID(issuerKey.Public())
	h, _ := credential.IdentityHash("sha256", "ada@example.org", "pepper")
	src := strings.NewReplacer("ID", "urn:uuid:88888888-8888-4888-8888-888888888888", "ISSUER", iss,
		"SUBJECT", `"identifier": [{"type": "IdentityObject", "identityType": "emailAddress", "hashed": true, "salt": "pepper", "identityHash": "`+h+`"}],`).Replace(unsigned)
	var doc map[string]any
	json.Unmarshal([]byte(src), &doc)
	doc["credentialStatus"] = map[string]any{"id": revokedList + "#42", "type": "BitstringStatusListEntry",
		"statusPurpose": "revocation", "statusListIndex": "42", "statusListCredential": revokedList}
	out, err := dataintegrity.Sign(doc, issuerKey, dataintegrity.SignOptions{VerificationMethod: vm, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	badge, _ := json.Marshal(out)
	r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", badge)
	m := r.json(t)
	if r.status != http.StatusUnprocessableEntity || m["verified"] != false || !strings.Contains(string(r.body), "status.revoked") {
		t.Fatalf("revoked badge: %d %s", r.status, r.body)
	}
	if n := len(e.list(t, e.tokA)); n != 0 {
		t.Fatalf("%d badges stored", n)
	}
	r = e.call(t, "POST", "/wallet/api/credentials?insist=true", e.tokA, "application/json", badge)
	if r.status != http.StatusCreated || r.json(t)["verified"] != false {
		t.Fatalf("insisted: %d %s", r.status, r.body)
	}
}

// Refresh over the API: 201 with the current version's id when it
// replaced the badge, 200 refreshed:false when already current, 502 when
// the service answers another badge, 422 for a badge without a service,
// 404 for another's badge.
func TestRefreshOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	const id, svc = "urn:uuid:55555555-5555-4555-8555-555555555555", "https://lab.example/refresh/5"
	version := func(id, validFrom string) []byte {
		return signedWith(t, id, "", false, func(m map[string]any) {
			m["@context"] = append(m["@context"].([]any), "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")
			m["refreshService"] = map[string]any{"id": svc, "type": "1EdTechCredentialRefresh"}
			m["validFrom"] = validFrom
		})
	}
	r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", version(id, "2026-01-01T00:00:00Z"))
	if r.status != 201 {
		t.Fatalf("import: %d %s", r.status, r.body)
	}
	old := r.json(t)["id"].(string)
	e.served.Store(svc, version("urn:uuid:55555555-5555-4555-8555-000000000000", "2026-04-01T00:00:00Z"))
	if r := e.call(t, "POST", "/wallet/api/credentials/"+old+"/refresh", e.tokA, "", nil); r.status != http.StatusBadGateway {
		t.Fatalf("another badge answered: %d %s", r.status, r.body)
	}
	if r := e.call(t, "POST", "/wallet/api/credentials/"+old+"/refresh", e.tokB, "", nil); r.status != http.StatusNotFound {
		t.Fatalf("B refreshes A's badge: %d", r.status)
	}
	current := version(id, "2026-04-01T00:00:00Z")
	e.served.Store(svc, current)
	r = e.call(t, "POST", "/wallet/api/credentials/"+old+"/refresh", e.tokA, "", nil)
	got := r.json(t)
	if r.status != 201 || got["refreshed"] != true || got["replaced"] != old || got["id"] == old {
		t.Fatalf("refresh: %d %s", r.status, r.body)
	}
	now := got["id"].(string)
	if r := e.call(t, "GET", "/wallet/api/credentials/"+now, e.tokA, "", nil); r.status != 200 || !strings.Contains(string(r.body), "2026-04-01T00:00:00Z") {
		t.Fatalf("the current version is not kept: %d", r.status)
	}
	if l := e.list(t, e.tokA); len(l) != 1 {
		t.Fatalf("%d badges after refresh", len(l))
	}
	if r := e.call(t, "POST", "/wallet/api/credentials/"+now+"/refresh", e.tokA, "", nil); r.status != 200 || r.json(t)["refreshed"] != false {
		t.Fatalf("again: %d %s", r.status, r.body)
	}
	r = e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", signed(t, "urn:uuid:55555555-5555-4555-8555-000000000001", "", false))
	if r := e.call(t, "POST", "/wallet/api/credentials/"+r.json(t)["id"].(string)+"/refresh", e.tokA, "", nil); r.status != http.StatusUnprocessableEntity ||
		!strings.Contains(string(r.body), "no-refresh") {
		t.Fatalf("no service: %d %s", r.status, r.body)
	}
}

// A presentation sent to a verifier's https address over the API: the
// verifier gets the VC API body, the answer comes back with the
// presentation; http is refused with nothing sent.
func TestPresentationSentToVerifier(t *testing.T) {
	t.Parallel()
	e := newAPI(t)
	ctx := context.Background()
	h, _ := e.wallet.Holder(ctx, e.userA.ID)
	r := e.call(t, "POST", "/wallet/api/credentials", e.tokA, "application/json", signed(t, "urn:uuid:66666666-6666-4666-8666-666666666666", h.DID, false))
	id := r.json(t)["id"].(string)
	for _, format := range []string{"", "jwt"} {
		body, _ := json.Marshal(map[string]any{"credentials": []string{id}, "challenge": "c-7", "format": format, "verifier": e.verifier.URL + "/presentations/verify"})
		r = e.call(t, "POST", "/wallet/api/presentations", e.tokA, "application/json", body)
		var out struct {
			Presentation   json.RawMessage
			MediaType      string
			VerifierAnswer struct {
				Status int
				Body   map[string]any
			}
		}
		if err := json.Unmarshal(r.body, &out); err != nil || r.status != 201 || out.VerifierAnswer.Status != 200 || out.VerifierAnswer.Body["verified"] != true {
			t.Fatalf("%q: send: %d %s", format, r.status, r.body)
		}
		e.gotMu.Lock()
		sent := e.got[len(e.got)-1]
		e.gotMu.Unlock()
		var req struct {
			VerifiablePresentation json.RawMessage
			Options                struct{ Challenge string }
		}
		json.Unmarshal(sent, &req)
		if req.Options.Challenge != "c-7" || !bytes.Equal(req.VerifiablePresentation, out.Presentation) {
			t.Fatalf("%q: the verifier got %s", format, sent)
		}
		vp := []byte(req.VerifiablePresentation)
		if format == "jwt" {
			var s string
			json.Unmarshal(vp, &s)
			vp = []byte(s)
		}
		if rep, err := verifier.New(verifier.Options{}).VerifyPresentation(ctx, vp, verifier.PresentationOptions{Challenge: "c-7"}); err != nil || !rep.Verified {
			t.Fatalf("%q: the presentation sent does not verify: %v", format, err)
		}
	}
	body, _ := json.Marshal(map[string]any{"credentials": []string{id}, "challenge": "c-7", "verifier": strings.Replace(e.verifier.URL, "https:", "http:", 1)})
	if r := e.call(t, "POST", "/wallet/api/presentations", e.tokA, "application/json", body); r.status != http.StatusBadGateway {
		t.Fatalf("http verifier: %d %s", r.status, r.body)
	}
	e.gotMu.Lock()
	if len(e.got) != 2 {
		t.Errorf("the verifier got %d requests", len(e.got))
	}
	e.gotMu.Unlock()
}
