// Package obapi is the host (resource server) part of the 1EdTech Open
// Badges 3.0 REST API, mounted under /ims/ob/v3p0 (OB 3.0 §6): discovery,
// getCredentials, upsertCredential, getProfile and putProfile, each behind
// the OAuth 2.0 scope the spec gives it (internal/oauth checks the bearer
// token), every error an Imsx_StatusInfo, every route rate-limited.
//
// The learner's badges live in the wallet; the part reaches them through
// the Wallet interface, so that it neither stores badges itself nor
// imports the wallet role. An upserted credential is verified (with the
// server's verifier) and must be the token's user's before it reaches the
// wallet.
package obapi

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/oauth"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/ratelimit"
	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/verifier"
)

// Owner is what identifies a user in the credentials issued to them: the
// account's e-mail address (hashed or plain in credentialSubject.identifier)
// and the DIDs they hold (credentialSubject.id). ProfileID and Name make
// the default Profile served before the user's app puts one.
type Owner struct {
	Email     string
	DIDs      []string
	ProfileID string
	Name      string
}

// Held is a credential as the wallet keeps it: the exact bytes received,
// a JSON object or a compact JWS.
type Held struct {
	Raw []byte
	JWS bool
}

// Upsert is a verified credential of the user's, for the wallet to keep.
type Upsert struct {
	Raw       []byte
	JWS       bool
	Key       ob.Key    // OB 3.0 §10: issuer id and credential id
	ValidFrom time.Time // the newer of two with the same Key is kept
	Report    *verifier.Report
}

// ErrNoProfile: the user has no stored profile.
var ErrNoProfile = errors.New("no profile")

// ErrNoOwner: the token's user no longer exists (the account was
// deleted); its tokens are answered as invalid.
var ErrNoOwner = errors.New("no such user")

// Wallet is what the host needs of the learners' wallets.
type Wallet interface {
	// Owner describes the user (ErrNoProfile is not used here; an unknown
	// user is an error).
	Owner(ctx context.Context, userID string) (*Owner, error)
	// Credentials returns page of the user's credentials, in a stable
	// order, only those with validFrom after page.Since when set, and the
	// total matching count. Only badges that verified belong here (OB 3.0
	// certification: "every element MUST be verifiable"): a badge the
	// learner kept although it did not verify is left out.
	Credentials(ctx context.Context, userID string, page ob.Page) ([]Held, int, error)
	// Upsert keeps the credential: a new one (created), or the
	// replacement of the one with the same Key when it is not older (OB
	// 3.0 §10); an older one leaves the wallet as it is (created false).
	Upsert(ctx context.Context, userID string, c Upsert) (created bool, err error)
	// Profile returns the user's stored Profile, or ErrNoProfile.
	Profile(ctx context.Context, userID string) ([]byte, error)
	// PutProfile stores the user's whole Profile.
	PutProfile(ctx context.Context, userID string, profile []byte) error
}

// Config is what the part needs.
type Config struct {
	OAuth    *oauth.Server
	Wallet   Wallet
	Verifier *verifier.Verifier
	// SDD is the Service Description Document (obapi.ServiceDescription).
	SDD []byte
	// PerSecond and Burst limit each token's calls (and discovery per
	// client address); zero means 5 per second, bursts of 20.
	PerSecond float64
	Burst     int
}

// Part is the host part.
type Part struct {
	sh      part.Shared
	cfg     Config
	etag    string
	byToken *ratelimit.Limiter
	byAddr  *ratelimit.Limiter
	// failures counts refused tokens per address: an address that keeps
	// sending bad tokens is refused before its tokens are looked up.
	failures *ratelimit.Limiter
}

// New returns the part.
func New(sh part.Shared, cfg Config) *Part {
	if cfg.PerSecond <= 0 {
		cfg.PerSecond = 5
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 20
	}
	return &Part{sh: sh, cfg: cfg, etag: ob.ETag(cfg.SDD),
		byToken: ratelimit.New(cfg.PerSecond, cfg.Burst), byAddr: ratelimit.New(cfg.PerSecond, cfg.Burst),
		failures: ratelimit.New(1, 20)}
}

