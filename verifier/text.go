package verifier

import (
	"fmt"
	"io"
	"strings"

	"github.com/blason-badges/blason/internal/termsafe"
)

// English holds the plain-language English sentence for every message key a
// report can carry. The web UI keeps its own French and English catalogues
// keyed the same way; this one serves the command line.
var English = map[string]string{
	"parse.ok":       "The file is a readable credential.",
	"parse.invalid":  "The file is not a readable credential.",
	"parse.envelope": "The enveloped (JWT) credential or presentation is malformed.",

	"context.ok":      "It declares the Open Badges 3.0 vocabulary.",
	"context.invalid": "It does not declare the Open Badges 3.0 vocabulary correctly.",

	"type.ok":                  "It is an Open Badges credential.",
	"type.invalid":             "It is not an Open Badges credential.",
	"type.not-endorsement":     "An embedded endorsement is not an endorsement credential.",
	"schema.ok":                "Its content follows the Open Badges 3.0 rules.",
	"schema.invalid":           "Its content breaks the Open Badges 3.0 rules.",
	"schema.not-applicable-v1": "Older (VC 1.1) badge: there are no published rules to check its content against.",
	"schema.no-version":        "Its content could not be checked: its version is unknown.",
	"schema.unknown-kind":      "Its content could not be checked: its kind of credential is unknown.",
	"subject.ok":               "It names who earned the badge and what was achieved.",
	"subject.invalid":          "It does not properly name who earned the badge or what was achieved.",

	"data-model.ok":      "It follows the rules of the W3C Verifiable Credentials data model.",
	"data-model.invalid": "It breaks a rule of the W3C Verifiable Credentials data model.",

	"related.none":      "It lists no related resources.",
	"related.ok":        "The resources it links to are unchanged since it was issued.",
	"related.mismatch":  "A resource it links to has changed since it was issued.",
	"related.unchecked": "Some resources it links to could not be checked.",

	"proof.ok":              "Its digital signature is valid: it has not been altered since it was signed.",
	"proof.missing":         "It has no digital signature: anyone could have written it.",
	"proof.key-unavailable": "Its signature could not be checked: the signing key could not be obtained.",
	"proof.unknown-context": "Its signature could not be checked: it uses a vocabulary (JSON-LD context) that Blason does not know.",
	"proof.key-not-found":   "Its signature could not be checked: the signing key it names does not exist.",
	"proof.bad-signature":   "Its digital signature does not match: it was altered, or not signed by that key.",
	"proof.invalid":         "Its digital signature is not valid.",
	"proof.malformed":       "Its digital signature is malformed.",
	"proof.form":            "It is written in a form this verifier does not read: a property is spelled differently from how Open Badges and Verifiable Credentials write it, so what could be checked may not be what was signed.",
	"issuer-key.ok":         "It was signed with the issuer's own key.",
	"issuer-key.not-issuer": "It was signed with a key that does not belong to the issuer it names.",

	"refresh.none":        "It has no refresh service.",
	"refresh.unsupported": "Its refresh service is of a kind Blason does not use.",
	"refresh.offline":     "Its refresh service was not contacted (offline).",
	"refresh.failed":      "A newer version could not be obtained from its issuer; this version is shown.",
	"refresh.ok":          "This is the newest version, fetched from its issuer.",
	"refresh.nested":      "Refresh does not apply here.",

	"status.none":               "It has no revocation list (it cannot be revoked).",
	"status.not-run":            "Its revocation status was not checked, because its signature is not valid.",
	"status.ok":                 "It has not been revoked or suspended.",
	"status.revoked":            "It has been revoked by its issuer.",
	"status.suspended":          "It is suspended by its issuer.",
	"status.malformed":          "Its revocation status could not be checked: the status entry is malformed.",
	"status.offline":            "Its revocation status was not checked (offline).",
	"status.unreachable":        "Its revocation status could not be checked: the issuer's list could not be obtained or trusted.",
	"status.invalid-list":       "Its revocation status could not be checked: the issuer's list is invalid.",
	"status.unsupported-method": "Its revocation status could not be checked: the status method is not supported.",

	"validity.ok":            "It is within its validity dates.",
	"validity.invalid-date":  "One of its dates is not a valid date.",
	"validity.no-start":      "It does not say from when it is valid.",
	"validity.not-yet-valid": "It is not valid yet.",
	"validity.expired":       "It has expired.",

	"recipient.not-requested":      "The recipient was not compared with a known person.",
	"recipient.ok":                 "It was awarded to the person you named.",
	"recipient.mismatch":           "It was not awarded to the person you named.",
	"recipient.invalid-identifier": "Its recipient identifier is malformed.",

	"endorsements.none":     "It carries no endorsements.",
	"endorsements.ok":       "Its endorsements are genuine.",
	"endorsements.invalid":  "Some of its endorsements could not be verified; they are not shown as endorsements.",
	"endorsements.too-deep": "Endorsements nested this deep are not checked.",

	"format.ob2":                 "This is an Open Badges 2.0 badge (the older format), verified as that format defines.",
	"type.ob2":                   "It is an Open Badges 2.0 assertion: a badge awarded to one person.",
	"type.ob2-invalid":           "It is not a valid Open Badges 2.0 assertion.",
	"schema.ob2-ok":              "Its badge description and its issuer's profile are complete.",
	"schema.ob2-invalid":         "Its badge description or its issuer's profile is missing, incomplete or malformed.",
	"schema.ob2-unreachable":     "Its badge description or its issuer's profile could not be obtained from the issuer's web site.",
	"subject.ob2":                "It names who earned the badge.",
	"proof.ob2-hosted":           "The issuer publishes this badge on its web site, exactly as you have it.",
	"proof.ob2-hosted-differs":   "The badge the issuer publishes differs from this copy: this copy was altered.",
	"proof.ob2-hosted-invalid":   "What the issuer publishes at this badge's address is not a valid badge.",
	"proof.ob2-not-published":    "The issuer does not publish this badge at the address the badge gives.",
	"proof.ob2-unreachable":      "It could not be checked: the issuer's web site, which holds the original, could not be reached.",
	"proof.ob2-offline":          "It was not checked: an Open Badges 2.0 badge is checked against the original on its issuer's web site, and nothing is fetched offline.",
	"proof.ob2-unsigned":         "It says it is signed, but this copy comes without its signature: anyone could have written it.",
	"issuer-key.ob2-hosted":      "It is published on its issuer's own web site.",
	"issuer-key.ob2-unreachable": "Whose badge it is could not be checked: its issuer's profile could not be obtained.",
	"proof.ob2-hosted-revoked":   "The issuer's web site was consulted for this badge: it answers that the badge is revoked.",
	"issuer-key.ob2-scope":       "It is published at an address its issuer does not use for badges: it may not come from that issuer.",
	"endorsements.ob2":           "Its endorsements (Open Badges 2.0) are not checked.",
	"data-model.ob2":             "Open Badges 2.0 badge: the W3C Verifiable Credentials rules do not apply to it.",

	"context.vc":            "It declares the W3C Verifiable Credentials vocabulary.",
	"type.vc":               "It is a W3C Verifiable Credential (not an Open Badge).",
	"schema.not-open-badge": "Not an Open Badge: the Open Badges content rules do not apply.",
	"subject.missing":       "It names no subject.",
	"subject.vc":            "It has a subject.",

	// A presentation's own checks: it is never called a credential or a
	// badge, since it may hold none.
	"parse.presentation":           "The file is a readable presentation.",
	"parse.presentation-invalid":   "The file is not a readable presentation.",
	"context.presentation":         "It declares the W3C Verifiable Credentials vocabulary.",
	"context.presentation-invalid": "Its first context is not the W3C Verifiable Credentials vocabulary.",
	"type.presentation":            "It is a Verifiable Presentation.",
	"type.not-presentation":        "It is not a presentation.",
	"presentation.ok":              "The holder proved they hold the key, for this request.",
	"presentation.no-challenge":    "The presentation is signed, but no challenge was asked for: it could be a replay.",
	"presentation.unsigned":        "The presentation is not signed by the person presenting it.",
	"presentation.challenge":       "The presentation was made for another request (challenge mismatch).",
	"presentation.domain":          "The presentation was made for another site (domain mismatch).",
	"presentation.invalid":         "The presentation's signature is not valid.",
	"presentation.form":            "The presentation is written in a form this verifier does not read, so what could be checked may not be what was signed.",
	"holder.ok":                    "The person presenting is the person the badges were awarded to.",
	"holder.not-subject":           "The person presenting is not the person the badges were awarded to.",
	"holder.other-subject":         "The person presenting is not the subject of these credentials (allowed for credentials that are not badges).",
	"holder.mismatch":              "The presentation names a holder other than its signer.",
	"holder.not-applicable":        "The badges name their recipient by e-mail, not by a key: compare the e-mail instead.",
	"holder.no-credential":         "It holds no credential, so there is no recipient to match.",
	"credentials.ok":               "Every credential in it verified.",
	"credentials.none":             "It holds no credential: it only proves who the holder is (DID authentication).",
	"credentials.invalid":          "Some credentials in it did not verify.",
	"credentials.unchecked":        "Some credentials in it could not be checked; nothing was found wrong with them, but they are not verified.",
	"credentials.too-many":         "It holds more credentials than are verified in one presentation.",
}

