package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"net/http"
	"net/url"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/charmap"

	"github.com/blason-badges/blason/internal/mailer/smtptest"
)

func putFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func testPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 8))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

var uuidLine = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// lastLine returns the last non-empty line of out.
func lastLine(out string) string {
	lines := strings.Split(strings.TrimSpace(out), "\n")
	return lines[len(lines)-1]
}

// 'achievement add' prints the new id on its last line; a variant joins
// its group; a fake image is refused and adds nothing.
func TestAchievementAdd(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	img := putFile(t, filepath.Join(dir, "badge.png"), testPNG(t))
	code, out, errs := runCLI(t, "", "achievement", "add", "--data", data, "--file", "../../docs/examples/achievement.json", "--image", img)
	if code != 0 || !uuidLine.MatchString(lastLine(out)) {
		t.Fatalf("achievement add: %d %q %s", code, out, errs)
	}
	en := lastLine(out)
	fr := putFile(t, filepath.Join(dir, "fr.json"), []byte(`{"type": ["Achievement"], "name": "Médiation scientifique", "inLanguage": "fr",
		"description": "A expliqué un sujet de recherche au grand public.", "criteria": {"narrative": "Un stand pendant la Fête de la science."}}`))
	code, out, errs = runCLI(t, "", "achievement", "add", "--data", data, "--file", fr, "--variant-of", en)
	if code != 0 || !uuidLine.MatchString(lastLine(out)) || lastLine(out) == en {
		t.Fatalf("variant: %d %q %s", code, out, errs)
	}
	fake := putFile(t, filepath.Join(dir, "fake.png"), []byte("<html>gotcha</html>"))
	if code, _, errs = runCLI(t, "", "achievement", "add", "--data", data, "--file", fr, "--image", fake); code != 2 || !strings.Contains(errs, "not an accepted image") {
		t.Fatalf("fake image: %d %s", code, errs)
	}
	code, out, _ = runCLI(t, "", "achievement", "list", "--data", data)
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, "Médiation scientifique") || !strings.Contains(out, en+"  en  Public engagement") {
		t.Fatalf("list: %d %q", code, out)
	}
}

// The coordinator's import from the command line: a French Windows-1252
// export with one bad row; the dry run names it and awards nothing; the
// import without --skip-invalid awards nothing; with it, the others; the
// same file again awards nobody twice; a badge awarded verifies.
func TestAwardCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	code, out, errs := runCLI(t, "", "achievement", "add", "--data", data, "--file", "../../docs/examples/achievement.json")
	if code != 0 {
		t.Fatalf("achievement add: %s", errs)
	}
	ach := lastLine(out)
	var b strings.Builder
	b.WriteString("Prénom;Nom;Adresse e-mail;Commentaire\r\n")
	for i := 1; i <= 40; i++ {
		email := fmt.Sprintf("participant%02d@lab.example.fr", i)
		if i == 17 {
			email = "p17@lab,example.fr"
		}
		fmt.Fprintf(&b, "Prénom%d;Nom%d;%s;Présent à l'atelier\r\n", i, i, email)
	}
	enc, _ := charmap.Windows1252.NewEncoder().String(b.String())
	csvPath := putFile(t, filepath.Join(dir, "atelier.csv"), []byte(enc))

	code, out, errs = runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", csvPath, "--dry-run")
	if code != 1 || !strings.Contains(out, "line 18, e-mail: \"p17@lab,example.fr\" is not an e-mail address") || !strings.Contains(out, "Nothing was awarded") ||
		!strings.Contains(out, "windows-1252") {
		t.Fatalf("dry run: %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", csvPath, "--dry-run", "--skip-invalid")
	if code != 0 || !strings.Contains(out, "Dry run. To award: 39. Rows skipped for a problem: 1.") {
		t.Fatalf("dry run --skip-invalid: %d\n%s", code, out)
	}
	// In a French terminal.
	t.Setenv("LC_ALL", "fr_FR.UTF-8")
	code, out, _ = runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", csvPath, "--dry-run")
	if code != 1 || !strings.Contains(out, "ligne 18, e-mail : « p17@lab,example.fr » n'est pas une adresse e-mail") ||
		!strings.Contains(out, "Lignes avec un problème : 1. Rien n'a été attribué") {
		t.Fatalf("dry run in French: %d\n%s", code, out)
	}
	t.Setenv("LC_ALL", "C")
	code, out, errs = runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", csvPath, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "Badges awarded: 39. Rows skipped for a problem: 1. E-mails with claim links queued: 39") || strings.Contains(errs, "[#") {
		// The progress bar is for terminals (TestProgressBar draws it); in a
		// captured stderr it must not appear.
		t.Fatalf("award: %d\n%s%s", code, out, errs)
	}
	code, out, _ = runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", csvPath, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "Badges awarded: 0.") || !strings.Contains(out, "Already awarded before (skipped): 39") {
		t.Fatalf("second award: %d\n%s", code, out)
	}
	if code, _, errs = runCLI(t, "", "award", "--data", data, "--achievement", "00000000-0000-4000-8000-000000000000", "--csv", csvPath); code != 2 || !strings.Contains(errs, "not found") {
		t.Fatalf("unknown achievement: %d %s", code, errs)
	}
}

