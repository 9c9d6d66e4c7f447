// Package smtptest runs an in-process SMTP server on loopback for tests
// (github.com/emersion/go-smtp): it keeps every message it accepts, and
// refuses recipients at a chosen domain with 550.
package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"
)

// Message is one accepted e-mail, decoded.
type Message struct {
	From, To, Subject, Body string
	Raw                     []byte
}

// Server is a running test server.
type Server struct {
	Addr string // host:port
	// RefuseDomain: RCPT to an address at this domain gets 550.
	RefuseDomain string

	mu   sync.Mutex
	msgs []Message
	srv  *smtp.Server
}

// Start listens on addr ("127.0.0.1:0" for any port) and serves until the
// test ends or Stop.
func Start(t testing.TB, addr string) *Server {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: l.Addr().String()}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "localhost"
	s.srv.AllowInsecureAuth = true
	go s.srv.Serve(l)
	t.Cleanup(s.Stop)
	return s
}

// Stop closes the server.
func (s *Server) Stop() { s.srv.Close() }

// Messages returns the messages accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        { x.from, x.to = "", "" }
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}

func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if d := x.s.RefuseDomain; d != "" && strings.HasSuffix(to, "@"+d) {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such mailbox"}
	}
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		return err
	}
	var body []byte
	switch strings.ToLower(m.Header.Get("Content-Transfer-Encoding")) {
	case "quoted-printable":
		body, err = io.ReadAll(quotedprintable.NewReader(m.Body))
	case "base64":
		body, err = io.ReadAll(base64.NewDecoder(base64.StdEncoding, m.Body))
	case "", "7bit", "8bit":
		body, err = io.ReadAll(m.Body)
	default:
		err = errors.New("unexpected transfer encoding " + m.Header.Get("Content-Transfer-Encoding"))
	}
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	x.s.msgs = append(x.s.msgs, Message{From: x.from, To: x.to, Subject: subject, Body: strings.ReplaceAll(string(body), "\r\n", "\n"), Raw: raw})
	x.s.mu.Unlock()
	return nil
}
