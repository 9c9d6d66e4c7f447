package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/internal/workspace/workspacetest"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/verifier"
)

// adminHarness: the pages with a workspace; the sign-in secrets are
// "admin-secret", "issuer-secret" and "viewer-secret".
type adminHarness struct {
	t *testing.T
	h *Handler
	f *workspacetest.Fixture
}

func newAdminHarness(t *testing.T) *adminHarness {
	t.Helper()
	f := workspacetest.New(t, "Laboratoire de physique", "https://badges.lab.example", nil)
	return adminHarnessFor(t, f, f.IssuerID)
}

// adminHarnessFor is the pages of issuerID's workspace in f.
func adminHarnessFor(t *testing.T, f *workspacetest.Fixture, issuerID string) *adminHarness {
	t.Helper()
	roles := map[string]Role{"admin-secret": RoleAdmin, "issuer-secret": RoleIssuer, "viewer-secret": RoleViewer}
	h := New(Config{Verifier: verifier.New(verifier.Options{}), Admin: &AdminConfig{Workspace: f.WS, IssuerID: issuerID,
		SignIn: func(_ context.Context, secret string) (*AdminUser, error) {
			if r, ok := roles[secret]; ok {
				return &AdminUser{Actor: strings.TrimSuffix(secret, "-secret"), Role: r}, nil
			}
			return nil, errors.New("unknown")
		}}})
	return &adminHarness{t: t, h: h, f: f}
}

func (a *adminHarness) do(method, target, secret string, body io.Reader, ctype string) *httptest.ResponseRecorder {
	a.t.Helper()
	r := httptest.NewRequest(method, target, body)
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	r.Header.Set("Sec-Fetch-Site", "same-origin")
	if secret != "" {
		r.AddCookie(&http.Cookie{Name: adminCookie, Value: secret})
	}
	w := httptest.NewRecorder()
	a.h.ServeHTTP(w, r)
	return w
}

func (a *adminHarness) form(target, secret string, fields url.Values) *httptest.ResponseRecorder {
	return a.do("POST", target, secret, strings.NewReader(fields.Encode()), "application/x-www-form-urlencoded")
}

func (a *adminHarness) multipart(target, secret string, fields map[string]string, fileField, fileName string, file []byte) *httptest.ResponseRecorder {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if fileField != "" {
		fw, _ := mw.CreateFormFile(fileField, fileName)
		fw.Write(file)
	}
	mw.Close()
	return a.do("POST", target, secret, &b, mw.FormDataContentType())
}