// Mount adds the routes under /ims/ob/v3p0.
func (p *Part) Mount(r gin.IRouter) {
	g := r.Group(ob.BasePath)
	g.GET("/discovery", p.limitAddr, p.discovery)
	g.GET("/credentials", p.bearer(ob.ScopeCredentialReadonly), p.getCredentials)
	// An upsert is a verification: admitted as the VC API's are.
	g.POST("/credentials", p.bearer(ob.ScopeCredentialUpsert), p.admit, p.bodyDeadline, p.upsertCredential)
	g.GET("/profile", p.bearer(ob.ScopeProfileReadonly), p.getProfile)
	g.PUT("/profile", p.bearer(ob.ScopeProfileUpdate), p.bodyDeadline, p.putProfile)
	// Other methods get a 405 in the API's own error format (the root's
	// would be a problem document).
	for path, allow := range map[string]string{"/discovery": "GET", "/credentials": "GET, POST", "/profile": "GET, PUT"} {
		for _, m := range []string{"GET", "POST", "PUT", "DELETE", "PATCH"} {
			if strings.Contains(allow, m) {
				continue
			}
			g.Handle(m, path, func(c *gin.Context) {
				c.Header("Allow", allow)
				fail(c, ob.MethodNotAllowed(c.Request.Method+" is not allowed here; use "+allow+"."))
			})
		}
	}
}

func (p *Part) admit(c *gin.Context) {
	if p.sh.Admit != nil {
		p.sh.Admit(c)
		return
	}
	c.Next()
}

// bodyDeadline gives the body BodyTimeout from now to arrive (as
// part.Shared.ReadObject does), where the writer supports deadlines.
func (p *Part) bodyDeadline(c *gin.Context) {
	if p.sh.BodyTimeout > 0 {
		_ = http.NewResponseController(c.Writer).SetReadDeadline(time.Now().Add(p.sh.BodyTimeout))
	}
	c.Next()
}

// fail writes an Imsx_StatusInfo error and stops the request.
func fail(c *gin.Context, e *ob.Error) {
	c.Header("Cache-Control", "no-store")
	c.AbortWithStatusJSON(e.Status, e.Info)
}

func (p *Part) limitAddr(c *gin.Context) {
	if ok, retry := p.byAddr.Allow(c.ClientIP()); !ok {
		c.Header("Retry-After", strconv.Itoa(int(retry/time.Second)+1))
		fail(c, ob.Busy())
		return
	}
	c.Next()
}

const (
	keyUser   = "obapi.user"
	keyClient = "obapi.client"
)

// bearer requires an access token granted scope (RFC 6750 §3: 401 with
// WWW-Authenticate error="invalid_token" for a missing, expired or revoked
// token; 403 insufficient_scope), then applies the per-token rate limit.
func (p *Part) bearer(scope string) gin.HandlerFunc {
	return func(c *gin.Context) {
		ip := c.ClientIP()
		if ok, retry := p.failures.Peek(ip); !ok {
			c.Header("Retry-After", strconv.Itoa(int(retry/time.Second)+1))
			fail(c, ob.Busy())
			return
		}
		b, err := p.cfg.OAuth.Authenticate(c.Request, scope)
		if err != nil && !errors.Is(err, oauth.ErrScope) {
			p.failures.Allow(ip)
		}
		switch {
		case errors.Is(err, oauth.ErrNoToken):
			c.Header("WWW-Authenticate", `Bearer realm="Open Badges"`)
			fail(c, ob.Unauthorized("An access token is required (Authorization: Bearer)."))
			return
		case errors.Is(err, oauth.ErrScope):
			c.Header("WWW-Authenticate", `Bearer realm="Open Badges", error="insufficient_scope", scope="`+scope+`"`)
			fail(c, ob.Forbidden("The access token was not granted the scope "+scope+"."))
			return
		case err != nil:
			c.Header("WWW-Authenticate", `Bearer realm="Open Badges", error="invalid_token"`)
			fail(c, ob.Unauthorized("The access token is invalid, expired or revoked."))
			return
		}
		if ok, retry := p.byToken.Allow(b.ClientID + "\x00" + b.Subject); !ok {
			c.Header("Retry-After", strconv.Itoa(int(retry/time.Second)+1))
			fail(c, ob.Busy())
			return
		}
		c.Set(keyUser, b.Subject)
		c.Set(keyClient, b.ClientID)
		c.Next()
	}
}

