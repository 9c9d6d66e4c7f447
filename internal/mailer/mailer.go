// Package mailer sends the workspace's e-mails through the SMTP relay the
// operator configures (github.com/wneessen/go-mail). It implements
// workspace.Mailer: a refusal for good (5xx) wraps workspace.ErrPermanent;
// anything else (the relay is down, busy, 4xx) is temporary and the outbox
// tries again.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/mail"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/blason-badges/blason/internal/workspace"
)

// SMTP is a relay.
type SMTP struct {
	host string
	opts []gomail.Option
	from string
}

// Timeout bounds one delivery (connect, talk, send).
const Timeout = 30 * time.Second

// New reads the relay's URL and the sender address:
//
//	smtp://HOST[:PORT]           port 25 by default; STARTTLS when the relay offers it
//	smtp+starttls://HOST[:PORT]  port 587 by default; STARTTLS required
//	smtps://HOST[:PORT]          port 465 by default; TLS from the start
//
// A user and password in the URL (smtp://user:pass@host) are sent with
// AUTH PLAIN, which go-mail allows only over TLS.
func New(rawURL, from string) (*SMTP, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Hostname() == "" || u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		return nil, fmt.Errorf("--smtp %q: want smtp://HOST:PORT (or smtps://, smtp+starttls://)", rawURL)
	}
	addr, err := mail.ParseAddress(from)
	if err != nil {
		return nil, fmt.Errorf("--smtp-from %q: not an e-mail address", from)
	}
	m := &SMTP{host: u.Hostname(), from: addr.String()}
	port := 0
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("--smtp %q: bad port", rawURL)
		}
	}
	m.opts = []gomail.Option{gomail.WithTimeout(Timeout), gomail.WithHELO("localhost")}
	switch u.Scheme {
	case "smtp":
		m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.TLSOpportunistic), gomail.WithPort(orDefault(port, 25)))
	case "smtp+starttls":
		m.opts = append(m.opts, gomail.WithTLSPolicy(gomail.TLSMandatory), gomail.WithPort(orDefault(port, 587)))
	case "smtps":
		m.opts = append(m.opts, gomail.WithSSL(), gomail.WithPort(orDefault(port, 465)))
	default:
		return nil, fmt.Errorf("--smtp %q: the scheme must be smtp, smtp+starttls or smtps", rawURL)
	}
	if u.User != nil {
		pass, _ := u.User.Password()
		m.opts = append(m.opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain), gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	return m, nil
}

func orDefault(p, d int) int {
	if p == 0 {
		return d
	}
	return p
}

// Addr is the relay's host:port as configured (for logs).
func (m *SMTP) Addr() string { return m.host }

// Send implements workspace.Mailer: one plain-text UTF-8 message.
func (m *SMTP) Send(ctx context.Context, to, subject, body string) error {
	msg := gomail.NewMsg()
	if err := msg.From(m.from); err != nil {
		return fmt.Errorf("%w: from %s: %v", workspace.ErrPermanent, m.from, err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("%w: to %q: %v", workspace.ErrPermanent, to, err)
	}
	msg.Subject(subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, body)
	c, err := gomail.NewClient(m.host, m.opts...)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	err = c.DialAndSendWithContext(ctx, msg)
	if err == nil {
		return nil
	}
	var se *gomail.SendError
	if errors.As(err, &se) && se.ErrorCode() >= 500 && se.ErrorCode() < 600 {
		return fmt.Errorf("%w: %v", workspace.ErrPermanent, err)
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return fmt.Errorf("relay %s unreachable: %w", m.host, err)
	}
	return err
}
