package vcapi

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/server/part"
	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/issuer"
)

// POST /credentials/status (VC API "update status"), with the status scope:
//
//	{"credentialId": "urn:uuid:...", "credentialStatus": [{"type": "BitstringStatusListCredential", "status": "revoked"}]}
//
// or Blason's plainer form {"credentialId": "...", "action": "revoke|suspend|reinstate", "reason": "..."}.
func (a *API) updateStatus(c *gin.Context) {
	body := a.sh.ReadObject(c)
	if body == nil {
		return
	}
	id, _ := body["credentialId"].(string)
	if id == "" {
		problem.Write(c, http.StatusBadRequest, problem.Malformed, "credentialId is required")
		return
	}
	reason, _ := body["reason"].(string)
	action, _ := body["action"].(string)
	if action == "" {
		list, _ := body["credentialStatus"].([]any)
		if len(list) != 1 {
			problem.Write(c, http.StatusBadRequest, problem.Malformed, "give action (revoke, suspend, reinstate) or one credentialStatus {type, status}")
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
			problem.Write(c, http.StatusBadRequest, problem.Malformed, fmt.Sprintf("unknown status %q (revoked, suspended or active)", v))
			return
		}
	}
	// Only the credentials of the issuer this server signs as: another
	// issuer sharing the database is not ours to revoke (404, as if absent).
	rec, err := a.cfg.Service.ChangeStatusOf(c.Request.Context(), a.cfg.IssuerID, id, action, reason, "api:"+part.TokenID(c))
	switch {
	case errors.Is(err, issuer.ErrNotFound):
		problem.Error(c, err, "no credential "+id+" issued by this server")
	case err != nil:
		problem.Error(c, err, "")
	default:
		c.JSON(http.StatusOK, gin.H{"credentialId": rec.ID, "status": rec.Status})
	}
}
