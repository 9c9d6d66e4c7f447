package verifier

import (
	"encoding/json"
	"fmt"
)

// Outcome is the result of one check. The zero value is NotRun, so a check
// that was never reached can never read as passed.
type Outcome int

const (
	NotRun  Outcome = iota // the check did not run (an earlier check failed, or it needs something unavailable)
	Passed                 // the check ran and succeeded
	Failed                 // the check ran and the credential is not trustworthy
	Warning                // the check found something a person should know, which does not by itself invalidate the credential
	Unknown                // the check could not be completed ("could not check"); never the same as passed or failed
	Skipped                // the check does not apply to this credential
)

var outcomeNames = [...]string{"not-run", "passed", "failed", "warning", "unknown", "skipped"}

func (o Outcome) String() string {
	if o < 0 || int(o) >= len(outcomeNames) {
		return fmt.Sprintf("Outcome(%d)", int(o))
	}
	return outcomeNames[o]
}

// MarshalText implements encoding.TextMarshaler ("passed", "failed", ...).
func (o Outcome) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (o *Outcome) UnmarshalText(b []byte) error {
	for i, n := range outcomeNames {
		if n == string(b) {
			*o = Outcome(i)
			return nil
		}
	}
	return fmt.Errorf("unknown outcome %q", b)
}

// Check IDs, stable across releases: clients and the UI's message catalogues key on them.
const (
	CheckParse        = "parse"
	CheckContext      = "context"
	CheckType         = "type"
	CheckSchema       = "schema"
	CheckSubject      = "subject"
	CheckDataModel    = "data-model"
	CheckProof        = "proof"
	CheckIssuerKey    = "issuer-key"
	CheckRefresh      = "refresh"
	CheckStatus       = "status"
	CheckRelated      = "related-resources"
	CheckValidity     = "validity"
	CheckRecipient    = "recipient"
	CheckEndorsements = "endorsements"
)

// Check is one step of a verification.
type Check struct {
	ID      string  `json:"id"`
	Outcome Outcome `json:"outcome"`
	// Message is a stable key for the human message; the French and English
	// sentences live with the UI (see Messages for the English CLI text).
	Message string `json:"message"`
	// Detail is technical detail for developers (error text, values seen).
	Detail string `json:"detail,omitempty"`
	// Required checks must pass for the credential to be verified.
	Required bool `json:"-"`
}

// Summary is what a person wants to see of the credential, taken from it
// as issued. Until the proof and issuer key checks pass, none of it is
// vouched for by anyone.
type Summary struct {
	ID          string `json:"id,omitempty"`
	Version     string `json:"version,omitempty"` // "2.0" or "1.1"
	Kind        string `json:"kind,omitempty"`    // "OpenBadgeCredential" or "EndorsementCredential"
	Name        string `json:"name,omitempty"`
	Achievement string `json:"achievement,omitempty"`
	IssuerID    string `json:"issuerId,omitempty"`
	IssuerName  string `json:"issuerName,omitempty"`
	ValidFrom   string `json:"validFrom,omitempty"`
	ValidUntil  string `json:"validUntil,omitempty"`
	// What a certificate shows: the descriptions, the criteria's narrative,
	// the image (a URL or a data: URI, as issued) and the recipient.
	Description            string `json:"description,omitempty"`
	AchievementDescription string `json:"achievementDescription,omitempty"`
	Criteria               string `json:"criteria,omitempty"`
	Image                  string `json:"image,omitempty"`
	RecipientID            string `json:"recipientId,omitempty"`
	RecipientName          string `json:"recipientName,omitempty"`
	// RecipientHashed: the subject is identified by a hashed identifier
	// (an e-mail address a verifier can confirm, §9.3).
	RecipientHashed bool `json:"recipientHashed,omitempty"`
}

