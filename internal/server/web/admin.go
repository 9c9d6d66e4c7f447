package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/wallet"
)

// AdminConfig enables the issuer workspace's pages (/admin/...) and the
// learners' claim page (/claim/{token}). The handlers only read the form,
// call internal/workspace, and render.
type AdminConfig struct {
	Workspace *workspace.Service
	IssuerID  string
	// SignIn checks what a coordinator types on the sign-in page and says
	// who they are and what they may do. Today it is an API token ('blason
	// token new'); the user accounts replace it.
	SignIn func(ctx context.Context, secret string) (*AdminUser, error)
	// Background outlives requests: imports run under it. Nil means
	// context.Background().
	Background context.Context
	// RoleOf, with Config.Users, gives a signed-in account's role in this
	// issuer's workspace (zero: none), by its e-mail address: the roles
	// per issuer profile ('blason member set').
	RoleOf func(ctx context.Context, email string) (Role, error)
	// Deliver: the server sends claimed badges to a learner's own Open
	// Badges 3.0 host (POST /deliver, internal/server/obconnect); the claim
	// page offers it.
	Deliver bool
}

// Role is what a signed-in person may do for the issuer profile.
type Role int

const (
	// RoleViewer reads the catalogue and the awards.
	RoleViewer Role = iota + 1
	// RoleIssuer also edits the catalogue, awards, revokes and suspends.
	RoleIssuer
	// RoleAdmin also reads the audit log.
	RoleAdmin
)

// AdminUser is a signed-in person.
type AdminUser struct {
	Actor string // as the audit log names them
	Role  Role
	// Account: signed in with a Blason account (signing out ends its
	// session), not with an API token.
	Account bool
}

// adminCookie holds the sign-in secret: HttpOnly, SameSite=Strict, only
// sent to /admin.
const adminCookie = "blason_admin"

// admin is the workspace pages' state.
type admin struct {
	cfg     AdminConfig
	jobs    workspace.Jobs
	mu      sync.Mutex
	uploads map[string]*csvUpload
}

// csvUpload is a CSV checked by a dry run, waiting for the coordinator to
// confirm (kept in memory for uploadTTL).
type csvUpload struct {
	achievementID, name string
	data                []byte
	expires             time.Time
}

const uploadTTL = 30 * time.Minute

func (h *Handler) mountAdmin() {
	a := &admin{cfg: *h.cfg.Admin, uploads: map[string]*csvUpload{}}
	if a.cfg.Background == nil {
		a.cfg.Background = context.Background()
	}
	// Jobs' progress in the database when the store keeps it: the page
	// survives a restart and answers from any process sharing it.
	if js, ok := a.cfg.Workspace.Store.(workspace.JobStore); ok {
		a.jobs.Store = js
	}
	h.admin = a
	h.mux.HandleFunc("GET /admin/signin", h.adminSignInPage)
	h.mux.HandleFunc("POST /admin/signin", h.adminSignIn)
	h.mux.HandleFunc("POST /admin/signout", h.adminSignOut)
	h.mux.HandleFunc("GET /admin", h.asAdmin(RoleViewer, h.dashboard))
	h.mux.HandleFunc("POST /admin/achievements", h.asAdmin(RoleIssuer, h.createAchievement))
	h.mux.HandleFunc("GET /admin/achievements/{id}", h.asAdmin(RoleViewer, h.achievementPage))
	h.mux.HandleFunc("POST /admin/achievements/{id}/archive", h.asAdmin(RoleIssuer, h.archiveAchievement))
	h.mux.HandleFunc("POST /admin/achievements/{id}/csv", h.asAdmin(RoleIssuer, h.dryRun))
	h.mux.HandleFunc("POST /admin/achievements/{id}/award", h.asAdmin(RoleIssuer, h.startAward))
	h.mux.HandleFunc("POST /admin/achievements/{id}/one", h.asAdmin(RoleIssuer, h.awardOne))
	h.mux.HandleFunc("POST /admin/achievements/{id}/edit", h.asAdmin(RoleIssuer, h.editAchievement))
	h.mux.HandleFunc("POST /admin/endorse", h.asAdmin(RoleIssuer, h.endorse))
	h.mux.HandleFunc("GET /admin/members", h.asAdmin(RoleAdmin, h.membersPage))
	h.mux.HandleFunc("POST /admin/members", h.asAdmin(RoleAdmin, h.setMember))
	h.mux.HandleFunc("GET /admin/profile", h.asAdmin(RoleViewer, h.profilePage))
	h.mux.HandleFunc("POST /admin/profile", h.asAdmin(RoleAdmin, h.saveProfile))
	h.mux.HandleFunc("POST /admin/profile/keys/rotate", h.asAdmin(RoleAdmin, h.rotateKey))
	h.mux.HandleFunc("GET /admin/jobs/{id}", h.asAdmin(RoleIssuer, h.jobPage))
	h.mux.HandleFunc("GET /admin/awards", h.asAdmin(RoleViewer, h.awardsPage))
	h.mux.HandleFunc("GET /admin/awards.csv", h.asAdmin(RoleViewer, h.exportAwards))
	h.mux.HandleFunc("POST /admin/awards/status", h.asAdmin(RoleIssuer, h.changeStatus))
	h.mux.HandleFunc("GET /admin/audit", h.asAdmin(RoleAdmin, h.auditPage))
	h.mux.HandleFunc("GET /achievements/{id}", h.publicAchievement)
	h.mux.HandleFunc("GET /issuers/{name}", h.publicIssuer)
	h.mux.HandleFunc("GET /claim/{token}", h.claimPage)
	h.mux.HandleFunc("POST /claim/{token}", h.claim)
}

