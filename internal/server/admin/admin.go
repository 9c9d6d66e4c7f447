// Package admin is the issuer workspace's JSON API (a part mounted by
// internal/server): the achievements catalogue and its images, awards one
// by one or from a CSV (with a dry run), award search and CSV export,
// status changes with a reason, the outbox and the audit log. Every route
// takes a bearer token: scope issue to read and change the catalogue and
// award, status to revoke or suspend, admin for the audit log. Images are
// public (badges name them). Handlers only parse, call
// internal/workspace and answer.
package admin

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
)

// Config is what the part needs.
type Config struct {
	// Workspace is the issuer workspace; nil disables the part (no routes).
	Workspace *workspace.Service
	// IssuerID is the issuer the server signs as: the workspace's routes
	// act for it only.
	IssuerID string
	// Fetch GETs what an import names by URL (a badge class, its image)
	// through the hardened client; nil: imports by URL are refused.
	Fetch func(ctx context.Context, url string) ([]byte, error)
}

// API is the part.
type API struct {
	sh  part.Shared
	cfg Config
}

// New returns the part.
func New(sh part.Shared, cfg Config) *API { return &API{sh: sh, cfg: cfg} }

// Mount implements part.Part.
func (a *API) Mount(r gin.IRouter) {
	if a.cfg.Workspace == nil {
		return
	}
	r.GET("/images/:id", a.image)
	g := r.Group("/admin/api")
	read := a.sh.Auth(account.ScopeIssue)
	g.GET("/achievements", read, a.listAchievements)
	g.GET("/achievements/:id", read, a.getAchievement)
	g.POST("/achievements", read, part.RequireJSON, a.createAchievement)
	g.PUT("/achievements/:id", read, part.RequireJSON, a.editAchievement)
	g.POST("/achievements/:id/archive", read, part.RequireJSON, a.archive)
	g.POST("/achievements/import", read, part.RequireJSON, a.importAchievement)
	g.POST("/images", read, a.uploadImage)
	g.POST("/awards", read, part.RequireJSON, a.award)
	g.GET("/awards", read, a.searchAwards)
	g.GET("/awards.csv", read, a.exportAwards)
	g.POST("/awards/status", a.sh.Auth(account.ScopeStatus), part.RequireJSON, a.changeStatus)
	g.POST("/endorsements", read, part.RequireJSON, a.endorse)
	g.GET("/outbox", read, a.outbox)
	g.GET("/audit", a.sh.Auth(account.ScopeAdmin), a.audit)
	g.GET("/members", a.sh.Auth(account.ScopeAdmin), a.members)
	g.POST("/members", a.sh.Auth(account.ScopeAdmin), part.RequireJSON, a.setMember)
	g.GET("/profile", read, a.profile)
	g.PUT("/profile", a.sh.Auth(account.ScopeAdmin), part.RequireJSON, a.saveProfile)
	g.GET("/profile/keys", a.sh.Auth(account.ScopeAdmin), a.keys)
	g.POST("/profile/keys/rotate", a.sh.Auth(account.ScopeAdmin), part.RequireJSON, a.rotateKey)
}

func actor(c *gin.Context) string { return "api:" + part.TokenID(c) }

// fail answers a workspace error: its field for invalid input.
func fail(c *gin.Context, err error) {
	var fe *workspace.FieldError
	if errors.As(err, &fe) {
		c.JSON(http.StatusBadRequest, gin.H{"type": problem.BaseURI + problem.Malformed, "title": problem.Title(problem.Malformed),
			"status": http.StatusBadRequest, "detail": fe.Error(), "field": fe.Field})
		return
	}
	problem.Error(c, err, "")
}

// achievementInput is the JSON of a new or edited achievement.
type achievementInput struct {
	Name      string `json:"name"`
	Lang      string `json:"lang"`
	Version   int64  `json:"version"`
	VariantOf string `json:"variantOf"`
	workspace.AchievementDetails
}

func (a *API) readAchievement(c *gin.Context) (*achievementInput, bool) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return nil, false
	}
	b, _ := json.Marshal(m)
	var in achievementInput
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&in); err != nil {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "achievement: "+err.Error())
		return nil, false
	}
	return &in, true
}

func writeAchievement(c *gin.Context, status int, ach *workspace.Achievement) {
	b, err := workspace.MarshalAchievement(ach)
	if err != nil {
		problem.Error(c, err, "")
		return
	}
	c.Data(status, "application/json", b)
}

