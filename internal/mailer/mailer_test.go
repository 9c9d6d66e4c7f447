package mailer_test

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/mailer"
	"github.com/blason-badges/blason/internal/mailer/smtptest"
	"github.com/blason-badges/blason/internal/workspace"
)

func TestNew(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ url, from, err string }{
		{"smtp://127.0.0.1:2525", "badges@lab.example.org", ""},
		{"smtps://mail.lab.example.org", "Lab <badges@lab.example.org>", ""},
		{"smtp+starttls://u:p@mail.lab.example.org:587", "badges@lab.example.org", ""},
		{"http://mail.lab.example.org", "badges@lab.example.org", "scheme"},
		{"smtp://", "badges@lab.example.org", "want smtp://"},
		{"smtp://mail:99999", "badges@lab.example.org", "bad port"},
		{"smtp://mail.lab.example.org", "not an address", "--smtp-from"},
	} {
		_, err := mailer.New(c.url, c.from)
		if (c.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("New(%q, %q) = %v, want %q", c.url, c.from, err, c.err)
		}
	}
}

// A French message arrives as written (UTF-8 subject and body); a relay
// that is down is a temporary error; a 550 is permanent.
func TestSend(t *testing.T) {
	t.Parallel()
	srv := smtptest.Start(t, "127.0.0.1:0")
	srv.RefuseDomain = "nowhere.example"
	m, err := mailer.New("smtp://"+srv.Addr, "Laboratoire <badges@lab.example.org>")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	body := "Bonjour Élodie,\n\nLe laboratoire vous a décerné le badge « Médiation ».\n"
	if err := m.Send(ctx, "elodie@lab.example.fr", "Votre badge : Médiation", body); err != nil {
		t.Fatal(err)
	}
	got := srv.Messages()
	if len(got) != 1 || got[0].To != "elodie@lab.example.fr" || got[0].From != "badges@lab.example.org" ||
		got[0].Subject != "Votre badge : Médiation" || got[0].Body != body {
		t.Fatalf("received %+v", got)
	}
	if err := m.Send(ctx, "x@nowhere.example", "s", "b"); !errors.Is(err, workspace.ErrPermanent) {
		t.Fatalf("550: %v", err)
	}
	// A port nobody listens on.
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	down, _ := mailer.New("smtp://"+addr, "badges@lab.example.org")
	if err := down.Send(ctx, "a@lab.example.org", "s", "b"); err == nil || errors.Is(err, workspace.ErrPermanent) {
		t.Fatalf("relay down: %v (want a temporary error)", err)
	}
}
