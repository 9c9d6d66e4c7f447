package verifier

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/internal/termsafe"
)

// English is the English sentence for every message key a report can
// carry, from the one catalogue of texts (internal/i18n), which holds the
// French beside it.
var English = i18n.Catalog(i18n.EN)

// Text returns the English sentence for a check, falling back to its
// message key for a key with no sentence.
func (c Check) Text() string { return c.TextIn(i18n.EN) }

// TextIn returns the check's sentence in lang.
func (c Check) TextIn(lang i18n.Lang) string {
	if strings.HasSuffix(c.Message, ".not-run") {
		return i18n.T(lang, "check.not-run")
	}
	if i18n.Has(c.Message) {
		return i18n.T(lang, c.Message)
	}
	return c.Message
}

var marks = map[Outcome]string{Passed: "✓", Failed: "✗", Warning: "!", Unknown: "?", Skipped: "–", NotRun: "·"}

// safe makes a string that came from a credential (a name, an id, an error
// detail quoting its content) safe to print on a terminal: control and bidi
// characters are written visibly and overlong strings are clipped, so a
// forged badge cannot clear the screen or redraw the verdict.
func safe(s string) string { return termsafe.String(s) }

// text is c.TextIn(lang), safe for a terminal (it falls back to the
// message key, which a hand-built report could fill with anything).
func (c Check) text(lang i18n.Lang) string { return safe(c.TextIn(lang)) }

// Headlines: the verdict line begins with one of these. Only a badge whose
// revocation status was checked (or that has none) is called VERIFIED; the
// other prefixes never contain that word, so a person skimming for it
// cannot misread them.
const (
	HeadlineVerified             = "VERIFIED"
	HeadlineRevocationNotChecked = "SIGNATURE VALID — REVOCATION NOT CHECKED"
	HeadlineNotVerified          = "NOT VERIFIED"
)

// headline is the verdict line's prefix in lang (the constants above in English).
func headline(lang i18n.Lang, h string) string {
	if lang == i18n.EN {
		return h
	}
	return i18n.T(lang, map[string]string{HeadlineVerified: "cli.headline.verified",
		HeadlineRevocationNotChecked: "cli.headline.unchecked", HeadlineNotVerified: "cli.headline.not-verified"}[h])
}

// WriteText writes the report for a person in English. With verbose, each
// check's technical detail follows its sentence.
func (r *Report) WriteText(w io.Writer, verbose bool) error {
	return r.WriteTextIn(w, verbose, i18n.EN)
}

// WriteTextIn writes the report for a person in lang. Every string taken
// from the credential is passed through safe.
func (r *Report) WriteTextIn(w io.Writer, verbose bool, lang i18n.Lang) error {
	return r.WriteTextWith(w, TextOptions{Verbose: verbose, Lang: lang})
}

// TextOptions configure WriteTextWith. The zero value is English, without
// technical detail, without a list of known issuers.
type TextOptions struct {
	Verbose bool
	Lang    i18n.Lang
	// Known lists the issuers the reader knows (issuer id -> name); when
	// set, a genuine badge's issuer is said to be known or unknown.
	Known map[string]string
}

