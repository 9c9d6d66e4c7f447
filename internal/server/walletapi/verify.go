package walletapi

import (
	"context"
	"encoding/json"

	"github.com/blason-badges/blason/internal/server/problem"
	"github.com/blason-badges/blason/verifier"
	"github.com/blason-badges/blason/wallet"
)

// VerifyWith is the wallet's Verify over the verifier (the wallet declares
// what it needs and never imports the verifier; the server joins them).
func VerifyWith(v *verifier.Verifier) wallet.Verify {
	return func(ctx context.Context, cred []byte) (*wallet.Verification, error) {
		rep, _ := v.Verify(ctx, cred)
		if rep == nil {
			return &wallet.Verification{Verdict: verifier.VerdictNotVerified, Reason: verifier.MsgParseInvalid, Unreadable: true,
				Report: json.RawMessage(`{}`)}, nil
		}
		// What clients see leaves out internal addresses and paths. The
		// JSON is made only when needed (Verification.ReportJSON).
		rep, _ = problem.RedactReport(rep)
		s := rep.Credential
		out := &wallet.Verification{
			Verified: rep.Verified, Verdict: rep.Verdict, Value: rep,
			CredentialID: s.ID, IssuerID: s.IssuerID, IssuerName: s.IssuerName, Name: s.Name, Achievement: s.Achievement,
			Image: s.Image, ValidFrom: s.ValidFrom, ValidUntil: s.ValidUntil, RecipientID: s.RecipientID,
		}
		if c := rep.Reason(); c != nil {
			out.Reason = c.Message
		}
		if p := rep.Check(verifier.CheckParse); p != nil && p.Outcome == verifier.Failed {
			out.Unreadable = true
		}
		if st := rep.Check(verifier.CheckStatus); st != nil && st.Outcome == verifier.Failed &&
			(st.Message == verifier.MsgStatusRevoked || st.Message == verifier.MsgStatusSuspended) {
			out.Revoked = true
		}
		return out, nil
	}
}