// AdminPaths are the page routes the server sends to the pages (the JSON
// API is under /admin/api, a separate part).
var AdminPaths = []struct{ Method, Path string }{
	{"GET", "/admin/signin"}, {"POST", "/admin/signin"}, {"POST", "/admin/signout"}, {"GET", "/admin"},
	{"POST", "/admin/achievements"}, {"GET", "/admin/achievements/:id"}, {"POST", "/admin/achievements/:id/archive"},
	{"POST", "/admin/achievements/:id/csv"}, {"POST", "/admin/achievements/:id/award"}, {"POST", "/admin/achievements/:id/one"},
	{"POST", "/admin/achievements/:id/edit"}, {"GET", "/admin/members"}, {"POST", "/admin/members"}, {"POST", "/admin/endorse"},
	{"GET", "/admin/profile"}, {"POST", "/admin/profile"}, {"POST", "/admin/profile/keys/rotate"}, {"GET", "/admin/jobs/:id"},
	{"GET", "/admin/awards"}, {"GET", "/admin/awards.csv"}, {"POST", "/admin/awards/status"}, {"GET", "/admin/audit"},
	{"GET", "/claim/:token"}, {"POST", "/claim/:token"}, {"GET", "/achievements/:id"}, {"GET", "/issuers/:name"},
}

type ctxUser struct{}

func userOf(r *http.Request) *AdminUser { u, _ := r.Context().Value(ctxUser{}).(*AdminUser); return u }

// asAdmin lets a request through with a signed-in person of at least
// role; others go to the sign-in page (or get 403).
func (h *Handler) asAdmin(role Role, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var u *AdminUser
		noRole := false
		// A signed-in account with a role in this issuer's workspace.
		if h.admin.cfg.RoleOf != nil {
			if acct, _ := h.currentUser(r); acct != nil {
				ar, err := h.admin.cfg.RoleOf(r.Context(), acct.Email)
				if err != nil {
					h.internal(w, r, err)
					return
				}
				if ar > 0 {
					u = &AdminUser{Actor: "user:" + acct.Email, Role: ar, Account: true}
				}
				noRole = ar == 0
			}
		}
		// Else an API token given on the workspace's sign-in page.
		if u == nil {
			if c, err := r.Cookie(adminCookie); err == nil && c.Value != "" {
				if tu, err := h.admin.cfg.SignIn(r.Context(), c.Value); err == nil {
					u = tu
				}
			}
		}
		if u == nil && noRole {
			h.errorPage(w, r, http.StatusForbidden, "admin.no-role")
			return
		}
		if u == nil {
			http.Redirect(w, r, "/admin/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		if u.Role < role {
			h.errorPage(w, r, http.StatusForbidden, "admin.forbidden")
			return
		}
		next(w, r.WithContext(context.WithValue(r.Context(), ctxUser{}, u)))
	}
}

// adminPage is what the workspace templates get.
type adminPage struct {
	*page
	User         *AdminUser
	Issuer       string
	Notice       string
	Field        string
	Achievements []*workspace.Achievement
	Achievement  *workspace.Achievement
	Variants     []*workspace.Achievement
	ImageURL     func(id string) string
	Outbox       workspace.OutboxStats
	DryRun       *dryRunView
	Job          *jobView
	Awards       []awardView
	Total        int
	Query        awardQuery
	Audit        []auditView
	Claim        *claimView
	Next         string
	Form         map[string]string
	Profile      *workspace.Profile
	Keys         *keysView
	Public       *publicView
	IssuerPage   *issuerPageView
	// Accounts: the server has user accounts (the sign-in page links them).
	Accounts bool
	Members  []*workspace.Member
}

// publicView is an achievement's public page.
type publicView struct {
	Name, Description, Criteria, CriteriaURL, Lang, ImageURL, PageURL string
	Tags                                                              []string
	Alignments                                                        []workspace.Alignment
	Variants                                                          []*workspace.Achievement
}

type dryRunView struct {
	UploadID, FileName         string
	Rows, ToAward, Already     int
	Problems                   []problemView
	Encoding, Separator        string
	Skipped                    int
	CanAward, NeedsSkipInvalid bool
}

type problemView struct {
	Line          int
	Field, Reason string
}

type jobView struct {
	ID, Achievement                        string
	Done, Total, Awarded, Already, Skipped int
	Ended                                  bool
	Error                                  string
	// Lost: this process does not know the job: the server restarted
	// since (jobs live in memory), or another server process runs it.
	Lost bool
}

type awardView struct {
	CredentialID, Name, Email, Achievement, Status, StatusText, Date string
	Active                                                           bool
	// CanSuspend: the badge carries a suspension status entry (Blason's
	// awards carry only a revocation entry: OB 3.0 allows one).
	CanSuspend bool
}

type awardQuery struct{ Recipient, Achievement, From, Until string }

type auditView struct{ At, Actor, Action, Target, Detail string }

type claimView struct {
	Token, Badge, Issuer, Description, ImageURL, Date string
	Used, CanPNG                                      bool
	// Wallet: the server has Blason wallets; SignedIn: this browser's
	// account can take the badge into its wallet; Deliver: it can be sent
	// to the learner's own Open Badges host.
	Wallet, SignedIn, Deliver bool
}

func (h *Handler) newAdminPage(w http.ResponseWriter, r *http.Request, titleKey string) *adminPage {
	l := h.lang(w, r)
	p := &adminPage{page: newPage(l, r, i18n.T(l, titleKey)), User: userOf(r), ImageURL: h.admin.cfg.Workspace.ImageURL}
	if is, err := h.admin.cfg.Workspace.Issuer.Issuer(r.Context(), h.admin.cfg.IssuerID); err == nil {
		p.Issuer = is.Profile.Name
	}
	return p
}

func (h *Handler) renderAdmin(w http.ResponseWriter, status int, name string, p *adminPage) {
	var buf bytes.Buffer
	if err := h.tmpl[p.Lang].ExecuteTemplate(&buf, name, p); err != nil {
		h.cfg.Logger.Error("render page", "page", name, "error", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (h *Handler) adminSignInPage(w http.ResponseWriter, r *http.Request) {
	p := h.newAdminPage(w, r, "admin.signin.title")
	p.Next = safeNext(r.URL.Query().Get("next"))
	p.Accounts = h.cfg.Users != nil && h.admin.cfg.RoleOf != nil
	h.renderAdmin(w, http.StatusOK, "admin-signin.html", p)
}

// safeNext keeps a post-sign-in redirect on this site's admin pages.
func safeNext(s string) string {
	if strings.HasPrefix(s, "/admin") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") {
		return s
	}
	return "/admin"
}

func (h *Handler) adminSignIn(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	secret := strings.TrimSpace(r.PostFormValue("token"))
	u, err := h.admin.cfg.SignIn(r.Context(), secret)
	if err != nil || u == nil {
		p := h.newAdminPage(w, r, "admin.signin.title")
		p.Error = i18n.T(p.Lang, "admin.signin.failed")
		p.Next = safeNext(r.PostFormValue("next"))
		h.renderAdmin(w, http.StatusUnauthorized, "admin-signin.html", p)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: secret, Path: "/admin", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 12 * 3600})
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (h *Handler) adminSignOut(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: adminCookie, Value: "", Path: "/admin", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: -1})
	http.Redirect(w, r, "/admin/signin", http.StatusSeeOther)
}