// WriteTextWith writes the report for a person. Before the verdict, for a
// badge signed with its issuer's own key, it says who issued it: what the
// name claims apart from what the key proves (a did:key is anonymous:
// anyone can make one under any name), and whether the issuer is known.
// The verdict stays the last line.
func (r *Report) WriteTextWith(w io.Writer, o TextOptions) error {
	lang, verbose := o.Lang, o.Verbose
	if lang == "" {
		lang = i18n.EN
	}
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	var b strings.Builder
	s := r.Credential
	title := s.Name
	if s.Achievement != "" && s.Achievement != s.Name {
		title = strings.TrimSpace(s.Name + " — " + s.Achievement)
	}
	if title != "" {
		fmt.Fprintln(&b, T("cli.badge", safe(title)))
	}
	switch r.Format {
	case FormatOB2Hosted:
		fmt.Fprintln(&b, T("cli.format.ob2-hosted"))
	case FormatOB2Signed:
		fmt.Fprintln(&b, T("cli.format.ob2-signed"))
	}
	if s.IssuerID != "" {
		issuer := safe(s.IssuerID)
		if s.IssuerName != "" {
			issuer = safe(s.IssuerName) + " (" + issuer + ")"
		}
		fmt.Fprintln(&b, T("cli.issued-by", issuer))
	}
	// Dates as the reader writes them ("1 June 2026, 12:00 UTC").
	date := func(v string) string {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return i18n.DateTime(lang, t)
		}
		return safe(v)
	}
	if s.ValidFrom != "" {
		until := T("cli.no-expiry")
		if s.ValidUntil != "" {
			until = T("cli.until", date(s.ValidUntil))
		}
		fmt.Fprintln(&b, T("cli.valid", date(s.ValidFrom), until))
	}
	b.WriteString("\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %s %-13s %s\n", marks[c.Outcome], safe(c.ID), c.text(lang))
		if verbose && c.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", safe(c.Detail))
		}
	}
	for _, cs := range r.CoSigners {
		fmt.Fprintln(&b, T("cli.also-signed", safe(cs.Controller)))
	}
	for i, e := range r.Endorsements {
		state := T("cli.endorsement.not-verified")
		if e.Verified {
			state = T("cli.endorsement.verified")
		}
		name := e.Credential.IssuerName
		if name == "" {
			name = e.Credential.IssuerID
		}
		fmt.Fprintln(&b, T("cli.endorsement", i+1, safe(name), state))
	}
	if c := r.Check(CheckIssuerKey); c != nil && c.Outcome == Passed {
		name := s.IssuerName
		if name == "" {
			name = T("issuer.name-unknown")
		}
		lines := []string{T("issuer.claims", safe(name)), safe(r.Proven().Text(lang))}
		if len(o.Known) > 0 {
			if _, ok := o.Known[s.IssuerID]; ok {
				lines = append(lines, T("cli.issuer.known"))
			} else {
				lines = append(lines, T("cli.issuer.unknown"))
			}
		}
		fmt.Fprintf(&b, "\n%s\n", T("cli.issuer", strings.Join(lines, "\n  ")))
	}
	b.WriteString("\n")
	st := r.Check(CheckStatus)
	switch {
	case r.Verified && verdictFor(true, st) == VerdictRevocationNotChecked:
		fmt.Fprintln(&b, T("cli.line.unchecked", headline(lang, HeadlineRevocationNotChecked), safe(r.Credential.IssuerID)))
		why := st.text(lang)
		if st.Detail != "" {
			why += " (" + safe(st.Detail) + ")"
		}
		fmt.Fprintln(&b, T("cli.why", why))
		hint := "cli.hint." + st.Message
		if !i18n.Has(hint) {
			hint = "cli.hint.ask"
		}
		fmt.Fprintln(&b, T("cli.todo", T(hint)))
		r.writeNotes(&b, st, lang)
	case r.Verified:
		fmt.Fprintln(&b, T("cli.line.verified", headline(lang, HeadlineVerified), safe(r.Credential.IssuerID)))
		r.writeNotes(&b, nil, lang)
	default:
		why := T("cli.required-failed")
		if c := r.Reason(); c != nil && c.text(lang) != "" {
			why = c.text(lang)
			if c.Detail != "" {
				why += " (" + safe(c.Detail) + ")"
			}
		}
		fmt.Fprintln(&b, T("cli.line.not-verified", headline(lang, HeadlineNotVerified), why))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeNotes lists the warnings and could-not-check results of a verified
// report, except skip (already explained).
func (r *Report) writeNotes(b *strings.Builder, skip *Check, lang i18n.Lang) {
	for i := range r.Checks {
		c := &r.Checks[i]
		if c != skip && (c.Outcome == Warning || c.Outcome == Unknown) {
			fmt.Fprintln(b, i18n.T(lang, "cli.note", c.text(lang)))
		}
	}
}

// WriteText writes the presentation report for a person in English, then
// each credential's.
func (r *PresentationReport) WriteText(w io.Writer, verbose bool) error {
	return r.WriteTextIn(w, verbose, i18n.EN)
}

// WriteTextIn writes the presentation report in lang, then each credential's.
func (r *PresentationReport) WriteTextIn(w io.Writer, verbose bool, lang i18n.Lang) error {
	T := func(key string, args ...any) string { return i18n.T(lang, key, args...) }
	var b strings.Builder
	holder := r.Holder
	if holder == "" {
		holder = T("cli.unverified-holder")
	}
	fmt.Fprintln(&b, T("cli.presentation-by", safe(holder)))
	b.WriteString("\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  %s %-13s %s\n", marks[c.Outcome], safe(c.ID), c.text(lang))
		if verbose && c.Detail != "" {
			fmt.Fprintf(&b, "    %s\n", safe(c.Detail))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	for i, c := range r.Credentials {
		if _, err := fmt.Fprintf(w, "\n%s\n", T("cli.credential-n", i+1, len(r.Credentials))); err != nil {
			return err
		}
		if err := c.WriteTextIn(w, verbose, lang); err != nil {
			return err
		}
	}
	line := T("cli.presentation.verified")
	switch {
	case r.Verified && r.Verdict == VerdictRevocationNotChecked:
		line = T("cli.presentation.unchecked", headline(lang, HeadlineRevocationNotChecked))
	case !r.Verified:
		line = T("cli.presentation.not-verified")
		if c := reason(r.Checks); c != nil {
			line = T("cli.presentation.not-verified-why", c.text(lang))
		}
	}
	_, err := io.WriteString(w, "\n"+line+"\n")
	return err
}