func (a *API) listAchievements(c *gin.Context) {
	list, err := a.cfg.Workspace.Store.ListAchievements(c.Request.Context(), a.cfg.IssuerID, c.Query("archived") == "true")
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]json.RawMessage, 0, len(list))
	for _, ach := range list {
		b, err := workspace.MarshalAchievement(ach)
		if err != nil {
			fail(c, err)
			return
		}
		out = append(out, b)
	}
	c.JSON(http.StatusOK, gin.H{"achievements": out})
}

func (a *API) getAchievement(c *gin.Context) {
	ach, err := a.cfg.Workspace.Achievement(c.Request.Context(), a.cfg.IssuerID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	writeAchievement(c, http.StatusOK, ach)
}

func (a *API) createAchievement(c *gin.Context) {
	in, ok := a.readAchievement(c)
	if !ok {
		return
	}
	ach := &workspace.Achievement{IssuerID: a.cfg.IssuerID, Name: in.Name, Lang: in.Lang, AchievementDetails: in.AchievementDetails}
	var err error
	if in.VariantOf != "" {
		err = a.cfg.Workspace.AddVariant(c.Request.Context(), strings.TrimPrefix(in.VariantOf, "urn:uuid:"), ach, actor(c))
	} else {
		err = a.cfg.Workspace.CreateAchievement(c.Request.Context(), ach, actor(c))
	}
	if err != nil {
		fail(c, err)
		return
	}
	writeAchievement(c, http.StatusCreated, ach)
}

func (a *API) editAchievement(c *gin.Context) {
	in, ok := a.readAchievement(c)
	if !ok {
		return
	}
	old, err := a.cfg.Workspace.Achievement(c.Request.Context(), a.cfg.IssuerID, c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	if in.Version == 0 {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "version is required (the version you read: an edit made meanwhile is refused)")
		return
	}
	ach := &workspace.Achievement{ID: old.ID, IssuerID: a.cfg.IssuerID, Name: in.Name, Lang: in.Lang, Version: in.Version,
		Archived: old.Archived, AchievementDetails: in.AchievementDetails}
	if err := a.cfg.Workspace.EditAchievement(c.Request.Context(), ach, actor(c)); err != nil {
		fail(c, err)
		return
	}
	writeAchievement(c, http.StatusOK, ach)
}

func (a *API) archive(c *gin.Context) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return
	}
	archived, ok := m["archived"].(bool)
	if !ok {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, `give {"archived": true} or {"archived": false}`)
		return
	}
	id := strings.TrimPrefix(c.Param("id"), "urn:uuid:")
	if err := a.cfg.Workspace.Archive(c.Request.Context(), a.cfg.IssuerID, id, archived, actor(c)); err != nil {
		fail(c, err)
		return
	}
	a.getAchievement(c)
}

// POST /admin/api/achievements/import: the body is the achievement or
// badge class; or {"url": "https://..."} names it (fetched, https only).
func (a *API) importAchievement(c *gin.Context) {
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(a.sh.BodyTimeout))
	raw, err := io.ReadAll(c.Request.Body)
	if err != nil {
		problem.ReadError(c, a.sh.MaxBody, err)
		return
	}
	var byURL struct {
		URL string `json:"url"`
	}
	if json.Unmarshal(raw, &byURL) == nil && byURL.URL != "" {
		if a.cfg.Fetch == nil {
			problem.Write(c, http.StatusNotImplemented, problem.NotConfigured, "this server does not import by URL")
			return
		}
		if raw, err = a.cfg.Fetch(c.Request.Context(), byURL.URL); err != nil {
			problem.Write(c, http.StatusBadGateway, problem.FetchFailed, "could not fetch "+byURL.URL+": "+err.Error())
			return
		}
	}
	ach, err := a.cfg.Workspace.ImportJSON(c.Request.Context(), a.cfg.IssuerID, raw,
		workspace.ImportOptions{Lang: c.Query("lang"), VariantOf: c.Query("variantOf"), Fetch: a.cfg.Fetch}, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	writeAchievement(c, http.StatusCreated, ach)
}

// POST /admin/api/images: the image itself as the body (any declared
// type: what it is is read from its content).
func (a *API) uploadImage(c *gin.Context) {
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(a.sh.BodyTimeout))
	data, err := io.ReadAll(io.LimitReader(c.Request.Body, workspace.MaxImageBytes+1))
	if err != nil {
		problem.ReadError(c, a.sh.MaxBody, err)
		return
	}
	img, err := a.cfg.Workspace.AddImage(c.Request.Context(), a.cfg.IssuerID, data, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"id": img.ID, "mediaType": img.MediaType, "url": a.cfg.Workspace.ImageURL(img.ID)})
}