// Report is the complete result of verifying one credential. It always
// lists every check, in the order of the OB 3.0 verification algorithm.
type Report struct {
	// Verified: no check failed and every required check passed. It does
	// not say that revocation was checked: a status list that could not be
	// fetched or trusted is Unknown, which leaves Verified true (the VC API
	// answers 200, as the 1EdTech validator treats it as a warning). Read
	// Verdict for the distinction a person needs.
	Verified bool `json:"verified"`
	// Verdict is VerdictVerified, VerdictRevocationNotChecked or
	// VerdictNotVerified (the CLI's exit codes 0, 3 and 1).
	Verdict string `json:"verdict"`
	// Format is empty for an Open Badges 3.0 (or W3C) credential, and
	// FormatOB2Hosted or FormatOB2Signed for an Open Badges 2.0 assertion,
	// the older format, verified as OB 2.0 defines.
	Format       string    `json:"format,omitempty"`
	Checks       []Check   `json:"checks"`
	Credential   Summary   `json:"credential"`
	Endorsements []*Report `json:"endorsements,omitempty"`
	// CoSigners are the signers of verified proofs other than the issuer's
	// (a witness or endorser in a proof set or chain). Their proofs verified
	// with their own keys; they are not the issuer.
	CoSigners []CoSigner `json:"coSigners,omitempty"`
	// RefreshedFrom is the refresh service URL, when the credential
	// reported on is the refreshed version fetched from it (§9.1 step 3).
	RefreshedFrom string `json:"refreshedFrom,omitempty"`
	// OB2 describes an Open Badges 2.0 badge (nil for other formats).
	OB2 *OB2Badge `json:"ob2,omitempty"`
}

// CoSigner is the signer of one verified proof that is not the issuer's.
type CoSigner struct {
	Controller         string `json:"controller"`
	VerificationMethod string `json:"verificationMethod"`
}

// Check returns the check with the given id, or nil.
func (r *Report) Check(id string) *Check {
	for i := range r.Checks {
		if r.Checks[i].ID == id {
			return &r.Checks[i]
		}
	}
	return nil
}

// decide sets Verified from the checks: fail closed. A credential is
// verified only if no check failed and every required check passed.
// Warning and Unknown are shown but do not by themselves make a credential
// unverified (as in the 1EdTech validator, where an unreachable revocation
// list is a warning); Failed, and a required check not Passed, always do.
func (r *Report) decide() {
	ok := len(r.Checks) > 0
	for _, c := range r.Checks {
		if c.Outcome == Failed || (c.Required && c.Outcome != Passed) {
			ok = false
		}
	}
	r.Verified = ok
	r.Verdict = verdictFor(ok, r.Check(CheckStatus))
}

// Verdicts: what a person may conclude from a report.
const (
	// VerdictVerified: verified, and its revocation status was checked (or
	// it has none).
	VerdictVerified = "verified"
	// VerdictRevocationNotChecked: the signature and every other check
	// passed, but whether its issuer revoked or suspended it could not be
	// checked (offline, list unreachable or untrusted, unsupported method).
	// A person must not read it as verified.
	VerdictRevocationNotChecked = "revocation-not-checked"
	// VerdictNotVerified: not verified.
	VerdictNotVerified = "not-verified"
)

func verdictFor(verified bool, st *Check) string {
	switch {
	case !verified:
		return VerdictNotVerified
	case st != nil && st.Outcome == Unknown:
		return VerdictRevocationNotChecked
	}
	return VerdictVerified
}

// Reason returns the check that makes a credential not verified: the first
// that failed, else the first required check that did not pass (a failure
// such as "expired" says more than a check that could not run). Nil when
// verified.
func (r *Report) Reason() *Check { return reason(r.Checks) }

func reason(checks []Check) *Check {
	for i := range checks {
		if checks[i].Outcome == Failed {
			return &checks[i]
		}
	}
	for i := range checks {
		if checks[i].Required && checks[i].Outcome != Passed {
			return &checks[i]
		}
	}
	return nil
}

// Unchecked reports whether the credential is not verified only because a
// check could not be completed (Unknown, or a required check that did not
// run), with no check failed: it "could not be checked", which must never
// be shown as "not genuine".
func (r *Report) Unchecked() bool {
	if r.Verified {
		return false
	}
	for _, c := range r.Checks {
		if c.Outcome == Failed {
			return false
		}
	}
	return true
}

// JSON returns the report as indented JSON.
func (r *Report) JSON() ([]byte, error) { return json.MarshalIndent(r, "", "  ") }
