package workspace_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/awardcsv"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
	"github.com/blason-badges/blason/internal/workspace"
	"github.com/blason-badges/blason/issuer"
)

func mustParse(t testing.TB, csv string) *awardcsv.Sheet {
	t.Helper()
	s, err := awardcsv.Parse(strings.NewReader(csv))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const workshopCSV = "Prénom;Nom;Courriel;Commentaire;Preuve;Résultat;Langue\n" +
	"Élodie;Müller;elodie@lab.example.fr;A animé le stand;https://lab.example.fr/p/1;gold;fr\n" +
	"John;Smith;john@lab.example.org;;;silver;en\n" +
	"Bad;Row;a@x,org;;;;\n" +
	"Zoé;Martin;zoe@lab.example.fr;;;;\n" +
	"Wrong;Result;wr@lab.example.fr;;;platinum;fr\n"

func issuedCount(t *testing.T, f *fixture) int {
	t.Helper()
	// The issuer store's listing (not part of issuer.Store).
	lister := f.issuer.Store.(interface {
		ListCredentials(ctx context.Context, issuerID string, offset, limit int) ([]*issuer.CredentialRecord, int, error)
	})
	_, n, err := lister.ListCredentials(context.Background(), f.issuerID, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// The coordinator's import on both engines: problems listed by line and
// field and nothing awarded; a dry run awards nothing; --skip-invalid
// awards the rest with e-mails queued in the learner's language; the same
// file again awards nobody twice.
func TestAwardCSV(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		fr := sampleAchievement(f.issuerID, "fr", "Médiation scientifique")
		if err := f.ws.CreateAchievement(ctx, fr, "alice"); err != nil {
			t.Fatal(err)
		}
		en := sampleAchievement(f.issuerID, "en", "Science outreach")
		if err := f.ws.AddVariant(ctx, fr.ID, en, "alice"); err != nil {
			t.Fatal(err)
		}
		sheet := mustParse(t, workshopCSV)
		opt := workspace.AwardOptions{AchievementID: fr.ID, Source: "csv:atelier.csv", Actor: "alice"}

		rep, err := f.ws.AwardSheet(ctx, f.issuerID, sheet, opt)
		if !errors.Is(err, workspace.ErrRowsInvalid) {
			t.Fatalf("with bad rows: %v", err)
		}
		var got []string
		for _, p := range rep.Problems {
			got = append(got, fmt.Sprintf("%d:%s:%s", p.Line, p.Field, p.Code))
		}
		if strings.Join(got, " ") != "4:email:email.invalid 6:result:result.value" || issuedCount(t, f) != 0 {
			t.Fatalf("problems %v, issued %d", got, issuedCount(t, f))
		}
		opt.DryRun, opt.SkipInvalid = true, true
		if rep, err = f.ws.AwardSheet(ctx, f.issuerID, sheet, opt); err != nil || rep.ToAward != 3 || len(rep.Awarded) != 0 || issuedCount(t, f) != 0 {
			t.Fatalf("dry run: %v %+v, issued %d", err, rep, issuedCount(t, f))
		}
		var progress []int
		opt.DryRun = false
		opt.Progress = func(done, total int) { progress = append(progress, done, total) }
		rep, err = f.ws.AwardSheet(ctx, f.issuerID, sheet, opt)
		if err != nil || len(rep.Awarded) != 3 || issuedCount(t, f) != 3 || fmt.Sprint(progress) != "[3 3]" {
			t.Fatalf("skip invalid: %v %+v issued %d progress %v", err, rep, issuedCount(t, f), progress)
		}
		// The French row: the French variant, the narrative, evidence and
		// result in the credential; a French e-mail with the claim link.
		elodie := rep.Awarded[0]
		cr, err := f.issuer.Store.GetCredential(ctx, elodie.CredentialID)
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		json.Unmarshal(cr.Document, &doc)
		subj := doc["credentialSubject"].(map[string]any)
		ach := subj["achievement"].(map[string]any)
		res := subj["result"].([]any)[0].(map[string]any)
		ev := doc["evidence"].([]any)[0].(map[string]any)
		if ach["name"] != "Médiation scientifique" || subj["narrative"] != "A animé le stand" || res["value"] != "gold" ||
			res["resultDescription"] != fr.Results[0].ID || ev["id"] != "https://lab.example.fr/p/1" || strings.Contains(string(cr.Document), "elodie@") {
			t.Fatalf("credential %s", cr.Document)
		}
		mails, err := f.store.Mails(ctx, elodie.CredentialID)
		if err != nil || len(mails) != 1 {
			t.Fatalf("mails %v %v", mails, err)
		}
		m := mails[0]
		if m.To != "elodie@lab.example.fr" || m.Subject != "Votre badge : Médiation scientifique" ||
			!strings.Contains(m.Body, "Bonjour Élodie Müller,") || !strings.Contains(m.Body, "Laboratoire vous a décerné le badge « Médiation scientifique »") ||
			!strings.Contains(m.Body, "https://badges.lab.example/claim/") || !strings.Contains(m.Body, "jusqu'au 29 janvier 2027") {
			t.Fatalf("French e-mail:\n%s\n%s", m.Subject, m.Body)
		}
		john := rep.Awarded[1]
		jm, _ := f.store.Mails(ctx, john.CredentialID)
		if john.Lang != "en" || jm[0].Subject != "Your badge: Science outreach" || !strings.Contains(jm[0].Body, "Laboratoire has awarded you") {
			t.Fatalf("English e-mail: %+v %v", john, jm[0])
		}
		// Zoé has no language: the achievement's (French).
		if rep.Awarded[2].Lang != "fr" {
			t.Fatalf("default language %q", rep.Awarded[2].Lang)
		}
		// The same file again: nobody twice.
		rep, err = f.ws.AwardSheet(ctx, f.issuerID, sheet, opt)
		if err != nil || len(rep.Awarded) != 0 || fmt.Sprint(rep.Already) != "[2 3 5]" || issuedCount(t, f) != 3 {
			t.Fatalf("second import: %v %+v issued %d", err, rep, issuedCount(t, f))
		}
		st, _ := f.store.Outbox(ctx)
		if st.Waiting != 3 {
			t.Fatalf("outbox %+v", st)
		}
		found, total, err := f.store.SearchAwards(ctx, workspace.AwardQuery{IssuerID: f.issuerID, Recipient: "MÜLLER"})
		if err != nil || total != 1 || found[0].CredentialID != elodie.CredentialID {
			t.Fatalf("search %v %d %v", found, total, err)
		}
		if _, total, _ = f.store.SearchAwards(ctx, workspace.AwardQuery{IssuerID: f.issuerID, AchievementID: fr.ID, From: f.now.Add(-time.Hour)}); total != 3 {
			t.Fatalf("search by achievement and date: %d", total)
		}
		if _, total, _ = f.store.SearchAwards(ctx, workspace.AwardQuery{IssuerID: f.issuerID, Recipient: "%"}); total != 0 {
			t.Fatalf("a %% in the search matched %d", total)
		}
	})
}

// An import interrupted after the issuer recorded a batch, before the
// workspace marked it issued, is completed by the next import: the
// credential issued is kept (claim link and e-mail added), the one never
// issued is awarded, nobody gets two.
func TestAwardResumesInterruptedImport(t *testing.T) {
	t.Parallel()
	f := sqliteFixture(t)
	ctx := context.Background()
	a := sampleAchievement(f.issuerID, "en", "Safety")
	a.Results = nil
	if err := f.ws.CreateAchievement(ctx, a, "alice"); err != nil {
		t.Fatal(err)
	}
	sheet := mustParse(t, "email\none@lab.example.org\ntwo@lab.example.org\n")
	m, _ := f.ws.OB3(ctx, a)
	// The state a crash leaves: both pending, only the first issued.
	recs := []*workspace.AwardRecord{
		{CredentialID: "urn:uuid:11111111-1111-4111-8111-111111111111", IssuerID: f.issuerID, AchievementID: a.ID, RowKey: sheet.Rows[0].Key,
			Email: sheet.Rows[0].Email, Lang: "en", State: workspace.AwardPending, Line: 2},
		{CredentialID: "urn:uuid:22222222-2222-4222-8222-222222222222", IssuerID: f.issuerID, AchievementID: a.ID, RowKey: sheet.Rows[1].Key,
			Email: sheet.Rows[1].Email, Lang: "en", State: workspace.AwardPending, Line: 3},
	}
	if err := f.store.AddPending(ctx, recs); err != nil {
		t.Fatal(err)
	}
	if _, err := f.issuer.AwardMany(ctx, f.issuerID, []issuer.Award{{ID: recs[0].CredentialID, Achievement: m,
		Recipient: issuer.Recipient{Email: recs[0].Email}}}, nil); err != nil {
		t.Fatal(err)
	}
	rep, err := f.ws.AwardSheet(ctx, f.issuerID, sheet, workspace.AwardOptions{AchievementID: a.ID, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(rep.Already) != "[2]" || len(rep.Awarded) != 1 || rep.Awarded[0].Email != "two@lab.example.org" ||
		rep.Awarded[0].CredentialID == recs[1].CredentialID || issuedCount(t, f) != 2 {
		t.Fatalf("resume: %+v issued %d", rep, issuedCount(t, f))
	}
	if ms, _ := f.store.Mails(ctx, recs[0].CredentialID); len(ms) != 1 {
		t.Fatalf("the completed award has %d e-mails", len(ms))
	}
	if p, _ := f.store.Pending(ctx, a.ID); len(p) != 0 {
		t.Fatalf("still pending: %v", p)
	}
}

// fakeMailer records what it sends and fails while down.
type fakeMailer struct {
	mu   sync.Mutex
	down bool
	sent []string
}

func (m *fakeMailer) Send(_ context.Context, to, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.down {
		return errors.New("dial tcp 127.0.0.1:2525: connection refused")
	}
	if strings.HasPrefix(to, "unknown@") {
		return fmt.Errorf("550 no such mailbox: %w", workspace.ErrPermanent)
	}
	m.sent = append(m.sent, to)
	return nil
}

// With the relay down, mail waits (one attempt per pass, backing off);
// once it is up, everything goes, once; a refused address does not block
// the others.
func TestOutboxRetries(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		for _, to := range []string{"a@lab.example.org", "unknown@lab.example.org", "b@lab.example.org"} {
			if err := f.store.EnqueueMail(ctx, &workspace.Mail{To: to, Subject: "s", Body: "claim link", NextAt: f.now, CreatedAt: f.now}); err != nil {
				t.Fatal(err)
			}
		}
		mailer := &fakeMailer{down: true}
		ob := &workspace.Outbox{Store: f.store, Mailer: mailer, Now: f.clock}
		if n, err := ob.Pass(ctx); n != 0 || err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("relay down: %d %v", n, err)
		}
		st, _ := f.store.Outbox(ctx)
		if st.Waiting != 3 || st.Failing != 1 {
			t.Fatalf("after a failed pass %+v", st)
		}
		// The next pass at once: the first mail backs off 30 s; the others
		// were released and are tried (and fail) one per pass.
		f.now = f.now.Add(time.Second)
		ob.Pass(ctx)
		if st, _ = f.store.Outbox(ctx); st.Failing != 2 {
			t.Fatalf("second pass %+v", st)
		}
		mailer.mu.Lock()
		mailer.down = false
		mailer.mu.Unlock()
		// 10 s later nothing is due yet (backoff 30 s): nothing is sent.
		f.now = f.now.Add(10 * time.Second)
		if n, err := ob.Pass(ctx); n != 1 || err != nil {
			// The third mail was never attempted, so it is due.
			t.Fatalf("pass before backoff: %d %v", n, err)
		}
		f.now = f.now.Add(time.Minute)
		if n, err := ob.Pass(ctx); n != 1 || err != nil {
			t.Fatalf("after backoff: %d %v (sent %v)", n, err, mailer.sent)
		}
		st, _ = f.store.Outbox(ctx)
		if st.Sent != 2 || st.Waiting != 1 || fmt.Sprint(mailer.sent) != "[b@lab.example.org a@lab.example.org]" {
			t.Fatalf("outbox %+v sent %v", st, mailer.sent)
		}
		// Sent mails keep no body (it held the claim link).
		ms, _ := f.store.LeaseMail(ctx, f.now.Add(48*time.Hour), time.Minute, 10)
		if len(ms) != 1 || ms[0].To != "unknown@lab.example.org" || !strings.Contains(ms[0].LastError, "550") {
			t.Fatalf("refused mail %+v", ms)
		}
	})
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	for n, want := range map[int]time.Duration{0: 30 * time.Second, 1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute, 8: time.Hour, 100: time.Hour} {
		if got := workspace.Backoff(n); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", n, got, want)
		}
	}
}