// GET /images/{id}: public. An SVG is served with a CSP that forbids
// scripts and sandboxes it, in case one got past CheckImage.
func (a *API) image(c *gin.Context) {
	img, err := a.cfg.Workspace.Store.GetImage(c.Request.Context(), c.Param("id"))
	if err != nil {
		fail(c, err)
		return
	}
	h := c.Writer.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=86400, immutable")
	c.Data(http.StatusOK, img.MediaType, img.Data)
}

// awardRequest: a CSV as text, or recipients as JSON.
type awardRequest struct {
	AchievementID string `json:"achievementId"`
	CSV           string `json:"csv"`
	Recipients    []struct {
		Name      string `json:"name"`
		Email     string `json:"email"`
		Narrative string `json:"narrative"`
		Evidence  string `json:"evidence"`
		Result    string `json:"result"`
		Lang      string `json:"lang"`
	} `json:"recipients"`
	DryRun      bool   `json:"dryRun"`
	SkipInvalid bool   `json:"skipInvalid"`
	Lang        string `json:"lang"`
	Source      string `json:"source"`
}

// Report is the JSON of an award report.
type Report struct {
	Rows      int                `json:"rows"`
	DryRun    bool               `json:"dryRun"`
	ToAward   int                `json:"toAward"`
	Awarded   []AwardJSON        `json:"awarded"`
	Already   []int              `json:"alreadyAwardedLines"`
	Problems  []awardcsv.Problem `json:"problems"`
	Encoding  string             `json:"encoding,omitempty"`
	Separator string             `json:"separator,omitempty"`
}

// AwardJSON is one award as the API lists it.
type AwardJSON struct {
	CredentialID  string    `json:"credentialId"`
	AchievementID string    `json:"achievementId"`
	Name          string    `json:"name"`
	Email         string    `json:"email"`
	Lang          string    `json:"lang"`
	Line          int       `json:"line,omitempty"`
	Source        string    `json:"source,omitempty"`
	Status        string    `json:"status,omitempty"`
	AwardedAt     time.Time `json:"awardedAt"`
}

func awardJSON(r *workspace.AwardRecord) AwardJSON {
	return AwardJSON{CredentialID: r.CredentialID, AchievementID: r.AchievementID, Name: r.Name, Email: r.Email, Lang: r.Lang,
		Line: r.Line, Source: r.Source, AwardedAt: r.CreatedAt}
}

// ReportJSON converts a workspace report.
func ReportJSON(rep *workspace.AwardReport, sheet *awardcsv.Sheet) Report {
	out := Report{Rows: rep.Rows, DryRun: rep.DryRun, ToAward: rep.ToAward, Already: rep.Already, Problems: rep.Problems,
		Awarded: []AwardJSON{}}
	if out.Problems == nil {
		out.Problems = []awardcsv.Problem{}
	}
	if out.Already == nil {
		out.Already = []int{}
	}
	for _, r := range rep.Awarded {
		out.Awarded = append(out.Awarded, awardJSON(r))
	}
	if sheet != nil {
		out.Encoding, out.Separator = sheet.Encoding, string(sheet.Separator)
	}
	return out
}