func (h *Handler) dashboard(w http.ResponseWriter, r *http.Request) {
	h.renderDashboard(w, r, http.StatusOK, nil, nil)
}

func (h *Handler) renderDashboard(w http.ResponseWriter, r *http.Request, status int, formErr error, form map[string]string) {
	p := h.newAdminPage(w, r, "admin.dashboard.title")
	ctx := r.Context()
	ws := h.admin.cfg.Workspace
	var err error
	if p.Achievements, err = ws.Store.ListAchievements(ctx, h.admin.cfg.IssuerID, false); err != nil {
		h.internal(w, r, err)
		return
	}
	p.Outbox, _ = ws.Store.Outbox(ctx)
	p.Form = form
	if formErr != nil {
		var fe *workspace.FieldError
		if errors.As(formErr, &fe) {
			p.Field = fe.Field
		}
		p.Error = i18n.T(p.Lang, "admin.achievement.invalid", formErr.Error())
	}
	p.Notice = noticeText(p.Lang, r.URL.Query().Get("done"))
	h.renderAdmin(w, status, "admin-dashboard.html", p)
}

func noticeText(l i18n.Lang, done string) string {
	switch done {
	case "created", "archived", "revoke", "suspend", "reinstate", "awarded", "already", "profile", "edited", "member", "key":
		return i18n.T(l, "admin.done."+done)
	}
	return ""
}

func (h *Handler) internal(w http.ResponseWriter, r *http.Request, err error) {
	h.cfg.Logger.Error("admin page", "path", r.URL.Path, "error", err)
	h.errorPage(w, r, http.StatusInternalServerError, "error.internal")
}

// POST /admin/achievements (multipart: the fields and an image file).
func (h *Handler) createAchievement(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, workspace.MaxImageBytes+64<<10)
	if err := r.ParseMultipartForm(workspace.MaxImageBytes + 64<<10); err != nil {
		h.renderDashboard(w, r, http.StatusBadRequest, &workspace.FieldError{Field: "image", Message: err.Error()}, nil)
		return
	}
	form := map[string]string{}
	for _, k := range []string{"name", "lang", "description", "criteria", "tags", "variantOf"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	ctx := r.Context()
	ws := h.admin.cfg.Workspace
	u := userOf(r)
	a := &workspace.Achievement{IssuerID: h.admin.cfg.IssuerID, Name: form["name"], Lang: form["lang"],
		AchievementDetails: workspace.AchievementDetails{Description: form["description"], Criteria: form["criteria"], AchievementType: "Badge"}}
	for _, t := range strings.Split(form["tags"], ",") {
		a.Tags = append(a.Tags, strings.TrimSpace(t))
	}
	// Checked before the image is stored: a form with a bad field stores nothing.
	if err := a.Validate(); err != nil {
		h.renderDashboard(w, r, http.StatusBadRequest, err, form)
		return
	}
	if f, _, err := r.FormFile("image"); err == nil {
		data, err := io.ReadAll(io.LimitReader(f, workspace.MaxImageBytes+1))
		f.Close()
		if err != nil {
			h.renderDashboard(w, r, http.StatusBadRequest, &workspace.FieldError{Field: "image", Message: err.Error()}, form)
			return
		}
		img, err := ws.AddImage(ctx, h.admin.cfg.IssuerID, data, u.Actor)
		if err != nil {
			h.renderDashboard(w, r, http.StatusBadRequest, &workspace.FieldError{Field: "image", Message: err.Error()}, form)
			return
		}
		a.ImageID = img.ID
	}
	var err error
	if form["variantOf"] != "" {
		err = ws.AddVariant(ctx, form["variantOf"], a, u.Actor)
	} else {
		err = ws.CreateAchievement(ctx, a, u.Actor)
	}
	if err != nil {
		h.renderDashboard(w, r, http.StatusBadRequest, err, form)
		return
	}
	http.Redirect(w, r, "/admin?done=created", http.StatusSeeOther)
}

func (h *Handler) achievementOf(w http.ResponseWriter, r *http.Request) (*workspace.Achievement, bool) {
	a, err := h.admin.cfg.Workspace.Achievement(r.Context(), h.admin.cfg.IssuerID, r.PathValue("id"))
	if errors.Is(err, workspace.ErrNotFound) {
		h.errorPage(w, r, http.StatusNotFound, "admin.not-found")
		return nil, false
	}
	if err != nil {
		h.internal(w, r, err)
		return nil, false
	}
	return a, true
}

func (h *Handler) achievementPage(w http.ResponseWriter, r *http.Request) {
	a, ok := h.achievementOf(w, r)
	if !ok {
		return
	}
	p := h.newAdminPage(w, r, "admin.achievement.title")
	p.Title = a.Name
	p.Achievement = a
	vs, err := h.admin.cfg.Workspace.Store.Variants(r.Context(), a.Group)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	for _, v := range vs {
		if v.ID != a.ID {
			p.Variants = append(p.Variants, v)
		}
	}
	p.Notice = noticeText(p.Lang, r.URL.Query().Get("done"))
	h.renderAdmin(w, http.StatusOK, "admin-achievement.html", p)
}