// A claim link works once, before it expires; the store keeps only its hash.
func TestClaim(t *testing.T) {
	t.Parallel()
	f := sqliteFixture(t)
	ctx := context.Background()
	a := sampleAchievement(f.issuerID, "en", "Safety")
	a.Results = nil
	f.ws.CreateAchievement(ctx, a, "alice")
	rep, err := f.ws.AwardSheet(ctx, f.issuerID, mustParse(t, "email\none@lab.example.org\ntwo@lab.example.org\n"), workspace.AwardOptions{AchievementID: a.ID})
	if err != nil {
		t.Fatal(err)
	}
	tokenOf := func(rec *workspace.AwardRecord) string {
		ms, _ := f.store.Mails(ctx, rec.CredentialID)
		i := strings.Index(ms[0].Body, "/claim/")
		return strings.Fields(ms[0].Body[i+len("/claim/"):])[0]
	}
	tok := tokenOf(rep.Awarded[0])
	if _, err := f.store.GetClaim(ctx, tok); !errors.Is(err, workspace.ErrNotFound) {
		t.Fatalf("the token itself is stored: %v", err)
	}
	cr, err := f.ws.Claim(ctx, tok, "download")
	if err != nil || cr.ID != rep.Awarded[0].CredentialID {
		t.Fatalf("claim: %v %v", cr, err)
	}
	if _, err := f.ws.Claim(ctx, tok, "download"); !errors.Is(err, workspace.ErrClaim) {
		t.Fatalf("second use: %v", err)
	}
	if v, err := f.ws.LookupClaim(ctx, tok); err != nil || !v.Used {
		t.Fatalf("lookup of a used link: %v %v", v, err)
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 43), tok + "/../x"} {
		if _, err := f.ws.Claim(ctx, bad, "d"); !errors.Is(err, workspace.ErrClaim) {
			t.Fatalf("claim %q: %v", bad, err)
		}
	}
	tok2 := tokenOf(rep.Awarded[1])
	f.now = f.now.Add(workspace.DefaultClaimTTL + time.Second)
	if _, err := f.ws.Claim(ctx, tok2, "download"); !errors.Is(err, workspace.ErrClaim) {
		t.Fatalf("expired: %v", err)
	}
}

