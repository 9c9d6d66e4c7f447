// Package problem is the one way every part of Blason's HTTP server
// answers an error: an RFC 9457 problem details object, whose status, type
// and title come from one table (Of maps the libraries' sentinel errors to
// them), and whose detail never carries an internal address or a server
// path (Redact; the full text goes to the log).
package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/credential"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
	"github.com/blason-badges/blason/wallet"
)

// BaseURI prefixes problem types (RFC 9457 §3.1.1 "type": a URI reference
// that identifies the problem type); each kind has an anchor in
// docs/errors.md.
const BaseURI = "https://github.com/blason-badges/blason/blob/main/docs/errors.md#"

// Problem is an RFC 9457 problem details object, the error shape of the
// VC API.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	Status int    `json:"status,omitempty"`
}

// Kinds of problem (the anchor of Type).
const (
	NotFound             = "not-found"
	MethodNotAllowed     = "method-not-allowed"
	TooLarge             = "too-large"
	Malformed            = "malformed"
	InvalidCredential    = "invalid-credential"
	VCDataModel          = "vc-data-model"
	UnknownIssuer        = "unknown-issuer"
	NotConfigured        = "not-configured"
	Internal             = "internal"
	Conflict             = "conflict"
	KeyRotation          = "key-rotation"
	Unauthorized         = "unauthorized"
	Forbidden            = "forbidden"
	UnsupportedMediaType = "unsupported-media-type"
	Misdirected          = "misdirected"
	Duplicate            = "duplicate"
	UnsupportedFormat    = "unsupported-format"
	Timeout              = "timeout"
	Overloaded           = "overloaded"
	FetchFailed          = "fetch-failed"
	// The wallet's.
	Unreadable   = "unreadable"
	NotVerified  = "not-verified"
	AlreadyHeld  = "already-held"
	Gone         = "gone"
	ClaimInvalid = "claim-invalid"
	NoRefresh    = "no-refresh"
	Upstream     = "upstream"
	Changed      = "changed"
)

var titles = map[string]string{
	NotFound:             "Not found",
	MethodNotAllowed:     "Method not allowed",
	TooLarge:             "Request body too large",
	Malformed:            "Malformed request",
	InvalidCredential:    "The credential cannot be issued",
	VCDataModel:          "The credential breaks a rule of the VC Data Model",
	UnknownIssuer:        "This server does not hold that issuer's key",
	NotConfigured:        "Not configured on this server",
	Internal:             "Internal error",
	Conflict:             "The status change does not apply",
	KeyRotation:          "The issuer's key cannot be rotated",
	Unauthorized:         "Authentication required",
	Forbidden:            "Forbidden",
	UnsupportedMediaType: "Unsupported media type",
	Misdirected:          "Misdirected request",
	Duplicate:            "A credential with this id was already issued",
	UnsupportedFormat:    "Unsupported credential format",
	Timeout:              "Request body too slow",
	Overloaded:           "Too many verifications in flight: retry after the Retry-After delay",
	FetchFailed:          "The credential could not be fetched",
	Unreadable:           "Not a badge Blason reads",
	NotVerified:          "The badge did not pass verification",
	AlreadyHeld:          "The wallet already holds this badge",
	Gone:                 "This link was withdrawn or has expired",
	ClaimInvalid:         "This claim link is not valid: used, expired or unknown",
	NoRefresh:            "The badge names no refresh service",
	Upstream:             "Another server did not give what was asked",
	Changed:              "The record was changed meanwhile, or already exists",
}

// Title is the title of a kind of problem.
func Title(kind string) string { return titles[kind] }

