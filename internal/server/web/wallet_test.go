package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/store/userdb"
	"github.com/blason-badges/blason/internal/store/walletdb"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

type walletEnv struct {
	*acctEnv
	wallet *wallet.Service
	db     *sqldb.DB
}

// walletVerify is the verifier seen through the wallet's Verify (the
// adapter lives in walletapi, which imports this package's server; a
// copy of its few lines keeps this test free of that cycle).
func walletVerify(v *verifier.Verifier) wallet.Verify {
	return func(ctx context.Context, b []byte) (*wallet.Verification, error) {
		rep, _ := v.Verify(ctx, b)
		s := rep.Credential
		out := &wallet.Verification{Verified: rep.Verified, Verdict: rep.Verdict, Value: rep, CredentialID: s.ID, IssuerID: s.IssuerID,
			IssuerName: s.IssuerName, Name: s.Name, Image: s.Image, ValidFrom: s.ValidFrom}
		if c := rep.Reason(); c != nil {
			out.Reason = c.Message
		}
		out.Unreadable = rep.Check(verifier.CheckParse).Outcome == verifier.Failed
		return out, nil
	}
}

func newWalletEnv(t testing.TB) *walletEnv { return newWalletEnvWith(t, nil) }

// newWalletEnvWith: the verifier reads status lists from web.
func newWalletEnvWith(t testing.TB, web verifier.Fetcher) *walletEnv {
	t.Helper()
	return newWalletEnvConfig(t, web, nil)
}

// newWalletEnvConfig: edit changes the pages' Config before they start.
func newWalletEnvConfig(t testing.TB, web verifier.Fetcher, edit func(*Config)) *walletEnv {
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
	users := &account.Users{Store: us, Argon2: account.Argon2Params{Memory: 64, Time: 1, Threads: 1}}
	v := verifier.New(verifier.Options{Now: func() time.Time { return now }, Fetcher: web})
	w := &wallet.Service{Store: ws, Verify: walletVerify(v), MasterKey: bytes.Repeat([]byte{5}, 32)}
	var log bytes.Buffer
	cfg := Config{Verifier: v, Users: users, Wallet: w, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(&log, nil))}
	if edit != nil {
		edit(&cfg)
	}
	h := New(cfg)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &walletEnv{acctEnv: &acctEnv{srv: srv, users: users, log: &log}, wallet: w, db: db}
}

func upload(t *testing.T, c *http.Client, u, name string, data []byte, fields map[string]string) (*http.Response, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, u, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return do(t, c, req)
}