// discovery serves the Service Description Document, unprotected (OB 3.0
// §7.3.0: it "MUST NOT be protected"), cacheable, with an ETag.
func (p *Part) discovery(c *gin.Context) {
	c.Header("Cache-Control", "public, max-age=3600")
	c.Header("ETag", p.etag)
	if inm := c.GetHeader("If-None-Match"); inm != "" && (inm == p.etag || inm == "*" || strings.Contains(inm, p.etag)) {
		c.Status(http.StatusNotModified)
		return
	}
	c.Data(http.StatusOK, "application/json", p.cfg.SDD)
}

// getCredentials is OB 3.0 §6.2.2.
func (p *Part) getCredentials(c *gin.Context) {
	page, perr := ob.ParsePage(c.Request.URL.Query())
	if perr != nil {
		fail(c, perr)
		return
	}
	held, total, err := p.cfg.Wallet.Credentials(c.Request.Context(), c.GetString(keyUser), page)
	if err != nil {
		_ = c.Error(err)
		fail(c, ob.Internal())
		return
	}
	// §6.2.2: credentials not signed with VC-JWT in credential, VC-JWT
	// ones in compactJwsString. The body is written by hand so that each
	// credential goes out as the exact bytes received (encoding/json
	// would compact them and escape <, > and &): a Data Integrity proof
	// does not care, but a client comparing what it upserted does.
	for _, h := range held {
		if len(bytes.TrimSpace(h.Raw)) == 0 {
			_ = c.Error(errors.New("obapi: the wallet listed a badge without content"))
			fail(c, ob.Internal())
			return
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"credential":[`)
	n := 0
	for _, h := range held {
		if !h.JWS {
			if n > 0 {
				buf.WriteByte(',')
			}
			buf.Write(bytes.TrimSpace(h.Raw))
			n++
		}
	}
	buf.WriteString(`],"compactJwsString":[`)
	n = 0
	for _, h := range held {
		if h.JWS {
			if n > 0 {
				buf.WriteByte(',')
			}
			s, _ := json.Marshal(string(bytes.TrimSpace(h.Raw)))
			buf.Write(s)
			n++
		}
	}
	buf.WriteString("]}")
	if !json.Valid(buf.Bytes()) {
		_ = c.Error(errors.New("obapi: a stored credential is not valid JSON"))
		fail(c, ob.Internal())
		return
	}
	c.Header(ob.HeaderTotal, strconv.Itoa(total))
	c.Header("Link", ob.LinkHeader(ob.PageLinks(selfURL(c), page, total)))
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json", buf.Bytes())
}

// selfURL is the request's URL as the client addressed it: the links
// point where the client already is.
func selfURL(c *gin.Context) string {
	scheme := "http"
	if c.Request.TLS != nil || strings.EqualFold(c.GetHeader("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + c.Request.Host + c.Request.URL.Path
}

// upsertCredential is OB 3.0 §6.2.3: a credential as JSON
// (application/json, application/vc+ld+json) or a compact JWS
// (text/plain); verified, and the token's user's, before the wallet keeps
// it; 201 when created, 200 when it replaced (or was older than) the one
// held; the body echoes the request in its format.
func (p *Part) upsertCredential(c *gin.Context) {
	mt, _, err := mime.ParseMediaType(c.GetHeader("Content-Type"))
	if err != nil {
		mt = ""
	}
	jws := false
	switch mt {
	case ob.MediaJSON, ob.MediaVCLD, "application/ld+json":
	case ob.MediaJWS:
		jws = true
	default:
		fail(c, ob.Fail(http.StatusUnsupportedMediaType, ob.MinorInvalidData, "Send the credential as application/json or, for a VC-JWT, as text/plain."))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, int64(credential.DefaultMaxBytes)+1))
	if err != nil || len(raw) > credential.DefaultMaxBytes {
		fail(c, ob.BadRequest(ob.MinorInvalidData, "The credential could not be read or is too large."))
		return
	}
	raw = bytes.TrimSpace(raw)
	if jws {
		if !input.IsCompactJWS(raw) {
			fail(c, ob.BadRequest(ob.MinorInvalidData, "The body is not a compact JWS."))
			return
		}
	} else if _, err := credential.ParseJSON(raw, credential.Limits{}); err != nil || len(raw) == 0 || raw[0] != '{' {
		fail(c, ob.BadRequest(ob.MinorInvalidData, "The body is not a JSON credential."))
		return
	}
	ctx := c.Request.Context()
	user := c.GetString(keyUser)
	owner, err := p.cfg.Wallet.Owner(ctx, user)
	if errors.Is(err, ErrNoOwner) {
		c.Header("WWW-Authenticate", `Bearer realm="Open Badges", error="invalid_token"`)
		fail(c, ob.Unauthorized("The access token's account no longer exists."))
		return
	}
	if err != nil {
		_ = c.Error(err)
		fail(c, ob.Internal())
		return
	}
	rep, perr := p.check(ctx, raw, owner)
	if perr != nil {
		fail(c, perr)
		return
	}
	key, err := ob.KeyFrom(rep.Credential.IssuerID, rep.Credential.ID)
	if err != nil {
		fail(c, ob.BadRequest(ob.MinorInvalidData, "The credential has no id: the host could not tell it from others (OB 3.0 §10)."))
		return
	}
	validFrom, _ := time.Parse(time.RFC3339Nano, rep.Credential.ValidFrom)
	created, err := p.cfg.Wallet.Upsert(ctx, user, Upsert{Raw: raw, JWS: jws, Key: key, ValidFrom: validFrom, Report: rep})
	if err != nil {
		_ = c.Error(err)
		fail(c, ob.Internal())
		return
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	c.Header("Cache-Control", "no-store")
	if jws {
		c.Data(status, "text/plain; charset=utf-8", raw)
		return
	}
	c.Data(status, "application/json", raw)
}

// check verifies raw with the owner's e-mail address as the expected
// recipient: a credential that fails any check but the recipient's is
// refused as not verifying (400); one that verifies but names neither the
// owner's address nor one of their DIDs is refused as not theirs (403).
// Only Open Badges 3.0 achievement credentials are accepted.
func (p *Part) check(ctx context.Context, raw []byte, owner *Owner) (*verifier.Report, *ob.Error) {
	v := p.cfg.Verifier
	if owner.Email != "" {
		v = v.WithRecipient(&verifier.Recipient{IdentityType: "emailAddress", Value: owner.Email})
	}
	rep, _ := v.Verify(ctx, raw)
	if rep == nil {
		return nil, ob.BadRequest(ob.MinorInvalidData, "The credential could not be read.")
	}
	if rep.Format != "" || rep.Credential.Kind != "OpenBadgeCredential" {
		return nil, ob.BadRequest(ob.MinorInvalidData, "Only Open Badges 3.0 achievement credentials (OpenBadgeCredential) can be stored here.")
	}
	for _, ch := range rep.Checks {
		if ch.ID == verifier.CheckRecipient {
			continue
		}
		if ch.Outcome == verifier.Failed || (ch.Required && ch.Outcome != verifier.Passed) {
			return nil, ob.BadRequest(ob.MinorInvalidData, "The credential does not verify ("+ch.ID+": "+ch.Message+"); it was not stored.")
		}
	}
	mine := false
	if ch := rep.Check(verifier.CheckRecipient); ch != nil && ch.Outcome == verifier.Passed {
		mine = true
	}
	for _, d := range owner.DIDs {
		if d != "" && rep.Credential.RecipientID == d {
			mine = true
		}
	}
	if !mine {
		return nil, ob.Forbidden("The credential was not issued to this account (its subject names neither the account's e-mail address nor one of its DIDs); it was not stored.")
	}
	return rep, nil
}

// getProfile is OB 3.0 §6.2.4: the Profile the user's apps put, or one
// made from the account.
func (p *Part) getProfile(c *gin.Context) {
	ctx := c.Request.Context()
	user := c.GetString(keyUser)
	b, err := p.cfg.Wallet.Profile(ctx, user)
	if errors.Is(err, ErrNoProfile) {
		var owner *Owner
		if owner, err = p.cfg.Wallet.Owner(ctx, user); err == nil {
			if owner.ProfileID == "" {
				fail(c, ob.NotFound("This account has no profile yet."))
				return
			}
			prof := map[string]any{"@context": []string{"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
				"id": owner.ProfileID, "type": []string{"Profile"}}
			if owner.Name != "" {
				prof["name"] = owner.Name
			}
			if owner.Email != "" {
				prof["email"] = owner.Email
			}
			b, err = json.Marshal(prof)
		}
	}
	if errors.Is(err, ErrNoOwner) {
		c.Header("WWW-Authenticate", `Bearer realm="Open Badges", error="invalid_token"`)
		fail(c, ob.Unauthorized("The access token's account no longer exists."))
		return
	}
	if err != nil {
		_ = c.Error(err)
		fail(c, ob.Internal())
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json", b)
}

// putProfile is OB 3.0 §6.2.5: the entire Profile replaces the stored
// one. It must be a JSON object with an id and the type Profile (the host
// "MAY respond with 400 BAD_REQUEST" to what it cannot validate); it is
// kept as given and served back, never trusted for anything else
// ("attributes that a Host SHOULD authenticate before using").
func (p *Part) putProfile(c *gin.Context) {
	if !part.IsJSON(c.GetHeader("Content-Type")) {
		fail(c, ob.Fail(http.StatusUnsupportedMediaType, ob.MinorInvalidData, "Send the profile as application/json."))
		return
	}
	raw, err := io.ReadAll(io.LimitReader(c.Request.Body, 64<<10+1))
	if err != nil || len(raw) > 64<<10 {
		fail(c, ob.BadRequest(ob.MinorInvalidData, "The profile could not be read or is larger than 64 KiB."))
		return
	}
	v, err := credential.ParseJSON(raw, credential.Limits{MaxBytes: 64 << 10})
	m, ok := v.(map[string]any)
	if err != nil || !ok {
		fail(c, ob.BadRequest(ob.MinorInvalidData, "The profile is not a JSON object."))
		return
	}
	if id, _ := m["id"].(string); ob.CheckURL(id) != nil && !strings.HasPrefix(id, "did:") && !strings.HasPrefix(id, "urn:") {
		fail(c, ob.BadRequest(ob.MinorInvalidData, "The profile's id must be a URL, a DID or a URN."))
		return
	}
	if !hasType(m["type"], "Profile") {
		fail(c, ob.BadRequest(ob.MinorInvalidData, `The profile's type must include "Profile".`))
		return
	}
	if err := p.cfg.Wallet.PutProfile(c.Request.Context(), c.GetString(keyUser), bytes.TrimSpace(raw)); err != nil {
		_ = c.Error(err)
		fail(c, ob.Internal())
		return
	}
	c.Header("Cache-Control", "no-store")
	c.Data(http.StatusOK, "application/json", bytes.TrimSpace(raw))
}

func hasType(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return t == want
	case []any:
		for _, x := range t {
			if s, _ := x.(string); s == want {
				return true
			}
		}
	}
	return false
}
