package server

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/gin-gonic/gin"
)

// problemBaseURI prefixes problem types (RFC 9457 "type").
const problemBaseURI = "https://github.com/blason-badges/blason/blob/main/docs/errors.md#"

// Problem is an RFC 9457 problem details object, the error shape of the
// VC API.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
	Status int    `json:"status,omitempty"`
}

var titles = map[string]string{
	"not-found":              "Not found",
	"method-not-allowed":     "Method not allowed",
	"too-large":              "Request body too large",
	"malformed":              "Malformed request",
	"invalid-credential":     "The credential cannot be issued",
	"vc-data-model":          "The credential breaks a rule of the VC Data Model",
	"unknown-issuer":         "This server does not hold that issuer's key",
	"not-configured":         "Not configured on this server",
	"internal":               "Internal error",
	"conflict":               "The status change does not apply",
	"unauthorized":           "Authentication required",
	"forbidden":              "Forbidden",
	"unsupported-media-type": "Unsupported media type",
	"misdirected":            "Misdirected request",
	"duplicate":              "A credential with this id was already issued",
	"unsupported-format":     "Unsupported credential format",
	"timeout":                "Request body too slow",
	"overloaded":             "Too many verifications in flight: retry after the Retry-After delay",
}

// problem writes an RFC 9457 response. Every error response goes through
// here; a 500 carries no detail, and no detail carries an internal address
// or a server path (redact; the full text goes to the log).
func problem(c *gin.Context, status int, kind, detail string) {
	if status >= 500 {
		detail = ""
	}
	if d, changed := redact(detail); changed {
		_ = c.Error(errors.New(detail))
		detail = d
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, Problem{Type: problemBaseURI + kind, Title: titles[kind], Detail: detail, Status: status})
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("the request body is larger than %d bytes", limit)
}

// readError maps a body-read error to its status: 413 past the limit, 408
// past the body read deadline, else 400. The error text names sockets
// (addresses): it is logged, not sent.
func readError(c *gin.Context, limit int64, err error) {
	var ne net.Error
	switch {
	case isTooLarge(err):
		problem(c, http.StatusRequestEntityTooLarge, "too-large", tooLarge(limit))
		return
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, os.ErrDeadlineExceeded):
		_ = c.Error(err)
		c.Header("Connection", "close")
		problem(c, http.StatusRequestTimeout, "timeout", "the request body did not arrive in time")
		return
	}
	_ = c.Error(err)
	problem(c, http.StatusBadRequest, "malformed", "cannot read the request body")
}
