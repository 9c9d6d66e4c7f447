package admin

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image/color"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/workspace/workspacetest"
	"github.com/blason-badges/blason/issuer"
)

// harness mounts the part alone; its Auth reads the scopes from the bearer
// token itself ("Bearer issue,status"), so each test says what it holds.
type harness struct {
	t *testing.T
	r *gin.Engine
	f *workspacetest.Fixture
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	f := workspacetest.New(t, "Laboratoire", "https://badges.lab.example", nil)
	return harnessFor(t, f, f.IssuerID)
}

// harnessFor mounts the part for issuerID of f's workspace.
func harnessFor(t *testing.T, f *workspacetest.Fixture, issuerID string) *harness {
	t.Helper()
	sh := part.Shared{
		Auth: func(s account.Scope) gin.HandlerFunc {
			return func(c *gin.Context) {
				tok, ok := strings.CutPrefix(c.GetHeader("Authorization"), "Bearer ")
				if !ok {
					c.AbortWithStatus(http.StatusUnauthorized)
					return
				}
				scopes := strings.Split(tok, ",")
				if !slices.Contains(scopes, string(s)) && !slices.Contains(scopes, "admin") {
					c.AbortWithStatus(http.StatusForbidden)
					return
				}
				c.Set(part.TokenKey, "tok-"+tok)
				c.Next()
			}
		},
		MaxBody: 4 << 20, BodyTimeout: 1e9,
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	New(sh, Config{Workspace: f.WS, IssuerID: issuerID}).Mount(r)
	return &harness{t: t, r: r, f: f}
}

func (h *harness) do(method, path, token, ctype string, body []byte) (*httptest.ResponseRecorder, map[string]any) {
	h.t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	w := httptest.NewRecorder()
	h.r.ServeHTTP(w, req)
	var m map[string]any
	_ = json.Unmarshal(w.Body.Bytes(), &m)
	return w, m
}

func (h *harness) json(method, path, token string, body any) (*httptest.ResponseRecorder, map[string]any) {
	b, _ := json.Marshal(body)
	return h.do(method, path, token, "application/json", b)
}

// The coordinator's path through the API: an image, an achievement using
// it, a dry run naming the bad line, an import, a search, a revocation
// with a reason, the CSV export and the audit log.
func TestAdminAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	w, m := h.do("POST", "/admin/api/images", "issue", "image/png", workspacetest.PNG(t, 64, 64, color.RGBA{0, 90, 160, 255}))
	if w.Code != http.StatusCreated || m["mediaType"] != "image/png" {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	imgID := m["id"].(string)
	if w, _ := h.do("POST", "/admin/api/images", "issue", "image/png", []byte("<html>")); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "not an accepted image") {
		t.Fatalf("fake image: %d %s", w.Code, w.Body)
	}
	w, _ = h.do("GET", "/images/"+imgID, "", "", nil)
	if w.Code != 200 || w.Header().Get("Content-Type") != "image/png" || !strings.Contains(w.Header().Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("image: %d %v", w.Code, w.Header())
	}
	ach := map[string]any{"name": "Médiation scientifique", "lang": "fr", "description": "A expliqué la recherche.", "criteria": "Un stand.",
		"imageId": imgID, "tags": []string{"science"}, "results": []map[string]any{{"name": "Niveau", "resultType": "PerformanceLevel", "allowedValues": []string{"or", "argent"}}}}
	if w, _ := h.json("POST", "/admin/api/achievements", "status", ach); w.Code != http.StatusForbidden {
		t.Fatalf("without the issue scope: %d", w.Code)
	}
	w, m = h.json("POST", "/admin/api/achievements", "issue", ach)
	if w.Code != http.StatusCreated || m["name"] != "Médiation scientifique" || m["version"] != 1.0 {
		t.Fatalf("create: %d %s", w.Code, w.Body)
	}
	achID := m["id"].(string)
	bad := map[string]any{"name": "", "lang": "fr", "description": "d", "criteria": "c"}
	if w, m := h.json("POST", "/admin/api/achievements", "issue", bad); w.Code != http.StatusBadRequest || m["field"] != "name" {
		t.Fatalf("no name: %d %s", w.Code, w.Body)
	}
	if w, _ := h.do("POST", "/admin/api/achievements", "issue", "text/plain", []byte("{}")); w.Code != http.StatusUnsupportedMediaType {
		t.Fatalf("form post: %d", w.Code)
	}
	// An edit with a stale version is refused.
	ach["version"], ach["description"] = 1, "Nouvelle description"
	if w, m := h.json("PUT", "/admin/api/achievements/"+achID, "issue", ach); w.Code != 200 || m["version"] != 2.0 {
		t.Fatalf("edit: %d %s", w.Code, w.Body)
	}
	if w, _ := h.json("PUT", "/admin/api/achievements/"+achID, "issue", ach); w.Code != http.StatusConflict {
		t.Fatalf("stale edit: %d %s", w.Code, w.Body)
	}

	csv := "nom;courriel;résultat\nÉlodie Müller;elodie@lab.example.fr;or\nJean Dupont;jean@lab,example.fr;argent\nLéa Roux;lea@lab.example.fr;argent\n"
	w, m = h.json("POST", "/admin/api/awards", "issue", map[string]any{"achievementId": achID, "csv": csv, "dryRun": true})
	if w.Code != http.StatusUnprocessableEntity || len(m["problems"].([]any)) != 1 || m["problems"].([]any)[0].(map[string]any)["line"] != 3.0 {
		t.Fatalf("dry run: %d %s", w.Code, w.Body)
	}
	w, m = h.json("POST", "/admin/api/awards", "issue", map[string]any{"achievementId": achID, "csv": csv, "skipInvalid": true})
	if w.Code != 200 || len(m["awarded"].([]any)) != 2 {
		t.Fatalf("award: %d %s", w.Code, w.Body)
	}
	w, m = h.json("POST", "/admin/api/awards", "issue", map[string]any{"achievementId": achID, "recipients": []map[string]string{{"name": "Zoé", "email": "zoe@lab.example.fr"}}})
	if w.Code != 200 || len(m["awarded"].([]any)) != 1 {
		t.Fatalf("one recipient: %d %s", w.Code, w.Body)
	}
	w, m = h.do("GET", "/admin/api/awards?recipient=m%C3%BCller", "issue", "", nil)
	if w.Code != 200 || m["total"] != 1.0 {
		t.Fatalf("search: %d %s", w.Code, w.Body)
	}
	cred := m["awards"].([]any)[0].(map[string]any)["credentialId"].(string)
	if w, _ := h.json("POST", "/admin/api/awards/status", "issue", map[string]any{"credentialId": cred, "action": "revoke", "reason": "erreur"}); w.Code != http.StatusForbidden {
		t.Fatalf("revoke without the status scope: %d", w.Code)
	}
	if w, m := h.json("POST", "/admin/api/awards/status", "status", map[string]any{"credentialId": cred, "action": "revoke"}); w.Code != http.StatusBadRequest || m["field"] != "reason" {
		t.Fatalf("revoke without a reason: %d %s", w.Code, w.Body)
	}
	if w, m := h.json("POST", "/admin/api/awards/status", "status", map[string]any{"credentialId": cred, "action": "revoke", "reason": "attribué par erreur"}); w.Code != 200 || m["status"] != "revoked" {
		t.Fatalf("revoke: %d %s", w.Code, w.Body)
	}
	w, _ = h.do("GET", "/admin/api/awards.csv?until=2999-01-01", "issue", "", nil)
	lines := strings.Split(strings.TrimSpace(w.Body.String()), "\n")
	if w.Code != 200 || len(lines) != 4 || !strings.HasPrefix(lines[0], "\ufeffcredential_id,") || !strings.Contains(w.Body.String(), cred+","+achID+",Élodie Müller,elodie@lab.example.fr,fr,revoked,") {
		t.Fatalf("export: %d\n%s", w.Code, w.Body)
	}
	if w, _ := h.do("GET", "/admin/api/audit", "issue,status", "", nil); w.Code != http.StatusForbidden {
		t.Fatalf("audit without admin: %d", w.Code)
	}
	w, m = h.do("GET", "/admin/api/audit", "admin", "", nil)
	var actions []string
	for _, e := range m["entries"].([]any) {
		e := e.(map[string]any)
		actions = append(actions, fmt.Sprint(e["actor"], " ", e["action"]))
	}
	want := "api:tok-status award.revoke|api:tok-issue award.batch|api:tok-issue award.batch|api:tok-issue achievement.edit|api:tok-issue achievement.create|api:tok-issue image.add"
	if w.Code != 200 || strings.Join(actions, "|") != want {
		t.Fatalf("audit: %d %v", w.Code, actions)
	}
	if w, m := h.do("GET", "/admin/api/outbox", "issue", "", nil); w.Code != 200 || m["waiting"] != 3.0 {
		t.Fatalf("outbox: %d %s", w.Code, w.Body)
	}
}

func TestEndorseAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	w, m := h.json("POST", "/admin/api/endorsements", "issue", map[string]any{"subjectId": "did:web:other.example", "comment": "Sérieux."})
	vc, _ := m["verifiableCredential"].(map[string]any)
	if w.Code != http.StatusCreated || vc["credentialStatus"] == nil || vc["credentialSubject"].(map[string]any)["endorsementComment"] != "Sérieux." {
		t.Fatalf("endorse: %d %s", w.Code, w.Body)
	}
	if w, m := h.json("POST", "/admin/api/endorsements", "issue", map[string]any{"subjectId": h.f.IssuerID}); w.Code != http.StatusBadRequest || m["field"] != "subject" {
		t.Fatalf("self-endorsement: %d %s", w.Code, w.Body)
	}
}

// An Open Badge Factory badge class imported by its URL: the badge class
// and its image are fetched (through the server's client), the image
// checked and stored; a fetch that fails is a 502 and adds nothing.
func TestImportByURL(t *testing.T) {
	t.Parallel()
	f := workspacetest.New(t, "Laboratoire", "https://badges.lab.example", nil)
	web := map[string][]byte{
		"https://openbadgefactory.com/v1/badge/_/X1.json": []byte(`{"@context": "https://w3id.org/openbadges/v2", "type": "BadgeClass",
			"id": "https://openbadgefactory.com/v1/badge/_/X1.json", "name": "Secourisme", "description": "PSC1.",
			"image": "https://openbadgefactory.com/v1/badge/_/X1.png", "criteria": {"narrative": "Formation PSC1 validée."},
			"issuer": "https://openbadgefactory.com/v1/client/_/lab.json"}`),
		"https://openbadgefactory.com/v1/badge/_/X1.png": workspacetest.PNG(t, 32, 32, color.RGBA{0, 120, 0, 255}),
	}
	var fetched []string
	sh := part.Shared{Auth: func(account.Scope) gin.HandlerFunc { return func(c *gin.Context) { c.Next() } }, MaxBody: 1 << 20, BodyTimeout: 1e9}
	r := gin.New()
	New(sh, Config{Workspace: f.WS, IssuerID: f.IssuerID, Fetch: func(_ context.Context, u string) ([]byte, error) {
		fetched = append(fetched, u)
		if b, ok := web[u]; ok {
			return b, nil
		}
		return nil, errors.New("404")
	}}).Mount(r)
	post := func(body string) (*httptest.ResponseRecorder, map[string]any) {
		req := httptest.NewRequest("POST", "/admin/api/achievements/import?lang=fr", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		r.ServeHTTP(w, req)
		var m map[string]any
		json.Unmarshal(w.Body.Bytes(), &m)
		return w, m
	}
	w, m := post(`{"url": "https://openbadgefactory.com/v1/badge/_/X1.json"}`)
	if w.Code != http.StatusCreated || m["name"] != "Secourisme" || m["imageId"] == nil || m["imageUrl"] != nil || len(fetched) != 2 {
		t.Fatalf("import: %d %s (fetched %v)", w.Code, w.Body, fetched)
	}
	if img, err := f.Store.GetImage(context.Background(), m["imageId"].(string)); err != nil || img.MediaType != "image/png" {
		t.Fatalf("image: %v %v", img, err)
	}
	if w, _ := post(`{"url": "https://openbadgefactory.com/v1/badge/_/missing.json"}`); w.Code != http.StatusBadGateway {
		t.Fatalf("missing: %d %s", w.Code, w.Body)
	}
	if list, _ := f.Store.ListAchievements(context.Background(), f.IssuerID, false); len(list) != 1 {
		t.Fatalf("catalogue: %d", len(list))
	}
}

// Roles and the profile through the API: admin scope to change them.
func TestMembersAndProfileAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	if w, _ := h.json("POST", "/admin/api/members", "issue", map[string]any{"email": "bob@lab.example.fr", "role": "viewer"}); w.Code != http.StatusForbidden {
		t.Fatalf("members without admin: %d", w.Code)
	}
	w, m := h.json("POST", "/admin/api/members", "admin", map[string]any{"email": "Bob@Lab.example.fr", "role": "issuer"})
	if w.Code != 200 || fmt.Sprint(m["members"]) != "[map[email:bob@lab.example.fr role:issuer]]" {
		t.Fatalf("set member: %d %s", w.Code, w.Body)
	}
	if w, m := h.json("POST", "/admin/api/members", "admin", map[string]any{"email": "bob@lab.example.fr", "role": "owner"}); w.Code != http.StatusBadRequest || m["field"] != "role" {
		t.Fatalf("bad role: %d %s", w.Code, w.Body)
	}
	if w, _ := h.json("PUT", "/admin/api/profile", "issue", map[string]any{"name": "X"}); w.Code != http.StatusForbidden {
		t.Fatalf("profile without admin: %d", w.Code)
	}
	w, m = h.json("PUT", "/admin/api/profile", "admin", map[string]any{"name": "LPP", "url": "https://lpp.example.fr"})
	if w.Code != 200 || m["name"] != "LPP" || m["url"] != "https://lpp.example.fr" || m["id"] != h.f.IssuerID {
		t.Fatalf("profile: %d %s", w.Code, w.Body)
	}
	if w, m := h.json("PUT", "/admin/api/profile", "admin", map[string]any{"name": "LPP", "email": "a@x,org"}); w.Code != http.StatusBadRequest || m["field"] != "email" {
		t.Fatalf("bad e-mail: %d %s", w.Code, w.Body)
	}
}

