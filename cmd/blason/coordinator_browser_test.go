package main

import (
	"context"
	"fmt"
	"image/color"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/blason-badges/blason/internal/mailer/smtptest"
	"github.com/blason-badges/blason/internal/server/web/webtest"
	"github.com/blason-badges/blason/internal/workspace/workspacetest"
)

// TestBrowserCoordinatorDay is the "done when", in French, in
// headless Chromium against 'blason serve' with a test SMTP relay: the
// issuer is created at first start, 5 badges with images are added, a
// 40-row CSV with one bad row is checked (the dry run names line 18),
// the 39 others are awarded while the page shows the progress, the relay
// receives 39 French e-mails, one learner signs up and takes her badge
// into her Blason wallet from the link in her e-mail, another downloads
// hers, which is then revoked with a reason, and the verification page
// says it is revoked. Screenshots in $BLASON_SCREENSHOTS (or a temporary
// directory).
func TestBrowserCoordinatorDay(t *testing.T) {
	chromium := ""
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("Chromium is not installed: .ci/run installs Debian's chromium package")
		}
		t.Skip("Chromium not installed (apt-get install chromium); CI runs this test")
	}
	dir := t.TempDir()
	shots := os.Getenv("BLASON_SCREENSHOTS")
	if shots == "" {
		shots = filepath.Join(dir, "screenshots")
	}
	os.MkdirAll(shots, 0o755)
	data := filepath.Join(dir, "data")

	relay := smtptest.Start(t, "127.0.0.1:0")
	ctx, cancel := context.WithCancel(context.Background())
	var sout, serr syncBuffer
	done := make(chan int)
	t.Setenv("BLASON_DATA", "")
	go func() {
		done <- run(ctx, []string{"serve", "--data", data, "--addr", "127.0.0.1:0", "--lang", "fr",
			"--issuer-name", "Laboratoire de physique des plasmas", "--smtp", "smtp://" + relay.Addr,
			"--smtp-from", "Badges du laboratoire <badges@lpp.example.fr>", "--mail-interval", "200ms"}, strings.NewReader(""), &sout, &serr)
	}()
	t.Cleanup(func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve: exit %d\n%s", code, serr.String())
		}
	})
	var base string
	for deadline := time.Now().Add(15 * time.Second); base == ""; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("serve did not start: %s %s", sout.String(), serr.String())
		}
		if m := regexp.MustCompile(`http://(127\.0\.0\.1:\d+)`).FindStringSubmatch(sout.String()); m != nil {
			base = "http://" + m[1]
		}
	}
	token, err := os.ReadFile(filepath.Join(data, "operator.token"))
	if err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox,
		chromedp.WindowSize(1100, 1400), chromedp.Flag("lang", "fr-FR"))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	bctx, cancelT := context.WithTimeout(bctx, 3*time.Minute)
	defer func() { cancelT(); cancelB(); cancelA() }()

	step := 0
	look := func(name string, says ...string) string {
		t.Helper()
		step++
		if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: screenshot: %v", name, err)
		}
		os.WriteFile(filepath.Join(shots, fmt.Sprintf("%02d-%s.png", step, name)), shot, 0o644)
		text, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		text = strings.Join(strings.Fields(text), " ")
		problems, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](webtest.A11yCheck))
		if err != nil {
			t.Fatalf("%s: accessibility check: %v", name, err)
		}
		if len(problems) > 0 {
			t.Errorf("%s: accessibility: %s", name, strings.Join(problems, "; "))
		}
		for _, s := range says {
			if !strings.Contains(text, s) {
				t.Fatalf("%s: the page does not say %q:\n%s", name, s, text)
			}
		}
		return text
	}
	do := func(name string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, actions...); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}

	// Sign in with the operator token.
	// Headless Chromium asks for English: the language switch (?lang=fr,
	// remembered in a cookie) is what a French reader would use.
	do("sign-in", chromedp.Navigate(base+"/verify?lang=fr"), chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.ID("token")))
	look("connexion", "Connexion à l'espace émetteur", "Jeton d'accès")
	do("sign-in", chromedp.SetValue(chromedp.ID("token"), strings.TrimSpace(string(token))),
		chromedp.Click(chromedp.CSS("main button[type=submit]")), chromedp.WaitVisible(chromedp.ID("name")))
	look("espace-vide", "Laboratoire de physique des plasmas", "Aucun badge pour l'instant")

	// Five badges with their images.
	names := []string{"Médiation scientifique", "Sécurité au laboratoire", "Spectroscopie des plasmas", "Programmation Python", "Travail en équipe"}
	colors := []color.RGBA{{31, 78, 140, 255}, {161, 38, 28, 255}, {27, 107, 53, 255}, {122, 77, 0, 255}, {90, 40, 120, 255}}
	for i, name := range names {
		img := filepath.Join(dir, fmt.Sprintf("badge%d.png", i))
		os.WriteFile(img, workspacetest.PNG(t, 120, 120, colors[i]), 0o600)
		do("create "+name,
			// A fresh page each time: the last one's notice must not be
			// taken for this one's.
			chromedp.Navigate(base+"/admin"), chromedp.WaitVisible(chromedp.ID("name")),
			chromedp.SetValue(chromedp.ID("name"), name),
			chromedp.SetValue(chromedp.ID("description"), "Atelier « "+name+" » de la semaine des doctorants."),
			chromedp.SetValue(chromedp.ID("criteria"), "Avoir suivi l'atelier en entier et réalisé l'exercice final."),
			chromedp.SetValue(chromedp.ID("tags"), "doctorat, atelier"),
			chromedp.SetUploadFiles(chromedp.ID("image"), []string{img}),
			chromedp.Click(chromedp.CSS("form.verify button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("p.notice")),
		)
	}
	look("catalogue", append([]string{"Le badge a été créé."}, names...)...)

	// The workshop's spreadsheet: 40 participants, line 18 has a bad address.
	var csv strings.Builder
	csv.WriteString("Prénom;Nom;Adresse e-mail;Commentaire\n")
	for i := 1; i <= 40; i++ {
		email := fmt.Sprintf("doctorant%02d@lpp.example.fr", i)
		if i == 17 {
			email = "doctorant17@lpp,example.fr"
		}
		fmt.Fprintf(&csv, "Prénom%02d;Nom%02d;%s;A présenté son exercice final\n", i, i, email)
	}
	csvPath := filepath.Join(dir, "atelier-mediation.csv")
	os.WriteFile(csvPath, []byte(csv.String()), 0o600)
	do("open badge", chromedp.Click(chromedp.CSS(`ul.catalogue li:first-child a`)), chromedp.WaitVisible(chromedp.ID("csv")))
	look("badge", "Médiation scientifique", "L'attribuer à partir d'un tableur")
	do("dry run", chromedp.SetUploadFiles(chromedp.ID("csv"), []string{csvPath}),
		chromedp.Click(chromedp.CSS("form.verify button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("table.problems")))
	look("verification-du-fichier", "40 lignes lues", "À attribuer : 39", "Lignes avec un problème (ignorées) : 1",
		"18 e-mail « doctorant17@lpp,example.fr » n'est pas une adresse e-mail", "Rien n'a encore été attribué")
	// The progress page reloads itself every second until the job ends
	// (39 rows take less than that; a screenshot of a page reloading
	// itself cannot be taken reliably, so only the end is captured).
	do("award", chromedp.Click(chromedp.CSS("form.verify button[type=submit]")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	look("attribution-terminee", "Badges attribués : 39.")

	// 39 French e-mails.
	for deadline := time.Now().Add(30 * time.Second); len(relay.Messages()) < 39 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	msgs := relay.Messages()
	if len(msgs) != 39 {
		t.Fatalf("the relay received %d e-mails, want 39", len(msgs))
	}
	byTo := map[string]smtptest.Message{}
	for _, m := range msgs {
		if m.Subject != "Votre badge : Médiation scientifique" || !strings.Contains(m.Body, "Laboratoire de physique des plasmas vous a décerné le badge « Médiation scientifique »") {
			t.Fatalf("e-mail to %s:\n%s\n%s", m.To, m.Subject, m.Body)
		}
		byTo[m.To] = m
	}
	claimLink := func(to string) string {
		m, ok := byTo[to]
		if !ok || !strings.Contains(m.Body, "Bonjour ") {
			t.Fatalf("no e-mail for %s", to)
		}
		return regexp.MustCompile(`http://127\.0\.0\.1:\d+/claim/[A-Za-z0-9_-]+`).FindString(m.Body)
	}

	// A learner with a Blason account takes her badge into her wallet.
	do("sign up", chromedp.Navigate(base+"/signup?lang=fr"), chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SetValue(chromedp.ID("email"), "doctorant05@lpp.example.fr"), chromedp.SetValue(chromedp.ID("password"), "un mot de passe assez long"),
		// The wallet page (where sign-up leads), not the sign-up page's own h1.
		chromedp.Click(chromedp.CSS("form.verify button[type=submit]")), chromedp.WaitVisible(chromedp.CSS(`form[action^="/wallet/import"]`)))
	do("claim page", chromedp.Navigate(claimLink("doctorant05@lpp.example.fr")), chromedp.WaitVisible(chromedp.CSS("form.wallet-claim")))
	look("recuperation-vers-le-portefeuille", "Médiation scientifique", "Décerné par Laboratoire de physique des plasmas", "L'ajouter à mon portefeuille Blason")
	do("to wallet", chromedp.Click(chromedp.CSS("form.wallet-claim button")), chromedp.WaitVisible(chromedp.CSS(".downloads")))
	look("badge-dans-le-portefeuille", "Médiation scientifique")

	// Another takes hers as a file from the link in her e-mail.
	link := claimLink("doctorant06@lpp.example.fr")
	do("claim page", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(".certificate")))
	look("recuperation-du-badge", "Médiation scientifique", "Décerné par Laboratoire de physique des plasmas", "Télécharger le badge (JSON)",
		"Ou l'envoyer vers votre plateforme de badges")
	// Sending it to a platform that cannot be reached fails and leaves the
	// link unused.
	claimToken := link[strings.LastIndex(link, "/")+1:]
	if resp, err := http.PostForm(base+"/deliver", url.Values{"claim": {claimToken}, "base_url": {"https://127.0.0.1:1"}}); err != nil || resp.StatusCode == http.StatusSeeOther {
		t.Fatalf("deliver to nowhere: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	resp, err := http.PostForm(link, url.Values{"as": {"json"}})
	if err != nil {
		t.Fatal(err)
	}
	badge, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !strings.Contains(string(badge), "OpenBadgeCredential") {
		t.Fatalf("claim: %d %s", resp.StatusCode, badge)
	}
	do("claimed", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main")))
	look("lien-deja-utilise", "Ce lien a déjà servi")

	// The badge verifies, then the coordinator revokes it and the
	// verification page says so.
	verify := func(name string, says ...string) {
		t.Helper()
		do("verify "+name, chromedp.Navigate(base+"/verify?lang=fr"), chromedp.WaitVisible(chromedp.ID("credential")),
			chromedp.SetValue(chromedp.ID("credential"), string(badge)), chromedp.Click(chromedp.CSS("form.verify button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".verdict")))
		look(name, says...)
	}
	verify("verification-valide", "Authentique et valide", "Médiation scientifique")
	do("awards", chromedp.Navigate(base+"/admin/awards?recipient=doctorant06"), chromedp.WaitVisible(chromedp.ID("reason-0")))
	look("attributions", "Attributions trouvées : 1.", "Prénom06 Nom06", "valide")
	do("revoke", chromedp.SetValue(chromedp.ID("reason-0"), "Absent à l'exercice final"),
		chromedp.SetValue(chromedp.ID("action-0"), "revoke"),
		chromedp.Click(chromedp.CSS("form.status-form button")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	look("revocation", "Le badge a été révoqué.", "révoqué")
	verify("verification-revoque", "Révoqué", "L'émetteur a révoqué ce badge")
	do("audit", chromedp.Navigate(base+"/admin/audit"), chromedp.WaitVisible(chromedp.CSS("table")))
	look("journal", "award.revoke", "Absent à l'exercice final", "claim", "award.batch")
	t.Logf("screenshots in %s", shots)
}
