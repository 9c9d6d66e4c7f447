package workspace

import (
	"context"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/i18n"
)

// ClaimMail renders the e-mail that carries a claim link, in lang.
func ClaimMail(lang i18n.Lang, name, issuerName, achievement, link string, expires time.Time) (subject, body string) {
	subject = i18n.T(lang, "mail.claim.subject", oneLine(achievement))
	var b strings.Builder
	if name = oneLine(name); name != "" {
		b.WriteString(i18n.T(lang, "mail.claim.greeting", name))
	} else {
		b.WriteString(i18n.T(lang, "mail.claim.no-name"))
	}
	b.WriteString("\n\n")
	b.WriteString(i18n.T(lang, "mail.claim.awarded", oneLine(issuerName), oneLine(achievement)))
	b.WriteString("\n\n")
	// The last day the link works is the day before it expires at midnight
	// UTC at the latest: say the expiry day itself.
	b.WriteString(i18n.T(lang, "mail.claim.link", i18n.Date(lang, expires.UTC())))
	b.WriteString("\n" + link + "\n\n")
	b.WriteString(i18n.T(lang, "mail.claim.what"))
	b.WriteString("\n\n")
	b.WriteString(i18n.T(lang, "mail.claim.ignore"))
	b.WriteString("\n\n-- \n")
	b.WriteString(i18n.T(lang, "mail.claim.signature", oneLine(issuerName)))
	b.WriteString("\n")
	return subject, b.String()
}

// oneLine keeps a name from a spreadsheet from adding lines (or headers)
// to an e-mail.
func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)), " ")
}

// ProblemText is a CSV problem (awardcsv.Problem) in lang, for the pages
// and the command line; its English message when no translation applies.
func ProblemText(l i18n.Lang, p awardcsv.Problem) string {
	key := "csv.problem." + p.Code
	if !i18n.Has(key) {
		return p.Message
	}
	switch p.Code {
	case "email.invalid", "result.value":
		return i18n.T(l, key, p.Value)
	case "row.duplicate":
		return i18n.T(l, key, p.Value, p.Earlier)
	}
	return i18n.T(l, key)
}

// ResetMail renders the e-mail that carries a password-reset link, in lang.
func ResetMail(lang i18n.Lang, link string) (subject, body string) {
	return i18n.T(lang, "mail.reset.subject"), i18n.T(lang, "mail.reset.body", link)
}

// QueueMail puts one e-mail in the outbox (sent by the Outbox, retried
// while the relay is down).
func (s *Service) QueueMail(ctx context.Context, to, subject, body string) error {
	now := s.now()
	return s.Store.EnqueueMail(ctx, &Mail{To: to, Subject: oneLine(subject), Body: body, NextAt: now, CreatedAt: now})
}