// Awards made from the command line are e-mailed by 'blason serve --smtp'
// (the outbox is in the database the two share), in French.
func TestServeDeliversQueuedMail(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	fr := putFile(t, filepath.Join(dir, "fr.json"), []byte(`{"type": ["Achievement"], "name": "Médiation scientifique", "inLanguage": "fr",
		"description": "A expliqué un sujet de recherche au grand public.", "criteria": {"narrative": "Un stand pendant la Fête de la science."}}`))
	code, out, errs := runCLI(t, "", "achievement", "add", "--data", data, "--file", fr, "--public-url", "https://badges.lab.example")
	if code != 0 {
		t.Fatalf("achievement add: %s", errs)
	}
	csvPath := putFile(t, filepath.Join(dir, "a.csv"), []byte("nom;courriel\nÉlodie Müller;elodie@lab.example.fr\nJean Dupont;jean@lab.example.fr\n"))
	if code, out, errs = runCLI(t, "", "award", "--data", data, "--achievement", lastLine(out), "--csv", csvPath, "--public-url", "https://badges.lab.example"); code != 0 {
		t.Fatalf("award: %s %s", out, errs)
	}
	relay := smtptest.Start(t, "127.0.0.1:0")
	t.Setenv("BLASON_DATA", data)
	t.Setenv("BLASON_ADDR", "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	var sout, serr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--smtp", "smtp://" + relay.Addr, "--smtp-from", "Labo <badges@lab.example.org>"}, strings.NewReader(""), &sout, &serr)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for len(relay.Messages()) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("serve: %d %s", code, serr.String())
	}
	msgs := relay.Messages()
	if len(msgs) != 2 {
		t.Fatalf("relay received %d messages; serve said %s", len(msgs), serr.String())
	}
	for _, m := range msgs {
		if m.Subject != "Votre badge : Médiation scientifique" || !strings.Contains(m.Body, "https://badges.lab.example/claim/") ||
			!strings.Contains(m.Body, "vous a décerné le badge") || m.From != "badges@lab.example.org" {
			t.Fatalf("message %+v", m)
		}
	}
}

// 'blason endorse' prints an EndorsementCredential that verifies, with a
// status entry this data directory can revoke.
func TestEndorseCommand(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	code, out, errs := runCLI(t, "", "endorse", "--data", data, "--subject", "https://other-lab.example/badges/welding", "--comment", "Nous recommandons ce badge.")
	if code != 0 {
		t.Fatalf("endorse: %d %s", code, errs)
	}
	path := putFile(t, filepath.Join(dir, "endorsement.json"), []byte(out))
	if !strings.Contains(out, `"EndorsementCredential"`) || !strings.Contains(out, `"endorsementComment": "Nous recommandons ce badge."`) {
		t.Fatalf("endorsement: %s", out)
	}
	if code, out, _ := runCLI(t, "", "verify", "--data", data, path); code != 0 || !strings.Contains(out, "VERIFIED") {
		t.Fatalf("verify: %d %s", code, out)
	}
	if code, _, errs := runCLI(t, "", "endorse", "--data", data, "--subject", "not a uri"); code != 2 || !strings.Contains(errs, "not the id") {
		t.Fatalf("bad subject: %d %s", code, errs)
	}
}