// Text returns the English sentence for a check, falling back to its
// message key for a key with no sentence.
func (c Check) Text() string {
	if strings.HasSuffix(c.Message, ".not-run") {
		return "Not checked."
	}
	if s, ok := English[c.Message]; ok {
		return s
	}
	return c.Message
}

var marks = map[Outcome]string{Passed: "✓", Failed: "✗", Warning: "!", Unknown: "?", Skipped: "–", NotRun: "·"}

// safe makes a string that came from a credential (a name, an id, an error
// detail quoting its content) safe to print on a terminal: control and bidi
// characters are written visibly and overlong strings are clipped, so a
// forged badge cannot clear the screen or redraw the verdict.
func safe(s string) string { return termsafe.String(s) }

// text is c.Text(), safe for a terminal (it falls back to the message key,
// which a hand-built report could fill with anything).
func (c Check) text() string { return safe(c.Text()) }

// Headlines: the verdict line begins with one of these. Only a badge whose
// revocation status was checked (or that has none) is called VERIFIED; the
// other prefixes never contain that word, so a person skimming for it
// cannot misread them.
const (
	HeadlineVerified             = "VERIFIED"
	HeadlineRevocationNotChecked = "SIGNATURE VALID — REVOCATION NOT CHECKED"
	HeadlineNotVerified          = "NOT VERIFIED"
)