// POST /admin/api/awards: award an achievement to the rows of a CSV or to
// a list of recipients. 200 with the report; 422 with the report when
// rows have problems and skipInvalid is false (nothing awarded).
func (a *API) award(c *gin.Context) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return
	}
	b, _ := json.Marshal(m)
	var in awardRequest
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&in); err != nil {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "award: "+err.Error())
		return
	}
	var sheet *awardcsv.Sheet
	var err error
	switch {
	case in.CSV != "" && len(in.Recipients) > 0:
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "give csv or recipients, not both")
		return
	case in.CSV != "":
		if sheet, err = awardcsv.Parse(strings.NewReader(in.CSV)); err != nil {
			problem.Write(c, http.StatusBadRequest, problem.Malformed, err.Error())
			return
		}
		if in.Source == "" {
			in.Source = "csv"
		}
	case len(in.Recipients) > 0:
		// The same rules as a CSV: written as one and parsed.
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		w.Write([]string{"name", "email", "narrative", "evidence", "result", "lang"})
		for _, r := range in.Recipients {
			w.Write([]string{r.Name, r.Email, r.Narrative, r.Evidence, r.Result, r.Lang})
		}
		w.Flush()
		if sheet, err = awardcsv.Parse(&buf); err != nil {
			problem.Write(c, http.StatusBadRequest, problem.Malformed, err.Error())
			return
		}
		if in.Source == "" {
			in.Source = "api"
		}
	default:
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "give csv (the file's text) or recipients")
		return
	}
	rep, err := a.cfg.Workspace.AwardSheet(c.Request.Context(), a.cfg.IssuerID, sheet, workspace.AwardOptions{
		AchievementID: in.AchievementID, Source: in.Source, DryRun: in.DryRun, SkipInvalid: in.SkipInvalid, Lang: in.Lang, Actor: actor(c)})
	switch {
	case errors.Is(err, workspace.ErrRowsInvalid):
		c.JSON(http.StatusUnprocessableEntity, ReportJSON(rep, sheet))
	case err != nil:
		fail(c, err)
	default:
		c.JSON(http.StatusOK, ReportJSON(rep, sheet))
	}
}

// query reads the search parameters.
func (a *API) query(c *gin.Context) (workspace.AwardQuery, bool) {
	q := workspace.AwardQuery{IssuerID: a.cfg.IssuerID, AchievementID: strings.TrimPrefix(c.Query("achievement"), "urn:uuid:"),
		Recipient: c.Query("recipient")}
	for _, p := range []struct {
		name string
		t    *time.Time
	}{{"from", &q.From}, {"until", &q.Until}} {
		if v := c.Query(p.name); v != "" {
			t, err := time.Parse("2006-01-02", v)
			if err != nil {
				if t, err = time.Parse(time.RFC3339, v); err != nil {
					problem.Write(c, http.StatusBadRequest, problem.Malformed, p.name+" must be a date (2026-11-30) or an RFC 3339 time")
					return q, false
				}
			}
			*p.t = t
		}
	}
	if !q.Until.IsZero() && len(c.Query("until")) == 10 {
		q.Until = q.Until.AddDate(0, 0, 1) // a day includes itself
	}
	q.Offset, _ = strconv.Atoi(c.Query("offset"))
	q.Limit, _ = strconv.Atoi(c.Query("limit"))
	return q, true
}

// GET /admin/api/awards
func (a *API) searchAwards(c *gin.Context) {
	q, ok := a.query(c)
	if !ok {
		return
	}
	list, total, err := a.cfg.Workspace.Store.SearchAwards(c.Request.Context(), q)
	if err != nil {
		fail(c, err)
		return
	}
	out := make([]AwardJSON, 0, len(list))
	for _, r := range list {
		j := awardJSON(r)
		if cr, err := a.cfg.Workspace.Issuer.Store.GetCredential(c.Request.Context(), r.CredentialID); err == nil {
			j.Status = cr.Status
		}
		out = append(out, j)
	}
	c.JSON(http.StatusOK, gin.H{"total": total, "awards": out})
}

// GET /admin/api/awards.csv: the search's awards (all pages) as CSV, for
// a spreadsheet.
func (a *API) exportAwards(c *gin.Context) {
	q, ok := a.query(c)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := workspace.ExportCSV(c.Request.Context(), a.cfg.Workspace, q, &buf); err != nil {
		fail(c, err)
		return
	}
	c.Header("Content-Disposition", `attachment; filename="awards.csv"`)
	c.Data(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
}

// POST /admin/api/awards/status {credentialId, action, reason}
func (a *API) changeStatus(c *gin.Context) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return
	}
	id, _ := m["credentialId"].(string)
	action, _ := m["action"].(string)
	reason, _ := m["reason"].(string)
	if id == "" || action == "" {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "credentialId and action (revoke, suspend, reinstate) are required")
		return
	}
	rec, err := a.cfg.Workspace.ChangeStatus(c.Request.Context(), a.cfg.IssuerID, id, action, reason, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"credentialId": rec.ID, "status": rec.Status})
}

func (a *API) outbox(c *gin.Context) {
	st, err := a.cfg.Workspace.Store.Outbox(c.Request.Context())
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"waiting": st.Waiting, "sent": st.Sent, "failing": st.Failing})
}