func TestMemberCommands(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, out, errs := runCLI(t, "", "member", "set", "--data", data, "--email", "Alice@Lab.example.fr", "--role", "admin"); code != 0 || out != "admin  alice@lab.example.fr\n" {
		t.Fatalf("set: %d %q %s", code, out, errs)
	}
	runCLI(t, "", "member", "set", "--data", data, "--email", "bob@lab.example.fr", "--role", "viewer")
	if code, out, _ := runCLI(t, "", "member", "set", "--data", data, "--email", "alice@lab.example.fr", "--role", "none"); code != 0 || out != "viewer  bob@lab.example.fr\n" {
		t.Fatalf("remove: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "", "member", "set", "--data", data, "--email", "c@lab.example.fr", "--role", "owner"); code != 2 || !strings.Contains(errs, "not a role") {
		t.Fatalf("bad role: %d %s", code, errs)
	}
}

// A password reset asked on the account pages goes out through the
// workspace's outbox and relay, in the reader's language.
func TestServeSendsResetMail(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	if code, _, errs := runCLI(t, "", "user", "add", "--data", data, "--email", "lea@lab.example.fr"); code != 0 {
		t.Fatalf("user add: %s", errs)
	}
	relay := smtptest.Start(t, "127.0.0.1:0")
	t.Setenv("BLASON_DATA", data)
	ctx, cancel := context.WithCancel(context.Background())
	var sout, serr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--smtp", "smtp://" + relay.Addr, "--smtp-from", "badges@lab.example.org",
			"--mail-interval", "100ms"}, strings.NewReader(""), &sout, &serr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve: %d %s", code, serr.String())
		}
	}()
	var base string
	for deadline := time.Now().Add(10 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(sout.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	resp, err := http.PostForm(base+"/reset?lang=fr", url.Values{"email": {"lea@lab.example.fr"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for deadline := time.Now().Add(10 * time.Second); len(relay.Messages()) == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	msgs := relay.Messages()
	if len(msgs) != 1 || msgs[0].To != "lea@lab.example.fr" || msgs[0].Subject != "Réinitialiser votre mot de passe Blason" ||
		!strings.Contains(msgs[0].Body, base+"/reset/link") {
		t.Fatalf("reset e-mail: %+v (serve: %s)", msgs, serr.String())
	}
}

// 'blason awards' lists and exports; 'achievement archive' refuses new
// awards until --undo.
func TestAwardsAndArchiveCommands(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	_, out, _ := runCLI(t, "", "achievement", "add", "--data", data, "--file", "../../docs/examples/achievement.json")
	ach := lastLine(out)
	csvPath := putFile(t, filepath.Join(dir, "a.csv"), []byte("name,email\n=cmd|' /C calc'!A0,x@lab.example.org\nAnn,ann@lab.example.org\n"))
	if code, out, errs := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", csvPath); code != 0 {
		t.Fatalf("award: %s %s", out, errs)
	}
	code, out, _ := runCLI(t, "", "awards", "--data", data, "--recipient", "ann")
	if code != 0 || strings.Count(out, "\n") != 1 || !strings.Contains(out, "active  urn:uuid:") || !strings.Contains(out, "ann@lab.example.org  Ann") {
		t.Fatalf("awards: %d %q", code, out)
	}
	code, out, _ = runCLI(t, "", "awards", "--data", data, "--csv")
	if code != 0 || !strings.HasPrefix(out, "\ufeffcredential_id,") || strings.Count(out, "\n") != 3 || !strings.Contains(out, ",'=cmd|") {
		t.Fatalf("awards --csv: %d %q", code, out)
	}
	if code, _, errs := runCLI(t, "", "achievement", "archive", ach, "--data", data); code != 0 {
		t.Fatalf("archive: %s", errs)
	}
	more := putFile(t, filepath.Join(dir, "b.csv"), []byte("email\nbob@lab.example.org\n"))
	if code, _, errs := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", more); code != 2 || !strings.Contains(errs, "archived") {
		t.Fatalf("award of an archived achievement: %d %s", code, errs)
	}
	runCLI(t, "", "achievement", "archive", ach, "--undo", "--data", data)
	if code, _, errs := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--csv", more); code != 0 {
		t.Fatalf("after --undo: %d %s", code, errs)
	}
	// One person, by address: the same rules (nobody twice, addresses checked).
	if code, out, _ := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--recipient-email", "cy@lab.example.org", "--name", "Cy"); code != 0 || !strings.Contains(out, "Badges awarded: 1.") {
		t.Fatalf("one person: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--recipient-email", "ann@lab.example.org"); code != 0 || !strings.Contains(out, "Badges awarded: 0.") {
		t.Fatalf("one person again: %d %s", code, out)
	}
	if code, out, _ := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--recipient-email", "a@x,org"); code != 1 || !strings.Contains(out, "is not an e-mail address") {
		t.Fatalf("bad address: %d %s", code, out)
	}
}

