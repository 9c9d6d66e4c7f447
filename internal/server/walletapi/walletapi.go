// Package walletapi is the wallet API part: a learner's badges over JSON,
// authenticated by the learner's personal bearer token (account.Users),
// each operation acting on that user's wallet only. Operations (OpenAPI
// operationIds): importCredential, listCredentials, getCredential,
// deleteCredential, createShare, deleteShare, createPresentation.
package walletapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/wallet"
)

// Config is what the part needs. Nil Wallet or Users: not mounted.
type Config struct {
	Wallet *wallet.Service
	Users  *account.Users
	// PublicURL is the base of share links; empty: the request's host.
	PublicURL string
	// Fetch GETs a badge by its address (importCredential?url=), through
	// the hardened client (internal/fetch). Nil: import by address is off.
	Fetch func(ctx context.Context, url string) ([]byte, error)
	// Post sends a presentation to the verifier address a learner gives
	// (createPresentation's "verifier"), through the hardened client. Nil:
	// presentations are only returned.
	Post wallet.Post
}

// API is the part.
type API struct {
	sh  part.Shared
	cfg Config
}

// New makes the part.
func New(sh part.Shared, cfg Config) *API { return &API{sh: sh, cfg: cfg} }

const userKey = "blason.wallet.user"

// Mount adds the routes (none when the wallet is not configured).
func (a *API) Mount(r gin.IRouter) {
	if a.cfg.Wallet == nil || a.cfg.Users == nil {
		return
	}
	g := r.Group("/wallet/api", a.auth)
	g.POST("/credentials", a.importCredential)
	g.GET("/credentials", a.listCredentials)
	g.GET("/credentials/:id", a.getCredential)
	g.DELETE("/credentials/:id", a.deleteCredential)
	g.POST("/credentials/:id/shares", a.createShare)
	g.DELETE("/shares/:id", a.deleteShare)
	g.POST("/credentials/:id/refresh", a.refreshCredential)
	g.POST("/presentations", a.createPresentation)
}

// auth lets in a personal token's user; every handler acts as that user.
func (a *API) auth(c *gin.Context) {
	// The scheme is case-insensitive (RFC 9110 §11.1), as the server's
	// own bearer check reads it.
	scheme, secret, ok := strings.Cut(strings.TrimSpace(c.GetHeader("Authorization")), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(secret) == "" {
		c.Header("WWW-Authenticate", `Bearer realm="blason"`)
		problem.Write(c, http.StatusUnauthorized, problem.Unauthorized, "send Authorization: Bearer <your personal token>")
		c.Abort()
		return
	}
	u, err := a.cfg.Users.AuthenticateToken(c.Request.Context(), strings.TrimSpace(secret))
	if err != nil {
		if errors.Is(err, account.ErrUnauthenticated) {
			_ = c.Error(err)
			c.Header("WWW-Authenticate", `Bearer realm="blason", error="invalid_token"`)
			problem.Error(c, err, "the bearer token is not valid (unknown, expired or revoked)")
		} else {
			problem.Error(c, err, "")
		}
		c.Abort()
		return
	}
	c.Set(userKey, u)
	c.Next()
}

func user(c *gin.Context) *account.User { return c.MustGet(userKey).(*account.User) }

// CredentialView is a badge as the API lists it.
type CredentialView struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	IssuerID   string    `json:"issuerId"`
	IssuerName string    `json:"issuerName,omitempty"`
	Format     string    `json:"format"`
	Verified   bool      `json:"verified"`
	Verdict    string    `json:"verdict"`
	Insisted   bool      `json:"keptUnverified,omitempty"`
	Warning    string    `json:"warning,omitempty"`
	Source     string    `json:"source"`
	AddedAt    time.Time `json:"addedAt"`
	CheckedAt  time.Time `json:"checkedAt"`
}

func view(cr *wallet.Credential) CredentialView {
	return CredentialView{ID: cr.ID, Name: cr.Name, IssuerID: cr.IssuerID, IssuerName: cr.IssuerName, Format: cr.Format,
		Verified: cr.Verified, Verdict: cr.Verdict, Insisted: cr.Insisted, Warning: cr.Warning, Source: cr.Source,
		AddedAt: cr.AddedAt, CheckedAt: cr.CheckedAt}
}

// Raw is the credential as kept: a JSON credential as itself, a VC-JWT as
// a JSON string (the same bytes either way).
func Raw(cr *wallet.Credential) json.RawMessage {
	if cr.Format == "jwt" {
		b, _ := json.Marshal(string(cr.Raw))
		return b
	}
	return cr.Raw
}

