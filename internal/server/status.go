package server

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/issuer"
)

// GET /status/:id and /status/:id/2021: a signed status list credential,
// cacheable (Bitstring Status List §6.5: verifiers should cache lists) with
// a weak ETag that changes only when a bit changes.
func (s *Server) statusList(f issuer.ListFormat) gin.HandlerFunc {
	return func(c *gin.Context) {
		doc, version, err := s.cfg.Service.StatusList(c.Request.Context(), c.Param("id"), f)
		switch {
		case errors.Is(err, issuer.ErrNotFound):
			problem.Write(c, http.StatusNotFound, "not-found", "no status list "+c.Param("id"))
			return
		case err != nil:
			_ = c.Error(err)
			problem.Write(c, http.StatusInternalServerError, "internal", "")
			return
		}
		// Weak (RFC 9110 §8.8.1): the version names the bits, not the
		// bytes. Each process sharing the database signs its own copy (its
		// own validFrom and proof), so the same version has different bytes
		// on each; a cache revalidating through any of them still gets 304.
		etag := fmt.Sprintf(`W/"%s.%d.%d"`, c.Param("id"), f, version)
		ttl := s.cfg.Service.ListTTL
		if ttl <= 0 {
			ttl = issuer.DefaultListTTL
		}
		c.Header("ETag", etag)
		c.Header("Cache-Control", "public, max-age="+strconv.Itoa(int(ttl.Seconds())))
		if match := c.GetHeader("If-None-Match"); match != "" && etagMatches(match, etag) {
			c.Status(http.StatusNotModified)
			return
		}
		c.Data(http.StatusOK, "application/json", doc)
	}
}

// etagMatches is If-None-Match's weak comparison (RFC 9110 §13.1.2): the
// opaque tags match whether either is marked weak.
func etagMatches(header, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(t), "W/"))
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// POST /credentials/status (VC API "update status"), with the status scope:
//
//	{"credentialId": "urn:uuid:...", "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}]}
//
// or Blason's plainer form {"credentialId": "...", "action": "revoke|suspend|reinstate", "reason": "..."}.
func (s *Server) updateStatus(c *gin.Context) {
	body := s.readObject(c)
	if body == nil {
		return
	}
	id, _ := body["credentialId"].(string)
	if id == "" {
		problem.Write(c, http.StatusBadRequest, "malformed", "credentialId is required")
		return
	}
	reason, _ := body["reason"].(string)
	action, _ := body["action"].(string)
	if action == "" {
		list, _ := body["credentialStatus"].([]any)
		if len(list) != 1 {
			problem.Write(c, http.StatusBadRequest, "malformed", "give action (revoke, suspend, reinstate) or one credentialStatus {type, status}")
			return
		}
		st, _ := list[0].(map[string]any)
		switch v, _ := st["status"].(string); v {
		case "revoked", "revoke":
			action = issuer.ActionRevoke
		case "suspended", "suspend":
			action = issuer.ActionSuspend
		case "active", "reinstated", "reinstate", "unsuspended":
			action = issuer.ActionReinstate
		default:
			problem.Write(c, http.StatusBadRequest, "malformed", fmt.Sprintf("unknown status %q (revoked, suspended or active)", v))
			return
		}
	}
	// Only the credentials of the issuer this server signs as: another
	// issuer sharing the database is not ours to revoke (404, as if absent).
	rec, err := s.cfg.Service.ChangeStatusOf(c.Request.Context(), s.cfg.IssuerID, id, action, reason, "api:"+c.GetString(ctxToken))
	switch {
	case errors.Is(err, issuer.ErrNotFound):
		problem.Write(c, http.StatusNotFound, "not-found", "no credential "+id+" issued by this server")
	case errors.Is(err, issuer.ErrConflict):
		problem.Write(c, http.StatusConflict, "conflict", err.Error())
	case err != nil:
		_ = c.Error(err)
		problem.Write(c, http.StatusInternalServerError, "internal", "")
	default:
		c.JSON(http.StatusOK, gin.H{"credentialId": rec.ID, "status": rec.Status})
	}
}