// TestStatusCommandsAudited: revoke, suspend and reinstate from the CLI are
// in the workspace's audit log, as the pages' and the API's are, naming
// the person at the terminal ("cli:" and the OS user); a change refused
// writes nothing.
func TestStatusCommandsAudited(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	_, out, _ := runCLI(t, "", "achievement", "add", "--data", data, "--file", "../../docs/examples/achievement.json")
	ach := lastLine(out)
	if code, out, errs := runCLI(t, "", "award", "--data", data, "--achievement", ach, "--recipient-email", "ann@lab.example.org"); code != 0 {
		t.Fatalf("award: %s %s", out, errs)
	}
	_, out, _ = runCLI(t, "", "awards", "--data", data, "--recipient", "ann")
	id := regexp.MustCompile(`urn:uuid:[0-9a-f-]+`).FindString(out)
	if id == "" {
		t.Fatalf("awards: %q", out)
	}
	// Suspending a badge without a suspension entry is refused: no entry.
	if code, _, _ := runCLI(t, "", "suspend", id, "--data", data, "--reason", "checking"); code == 0 {
		t.Fatal("suspend of a badge without a suspension entry succeeded")
	}
	if code, out, errs := runCLI(t, "", "revoke", id, "--data", data, "--reason", "awarded in error"); code != 0 || !strings.Contains(out, "revoked") {
		t.Fatalf("revoke: %d %s %s", code, out, errs)
	}
	ctx := context.Background()
	d := data
	st, err := openState(ctx, addStateFlagsFor(&d))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ws, err := workspaceOn(ctx, st.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Issuer.Store.GetCredential(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	log, err := ws.AuditLog(ctx, rec.IssuerID, 50)
	if err != nil {
		t.Fatal(err)
	}
	var status []string
	for _, e := range log {
		if strings.HasPrefix(e.Action, "award.") && e.Action != "award.create" && e.Target == id {
			status = append(status, e.Action+" "+e.Actor+" "+e.Detail)
		}
	}
	if want := "award.revoke " + cliActor() + " awarded in error"; len(status) != 1 || status[0] != want {
		t.Fatalf("audit log of %s: %q, want [%q]", id, status, want)
	}
	if !strings.HasPrefix(cliActor(), "cli") {
		t.Fatalf("actor %q", cliActor())
	}
}

// TestCLIActor: the OS user names the person when $USER is unset.
func TestCLIActor(t *testing.T) {
	t.Setenv("USER", "ada")
	if got := cliActor(); got != "cli:ada" {
		t.Errorf("with USER=ada: %q", got)
	}
	t.Setenv("USER", "")
	u, err := user.Current()
	want := "cli"
	if err == nil && u.Username != "" {
		want = "cli:" + u.Username
	}
	if got := cliActor(); got != want {
		t.Errorf("without USER: %q, want %q", got, want)
	}
}