// Of is the one mapping from the errors the libraries return (issuer,
// account, credential sentinels, and the body-read errors of net/http) to
// an HTTP status and a kind of problem. What it does not know is a 500:
// an unexpected error is the server's fault, never the client's.
func Of(err error) (status int, kind string) {
	var ne net.Error
	switch {
	case errors.Is(err, workspace.ErrNotFound):
		return http.StatusNotFound, NotFound
	case errors.Is(err, workspace.ErrClaim):
		return http.StatusGone, ClaimInvalid
	case errors.Is(err, workspace.ErrConflict), errors.Is(err, workspace.ErrExists):
		return http.StatusConflict, Changed
	case errors.Is(err, workspace.ErrInvalid), errors.Is(err, workspace.ErrImage), errors.Is(err, workspace.ErrRowsInvalid):
		return http.StatusBadRequest, Malformed
	case errors.Is(err, issuer.ErrExists):
		return http.StatusConflict, Duplicate
	case errors.Is(err, issuer.ErrConflict):
		return http.StatusConflict, Conflict
	case errors.Is(err, issuer.ErrKeyRotation):
		return http.StatusConflict, KeyRotation
	case errors.Is(err, wallet.ErrDuplicate), errors.Is(err, wallet.ErrOlderVersion):
		return http.StatusConflict, AlreadyHeld
	case errors.Is(err, wallet.ErrNoRefresh):
		return http.StatusUnprocessableEntity, NoRefresh
	case errors.Is(err, wallet.ErrRefreshFailed), errors.Is(err, wallet.ErrRefreshMismatch), errors.Is(err, wallet.ErrSend):
		return http.StatusBadGateway, Upstream
	case errors.Is(err, wallet.ErrShareGone):
		return http.StatusGone, Gone
	case errors.Is(err, wallet.ErrNotVerified):
		return http.StatusUnprocessableEntity, NotVerified
	case errors.Is(err, wallet.ErrUnreadable), errors.Is(err, wallet.ErrPresentationGiven):
		return http.StatusBadRequest, Unreadable
	case errors.Is(err, wallet.ErrTooLarge):
		return http.StatusRequestEntityTooLarge, TooLarge
	case errors.Is(err, wallet.ErrInvalid), errors.Is(err, wallet.ErrPresentation):
		return http.StatusBadRequest, Malformed
	case errors.Is(err, issuer.ErrNotFound), errors.Is(err, account.ErrNotFound), errors.Is(err, wallet.ErrNotFound):
		return http.StatusNotFound, NotFound
	case errors.Is(err, issuer.ErrNotOurIssuer):
		return http.StatusBadRequest, UnknownIssuer
	// Before ErrCredential: a data-model error is also a credential error,
	// and the client is better told which rule it broke.
	case errors.Is(err, credential.ErrDataModel):
		return http.StatusBadRequest, VCDataModel
	case errors.Is(err, issuer.ErrCredential), errors.Is(err, issuer.ErrPreflight),
		errors.Is(err, issuer.ErrAchievement), errors.Is(err, issuer.ErrRecipient), errors.Is(err, issuer.ErrProfile):
		return http.StatusBadRequest, InvalidCredential
	case errors.Is(err, account.ErrUnauthenticated):
		return http.StatusUnauthorized, Unauthorized
	case errors.Is(err, account.ErrInvalid):
		return http.StatusBadRequest, Malformed
	case isTooLarge(err), errors.Is(err, multipart.ErrMessageTooLarge):
		return http.StatusRequestEntityTooLarge, TooLarge
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		return http.StatusRequestTimeout, Timeout
	}
	return http.StatusInternalServerError, Internal
}

// Error answers err with the status and kind Of maps it to. detail is what
// the client reads ("" sends err's own text); a 5xx sends none, and its err
// is recorded on the request (c.Error) for the log.
func Error(c *gin.Context, err error, detail string) {
	status, kind := Of(err)
	if status >= 500 {
		_ = c.Error(err)
	}
	if detail == "" {
		detail = err.Error()
	}
	Write(c, status, kind, detail)
}