func (a *API) audit(c *gin.Context) {
	n, _ := strconv.Atoi(c.Query("limit"))
	log, err := a.cfg.Workspace.Store.AuditLog(c.Request.Context(), a.cfg.IssuerID, n)
	if err != nil {
		fail(c, err)
		return
	}
	type entry struct {
		At     time.Time `json:"at"`
		Actor  string    `json:"actor"`
		Action string    `json:"action"`
		Target string    `json:"target"`
		Detail string    `json:"detail"`
	}
	out := make([]entry, 0, len(log))
	for _, e := range log {
		out = append(out, entry{e.At, e.Actor, e.Action, e.Target, e.Detail})
	}
	c.JSON(http.StatusOK, gin.H{"entries": out})
}

// POST /admin/api/endorsements {subjectId, comment, name}: an
// EndorsementCredential about another issuer's achievement or profile.
func (a *API) endorse(c *gin.Context) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return
	}
	var e workspace.Endorsement
	e.SubjectID, _ = m["subjectId"].(string)
	e.Comment, _ = m["comment"].(string)
	e.Name, _ = m["name"].(string)
	signed, err := a.cfg.Workspace.Endorse(c.Request.Context(), a.cfg.IssuerID, e, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, gin.H{"verifiableCredential": json.RawMessage(signed)})
}

// GET /admin/api/members: the roles per issuer profile.
func (a *API) members(c *gin.Context) {
	ms, err := a.cfg.Workspace.Store.Members(c.Request.Context(), a.cfg.IssuerID)
	if err != nil {
		fail(c, err)
		return
	}
	type member struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	out := make([]member, 0, len(ms))
	for _, m := range ms {
		out = append(out, member{m.Email, m.Role})
	}
	c.JSON(http.StatusOK, gin.H{"members": out})
}

// POST /admin/api/members {email, role}: role admin, issuer, viewer, or ""
// to remove.
func (a *API) setMember(c *gin.Context) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return
	}
	email, _ := m["email"].(string)
	role, _ := m["role"].(string)
	if err := a.cfg.Workspace.SetMember(c.Request.Context(), a.cfg.IssuerID, email, role, actor(c)); err != nil {
		fail(c, err)
		return
	}
	a.members(c)
}

// GET /admin/api/profile: the issuer profile badges show.
func (a *API) profile(c *gin.Context) {
	is, err := a.cfg.Workspace.Issuer.Issuer(c.Request.Context(), a.cfg.IssuerID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, is.Profile)
}

// PUT /admin/api/profile {name, url, email, description}.
func (a *API) saveProfile(c *gin.Context) {
	m := a.sh.ReadObject(c)
	if m == nil {
		return
	}
	p := &workspace.Profile{IssuerID: a.cfg.IssuerID}
	p.Name, _ = m["name"].(string)
	p.URL, _ = m["url"].(string)
	p.Email, _ = m["email"].(string)
	p.Description, _ = m["description"].(string)
	if err := a.cfg.Workspace.SaveProfile(c.Request.Context(), p, actor(c)); err != nil {
		fail(c, err)
		return
	}
	a.profile(c)
}

// keysJSON is the issuer's keys as the API shows them.
func keysJSON(ks *issuer.IssuerKeys) gin.H {
	retired := make([]gin.H, len(ks.Retired))
	for i, r := range ks.Retired {
		retired[i] = gin.H{"id": r.VerificationMethod, "type": r.KeyType, "publicKeyMultibase": r.PublicKeyMultibase,
			"retiredAt": r.RetiredAt.UTC().Format(time.RFC3339)}
	}
	return gin.H{"issuerId": ks.IssuerID, "rotatable": strings.HasPrefix(ks.IssuerID, "did:web:"),
		"current": gin.H{"id": ks.VerificationMethod, "type": ks.KeyType, "publicKeyMultibase": ks.PublicKeyMultibase}, "retired": retired}
}

// GET /admin/api/profile/keys: the signing key and the retired ones.
func (a *API) keys(c *gin.Context) {
	ks, err := a.cfg.Workspace.Issuer.Keys(c.Request.Context(), a.cfg.IssuerID)
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, keysJSON(ks))
}

// POST /admin/api/profile/keys/rotate {}: a new signing key (did:web).
func (a *API) rotateKey(c *gin.Context) {
	if a.sh.ReadObject(c) == nil {
		return
	}
	ks, err := a.cfg.Workspace.RotateKey(c.Request.Context(), a.cfg.IssuerID, actor(c))
	if err != nil {
		fail(c, err)
		return
	}
	c.JSON(http.StatusOK, keysJSON(ks))
}