// importCredential: a JSON credential (application/json), a JWT
// (text/plain or application/vc+jwt), a multipart form's "file" (a baked
// PNG or SVG too), or ?url= its address (fetched through internal/fetch).
// ?insist=true keeps one that does not verify.
func (a *API) importCredential(c *gin.Context) {
	_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(a.sh.BodyTimeout))
	mt, _, _ := mime.ParseMediaType(c.GetHeader("Content-Type"))
	var data []byte
	var err error
	source := "api"
	switch {
	case c.Query("url") != "":
		if a.cfg.Fetch == nil {
			problem.Write(c, http.StatusNotImplemented, problem.NotConfigured, "this server does not fetch badges by address")
			return
		}
		u := c.Query("url")
		if data, err = a.cfg.Fetch(c.Request.Context(), u); err != nil {
			_ = c.Error(err)
			detail, _ := problem.Redact("the badge could not be fetched from " + u + ": " + err.Error())
			problem.Write(c, http.StatusBadGateway, problem.FetchFailed, detail)
			return
		}
		source = "url:" + u
	case mt == "multipart/form-data":
		f, hdr, ferr := c.Request.FormFile("file")
		if ferr != nil {
			if st, _ := problem.Of(ferr); st == http.StatusRequestEntityTooLarge {
				problem.ReadError(c, a.sh.MaxBody, ferr)
				return
			}
			problem.Write(c, http.StatusBadRequest, problem.Malformed, "send the badge as the form's \"file\" field")
			return
		}
		defer f.Close()
		data, err = io.ReadAll(f)
		source = "upload:" + hdr.Filename
	case part.IsJSON(mt), mt == "text/plain", mt == "application/vc+jwt", mt == "application/jwt":
		data, err = io.ReadAll(c.Request.Body)
	default:
		problem.Write(c, http.StatusUnsupportedMediaType, problem.UnsupportedMediaType,
			"send a JSON credential (application/json), a JWT (text/plain) or a multipart form with a \"file\"")
		return
	}
	if err != nil {
		problem.ReadError(c, a.sh.MaxBody, err)
		return
	}
	u := user(c)
	res, err := a.cfg.Wallet.ImportCredential(c.Request.Context(), u.ID, wallet.Import{
		Data: data, Source: source, Insist: c.Query("insist") == "true", Email: u.Email})
	if err != nil {
		status, kind := problem.Of(err)
		detail, _ := problem.Redact(err.Error())
		body := gin.H{"type": problem.BaseURI + kind, "title": problem.Title(kind), "status": status, "detail": detail}
		if res != nil && res.Verification != nil {
			body["verified"] = res.Verification.Verified
			body["report"] = res.Verification.ReportJSON()
		}
		if res != nil && res.Credential != nil {
			body["id"] = res.Credential.ID
		}
		if status >= 500 {
			problem.Error(c, err, "")
			return
		}
		b, _ := json.Marshal(body)
		c.Header("Cache-Control", "no-store")
		c.Data(status, "application/problem+json", b)
		return
	}
	out := gin.H{"id": res.Credential.ID, "verified": res.Verification.Verified, "verdict": res.Verification.Verdict,
		"report": res.Verification.ReportJSON()}
	if res.Replaced != "" {
		out["replaced"] = res.Replaced
	}
	if res.Credential.Warning != "" {
		out["warning"] = res.Credential.Warning
	}
	c.Header("Location", "/wallet/api/credentials/"+res.Credential.ID)
	c.JSON(http.StatusCreated, out)
}

func (a *API) listCredentials(c *gin.Context) {
	list, err := a.cfg.Wallet.Credentials(c.Request.Context(), user(c).ID)
	if err != nil {
		problem.Error(c, err, "")
		return
	}
	out := make([]CredentialView, len(list))
	for i, cr := range list {
		out[i] = view(cr)
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"credentials": out})
}