// revocationHints tells the reader what to do when revocation could not be
// checked, by status message key.
var revocationHints = map[string]string{
	"status.offline":            "check again without --offline before relying on it.",
	"status.unreachable":        "check again with network access, or ask the issuer, before relying on it. For an issuer on this machine: --data DIR (its data directory) or --allow-loopback-status.",
	"status.invalid-list":       "ask the issuer whether it is still valid before relying on it.",
	"status.malformed":          "ask the issuer whether it is still valid before relying on it.",
	"status.unsupported-method": "ask the issuer whether it is still valid before relying on it.",
}

// WriteText writes the report for a person. With verbose, each check's
// technical detail follows its sentence. Every string taken from the
// credential is passed through safe.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	var b strings.Builder
	s := r.Credential
	title := s.Name
	if s.Achievement != "" && s.Achievement != s.Name {
		title = strings.TrimSpace(s.Name + " — " + s.Achievement)
	}
	if title != "" {
		fmt.Fprintf(&b, "Badge:      %s\n", safe(title))
	}
	switch r.Format {
	case FormatOB2Hosted:
		b.WriteString("Format:     Open Badges 2.0 (older format), hosted by its issuer\n")
	case FormatOB2Signed:
		b.WriteString("Format:     Open Badges 2.0 (older format), signed by its issuer\n")
	}
	if s.IssuerID != "" {
		issuer := safe(s.IssuerID)
		if s.IssuerName != "" {
			issuer = safe(s.IssuerName) + " (" + issuer + ")"
		}
		fmt.Fprintf(&b, "Issued by:  %s\n", issuer)
	}
	if s.ValidFrom != "" {
		until := "no expiry"
		if s.ValidUntil != "" {
			until = "until " + safe(s.ValidUntil)
		}
		fmt.Fprintf(&b, "Valid:      from %s, %s\n", safe(s.ValidFrom), until)
	}
	b.WriteString("\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %s %-13s %s\n", marks[c.Outcome], safe(c.ID), c.text())
		if verbose && c.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", safe(c.Detail))
		}
	}
	for _, cs := range r.CoSigners {
		fmt.Fprintf(&b, "  also signed by %s (not the issuer)\n", safe(cs.Controller))
	}
	for i, e := range r.Endorsements {
		state := "not verified"
		if e.Verified {
			state = "verified"
		}
		name := e.Credential.IssuerName
		if name == "" {
			name = e.Credential.IssuerID
		}
		fmt.Fprintf(&b, "  endorsement %d by %s: %s\n", i+1, safe(name), state)
	}
	b.WriteString("\n")
	st := r.Check(CheckStatus)
	switch {
	case r.Verified && verdictFor(true, st) == VerdictRevocationNotChecked:
		fmt.Fprintf(&b, "%s: issued by %s and not altered since, but it may have been revoked.\n",
			HeadlineRevocationNotChecked, safe(r.Credential.IssuerID))
		why := st.text()
		if st.Detail != "" {
			why += " (" + safe(st.Detail) + ")"
		}
		fmt.Fprintf(&b, "Why: %s\n", why)
		hint, ok := revocationHints[st.Message]
		if !ok {
			hint = "ask the issuer whether it is still valid before relying on it."
		}
		fmt.Fprintf(&b, "What to do: %s\n", hint)
		r.writeNotes(&b, st)
	case r.Verified:
		fmt.Fprintf(&b, "%s: issued by %s and not altered since.\n", HeadlineVerified, safe(r.Credential.IssuerID))
		r.writeNotes(&b, nil)
	default:
		why := "a required check did not pass"
		if c := r.Reason(); c != nil && c.text() != "" {
			why = c.text()
			if c.Detail != "" {
				why += " (" + safe(c.Detail) + ")"
			}
		}
		fmt.Fprintf(&b, "%s: %s\n", HeadlineNotVerified, why)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeNotes lists the warnings and could-not-check results of a verified
// report, except skip (already explained).
func (r *Report) writeNotes(b *strings.Builder, skip *Check) {
	for i := range r.Checks {
		c := &r.Checks[i]
		if c != skip && (c.Outcome == Warning || c.Outcome == Unknown) {
			fmt.Fprintf(b, "Note: %s\n", c.text())
		}
	}
}

// WriteText writes the presentation report for a person, then each
// credential's.
func (r *PresentationReport) WriteText(w io.Writer, verbose bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Presentation by %s\n\n", safe(orUnknown(r.Holder)))
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %s %-13s %s\n", marks[c.Outcome], safe(c.ID), c.text())
		if verbose && c.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", safe(c.Detail))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for i, c := range r.Credentials {
		if _, err := fmt.Fprintf(w, "\n--- Credential %d of %d ---\n", i+1, len(r.Credentials)); err != nil {
			return err
		}
		if err := c.WriteText(w, verbose); err != nil {
			return err
		}
	}
	line := "\nPRESENTATION VERIFIED.\n"
	switch {
	case r.Verified && r.Verdict == VerdictRevocationNotChecked:
		line = "\nPRESENTATION " + HeadlineRevocationNotChecked + ": the revocation status of a badge in it could not be checked (see above).\n"
	case !r.Verified:
		line = "\nPRESENTATION NOT VERIFIED.\n"
		if c := reason(r.Checks); c != nil {
			line = "\nPRESENTATION NOT VERIFIED: " + c.text() + "\n"
		}
	}
	_, err := io.WriteString(w, line)
	return err
}

func orUnknown(s string) string {
	if s == "" {
		return "an unverified holder"
	}
	return s
}