// bakedBadge is a signed badge baked into the PNG fixture.
func bakedBadge(t testing.TB, id string) []byte {
	f := newFixture(t, func(d map[string]any) { d["id"] = id })
	png, err := os.ReadFile("../../bake/testdata/simple-json.png")
	if err != nil {
		t.Fatal(err)
	}
	b, err := bake.Bake(png, f.badge)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The learner's path without a browser: sign up, import a baked PNG,
// share it, open the link signed out, decode the QR code to the link,
// withdraw the link, present, export, delete the account.
func TestWalletPagesLearnerPath(t *testing.T) {
	t.Parallel()
	e := newWalletEnv(t)
	me, them := e.browser(t), e.browser(t)
	res, _ := formPost(t, me, e.srv.URL+"/signup?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	if res.Header.Get("Location") != "/wallet?lang=en" {
		t.Fatalf("sign up lands on %q", res.Header.Get("Location"))
	}
	if _, body := pageGet(t, me, e.srv.URL+"/wallet?lang=en"); !strings.Contains(body, "Your wallet is empty") {
		t.Fatal("empty wallet page")
	}
	png := bakedBadge(t, "urn:uuid:aaaaaaaa-0000-4000-8000-000000000001")
	res, _ = upload(t, me, e.srv.URL+"/wallet/import?lang=en", "teamwork.png", png, nil)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/wallet/c/crd_") {
		t.Fatalf("import: %d %s", res.StatusCode, loc)
	}
	badgeURL := e.srv.URL + strings.SplitN(loc, "?", 2)[0]
	// Again: a duplicate, said plainly.
	res, body := upload(t, me, e.srv.URL+"/wallet/import?lang=fr", "teamwork.png", png, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, "déjà dans votre portefeuille") {
		t.Fatalf("duplicate: %d", res.StatusCode)
	}
	if _, body := pageGet(t, me, e.srv.URL+"/wallet?lang=en"); !strings.Contains(body, "Teamwork") || strings.Count(body, `class="card card-`) != 1 {
		t.Fatalf("list:\n%s", body)
	}
	// Nobody else sees it.
	if res, _ := pageGet(t, them, badgeURL); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("signed out, the badge page answers %d", res.StatusCode)
	}
	// Share it.
	res, _ = formPost(t, me, badgeURL+"/share?lang=en", url.Values{"days": {"0"}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("share: %d", res.StatusCode)
	}
	_, body = pageGet(t, me, badgeURL+"?lang=en")
	m := regexp.MustCompile(`class="share-url" href="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no share link on the badge page:\n%s", body)
	}
	link := m[1]
	qr := regexp.MustCompile(`class="qr" src="data:image/png;base64,([^"]+)"`).FindStringSubmatch(body)
	if qr == nil {
		t.Fatal("no QR code")
	}
	pngQR, _ := base64.StdEncoding.DecodeString(html.UnescapeString(qr[1]))
	if got := decodeQR(t, pngQR); got != link {
		t.Fatalf("the QR code reads %q, the link is %q", got, link)
	}
	li := regexp.MustCompile(`href="(https://www.linkedin.com/profile/add\?[^"]+)"`).FindStringSubmatch(body)
	if li == nil {
		t.Fatal("no LinkedIn link")
	}
	lq, _ := url.Parse(html.UnescapeString(li[1]))
	if lq.Query().Get("name") != "Teamwork" || lq.Query().Get("certUrl") != link || lq.Query().Get("startTask") != "CERTIFICATION_NAME" {
		t.Fatalf("LinkedIn link %s", lq)
	}
	// Signed out, in French, with a name left for the owner.
	res, body = formPost(t, them, link+"?lang=fr", url.Values{"viewer": {"ACME Recrutement"}})
	if res.StatusCode != 200 || !strings.Contains(body, "Teamwork") || !strings.Contains(body, `lang="fr"`) {
		t.Fatalf("share page: %d\n%s", res.StatusCode, body)
	}
	req, _ := http.NewRequest("GET", link, nil)
	req.Header.Set("Accept", "application/json")
	res, body = do(t, them, req)
	var pub struct {
		Credential json.RawMessage
		Report     struct{ Verified bool }
	}
	if json.Unmarshal([]byte(body), &pub); res.StatusCode != 200 || !pub.Report.Verified || len(pub.Credential) == 0 {
		t.Fatalf("share JSON: %d %s", res.StatusCode, body)
	}
	if _, body := pageGet(t, me, badgeURL+"?lang=en"); !strings.Contains(body, "Opened 2 time(s).") || !strings.Contains(body, "ACME Recrutement") {
		t.Fatal("the view log does not show the views")
	}
	// Present to a challenge.
	id := strings.TrimPrefix(strings.SplitN(loc, "?", 2)[0], "/wallet/c/")
	_, body = formPost(t, me, e.srv.URL+"/wallet/present?lang=en", url.Values{"credential": {id}, "challenge": {"job-42"}, "domain": {"jobs.example"}})
	vp := regexp.MustCompile(`(?s)<textarea id="vp"[^>]*>(.*?)</textarea>`).FindStringSubmatch(body)
	if vp == nil {
		t.Fatalf("no presentation:\n%s", body)
	}
	rep, _ := verifier.New(verifier.Options{Now: func() time.Time { return now }}).VerifyPresentation(context.Background(),
		[]byte(html.UnescapeString(vp[1])), verifier.PresentationOptions{Challenge: "job-42", Domain: "jobs.example"})
	if rep == nil || rep.Check(verifier.CheckPresentation).Outcome != verifier.Passed {
		t.Fatal("the presentation's holder proof does not verify")
	}
	// Withdraw the link: it answers 410.
	token := link[strings.LastIndex(link, "/")+1:]
	formPost(t, me, e.srv.URL+"/wallet/shares/"+token+"/revoke?lang=en", url.Values{"credential": {id}})
	if res, _ := pageGet(t, them, link); res.StatusCode != http.StatusGone {
		t.Fatalf("withdrawn link: %d", res.StatusCode)
	}
	// Downloads.
	if res, body := pageGet(t, me, badgeURL+"/download?format=png"); res.StatusCode != 200 || body != string(png) {
		t.Fatal("PNG download is not the image received")
	}
	// Export: a zip with the badge as received.
	res, body = pageGet(t, me, e.srv.URL+"/account/export")
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if err != nil || res.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %v", err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
		if f.Name == "badges/"+id+".png" {
			rc, _ := f.Open()
			b, _ := io.ReadAll(rc)
			if !bytes.Equal(b, png) {
				t.Fatal("exported image differs")
			}
		}
	}
	for _, want := range []string{"account.json", "badges.json", "shares.json", "badges/" + id + ".json", "badges/" + id + ".report.json", "badges/" + id + ".png", "holder.json"} {
		if !names[want] {
			t.Errorf("export lacks %s (has %v)", want, names)
		}
	}
	// Delete the account: confirmation required, then everything goes,
	// its live share links with it.
	formPost(t, me, badgeURL+"/share?lang=en", url.Values{"days": {"0"}})
	_, body = pageGet(t, me, badgeURL+"?lang=en")
	live := regexp.MustCompile(`class="share-url" href="([^"]+)"`).FindAllStringSubmatch(body, -1)
	if len(live) != 2 {
		t.Fatalf("%d links on the badge page, want 2", len(live))
	}
	liveLink := live[0][1]
	if liveLink == link {
		liveLink = live[1][1]
	}
	if res, _ := pageGet(t, them, liveLink); res.StatusCode != 200 {
		t.Fatalf("the new link: %d", res.StatusCode)
	}
	if res, _ := formPost(t, me, e.srv.URL+"/account/delete?lang=en", url.Values{"confirm": {"bob@example.org"}}); res.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("delete without the right confirmation: %d", res.StatusCode)
	}
	if res, _ := formPost(t, me, e.srv.URL+"/account/delete?lang=en", url.Values{"confirm": {"Ada@example.org"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("delete: %d", res.StatusCode)
	}
	if res, _ := pageGet(t, me, e.srv.URL+"/wallet"); res.StatusCode != http.StatusSeeOther {
		t.Fatal("still signed in after deleting the account")
	}
	if _, _, err := e.users.SignIn(context.Background(), "ada@example.org", "correct horse", ""); err == nil {
		t.Fatal("the deleted account still signs in")
	}
	if res, _ := pageGet(t, them, liveLink); res.StatusCode != http.StatusNotFound {
		t.Fatalf("a link of a deleted account answers %d", res.StatusCode)
	}
}

func TestWalletPagesBadImports(t *testing.T) {
	t.Parallel()
	e := newWalletEnv(t)
	me := e.browser(t)
	formPost(t, me, e.srv.URL+"/signup?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	f := newFixture(t, func(d map[string]any) { d["id"] = "urn:uuid:bbbbbbbb-0000-4000-8000-000000000002" })
	forged := bytes.Replace(f.badge, []byte("Works well in a team."), []byte("Works well alone!!!!!"), 1)
	for name, tc := range map[string]struct {
		data   []byte
		fields map[string]string
		status int
		text   string
	}{
		"garbage":      {[]byte("hello"), nil, 400, "Could not read this"},
		"forged":       {forged, nil, 422, "did not pass verification, so it was not added"},
		"presentation": {[]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiablePresentation"]}`), nil, 400, "This is a presentation"},
		"huge":         {bytes.Repeat([]byte("x"), 9<<20), nil, 413, "too large"},
	} {
		res, body := upload(t, me, e.srv.URL+"/wallet/import?lang=en", "x.json", tc.data, tc.fields)
		if res.StatusCode != tc.status || !strings.Contains(body, tc.text) {
			t.Errorf("%s: %d\n%s", name, res.StatusCode, body)
		}
	}
	if _, body := pageGet(t, me, e.srv.URL+"/wallet?lang=en"); !strings.Contains(body, "Your wallet is empty") {
		t.Fatal("bad input was stored")
	}
	res, _ := upload(t, me, e.srv.URL+"/wallet/import?lang=en", "x.json", forged, map[string]string{"insist": "on"})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("insist: %d", res.StatusCode)
	}
	if _, body := pageGet(t, me, e.srv.URL+"/wallet?lang=en"); !strings.Contains(body, "Not verified") {
		t.Fatal("the kept badge is not marked")
	}
}

func TestPrivacyPageBothLanguages(t *testing.T) {
	t.Parallel()
	e := newWalletEnv(t)
	for lang, want := range map[string]string{"en": "What we keep", "fr": "Ce que nous conservons"} {
		res, body := pageGet(t, e.browser(t), e.srv.URL+"/privacy?lang="+lang)
		if res.StatusCode != 200 || !strings.Contains(body, want) || strings.Contains(body, "http://") && strings.Contains(body, "src=\"http") {
			t.Errorf("%s: %d", lang, res.StatusCode)
		}
	}
}

// A badge received as JSON that carries its image as a data: URI is
// offered as a baked image: the download holds the badge, byte for byte.
func TestDownloadBakesTheCarriedImage(t *testing.T) {
	t.Parallel()
	e := newWalletEnv(t)
	me := e.browser(t)
	formPost(t, me, e.srv.URL+"/signup?lang=en", url.Values{"email": {"ada@example.org"}, "password": {"correct horse"}})
	png, err := os.ReadFile("../../bake/testdata/simple-json.png")
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, func(d map[string]any) {
		d["id"] = "urn:uuid:dddddddd-0000-4000-8000-000000000004"
		d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["image"] = map[string]any{
			"id": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png), "type": "Image"}
	})
	res, _ := upload(t, me, e.srv.URL+"/wallet/import?lang=en", "badge.json", f.badge, nil)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: %d", res.StatusCode)
	}
	badgeURL := e.srv.URL + strings.SplitN(res.Header.Get("Location"), "?", 2)[0]
	_, body := pageGet(t, me, badgeURL+"?lang=en")
	if !strings.Contains(body, "download?format=png") {
		t.Fatal("no baked download offered")
	}
	res, got := pageGet(t, me, badgeURL+"/download?format=png")
	if res.StatusCode != 200 {
		t.Fatalf("download: %d", res.StatusCode)
	}
	inside, ok, err := bake.ExtractCredential([]byte(got))
	if !ok || err != nil || string(inside) != string(f.badge) {
		t.Fatalf("the downloaded image does not hold the badge as kept: %v %v", ok, err)
	}
}