// The coordinator's path through the pages, in French: sign in, create a
// badge with its image, a CSV with a bad line named in the dry run, the
// award with its progress, the search, a revocation with its reason; the
// learner's claim page works once.
func TestAdminPages(t *testing.T) {
	t.Parallel()
	a := newAdminHarness(t)
	// Signed out: to the sign-in page, which keeps where to go next.
	if w := a.do("GET", "/admin", "", nil, ""); w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/signin?next=%2Fadmin" {
		t.Fatalf("signed out: %d %v", w.Code, w.Header())
	}
	if w := a.form("/admin/signin?lang=fr", "", url.Values{"token": {"nope"}}); w.Code != http.StatusUnauthorized || !strings.Contains(visibleText(w.Body.String()), "Ce jeton n'est pas valide") {
		t.Fatalf("bad token: %d %s", w.Code, visibleText(w.Body.String()))
	}
	w := a.form("/admin/signin", "", url.Values{"token": {"issuer-secret"}, "next": {"//evil.example/admin"}})
	c := w.Result().Cookies()
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin" || len(c) != 1 || !c[0].HttpOnly || c[0].SameSite != http.SameSiteStrictMode || c[0].Path != "/admin" {
		t.Fatalf("sign in: %d %v %v", w.Code, w.Header(), c)
	}
	// A badge with a fake image is refused, and nothing is stored.
	fields := map[string]string{"name": "Médiation scientifique", "lang": "fr", "description": "A expliqué la recherche au public.", "criteria": "Un stand.", "tags": "science, médiation"}
	w = a.multipart("/admin/achievements?lang=fr", "issuer-secret", fields, "image", "badge.png", []byte("<html>pas une image</html>"))
	if w.Code != http.StatusBadRequest || !strings.Contains(visibleText(w.Body.String()), "Le badge n'a pas été créé") || !strings.Contains(w.Body.String(), `value="Médiation scientifique"`) {
		t.Fatalf("fake image: %d %s", w.Code, visibleText(w.Body.String()))
	}
	if list, _ := a.f.Store.ListAchievements(context.Background(), a.f.IssuerID, false); len(list) != 0 {
		t.Fatalf("a refused form stored %d achievements", len(list))
	}
	w = a.multipart("/admin/achievements?lang=fr", "issuer-secret", fields, "image", "badge.png", workspacetest.PNG(t, 96, 96, color.RGBA{0, 90, 160, 255}))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", w.Code, visibleText(w.Body.String()))
	}
	if w := a.multipart("/admin/achievements", "viewer-secret", fields, "", "", nil); w.Code != http.StatusForbidden {
		t.Fatalf("viewer creates: %d", w.Code)
	}
	list, _ := a.f.Store.ListAchievements(context.Background(), a.f.IssuerID, false)
	if len(list) != 1 || list[0].ImageID == "" || len(list[0].Tags) != 2 {
		t.Fatalf("catalogue %+v", list)
	}
	ach := list[0]
	dash := visibleText(a.do("GET", "/admin?lang=fr", "viewer-secret", nil, "").Body.String())
	if !strings.Contains(dash, "Médiation scientifique") || !strings.Contains(dash, "Laboratoire de physique") || strings.Contains(dash, "Créer le badge") {
		t.Fatalf("viewer's dashboard: %s", dash)
	}
	// The dry run names the bad line, in French, and awards nothing.
	csv := "Prénom;Nom;Courriel\nÉlodie;Müller;elodie@lab.example.fr\nJean;Dupont;jean@lab,example.fr\nLéa;Roux;lea@lab.example.fr\n"
	w = a.multipart("/admin/achievements/"+ach.ID+"/csv?lang=fr", "issuer-secret", nil, "csv", "atelier.csv", []byte(csv))
	text := visibleText(w.Body.String())
	if w.Code != 200 || !strings.Contains(text, "3 e-mail « jean@lab,example.fr » n'est pas une adresse e-mail") || !strings.Contains(text, "À attribuer : 2") ||
		!strings.Contains(text, "Attribuer les badges (2)") {
		t.Fatalf("dry run: %d %s", w.Code, text)
	}
	if recs, _, _ := a.f.Store.SearchAwards(context.Background(), workspace.AwardQuery{IssuerID: a.f.IssuerID}); len(recs) != 0 {
		t.Fatalf("the dry run awarded %d", len(recs))
	}
	upload := regexp.MustCompile(`name="upload" value="([0-9a-f]+)"`).FindStringSubmatch(w.Body.String())
	if upload == nil {
		t.Fatal("no upload id")
	}
	w = a.form("/admin/achievements/"+ach.ID+"/award?lang=fr", "issuer-secret", url.Values{"upload": {upload[1]}})
	loc := w.Header().Get("Location")
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(loc, "/admin/jobs/") {
		t.Fatalf("award: %d %v", w.Code, w.Header())
	}
	// The same confirmation twice does nothing more.
	if w := a.form("/admin/achievements/"+ach.ID+"/award", "issuer-secret", url.Values{"upload": {upload[1]}}); w.Code != http.StatusGone {
		t.Fatalf("second confirmation: %d", w.Code)
	}
	var job string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if job = a.do("GET", loc+"?lang=fr", "issuer-secret", nil, "").Body.String(); !strings.Contains(job, `http-equiv="refresh"`) {
			break
		}
	}
	if !strings.Contains(visibleText(job), "Badges attribués : 2.") {
		t.Fatalf("job page: %s", visibleText(job))
	}
	// After a restart (the pages of a new process, on the same database)
	// the job's page still shows its result, from the database.
	restarted := adminHarnessFor(t, a.f, a.f.IssuerID)
	w = restarted.do("GET", loc+"?lang=fr", "issuer-secret", nil, "")
	if text := visibleText(w.Body.String()); w.Code != 200 || !strings.Contains(text, "Badges attribués : 2.") {
		t.Fatalf("job page after a restart: %d %s", w.Code, text)
	}
	// A job recorded running whose process is gone (a restart mid-import),
	// and one never recorded: the page says that the same file again
	// completes the import, instead of "not found", and stops refreshing.
	if err := a.f.Store.PutJob(context.Background(), &workspace.JobRecord{ID: "cut", IssuerID: a.f.IssuerID, Actor: "issuer", Done: 1000, Total: 3000,
		Started: time.Now()}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		id, stopped string
		code        int
	}{{"cut", "L'import s'est arrêté à 1000 sur 3000.", 200}, {"never", "", 404}} {
		w = restarted.do("GET", "/admin/jobs/"+c.id+"?lang=fr", "issuer-secret", nil, "")
		lost := visibleText(w.Body.String())
		if w.Code != c.code || !strings.Contains(lost, "importez de nouveau le même fichier") || !strings.Contains(lost, c.stopped) ||
			strings.Contains(w.Body.String(), `http-equiv="refresh"`) {
			t.Fatalf("job %s after a restart: %d %s", c.id, w.Code, lost)
		}
	}
	// Another issuer's job is not shown.
	if err := a.f.Store.PutJob(context.Background(), &workspace.JobRecord{ID: "theirs", IssuerID: "did:key:other", Ended: true, Awarded: 5}); err != nil {
		t.Fatal(err)
	}
	if w := restarted.do("GET", "/admin/jobs/theirs", "issuer-secret", nil, ""); w.Code != 404 {
		t.Fatalf("another issuer's job: %d", w.Code)
	}
	// Search, then revoke: a reason is required.
	w = a.do("GET", "/admin/awards?lang=fr&recipient=roux", "issuer-secret", nil, "")
	text = visibleText(w.Body.String())
	cred := regexp.MustCompile(`name="credential" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	// Awards carry a revocation entry only: suspending is not offered.
	if !strings.Contains(text, "Attributions trouvées : 1.") || !strings.Contains(text, "Léa Roux") || cred == nil || strings.Contains(text, "Suspendre") {
		t.Fatalf("search: %s", text)
	}
	w = a.form("/admin/awards/status?lang=fr", "issuer-secret", url.Values{"credential": {cred[1]}, "action": {"revoke"}, "recipient": {"roux"}})
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "error=reason") {
		t.Fatalf("revoke without reason: %d %v", w.Code, w.Header())
	}
	w = a.form("/admin/awards/status?lang=fr", "issuer-secret", url.Values{"credential": {cred[1]}, "action": {"revoke"}, "reason": {"Absente"}, "recipient": {"roux"}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("revoke: %d", w.Code)
	}
	if text = visibleText(a.do("GET", w.Header().Get("Location")+"&lang=fr", "issuer-secret", nil, "").Body.String()); !strings.Contains(text, "Le badge a été révoqué.") || !strings.Contains(text, "révoqué") {
		t.Fatalf("after revoke: %s", text)
	}
	if w := a.do("GET", "/admin/audit", "issuer-secret", nil, ""); w.Code != http.StatusForbidden {
		t.Fatalf("audit for an issuer: %d", w.Code)
	}
	if text = visibleText(a.do("GET", "/admin/audit?lang=fr", "admin-secret", nil, "").Body.String()); !strings.Contains(text, "award.revoke") || !strings.Contains(text, "Absente") {
		t.Fatalf("audit: %s", text)
	}
	if w := a.do("GET", "/admin/awards.csv", "viewer-secret", nil, ""); w.Code != 200 || strings.Count(w.Body.String(), "\n") != 3 || !strings.Contains(w.Body.String(), ",revoked,") {
		t.Fatalf("export: %d %s", w.Code, w.Body)
	}

	// The learner: the e-mail's link opens the claim page; the badge is
	// downloaded once, baked in its image.
	rec, _, _ := a.f.Store.SearchAwards(context.Background(), workspace.AwardQuery{IssuerID: a.f.IssuerID, Recipient: "elodie"})
	mails, _ := a.f.Store.Mails(context.Background(), rec[0].CredentialID)
	token := regexp.MustCompile(`/claim/([A-Za-z0-9_-]+)`).FindStringSubmatch(mails[0].Body)[1]
	text = visibleText(a.do("GET", "/claim/"+token+"?lang=fr", "", nil, "").Body.String())
	if !strings.Contains(text, "Médiation scientifique") || !strings.Contains(text, "Décerné par Laboratoire de physique") || !strings.Contains(text, "ne sert qu'une fois") {
		t.Fatalf("claim page: %s", text)
	}
	w = a.form("/claim/"+token, "", url.Values{"as": {"image"}})
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" {
		t.Fatalf("claim image: %d %v", w.Code, w.Header())
	}
	ex, err := bake.Extract(w.Body.Bytes())
	if err != nil || !strings.Contains(string(ex.Credential), rec[0].CredentialID) {
		t.Fatalf("the image holds no badge: %v", err)
	}
	if w := a.form("/claim/"+token, "", url.Values{"as": {"json"}}); w.Code != http.StatusGone {
		t.Fatalf("second claim: %d", w.Code)
	}
	if text = visibleText(a.do("GET", "/claim/"+token+"?lang=fr", "", nil, "").Body.String()); !strings.Contains(text, "Ce lien a déjà servi") {
		t.Fatalf("used link: %s", text)
	}
	if w := a.do("GET", "/claim/"+strings.Repeat("x", 43), "", nil, ""); w.Code != http.StatusGone {
		t.Fatalf("unknown link: %d", w.Code)
	}
	// A form posted from another site is refused.
	r := httptest.NewRequest("POST", "/admin/awards/status", strings.NewReader("credential=x&action=revoke&reason=x"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Sec-Fetch-Site", "cross-site")
	r.AddCookie(&http.Cookie{Name: adminCookie, Value: "issuer-secret"})
	cw := httptest.NewRecorder()
	a.h.ServeHTTP(cw, r)
	if cw.Code != http.StatusForbidden {
		t.Fatalf("cross-site post: %d", cw.Code)
	}
}

// One award from the badge's page (twice: nobody twice); the profile,
// changed by an admin only, is the name on the badges awarded after.
func TestAdminOneAwardAndProfile(t *testing.T) {
	t.Parallel()
	a := newAdminHarness(t)
	ctx := context.Background()
	ach := &workspace.Achievement{IssuerID: a.f.IssuerID, Lang: "fr", Name: "Sécurité",
		AchievementDetails: workspace.AchievementDetails{Description: "Formation sécurité.", Criteria: "Suivre la formation."}}
	if err := a.f.WS.CreateAchievement(ctx, ach, "test"); err != nil {
		t.Fatal(err)
	}
	one := url.Values{"name": {"Léa Roux"}, "email": {"lea@lab.example.fr"}, "narrative": {"A suivi la formation."}}
	if w := a.form("/admin/achievements/"+ach.ID+"/one?lang=fr", "issuer-secret", url.Values{"email": {"lea@lab,example.fr"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(visibleText(w.Body.String()), "« lea@lab,example.fr » n'est pas une adresse e-mail") {
		t.Fatalf("bad address: %d %s", w.Code, visibleText(w.Body.String()))
	}
	w := a.form("/admin/achievements/"+ach.ID+"/one", "issuer-secret", one)
	if w.Code != http.StatusSeeOther || !strings.Contains(w.Header().Get("Location"), "done=awarded") {
		t.Fatalf("one award: %d %v", w.Code, w.Header())
	}
	if w := a.form("/admin/achievements/"+ach.ID+"/one", "issuer-secret", one); !strings.Contains(w.Header().Get("Location"), "done=already") {
		t.Fatalf("again: %v", w.Header())
	}
	prof := url.Values{"name": {"LPP — Laboratoire de physique des plasmas"}, "url": {"https://lpp.example.fr"}, "email": {"badges@lpp.example.fr"}}
	if w := a.form("/admin/profile", "issuer-secret", prof); w.Code != http.StatusForbidden {
		t.Fatalf("profile by an issuer: %d", w.Code)
	}
	if w := a.form("/admin/profile?lang=fr", "admin-secret", url.Values{"name": {"X"}, "url": {"javascript:alert(1)"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(visibleText(w.Body.String()), "Le profil n'a pas été enregistré") {
		t.Fatalf("bad url: %d", w.Code)
	}
	if w := a.form("/admin/profile", "admin-secret", prof); w.Code != http.StatusSeeOther {
		t.Fatalf("profile: %d %s", w.Code, visibleText(w.Body.String()))
	}
	a.form("/admin/achievements/"+ach.ID+"/one", "issuer-secret", url.Values{"email": {"zoe@lab.example.fr"}})
	recs, _, _ := a.f.Store.SearchAwards(ctx, workspace.AwardQuery{IssuerID: a.f.IssuerID})
	names := map[string]string{}
	for _, r := range recs {
		cr, err := a.f.Issuer.Store.GetCredential(ctx, r.CredentialID)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Issuer struct{ Name, URL string }
		}
		json.Unmarshal(cr.Document, &doc)
		names[r.Email] = doc.Issuer.Name + " " + doc.Issuer.URL
	}
	if names["lea@lab.example.fr"] != "Laboratoire de physique " || names["zoe@lab.example.fr"] != "LPP — Laboratoire de physique des plasmas https://lpp.example.fr" {
		t.Fatalf("issuer names on the badges: %q", names)
	}
}

// An achievement's public page: HTML with OpenGraph in the reader's
// language variant, JSON (its OB 3.0 form) for machines.
func TestPublicAchievementPage(t *testing.T) {
	t.Parallel()
	a := newAdminHarness(t)
	ctx := context.Background()
	img, _ := a.f.WS.AddImage(ctx, a.f.IssuerID, workspacetest.PNG(t, 40, 40, color.RGBA{200, 0, 0, 255}), "t")
	fr := &workspace.Achievement{IssuerID: a.f.IssuerID, Lang: "fr", Name: "Sécurité au laboratoire",
		AchievementDetails: workspace.AchievementDetails{Description: "Formation <sécurité>.", Criteria: "Suivre la formation.", ImageID: img.ID}}
	en := &workspace.Achievement{IssuerID: a.f.IssuerID, Lang: "en", Name: "Laboratory safety",
		AchievementDetails: workspace.AchievementDetails{Description: "Safety training.", Criteria: "Attend the training.", ImageID: img.ID}}
	if err := a.f.WS.CreateAchievement(ctx, fr, "t"); err != nil {
		t.Fatal(err)
	}
	if err := a.f.WS.AddVariant(ctx, fr.ID, en, "t"); err != nil {
		t.Fatal(err)
	}
	// With an https public URL, the id in badges is the public page.
	if fr.OB3ID() != "https://badges.lab.example/achievements/"+fr.ID {
		t.Fatalf("OB 3.0 id %s", fr.OB3ID())
	}
	w := a.do("GET", "/achievements/"+fr.ID+"?lang=en", "", nil, "")
	body := w.Body.String()
	if w.Code != 200 || !strings.Contains(body, `<meta property="og:title" content="Laboratory safety">`) ||
		!strings.Contains(body, `<meta property="og:image" content="https://badges.lab.example/images/`+img.ID+`">`) ||
		!strings.Contains(body, `hreflang="fr"`) {
		t.Fatalf("English reader: %d %s", w.Code, body)
	}
	w = a.do("GET", "/achievements/"+fr.ID+"?lang=fr", "", nil, "")
	if body = w.Body.String(); !strings.Contains(body, `content="Formation &lt;sécurité&gt;."`) || !strings.Contains(visibleText(body), "Sécurité au laboratoire") {
		t.Fatalf("French reader: %s", body)
	}
	r := httptest.NewRequest("GET", "/achievements/urn:uuid:"+fr.ID, nil)
	r.Header.Set("Accept", "application/ld+json")
	jw := httptest.NewRecorder()
	a.h.ServeHTTP(jw, r)
	var m map[string]any
	if err := json.Unmarshal(jw.Body.Bytes(), &m); err != nil || m["id"] != fr.OB3ID() || m["inLanguage"] != "fr" || len(m["related"].([]any)) != 1 {
		t.Fatalf("JSON: %d %s", jw.Code, jw.Body)
	}
	if w := a.do("GET", "/achievements/00000000-0000-4000-8000-000000000000", "", nil, ""); w.Code != http.StatusNotFound {
		t.Fatalf("unknown: %d", w.Code)
	}
}

// Editing a badge from its page: saved with a new version; the same form
// posted again (a stale version) is refused and says why. People and
// roles: an admin gives and removes roles; an issuer may not.
func TestAdminEditAndMembers(t *testing.T) {
	t.Parallel()
	a := newAdminHarness(t)
	ctx := context.Background()
	ach := &workspace.Achievement{IssuerID: a.f.IssuerID, Lang: "fr", Name: "Sécurité",
		AchievementDetails: workspace.AchievementDetails{Description: "Formation sécurité.", Criteria: "Suivre la formation."}}
	if err := a.f.WS.CreateAchievement(ctx, ach, "test"); err != nil {
		t.Fatal(err)
	}
	form := map[string]string{"version": "1", "name": "Sécurité au laboratoire", "description": "Formation obligatoire.", "criteria": "Suivre la formation.", "tags": "sécurité"}
	w := a.multipart("/admin/achievements/"+ach.ID+"/edit?lang=fr", "issuer-secret", form, "image", "b.png", workspacetest.PNG(t, 24, 24, color.RGBA{1, 2, 3, 255}))
	if w.Code != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", w.Code, visibleText(w.Body.String()))
	}
	got, _ := a.f.Store.GetAchievement(ctx, ach.ID)
	if got.Name != "Sécurité au laboratoire" || got.Version != 2 || got.ImageID == "" || got.Tags[0] != "sécurité" {
		t.Fatalf("after edit %+v", got)
	}
	if w := a.multipart("/admin/achievements/"+ach.ID+"/edit?lang=fr", "issuer-secret", form, "", "", nil); w.Code != http.StatusConflict ||
		!strings.Contains(visibleText(w.Body.String()), "Quelqu'un a modifié ce badge entre-temps") {
		t.Fatalf("stale edit: %d %s", w.Code, visibleText(w.Body.String()))
	}
	form["version"] = "2"
	if w := a.multipart("/admin/achievements/"+ach.ID+"/edit?lang=fr", "viewer-secret", form, "", "", nil); w.Code != http.StatusForbidden {
		t.Fatalf("viewer edits: %d", w.Code)
	}
	if w := a.form("/admin/members", "issuer-secret", url.Values{"email": {"bob@lab.example.fr"}, "role": {"viewer"}}); w.Code != http.StatusForbidden {
		t.Fatalf("issuer sets roles: %d", w.Code)
	}
	if w := a.form("/admin/members", "admin-secret", url.Values{"email": {"Bob@Lab.example.fr"}, "role": {"issuer"}}); w.Code != http.StatusSeeOther {
		t.Fatalf("admin sets a role: %d", w.Code)
	}
	if w := a.form("/admin/members", "admin-secret", url.Values{"email": {"not an address"}, "role": {"issuer"}}); !strings.Contains(w.Header().Get("Location"), "error=member") {
		t.Fatalf("bad address: %v", w.Header())
	}
	text := visibleText(a.do("GET", "/admin/members?lang=fr", "admin-secret", nil, "").Body.String())
	if !strings.Contains(text, "bob@lab.example.fr émetteur") {
		t.Fatalf("members: %s", text)
	}
	a.form("/admin/members", "admin-secret", url.Values{"email": {"bob@lab.example.fr"}, "role": {""}})
	if r, _ := a.f.WS.RoleOf(ctx, a.f.IssuerID, "bob@lab.example.fr"); r != "" {
		t.Fatalf("removed member still has %q", r)
	}
}

func TestAdminEndorse(t *testing.T) {
	t.Parallel()
	a := newAdminHarness(t)
	w := a.form("/admin/endorse", "issuer-secret", url.Values{"subject": {"https://other.example/badges/x"}, "comment": {"Sérieux."}})
	if w.Code != 200 || !strings.Contains(w.Body.String(), `"EndorsementCredential"`) || !strings.Contains(w.Header().Get("Content-Disposition"), "endorsement.json") {
		t.Fatalf("endorse: %d %s", w.Code, w.Body)
	}
	if w := a.form("/admin/endorse?lang=fr", "issuer-secret", url.Values{"subject": {"pas un identifiant"}}); w.Code != http.StatusBadRequest ||
		!strings.Contains(visibleText(w.Body.String()), "La recommandation n'a pas été signée") {
		t.Fatalf("bad subject: %d", w.Code)
	}
	if w := a.form("/admin/endorse", "viewer-secret", url.Values{"subject": {"https://other.example/x"}}); w.Code != http.StatusForbidden {
		t.Fatalf("viewer: %d", w.Code)
	}
}

// The profile page shows the signing key and the retired ones; an admin
// of a did:web issuer makes a new key there (recorded in the audit log),
// an issuer may not, and a did:key issuer's page says why it cannot.
func TestAdminKeyRotation(t *testing.T) {
	t.Parallel()
	a := newAdminHarness(t)
	ctx := context.Background()
	page := visibleText(a.do("GET", "/admin/profile?lang=fr", "admin-secret", nil, "").Body.String())
	if !strings.Contains(page, "son identifiant est sa clé") || strings.Contains(page, "Créer une nouvelle clé") {
		t.Fatalf("did:key profile page: %s", page)
	}
	if w := a.form("/admin/profile/keys/rotate?lang=fr", "admin-secret", nil); w.Code != http.StatusConflict ||
		!strings.Contains(visibleText(w.Body.String()), "La clé n'a pas été changée") {
		t.Fatalf("did:key rotation: %d %s", w.Code, visibleText(w.Body.String()))
	}
	k, err := issuer.NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	const id = "did:web:badges.lab.example"
	if _, err := a.f.Issuer.AddIssuer(ctx, issuer.Profile{Name: "Lab"}, &issuer.Key{Signer: k.Signer, DID: id, VerificationMethod: id + "#key-1", Type: k.Type}); err != nil {
		t.Fatal(err)
	}
	web := adminHarnessFor(t, a.f, id)
	if page := web.do("GET", "/admin/profile", "admin-secret", nil, "").Body.String(); !strings.Contains(page, "Make a new key") || !strings.Contains(page, id+"#key-1") {
		t.Fatalf("did:web profile page: %s", visibleText(page))
	}
	if w := web.form("/admin/profile/keys/rotate", "issuer-secret", nil); w.Code != http.StatusForbidden {
		t.Fatalf("rotation by an issuer: %d", w.Code)
	}
	w := web.form("/admin/profile/keys/rotate", "admin-secret", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/admin/profile?done=key" {
		t.Fatalf("rotation: %d %v", w.Code, w.Header())
	}
	page = web.do("GET", "/admin/profile?done=key", "admin-secret", nil, "").Body.String()
	cur := regexp.MustCompile(`id="current-key">([^<]+)<`).FindStringSubmatch(page)
	if cur == nil || cur[1] != id+"#key-2" || !strings.Contains(page, "<li><code>"+id+"#key-1</code>") || !strings.Contains(page, "A new key signs from now on") {
		t.Fatalf("after rotation: %s", page)
	}
	log, err := a.f.Store.AuditLog(ctx, id, 5)
	if err != nil || len(log) != 1 || log[0].Action != "key.rotate" || log[0].Actor != "admin" {
		t.Fatalf("audit: %+v %v", log, err)
	}
}