// TestKeyRotationAPI: an admin rotates a did:web issuer's key through the
// API (recorded in the audit log); others may not; a did:key issuer is
// told why it cannot.
func TestKeyRotationAPI(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	w, m := h.json("POST", "/admin/api/profile/keys/rotate", "admin", map[string]any{})
	if w.Code != http.StatusConflict || !strings.Contains(fmt.Sprint(m["detail"]), "did:web") || !strings.HasSuffix(fmt.Sprint(m["type"]), "key-rotation") {
		t.Fatalf("did:key rotation: %d %s", w.Code, w.Body)
	}
	k, err := issuer.NewKey("")
	if err != nil {
		t.Fatal(err)
	}
	const id = "did:web:badges.lab.example"
	if _, err := h.f.Issuer.AddIssuer(context.Background(), issuer.Profile{Name: "Lab"},
		&issuer.Key{Signer: k.Signer, DID: id, VerificationMethod: id + "#key-1", Type: k.Type}); err != nil {
		t.Fatal(err)
	}
	web := harnessFor(t, h.f, id)
	for _, tok := range []string{"issue", "issue,status"} {
		if w, _ := web.json("POST", "/admin/api/profile/keys/rotate", tok, map[string]any{}); w.Code != http.StatusForbidden {
			t.Errorf("rotation with %s: %d", tok, w.Code)
		}
	}
	if w, m := web.json("GET", "/admin/api/profile/keys", "admin", nil); w.Code != 200 || fmt.Sprint(m["current"].(map[string]any)["id"]) != id+"#key-1" ||
		m["rotatable"] != true || len(m["retired"].([]any)) != 0 {
		t.Fatalf("keys: %d %s", w.Code, w.Body)
	}
	w, m = web.json("POST", "/admin/api/profile/keys/rotate", "admin", map[string]any{})
	if w.Code != 200 || fmt.Sprint(m["current"].(map[string]any)["id"]) != id+"#key-2" {
		t.Fatalf("rotate: %d %s", w.Code, w.Body)
	}
	retired := m["retired"].([]any)
	if len(retired) != 1 || retired[0].(map[string]any)["id"] != id+"#key-1" {
		t.Fatalf("retired: %v", retired)
	}
	log, err := h.f.WS.Store.AuditLog(context.Background(), id, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 1 || log[0].Action != "key.rotate" || log[0].Actor != "api:tok-admin" || log[0].Target != id+"#key-2" ||
		log[0].Detail != "retired "+id+"#key-1" {
		t.Fatalf("audit log: %+v", log)
	}
}