// A claim into a wallet binds the badge to the holder's DID: a new
// credential with the same achievement and narrative, the subject's id the
// DID and no e-mail hash; the old one revoked with its reason; the award,
// its claim and its e-mail name the new one; the link is used.
func TestClaimForHolder(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db)
		ctx := context.Background()
		a := sampleAchievement(f.issuerID, "fr", "Sécurité")
		a.Results = nil
		f.ws.CreateAchievement(ctx, a, "alice")
		rep, err := f.ws.AwardSheet(ctx, f.issuerID, mustParse(t, "email;commentaire\nlea@lab.example.fr;A suivi la formation\n"), workspace.AwardOptions{AchievementID: a.ID})
		if err != nil {
			t.Fatal(err)
		}
		oldID := rep.Awarded[0].CredentialID
		ms, _ := f.store.Mails(ctx, oldID)
		i := strings.Index(ms[0].Body, "/claim/")
		token := strings.Fields(ms[0].Body[i+len("/claim/"):])[0]
		const holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
		if _, err := f.ws.ClaimForHolder(ctx, token, "not-a-did", "wallet:u1"); err == nil {
			t.Fatal("a holder that is not a DID was accepted")
		}
		cr, err := f.ws.ClaimForHolder(ctx, token, holder, "wallet:u1")
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		json.Unmarshal(cr.Document, &doc)
		subj := doc["credentialSubject"].(map[string]any)
		if cr.ID == oldID || cr.RecipientDID != holder || subj["id"] != holder || subj["identifier"] != nil || subj["narrative"] != "A suivi la formation" ||
			subj["achievement"].(map[string]any)["name"] != "Sécurité" {
			t.Fatalf("bound credential %s", cr.Document)
		}
		old, _ := f.issuer.Store.GetCredential(ctx, oldID)
		events, _ := f.issuer.Store.(interface {
			Events(ctx context.Context, credentialID string) ([]issuer.StatusEvent, error)
		}).Events(ctx, oldID)
		if old.Status != issuer.StatusRevoked || len(events) != 1 || !strings.Contains(events[0].Reason, cr.ID) {
			t.Fatalf("old credential %s %+v", old.Status, events)
		}
		if aw, err := f.store.GetAward(ctx, cr.ID); err != nil || aw.Email != "lea@lab.example.fr" {
			t.Fatalf("award not rebound: %v %v", aw, err)
		}
		if ms, _ := f.store.Mails(ctx, cr.ID); len(ms) != 1 {
			t.Fatalf("mail not rebound: %d", len(ms))
		}
		if _, err := f.ws.ClaimForHolder(ctx, token, holder, "wallet:u1"); !errors.Is(err, workspace.ErrClaim) {
			t.Fatalf("second claim: %v", err)
		}
		if v, err := f.ws.LookupClaim(ctx, token); err != nil || !v.Used || v.Credential.ID != cr.ID {
			t.Fatalf("claim after: %+v %v", v, err)
		}
	})
}