// Write writes an RFC 9457 response. Every error response of a gin part
// goes through here; a 500 carries no detail, and no detail carries an
// internal address or a server path (Redact; the full text is recorded on
// the request for the log).
func Write(c *gin.Context, status int, kind, detail string) {
	p, orig := build(status, kind, detail)
	if orig != "" {
		_ = c.Error(errors.New(orig))
	}
	c.Header("Cache-Control", "no-store")
	if c.Request != nil && IsOBAPI(c.Request.URL.Path) {
		c.JSON(status, statusInfo(p))
		return
	}
	c.JSON(status, p)
}

// IsOBAPI reports whether path is under the Open Badges 3.0 API's base
// path, where every answer that is not a success is an Imsx_StatusInfo
// (OB 3.0 §6.3), not a problem document: a refusal made before the API's
// own handlers run (body too large, wrong host, overload, a panic, an
// unknown route) answers in the API's format too.
func IsOBAPI(path string) bool {
	return path == ob.BasePath || strings.HasPrefix(path, ob.BasePath+"/")
}

// obMinors are the code minor values (OB 3.0 §6.3
// "Imsx_CodeMinorFieldValue") for the statuses the root answers.
var obMinors = map[int]string{
	http.StatusBadRequest:            ob.MinorInvalidData,
	http.StatusUnauthorized:          ob.MinorUnauthorized,
	http.StatusForbidden:             ob.MinorForbidden,
	http.StatusNotFound:              ob.MinorNotFound,
	http.StatusMethodNotAllowed:      ob.MinorNotAllowed,
	http.StatusNotAcceptable:         ob.MinorNotAcceptable,
	http.StatusRequestEntityTooLarge: ob.MinorInvalidData,
	http.StatusUnsupportedMediaType:  ob.MinorInvalidData,
	http.StatusMisdirectedRequest:    ob.MinorMisdirectedRequest,
	http.StatusTooManyRequests:       ob.MinorServerBusy,
	http.StatusServiceUnavailable:    ob.MinorServerBusy,
	http.StatusInternalServerError:   ob.MinorInternalServerError,
}

// statusInfo is the problem p as an Imsx_StatusInfo: its title and
// detail as the description, its status's code minor value.
func statusInfo(p Problem) ob.StatusInfo {
	minor, ok := obMinors[p.Status]
	if !ok {
		minor = ob.MinorUnknown
	}
	desc := p.Title
	if p.Detail != "" {
		desc += ": " + p.Detail
	}
	return ob.Fail(p.Status, minor, desc).Info
}

// WriteHTTP is Write for a plain http.ResponseWriter (the pages, which are
// not gin handlers), as application/problem+json; logRedacted receives a
// detail Redact changed, in full.
func WriteHTTP(w http.ResponseWriter, status int, kind, detail string, logRedacted func(string)) {
	p, orig := build(status, kind, detail)
	if orig != "" && logRedacted != nil {
		logRedacted(orig)
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(p)
}

// build is the problem object both writers send, and the original detail
// when Redact changed it.
func build(status int, kind, detail string) (Problem, string) {
	if status >= 500 {
		detail = ""
	}
	orig := ""
	if d, changed := Redact(detail); changed {
		orig, detail = detail, d
	}
	return Problem{Type: BaseURI + kind, Title: titles[kind], Detail: detail, Status: status}, orig
}

// TooLargeDetail is the detail of a 413.
func TooLargeDetail(limit int64) string {
	return fmt.Sprintf("the request body is larger than %d bytes", limit)
}

// ReadError answers a request whose body could not be read: 413 past the
// limit, 408 past the body read deadline (and the connection closed), else
// 400. The error text names sockets (addresses): it is logged, not sent.
func ReadError(c *gin.Context, limit int64, err error) {
	switch status, kind := Of(err); status {
	case http.StatusRequestEntityTooLarge:
		Write(c, status, kind, TooLargeDetail(limit))
	case http.StatusRequestTimeout:
		_ = c.Error(err)
		c.Header("Connection", "close")
		Write(c, status, kind, "the request body did not arrive in time")
	default:
		_ = c.Error(err)
		Write(c, http.StatusBadRequest, Malformed, "cannot read the request body")
	}
}

func isTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