func (h *Handler) archiveAchievement(w http.ResponseWriter, r *http.Request) {
	a, ok := h.achievementOf(w, r)
	if !ok {
		return
	}
	if err := h.admin.cfg.Workspace.Archive(r.Context(), h.admin.cfg.IssuerID, a.ID, !a.Archived, userOf(r).Actor); err != nil {
		h.internal(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin?done=archived", http.StatusSeeOther)
}

// POST /admin/achievements/{id}/csv: the dry run of an uploaded CSV.
func (h *Handler) dryRun(w http.ResponseWriter, r *http.Request) {
	a, ok := h.achievementOf(w, r)
	if !ok {
		return
	}
	p := h.newAdminPage(w, r, "admin.dryrun.title")
	p.Achievement = a
	r.Body = http.MaxBytesReader(w, r.Body, awardcsv.MaxBytes+64<<10)
	var data []byte
	var name string
	if err := r.ParseMultipartForm(awardcsv.MaxBytes + 64<<10); err == nil {
		if f, hd, err := r.FormFile("csv"); err == nil {
			data, _ = io.ReadAll(io.LimitReader(f, awardcsv.MaxBytes+1))
			name = hd.Filename
			f.Close()
		}
	}
	if len(data) == 0 {
		p.Error = i18n.T(p.Lang, "admin.csv.missing")
		h.renderAdmin(w, http.StatusBadRequest, "admin-achievement.html", p)
		return
	}
	sheet, err := awardcsv.Parse(bytes.NewReader(data))
	if err != nil {
		p.Error = i18n.T(p.Lang, "admin.csv.unreadable", err.Error())
		h.renderAdmin(w, http.StatusBadRequest, "admin-achievement.html", p)
		return
	}
	rep, err := h.admin.cfg.Workspace.AwardSheet(r.Context(), h.admin.cfg.IssuerID, sheet,
		workspace.AwardOptions{AchievementID: a.ID, DryRun: true, SkipInvalid: true, Actor: userOf(r).Actor})
	if err != nil {
		h.internal(w, r, err)
		return
	}
	v := &dryRunView{FileName: name, Rows: rep.Rows, ToAward: rep.ToAward, Already: len(rep.Already), Encoding: sheet.Encoding,
		Separator: string(sheet.Separator)}
	lines := map[int]bool{}
	for _, pr := range rep.Problems {
		v.Problems = append(v.Problems, problemView{Line: pr.Line, Field: i18n.T(p.Lang, "csv.field."+pr.Field), Reason: workspace.ProblemText(p.Lang, pr)})
		lines[pr.Line] = true
	}
	v.Skipped = len(lines)
	v.CanAward = rep.ToAward > 0
	v.NeedsSkipInvalid = v.Skipped > 0
	if v.CanAward {
		v.UploadID = h.admin.keep(&csvUpload{achievementID: a.ID, name: name, data: data})
	}
	p.DryRun = v
	h.renderAdmin(w, http.StatusOK, "admin-dryrun.html", p)
}

func (a *admin) keep(u *csvUpload) string {
	var b [16]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	for k, v := range a.uploads {
		if now.After(v.expires) {
			delete(a.uploads, k)
		}
	}
	u.expires = now.Add(uploadTTL)
	a.uploads[id] = u
	return id
}

func (a *admin) take(id, achievementID string) (*csvUpload, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	u, ok := a.uploads[id]
	if !ok || u.achievementID != achievementID || time.Now().After(u.expires) {
		return nil, false
	}
	delete(a.uploads, id)
	return u, true
}

// POST /admin/achievements/{id}/award: awards the rows the dry run
// accepted, in the background; the job page shows the progress.
func (h *Handler) startAward(w http.ResponseWriter, r *http.Request) {
	a, ok := h.achievementOf(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	up, ok := h.admin.take(r.PostFormValue("upload"), a.ID)
	if !ok {
		h.errorPage(w, r, http.StatusGone, "admin.csv.expired")
		return
	}
	sheet, err := awardcsv.Parse(bytes.NewReader(up.data))
	if err != nil {
		h.internal(w, r, err)
		return
	}
	u := userOf(r)
	ws := h.admin.cfg.Workspace
	issuerID := h.admin.cfg.IssuerID
	job := h.admin.jobs.Start(h.admin.cfg.Background, issuerID, u.Actor, func(ctx context.Context, progress func(int, int)) (*workspace.AwardReport, error) {
		return ws.AwardSheet(ctx, issuerID, sheet, workspace.AwardOptions{AchievementID: a.ID, Source: "csv:" + up.name,
			SkipInvalid: true, Actor: u.Actor, Progress: progress})
	})
	http.Redirect(w, r, "/admin/jobs/"+job.ID, http.StatusSeeOther)
}

func (h *Handler) jobPage(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	st, ok, err := h.admin.jobs.Lookup(r.Context(), h.admin.cfg.IssuerID, id)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	if !ok || st.Interrupted {
		// Unknown here (a store that keeps no jobs, and a restart), or
		// recorded running by a process that is gone: the awards made are
		// kept and the import is idempotent, so the same file again
		// completes it, awarding nobody twice. Say so rather than "not
		// found" to a coordinator watching the progress.
		p := h.newAdminPage(w, r, "admin.job.title")
		p.Job = &jobView{ID: id, Ended: true, Lost: true}
		status := http.StatusNotFound
		if ok {
			p.Job.Done, p.Job.Total, status = st.Done, st.Total, http.StatusOK
		}
		h.renderAdmin(w, status, "admin-job.html", p)
		return
	}
	p := h.newAdminPage(w, r, "admin.job.title")
	v := &jobView{ID: id, Done: st.Done, Total: st.Total, Ended: st.Ended, Awarded: st.Awarded, Already: st.Already, Skipped: st.Skipped}
	if st.Err != nil {
		h.cfg.Logger.Error("award job", "job", id, "error", st.Err)
		v.Error = i18n.T(p.Lang, "admin.job.failed")
	}
	p.Job = v
	h.renderAdmin(w, http.StatusOK, "admin-job.html", p)
}

func (h *Handler) query(r *http.Request) (workspace.AwardQuery, awardQuery) {
	qv := r.URL.Query()
	aq := awardQuery{Recipient: qv.Get("recipient"), Achievement: qv.Get("achievement"), From: qv.Get("from"), Until: qv.Get("until")}
	q := workspace.AwardQuery{IssuerID: h.admin.cfg.IssuerID, Recipient: aq.Recipient, AchievementID: aq.Achievement, Limit: 200}
	if t, err := time.Parse("2006-01-02", aq.From); err == nil {
		q.From = t
	}
	if t, err := time.Parse("2006-01-02", aq.Until); err == nil {
		q.Until = t.AddDate(0, 0, 1)
	}
	return q, aq
}

func (h *Handler) awardsPage(w http.ResponseWriter, r *http.Request) {
	p := h.newAdminPage(w, r, "admin.awards.title")
	q, aq := h.query(r)
	ctx := r.Context()
	ws := h.admin.cfg.Workspace
	list, total, err := ws.Store.SearchAwards(ctx, q)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	names := map[string]string{}
	if p.Achievements, err = ws.Store.ListAchievements(ctx, h.admin.cfg.IssuerID, false); err != nil {
		h.internal(w, r, err)
		return
	}
	for _, a := range p.Achievements {
		names[a.ID] = a.Name
	}
	for _, a := range list {
		v := awardView{CredentialID: a.CredentialID, Name: a.Name, Email: a.Email, Achievement: names[a.AchievementID],
			Date: i18n.Date(p.Lang, a.CreatedAt)}
		if v.Achievement == "" {
			if ach, err := ws.Store.GetAchievement(ctx, a.AchievementID); err == nil {
				v.Achievement = ach.Name
			}
		}
		if cr, err := ws.Issuer.Store.GetCredential(ctx, a.CredentialID); err == nil {
			v.Status = cr.Status
			v.StatusText = i18n.T(p.Lang, "admin.status."+cr.Status)
			v.Active = cr.Status == issuer.StatusActive
			for _, sl := range cr.Slots {
				v.CanSuspend = v.CanSuspend || sl.Purpose == issuer.PurposeSuspension
			}
		}
		p.Awards = append(p.Awards, v)
	}
	p.Total, p.Query = total, aq
	p.Notice = noticeText(p.Lang, r.URL.Query().Get("done"))
	if e := r.URL.Query().Get("error"); e == "reason" {
		p.Error = i18n.T(p.Lang, "admin.status.reason-required")
	}
	h.renderAdmin(w, http.StatusOK, "admin-awards.html", p)
}

func (h *Handler) exportAwards(w http.ResponseWriter, r *http.Request) {
	q, _ := h.query(r)
	var buf bytes.Buffer
	if err := workspace.ExportCSV(r.Context(), h.admin.cfg.Workspace, q, &buf); err != nil {
		h.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="awards.csv"`)
	w.Write(buf.Bytes())
}

func (h *Handler) changeStatus(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	id, action, reason := r.PostFormValue("credential"), r.PostFormValue("action"), strings.TrimSpace(r.PostFormValue("reason"))
	back := url.Values{"recipient": {r.PostFormValue("recipient")}}
	_, err := h.admin.cfg.Workspace.ChangeStatus(r.Context(), h.admin.cfg.IssuerID, id, action, reason, userOf(r).Actor)
	var fe *workspace.FieldError
	switch {
	case errors.As(err, &fe):
		back.Set("error", "reason")
	case errors.Is(err, issuer.ErrNotFound):
		h.errorPage(w, r, http.StatusNotFound, "admin.not-found")
		return
	case errors.Is(err, issuer.ErrConflict):
		h.errorPage(w, r, http.StatusConflict, "admin.status.conflict")
		return
	case err != nil:
		h.internal(w, r, err)
		return
	default:
		back.Set("done", action)
	}
	http.Redirect(w, r, "/admin/awards?"+back.Encode(), http.StatusSeeOther)
}

func (h *Handler) auditPage(w http.ResponseWriter, r *http.Request) {
	p := h.newAdminPage(w, r, "admin.audit.title")
	log, err := h.admin.cfg.Workspace.Store.AuditLog(r.Context(), h.admin.cfg.IssuerID, 200)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	for _, e := range log {
		p.Audit = append(p.Audit, auditView{At: i18n.DateTime(p.Lang, e.At), Actor: e.Actor, Action: e.Action, Target: e.Target, Detail: e.Detail})
	}
	h.renderAdmin(w, http.StatusOK, "admin-audit.html", p)
}

// GET /claim/{token}: the learner's page. Nothing is used by looking.
func (h *Handler) claimPage(w http.ResponseWriter, r *http.Request) {
	p := h.newAdminPage(w, r, "claim.title")
	v, err := h.admin.cfg.Workspace.LookupClaim(r.Context(), r.PathValue("token"))
	if errors.Is(err, workspace.ErrClaim) {
		p.Error = i18n.T(p.Lang, "claim.invalid")
		h.renderAdmin(w, http.StatusGone, "claim.html", p)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	p.Claim = h.claimViewOf(r.Context(), p.Lang, r.PathValue("token"), v)
	p.Claim.Wallet = h.cfg.Wallet != nil && h.cfg.Users != nil
	p.Claim.Deliver = h.admin.cfg.Deliver
	if acct, _ := h.currentUser(r); acct != nil {
		p.Claim.SignedIn = true
	}
	h.renderAdmin(w, http.StatusOK, "claim.html", p)
}

func (h *Handler) claimViewOf(ctx context.Context, l i18n.Lang, token string, v *workspace.ClaimView) *claimView {
	cv := &claimView{Token: token, Used: v.Used, Date: i18n.Date(l, v.Credential.IssuedAt)}
	if is, err := h.admin.cfg.Workspace.Issuer.Issuer(ctx, v.Credential.IssuerID); err == nil {
		cv.Issuer = is.Profile.Name
	}
	if v.Award != nil {
		if a, err := h.admin.cfg.Workspace.Store.GetAchievement(ctx, v.Award.AchievementID); err == nil {
			if va, err := h.admin.cfg.Workspace.Variant(ctx, a, v.Award.Lang); err == nil {
				a = va
			}
			cv.Badge, cv.Description = a.Name, a.Description
			if a.ImageID != "" {
				cv.ImageURL = "/images/" + a.ImageID
				if img, err := h.admin.cfg.Workspace.Store.GetImage(ctx, a.ImageID); err == nil && img.MediaType != "image/jpeg" {
					cv.CanPNG = true
				}
			}
		}
	}
	return cv
}

// POST /claim/{token}: uses the link, once, and hands over the badge:
// its JSON, or baked into its image.
func (h *Handler) claim(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	token := r.PathValue("token")
	as := r.PostFormValue("as")
	if as == "wallet" {
		h.claimToWallet(w, r, token)
		return
	}
	ctx := r.Context()
	ws := h.admin.cfg.Workspace
	v, err := ws.LookupClaim(ctx, token)
	if err == nil && v.Used {
		err = workspace.ErrClaim
	}
	var img *workspace.Image
	if err == nil && as == "image" {
		// The image is found before the link is used: a badge without one
		// must not burn the link.
		if v.Award == nil {
			err = workspace.ErrClaim
		} else if a, aerr := ws.Store.GetAchievement(ctx, v.Award.AchievementID); aerr != nil || a.ImageID == "" {
			err = workspace.ErrClaim
		} else if img, err = ws.Store.GetImage(ctx, a.ImageID); err != nil {
			err = workspace.ErrClaim
		}
	}
	var cr *issuer.CredentialRecord
	if err == nil {
		cr, err = ws.Claim(ctx, token, "download:"+strings.TrimPrefix(as, "json"))
	}
	if errors.Is(err, workspace.ErrClaim) {
		p := h.newAdminPage(w, r, "claim.title")
		p.Error = i18n.T(p.Lang, "claim.invalid")
		h.renderAdmin(w, http.StatusGone, "claim.html", p)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	base := "badge-" + strconv.FormatInt(cr.IssuedAt.Unix(), 10)
	if img != nil {
		baked, err := bake.Bake(img.Data, cr.Document)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		ext, ct := ".png", "image/png"
		if img.MediaType == "image/svg+xml" {
			ext, ct = ".svg", "image/svg+xml"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", `attachment; filename="`+base+ext+`"`)
		w.Write(baked)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+base+`.json"`)
	w.Write(cr.Document)
}

// POST /admin/achievements/{id}/one: one award, from the badge's page.
func (h *Handler) awardOne(w http.ResponseWriter, r *http.Request) {
	a, ok := h.achievementOf(w, r)
	if !ok {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	row := awardcsv.Row{Line: 1, Name: strings.TrimSpace(r.PostFormValue("name")), Narrative: strings.TrimSpace(r.PostFormValue("narrative")),
		Lang: r.PostFormValue("lang")}
	addr, code, _ := awardcsv.CheckEmail(r.PostFormValue("email"))
	if code != "" {
		p := h.newAdminPage(w, r, "admin.achievement.title")
		p.Title, p.Achievement = a.Name, a
		p.Error = workspace.ProblemText(p.Lang, awardcsv.Problem{Code: code, Value: r.PostFormValue("email")})
		h.renderAdmin(w, http.StatusBadRequest, "admin-achievement.html", p)
		return
	}
	row.Email, row.Key = addr, awardcsv.Key(addr)
	rep, err := h.admin.cfg.Workspace.AwardRows(r.Context(), h.admin.cfg.IssuerID, []awardcsv.Row{row}, nil,
		workspace.AwardOptions{AchievementID: a.ID, Source: "single", Actor: userOf(r).Actor})
	if err != nil {
		h.internal(w, r, err)
		return
	}
	done := "awarded"
	if len(rep.Awarded) == 0 {
		done = "already"
	}
	http.Redirect(w, r, "/admin/awards?done="+done+"&recipient="+url.QueryEscape(addr), http.StatusSeeOther)
}

// GET /admin/profile: the issuer's profile, as badges show it.
func (h *Handler) profilePage(w http.ResponseWriter, r *http.Request) {
	p := h.newAdminPage(w, r, "admin.profile.title")
	is, err := h.admin.cfg.Workspace.Issuer.Issuer(r.Context(), h.admin.cfg.IssuerID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	p.Profile = &workspace.Profile{IssuerID: is.Profile.ID, Name: is.Profile.Name, URL: is.Profile.URL, Email: is.Profile.Email, Description: is.Profile.Description}
	if p.Keys, err = h.keys(r.Context(), p.Lang); err != nil {
		h.internal(w, r, err)
		return
	}
	p.Notice = noticeText(p.Lang, r.URL.Query().Get("done"))
	h.renderAdmin(w, http.StatusOK, "admin-profile.html", p)
}

// keysView is the issuer's signing key and its retired keys.
type keysView struct {
	Current   string
	Retired   []retiredView
	Rotatable bool // a did:web issuer; a did:key is its key
}

type retiredView struct{ ID, At string }

func (h *Handler) keys(ctx context.Context, l i18n.Lang) (*keysView, error) {
	ks, err := h.admin.cfg.Workspace.Issuer.Keys(ctx, h.admin.cfg.IssuerID)
	if err != nil {
		return nil, err
	}
	v := &keysView{Current: ks.VerificationMethod, Rotatable: strings.HasPrefix(ks.IssuerID, "did:web:")}
	for i := len(ks.Retired) - 1; i >= 0; i-- { // newest first
		v.Retired = append(v.Retired, retiredView{ID: ks.Retired[i].VerificationMethod, At: i18n.Date(l, ks.Retired[i].RetiredAt)})
	}
	return v, nil
}

// POST /admin/profile/keys/rotate (admin role): a did:web issuer's next
// signing key; the old one stays published, retired.
func (h *Handler) rotateKey(w http.ResponseWriter, r *http.Request) {
	if _, err := h.admin.cfg.Workspace.RotateKey(r.Context(), h.admin.cfg.IssuerID, userOf(r).Actor); err != nil {
		p := h.newAdminPage(w, r, "admin.profile.title")
		is, ierr := h.admin.cfg.Workspace.Issuer.Issuer(r.Context(), h.admin.cfg.IssuerID)
		if ierr == nil {
			p.Profile = &workspace.Profile{IssuerID: is.Profile.ID, Name: is.Profile.Name, URL: is.Profile.URL, Email: is.Profile.Email, Description: is.Profile.Description}
		}
		p.Keys, _ = h.keys(r.Context(), p.Lang)
		p.Error = i18n.T(p.Lang, "admin.keys.failed", err.Error())
		h.renderAdmin(w, http.StatusConflict, "admin-profile.html", p)
		return
	}
	http.Redirect(w, r, "/admin/profile?done=key", http.StatusSeeOther)
}

// POST /admin/profile (admin role): the name, web site, e-mail and
// description of the badges awarded from now on.
func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	prof := &workspace.Profile{IssuerID: h.admin.cfg.IssuerID, Name: r.PostFormValue("name"), URL: r.PostFormValue("url"),
		Email: r.PostFormValue("email"), Description: r.PostFormValue("description")}
	if err := h.admin.cfg.Workspace.SaveProfile(r.Context(), prof, userOf(r).Actor); err != nil {
		p := h.newAdminPage(w, r, "admin.profile.title")
		p.Profile = prof
		p.Error = i18n.T(p.Lang, "admin.profile.invalid", err.Error())
		h.renderAdmin(w, http.StatusBadRequest, "admin-profile.html", p)
		return
	}
	http.Redirect(w, r, "/admin/profile?done=profile", http.StatusSeeOther)
}

// GET /achievements/{id}: an achievement's public page: HTML with
// OpenGraph for people (and link previews), its OB 3.0 Achievement JSON
// for machines (Accept: application/json or application/ld+json).
func (h *Handler) publicAchievement(w http.ResponseWriter, r *http.Request) {
	ws := h.admin.cfg.Workspace
	a, err := ws.Achievement(r.Context(), h.admin.cfg.IssuerID, r.PathValue("id"))
	if errors.Is(err, workspace.ErrNotFound) {
		if wantsJSON(r) || strings.Contains(r.Header.Get("Accept"), "application/ld+json") {
			http.Error(w, `{"title":"Not found"}`, http.StatusNotFound)
			return
		}
		h.errorPage(w, r, http.StatusNotFound, "admin.not-found")
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	w.Header().Set("Vary", "Accept, Accept-Language, Cookie")
	if acc := r.Header.Get("Accept"); (strings.Contains(acc, "application/json") || strings.Contains(acc, "application/ld+json")) && !strings.Contains(acc, "text/html") {
		m, err := ws.OB3(r.Context(), a)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		b, err := json.Marshal(m)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "public, max-age=300")
		w.Write(b)
		return
	}
	l := h.lang(w, r)
	// The reader's language variant, when there is one.
	if v, err := ws.Variant(r.Context(), a, string(l)); err == nil {
		a = v
	}
	p := &adminPage{page: newPage(l, r, a.Name)}
	vs, _ := ws.Store.Variants(r.Context(), a.Group)
	pv := &publicView{Name: a.Name, Description: a.Description, Criteria: a.Criteria, CriteriaURL: a.CriteriaURL, Lang: a.Lang,
		Tags: a.Tags, Alignments: a.Alignments, PageURL: strings.TrimSuffix(ws.BaseURL, "/") + "/achievements/" + a.ID}
	if a.ImageID != "" {
		pv.ImageURL = ws.ImageURL(a.ImageID)
	}
	for _, v := range vs {
		if v.ID != a.ID {
			pv.Variants = append(pv.Variants, v)
		}
	}
	p.Public = pv
	h.renderAdmin(w, http.StatusOK, "achievement.html", p)
}

// issuerPageView is the public page of an issuer whose id is an https URL.
type issuerPageView struct {
	ID, Name, Description, URL, Email, ImageURL string
	Keys                                        []string
}

// GET /issuers/{name}: the profile of an issuer whose id is this https
// URL, served at its id: its OB 3.0 Profile with its keys (a controller
// document) for machines (Accept: application/ld+json or application/json),
// a page for people otherwise. Any other name is not found.
func (h *Handler) publicIssuer(w http.ResponseWriter, r *http.Request) {
	id := h.admin.cfg.IssuerID
	u, err := url.Parse(id)
	acc := r.Header.Get("Accept")
	machine := (strings.Contains(acc, "application/json") || strings.Contains(acc, "application/ld+json")) && !strings.Contains(acc, "text/html")
	if err != nil || u.Scheme != "https" || u.Path != r.URL.Path {
		if machine {
			http.Error(w, `{"title":"Not found"}`, http.StatusNotFound)
			return
		}
		h.errorPage(w, r, http.StatusNotFound, "admin.not-found")
		return
	}
	ws := h.admin.cfg.Workspace
	w.Header().Set("Vary", "Accept, Accept-Language, Cookie")
	if machine {
		b, err := ws.Issuer.ProfileDocument(r.Context(), id)
		if err != nil {
			h.internal(w, r, err)
			return
		}
		ct := "application/json"
		if strings.Contains(acc, "application/ld+json") {
			ct = "application/ld+json"
		}
		w.Header().Set("Content-Type", ct)
		// As the DID document of a did:web issuer: verifiers read its key here.
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Write(b)
		return
	}
	is, err := ws.Issuer.Issuer(r.Context(), id)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	ks, err := ws.Issuer.Keys(r.Context(), id)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	v := &issuerPageView{ID: id, Name: is.Profile.Name, Description: is.Profile.Description, URL: is.Profile.URL, Email: is.Profile.Email,
		Keys: []string{ks.VerificationMethod}}
	if wp, err := ws.Store.GetProfile(r.Context(), id); err == nil && wp.ImageID != "" {
		v.ImageURL = ws.ImageURL(wp.ImageID)
	}
	l := h.lang(w, r)
	p := &adminPage{page: newPage(l, r, v.Name)}
	p.IssuerPage = v
	h.renderAdmin(w, http.StatusOK, "issuer.html", p)
}

// claimToWallet takes a claimed badge into the signed-in learner's Blason
// wallet, bound to her holder DID (workspace.ClaimForHolder); the wallet
// verifies it, as every import.
func (h *Handler) claimToWallet(w http.ResponseWriter, r *http.Request, token string) {
	ctx := r.Context()
	acct, _ := h.currentUser(r)
	if acct == nil || h.cfg.Wallet == nil {
		// Back to the claim page, to press "keep in my wallet" again.
		h.toSignIn(w, r, h.lang(w, r), "/claim/"+url.PathEscape(token))
		return
	}
	ws := h.admin.cfg.Workspace
	v, err := ws.LookupClaim(ctx, token)
	if err == nil && v.Used {
		err = workspace.ErrClaim
	}
	p := h.newAdminPage(w, r, "claim.title")
	if errors.Is(err, workspace.ErrClaim) {
		p.Error = i18n.T(p.Lang, "claim.invalid")
		h.renderAdmin(w, http.StatusGone, "claim.html", p)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	// The badge is issued again to the learner's holder DID (her wallet's
	// key), so that presenting it proves it is hers; the link is used then.
	hk, err := h.cfg.Wallet.Holder(ctx, acct.ID)
	if err != nil {
		h.internal(w, r, err)
		return
	}
	cr, err := ws.ClaimForHolder(ctx, token, hk.DID, "wallet:"+acct.ID)
	if errors.Is(err, workspace.ErrClaim) {
		p.Error = i18n.T(p.Lang, "claim.invalid")
		h.renderAdmin(w, http.StatusGone, "claim.html", p)
		return
	}
	if err != nil {
		h.internal(w, r, err)
		return
	}
	res, err := h.cfg.Wallet.ImportCredential(ctx, acct.ID, wallet.Import{Data: cr.Document, Source: "claim", Email: acct.Email})
	if err != nil {
		p.Error = i18n.T(p.Lang, "claim.wallet-failed", err.Error())
		h.renderAdmin(w, http.StatusConflict, "claim.html", p)
		return
	}
	http.Redirect(w, r, "/wallet/c/"+res.Credential.ID, http.StatusSeeOther)
}

// POST /admin/achievements/{id}/edit (multipart): the texts, the tags and
// optionally a new image; the version read guards against an edit made
// meanwhile. Badges already awarded keep what they said.
func (h *Handler) editAchievement(w http.ResponseWriter, r *http.Request) {
	old, ok := h.achievementOf(w, r)
	if !ok {
		return
	}
	fail := func(status int, err error) {
		p := h.newAdminPage(w, r, "admin.achievement.title")
		p.Title, p.Achievement = old.Name, old
		p.Error = i18n.T(p.Lang, "admin.achievement.not-saved", err.Error())
		if errors.Is(err, workspace.ErrConflict) {
			p.Error = i18n.T(p.Lang, "admin.achievement.conflict")
		}
		h.renderAdmin(w, status, "admin-achievement.html", p)
	}
	r.Body = http.MaxBytesReader(w, r.Body, workspace.MaxImageBytes+64<<10)
	if err := r.ParseMultipartForm(workspace.MaxImageBytes + 64<<10); err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	version, err := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	a := *old
	a.Version = version
	a.Name, a.Description, a.Criteria = r.PostFormValue("name"), r.PostFormValue("description"), r.PostFormValue("criteria")
	a.Tags = nil
	for _, t := range strings.Split(r.PostFormValue("tags"), ",") {
		a.Tags = append(a.Tags, strings.TrimSpace(t))
	}
	if err := a.Validate(); err != nil {
		fail(http.StatusBadRequest, err)
		return
	}
	ws := h.admin.cfg.Workspace
	if f, _, err := r.FormFile("image"); err == nil {
		data, err := io.ReadAll(io.LimitReader(f, workspace.MaxImageBytes+1))
		f.Close()
		if err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
		img, err := ws.AddImage(r.Context(), h.admin.cfg.IssuerID, data, userOf(r).Actor)
		if err != nil {
			fail(http.StatusBadRequest, err)
			return
		}
		a.ImageID, a.ImageURL = img.ID, ""
	}
	if err := ws.EditAchievement(r.Context(), &a, userOf(r).Actor); err != nil {
		status := http.StatusBadRequest
		if errors.Is(err, workspace.ErrConflict) {
			status = http.StatusConflict
		}
		fail(status, err)
		return
	}
	http.Redirect(w, r, "/admin/achievements/"+a.ID+"?done=edited", http.StatusSeeOther)
}

// GET /admin/members (admin role): who has which role in this workspace.
func (h *Handler) membersPage(w http.ResponseWriter, r *http.Request) {
	p := h.newAdminPage(w, r, "admin.members.title")
	var err error
	if p.Members, err = h.admin.cfg.Workspace.Store.Members(r.Context(), h.admin.cfg.IssuerID); err != nil {
		h.internal(w, r, err)
		return
	}
	p.Notice = noticeText(p.Lang, r.URL.Query().Get("done"))
	if r.URL.Query().Get("error") == "member" {
		p.Error = i18n.T(p.Lang, "admin.members.invalid")
	}
	h.renderAdmin(w, http.StatusOK, "admin-members.html", p)
}

// POST /admin/members {email, role}: role "" removes the person.
func (h *Handler) setMember(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	err := h.admin.cfg.Workspace.SetMember(r.Context(), h.admin.cfg.IssuerID, r.PostFormValue("email"), r.PostFormValue("role"), userOf(r).Actor)
	var fe *workspace.FieldError
	switch {
	case errors.As(err, &fe):
		http.Redirect(w, r, "/admin/members?error=member", http.StatusSeeOther)
	case err != nil:
		h.internal(w, r, err)
	default:
		http.Redirect(w, r, "/admin/members?done=member", http.StatusSeeOther)
	}
}

// POST /admin/endorse {subject, comment}: an EndorsementCredential about
// another issuer's achievement or profile, handed over as a file (it is
// also recorded, and can be revoked like any badge).
func (h *Handler) endorse(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
	if err := r.ParseForm(); err != nil {
		h.errorPage(w, r, http.StatusBadRequest, "error.bad-form")
		return
	}
	signed, err := h.admin.cfg.Workspace.Endorse(r.Context(), h.admin.cfg.IssuerID,
		workspace.Endorsement{SubjectID: r.PostFormValue("subject"), Comment: r.PostFormValue("comment")}, userOf(r).Actor)
	if err != nil {
		var fe *workspace.FieldError
		if !errors.As(err, &fe) {
			h.internal(w, r, err)
			return
		}
		p := h.newAdminPage(w, r, "admin.profile.title")
		if is, err := h.admin.cfg.Workspace.Issuer.Issuer(r.Context(), h.admin.cfg.IssuerID); err == nil {
			p.Profile = &workspace.Profile{IssuerID: is.Profile.ID, Name: is.Profile.Name, URL: is.Profile.URL, Email: is.Profile.Email, Description: is.Profile.Description}
		}
		p.Error = i18n.T(p.Lang, "admin.endorse.invalid", err.Error())
		h.renderAdmin(w, http.StatusBadRequest, "admin-profile.html", p)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="endorsement.json"`)
	w.Write(signed)
}
