package workspace_test

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/mailer"
	"github.com/blason-badges/blason/internal/mailer/smtptest"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/workspacedb"
	"github.com/blason-badges/blason/internal/workspace"
)

// Awards made while the relay is down wait in the outbox, across a
// restart of the process (a new Store on the same database file); once a
// real SMTP server listens, every e-mail is delivered once, in French,
// with a claim link that works.
func TestDeliveryRelayDownThenUp(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ws.db")
	db, err := sqldb.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixture(t, db)
	a := sampleAchievement(f.issuerID, "fr", "Médiation scientifique")
	a.Results = nil
	if err := f.ws.CreateAchievement(ctx, a, "alice"); err != nil {
		t.Fatal(err)
	}
	csv := "prénom;nom;courriel\nÉlodie;Müller;elodie@lab.example.fr\nJean;Dupont;jean@lab.example.fr\nLéa;Roux;lea@lab.example.fr\n"
	if _, err := f.ws.AwardSheet(ctx, f.issuerID, mustParse(t, csv), workspace.AwardOptions{AchievementID: a.ID}); err != nil {
		t.Fatal(err)
	}
	// A free loopback port where no relay listens yet.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	m, err := mailer.New("smtp://"+addr, "badges@lab.example.org")
	if err != nil {
		t.Fatal(err)
	}
	ob := &workspace.Outbox{Store: f.store, Mailer: m, Now: f.clock}
	if n, err := ob.Pass(ctx); n != 0 || err == nil {
		t.Fatalf("relay down: sent %d, %v", n, err)
	}
	// The process stops; a new one opens the same database.
	db.Close()
	db2, err := sqldb.OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	store2, err := workspacedb.New(ctx, db2)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := store2.Outbox(ctx); st.Waiting != 3 || st.Sent != 0 {
		t.Fatalf("after restart %+v", st)
	}
	srv := smtptest.Start(t, addr)
	ob2 := &workspace.Outbox{Store: store2, Mailer: m, Now: func() time.Time { return f.now.Add(time.Minute) }}
	if n, err := ob2.Pass(ctx); n != 3 || err != nil {
		t.Fatalf("relay up: sent %d, %v", n, err)
	}
	if n, _ := ob2.Pass(ctx); n != 0 {
		t.Fatalf("a second pass sent %d again", n)
	}
	msgs := srv.Messages()
	if len(msgs) != 3 {
		t.Fatalf("received %d", len(msgs))
	}
	var elodie smtptest.Message
	for _, msg := range msgs {
		if msg.To == "elodie@lab.example.fr" {
			elodie = msg
		}
	}
	for _, want := range []string{"Bonjour Élodie Müller,", "Laboratoire vous a décerné le badge « Médiation scientifique ».",
		"le lien ne sert qu'une fois", "https://badges.lab.example/claim/"} {
		if !strings.Contains(elodie.Body, want) {
			t.Fatalf("e-mail lacks %q:\n%s", want, elodie.Body)
		}
	}
	if elodie.Subject != "Votre badge : Médiation scientifique" {
		t.Fatalf("subject %q", elodie.Subject)
	}
	link := elodie.Body[strings.Index(elodie.Body, "https://badges.lab.example/claim/"):]
	token := strings.Fields(strings.TrimPrefix(link, "https://badges.lab.example/claim/"))[0]
	f.ws.Store = store2
	if cr, err := f.ws.Claim(ctx, token, "download"); err != nil || !strings.Contains(string(cr.Document), "Médiation scientifique") {
		t.Fatalf("claim from the e-mail: %v", err)
	}
}
