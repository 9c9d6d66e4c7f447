package web

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/blason-badges/blason/verifier"
)

// TestBrowserLearnerPath walks the learner's path in headless Chromium, in
// English and in French: sign up, import a baked PNG, share it, decode the
// QR code on the screen to the link, present to a verifier's challenge,
// sign out, open the link as an employer, sign back in, withdraw the link,
// and see it gone. Each state is a screenshot, asserted by its words, and
// passes the accessibility check.
func TestBrowserLearnerPath(t *testing.T) {
	e := newWalletEnv(t)
	for _, lang := range []string{"en", "fr"} {
		// One browser (and its time budget) per language.
		ctx, dir := browser(t)
		say := func(en, fr string) string {
			if lang == "fr" {
				return fr
			}
			return en
		}
		shot := func(name string, wants ...string) string {
			t.Helper()
			text := look(t, ctx, dir, "wallet-"+name+"-"+lang)
			for _, w := range wants {
				if !strings.Contains(text, w) {
					t.Errorf("%s (%s) does not say %q:\n%s", name, lang, w, text)
				}
			}
			return text
		}
		run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
			t.Helper()
			if err := chromedp.Do(ctx, steps...); err != nil {
				t.Fatalf("%s (%s): %v", what, lang, err)
			}
		}
		email := "learner-" + lang + "@example.org"
		run("sign up",
			chromedp.Navigate(e.srv.URL+"/signup?lang="+lang),
			chromedp.WaitVisible(chromedp.ID("email")),
		)
		shot("signup", say("Create your account", "Créer votre compte"))
		run("sign up",
			chromedp.SetValue(chromedp.ID("email"), email),
			chromedp.SetValue(chromedp.ID("password"), "correct horse battery"),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.ID("file")),
		)
		shot("empty", say("Your wallet is empty", "Votre portefeuille est vide"))

		file := filepath.Join(t.TempDir(), "teamwork.png")
		os.WriteFile(file, bakedBadge(t, "urn:uuid:cccccccc-0000-4000-8000-00000000000"+map[string]string{"en": "1", "fr": "2"}[lang]), 0o644)
		run("import",
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
			chromedp.Click(chromedp.CSS("form.verify button[type=submit]")),
			chromedp.WaitVisible(chromedp.ID("shares")),
		)
		shot("badge", "Teamwork", say("Verified", "Vérifié"))
		run("share",
			chromedp.Click(chromedp.CSS(`form[action*="/share"] button`)),
			chromedp.WaitVisible(chromedp.CSS("img.qr")),
		)
		shot("shared", say("Add to my LinkedIn profile", "Ajouter à mon profil LinkedIn"), say("Withdraw this link", "Retirer ce lien"))
		link, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("a.share-url")))
		if err != nil {
			t.Fatal(err)
		}
		// WaitVisible does not wait for the image's bytes: under load the
		// screenshot could catch a half-drawn code.
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const i = document.querySelector("img.qr"); return i !== null && i.complete && i.naturalWidth > 0; })()`)); err != nil {
			t.Fatal(err)
		}
		qr, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.CSS("img.qr")))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, "wallet-qr-"+lang+".png"), qr, 0o644)
		if got := decodeQR(t, qr); got != link {
			t.Fatalf("the QR code on the screen reads %q; the link is %q", got, link)
		}

		run("present",
			chromedp.SetValue(chromedp.ID("challenge"), "job-"+lang),
			chromedp.SetValue(chromedp.ID("domain"), "jobs.example"),
			chromedp.Click(chromedp.CSS(`form[action^="/wallet/present"] button`)),
			chromedp.WaitVisible(chromedp.ID("vp")),
		)
		shot("presented", say("Your signed presentation", "Votre présentation signée"))
		vp, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("vp")))
		if err != nil {
			t.Fatal(err)
		}
		rep, _ := verifier.New(verifier.Options{Now: func() time.Time { return now }}).VerifyPresentation(context.Background(), []byte(vp),
			verifier.PresentationOptions{Challenge: "job-" + lang, Domain: "jobs.example"})
		if rep == nil || rep.Check(verifier.CheckPresentation).Outcome != verifier.Passed {
			b, _ := json.Marshal(rep)
			t.Fatalf("the presentation on the page does not verify: %s", b)
		}

		run("sign out",
			chromedp.Navigate(e.srv.URL+"/account?lang="+lang),
			chromedp.Click(chromedp.CSS(`form[action^="/signout?"] button`)),
			chromedp.WaitVisible(chromedp.ID("password")),
		)
		run("open the link signed out",
			chromedp.Navigate(link+"?lang="+lang),
			chromedp.WaitVisible(chromedp.CSS(".verdict")),
		)
		shot("share-page", "Teamwork", say("Genuine and valid", "Authentique et valide"))
		run("leave a name",
			chromedp.SetValue(chromedp.ID("viewer"), "ACME"),
			chromedp.Click(chromedp.CSS("form.viewer button")),
			chromedp.WaitVisible(chromedp.CSS("p.notice")),
		)
		run("sign in",
			chromedp.Navigate(e.srv.URL+"/signin?lang="+lang),
			chromedp.SetValue(chromedp.ID("email"), email),
			chromedp.SetValue(chromedp.ID("password"), "correct horse battery"),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS("ul.badges")),
			chromedp.Click(chromedp.CSS("a.card-name")),
			chromedp.WaitVisible(chromedp.ID("shares")),
		)
		shot("views", say("Opened 2 time(s).", "Ouvert 2 fois."), "ACME")
		run("withdraw",
			chromedp.Click(chromedp.CSS(`form[action*="/revoke"] button`)),
			chromedp.WaitVisible(chromedp.CSS(".share-gone")),
		)
		shot("withdrawn", say("withdrawn or expired", "retiré ou expiré"))
		run("open the withdrawn link",
			chromedp.Navigate(link+"?lang="+lang),
			chromedp.WaitVisible(chromedp.CSS("main")),
		)
		shot("gone", say("This share link was withdrawn", "Ce lien de partage a été retiré"))
		t.Logf("%s: screenshots in %s", lang, dir)
	}
}