func (a *API) getCredential(c *gin.Context) {
	cr, err := a.cfg.Wallet.Credential(c.Request.Context(), user(c).ID, c.Param("id"))
	if err != nil {
		problem.Error(c, err, "no such badge in your wallet")
		return
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(http.StatusOK, gin.H{"credential": Raw(cr), "report": json.RawMessage(cr.Report), "meta": view(cr)})
}

func (a *API) deleteCredential(c *gin.Context) {
	if err := a.cfg.Wallet.Delete(c.Request.Context(), user(c).ID, c.Param("id")); err != nil {
		problem.Error(c, err, "no such badge in your wallet")
		return
	}
	c.Status(http.StatusNoContent)
}

// createShare: an optional JSON body {"expiresIn": seconds}.
func (a *API) createShare(c *gin.Context) {
	var ttl time.Duration
	if c.Request.ContentLength != 0 && c.GetHeader("Content-Type") != "" {
		if !part.IsJSON(c.GetHeader("Content-Type")) {
			problem.Write(c, http.StatusUnsupportedMediaType, problem.UnsupportedMediaType, "send the body as Content-Type: application/json")
			return
		}
		body := a.sh.ReadObject(c)
		if body == nil {
			return
		}
		if v, has := body["expiresIn"]; has {
			var secs int64
			switch n := v.(type) {
			case json.Number:
				secs, _ = n.Int64()
			case float64:
				if n == float64(int64(n)) {
					secs = int64(n)
				}
			}
			if secs <= 0 || secs > int64(wallet.MaxShareTTL/time.Second) {
				problem.Write(c, http.StatusBadRequest, problem.Malformed, "expiresIn is a positive number of seconds")
				return
			}
			ttl = time.Duration(secs) * time.Second
		}
	}
	sh, err := a.cfg.Wallet.CreateShare(c.Request.Context(), user(c).ID, c.Param("id"), ttl)
	if err != nil {
		problem.Error(c, err, "no such badge in your wallet")
		return
	}
	out := gin.H{"id": sh.Token, "url": ShareURL(a.base(c), sh.Token)}
	if !sh.ExpiresAt.IsZero() {
		out["expiresAt"] = sh.ExpiresAt
	} else {
		out["expiresAt"] = nil
	}
	c.JSON(http.StatusCreated, out)
}

// ShareURL is a share link's public page.
func ShareURL(base, token string) string { return strings.TrimSuffix(base, "/") + "/s/" + token }

func (a *API) base(c *gin.Context) string {
	if a.cfg.PublicURL != "" {
		return a.cfg.PublicURL
	}
	scheme := "http"
	if c.Request.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host
}

func (a *API) deleteShare(c *gin.Context) {
	if err := a.cfg.Wallet.RevokeShare(c.Request.Context(), user(c).ID, c.Param("id")); err != nil {
		problem.Error(c, err, "no such share link of yours")
		return
	}
	c.Status(http.StatusNoContent)
}

// createPresentation: {"credentials": [ids], "challenge": C, "domain": D,
// "format": "jwt"|"di"}; answers the signed presentation itself.
func (a *API) createPresentation(c *gin.Context) {
	if !part.IsJSON(c.GetHeader("Content-Type")) {
		problem.Write(c, http.StatusUnsupportedMediaType, problem.UnsupportedMediaType, "send the body as Content-Type: application/json")
		return
	}
	body := a.sh.ReadObject(c)
	if body == nil {
		return
	}
	var req wallet.PresentRequest
	req.Challenge, _ = body["challenge"].(string)
	req.Domain, _ = body["domain"].(string)
	req.Format, _ = body["format"].(string)
	ids, _ := body["credentials"].([]any)
	for _, v := range ids {
		s, ok := v.(string)
		if !ok {
			problem.Write(c, http.StatusBadRequest, problem.Malformed, "credentials is a list of badge ids")
			return
		}
		req.CredentialIDs = append(req.CredentialIDs, s)
	}
	to, _ := body["verifier"].(string)
	if to != "" && a.cfg.Post == nil {
		problem.Write(c, http.StatusNotImplemented, problem.NotConfigured, "this server does not send presentations; leave out \"verifier\"")
		return
	}
	vp, mt, err := a.cfg.Wallet.Present(c.Request.Context(), user(c).ID, req)
	if err != nil {
		problem.Error(c, err, err.Error())
		return
	}
	c.Header("Cache-Control", "no-store")
	if to == "" {
		c.Data(http.StatusCreated, mt, vp)
		return
	}
	// Sent to the verifier: the presentation and the verifier's answer
	// (its body as JSON when it is JSON, else as text).
	ans, err := wallet.SendPresentation(c.Request.Context(), a.cfg.Post, to, vp, mt, req.Challenge, req.Domain)
	if err != nil {
		detail, _ := problem.Redact(err.Error())
		problem.Write(c, http.StatusBadGateway, problem.Upstream, detail)
		return
	}
	var pres any = json.RawMessage(vp)
	if mt == "application/vp+jwt" {
		pres = string(vp)
	}
	answer := gin.H{"url": ans.URL, "status": ans.Status, "contentType": ans.ContentType}
	if json.Valid(ans.Body) && part.IsJSON(ans.ContentType) {
		answer["body"] = json.RawMessage(ans.Body)
	} else {
		answer["text"] = ans.Text(64 << 10)
	}
	c.JSON(http.StatusCreated, gin.H{"presentation": pres, "mediaType": mt, "verifierAnswer": answer})
}

// refreshCredential asks the badge's refresh service for its current
// version (wallet.Service.Refresh): 201 with the new id when it replaced
// the badge, 200 when the badge is already current.
func (a *API) refreshCredential(c *gin.Context) {
	if a.cfg.Fetch == nil {
		problem.Write(c, http.StatusNotImplemented, problem.NotConfigured, "this server does not fetch from other sites")
		return
	}
	id := c.Param("id")
	res, err := a.cfg.Wallet.Refresh(c.Request.Context(), user(c).ID, id, a.cfg.Fetch)
	c.Header("Cache-Control", "no-store")
	switch {
	case errors.Is(err, wallet.ErrDuplicate), errors.Is(err, wallet.ErrOlderVersion):
		c.JSON(http.StatusOK, gin.H{"id": id, "refreshed": false})
		return
	case err != nil:
		status, kind := problem.Of(err)
		if status >= 500 && status != http.StatusBadGateway {
			problem.Error(c, err, "")
			return
		}
		detail, _ := problem.Redact(err.Error())
		problem.Write(c, status, kind, detail)
		return
	}
	c.Header("Location", "/wallet/api/credentials/"+res.Credential.ID)
	c.JSON(http.StatusCreated, gin.H{"id": res.Credential.ID, "refreshed": true, "replaced": res.Replaced,
		"verified": res.Verification.Verified, "verdict": res.Verification.Verdict})
}
