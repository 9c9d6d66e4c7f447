package server

import (
	"fmt"
	"net/http"

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
	"not-found":          "Not found",
	"method-not-allowed": "Method not allowed",
	"too-large":          "Request body too large",
	"malformed":          "Malformed request",
	"invalid-credential": "The credential cannot be issued",
	"vc-data-model":      "The credential breaks a rule of the VC Data Model",
	"unknown-issuer":     "This server does not hold that issuer's key",
	"not-configured":     "Not configured on this server",
	"internal":           "Internal error",
	"conflict":           "The status change does not apply",
	"unauthorized":       "Authentication required",
	"forbidden":          "Forbidden",
}

// problem writes an RFC 9457 response. Every error response goes through
// here; a 500 carries no detail.
func problem(c *gin.Context, status int, kind, detail string) {
	if status >= 500 {
		detail = ""
	}
	c.Header("Cache-Control", "no-store")
	c.JSON(status, Problem{Type: problemBaseURI + kind, Title: titles[kind], Detail: detail, Status: status})
}

func tooLarge(limit int64) string {
	return fmt.Sprintf("the request body is larger than %d bytes", limit)
}

// statusFor maps a body-read error to its status: 413 past the limit.
func readError(c *gin.Context, limit int64, err error) {
	if isTooLarge(err) {
		problem(c, http.StatusRequestEntityTooLarge, "too-large", tooLarge(limit))
		return
	}
	problem(c, http.StatusBadRequest, "malformed", "cannot read the request body: "+err.Error())
}
