package web

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/server/web/webtest"
	"github.com/blason-badges/blason/internal/testissuer"
	"github.com/blason-badges/blason/internal/testissuer/testkit"
	"github.com/blason-badges/blason/verifier"
)

// The browser tests drive the real pages in headless Chromium (Debian's
// package; .ci/run installs it), as an employer would: paste, upload, give
// an address, switch language. Each state is captured as a screenshot in
// $BLASON_SCREENSHOTS (or the test's temporary directory) and asserted by
// the words a person sees; every page passes an accessibility check.

func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatal("Chromium is not installed: .ci/run installs Debian's chromium package")
	}
	t.Skip("Chromium not installed (apt-get install chromium); CI runs these tests")
	return ""
}

func browser(t *testing.T) (context.Context, string) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.WindowSize(1100, 1400),
		chromedp.Flag("lang", "en-GB"),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	dir := os.Getenv("BLASON_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return ctx, dir
}

// a11yCheck is the automated accessibility audit every page passes
// (webtest.A11yCheck, shared with the command's browser test).
const a11yCheck = webtest.A11yCheck

func look(t *testing.T, ctx context.Context, dir, name string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("%s: screenshot: %v", name, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
	if err != nil {
		t.Fatalf("%s: text: %v", name, err)
	}
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](a11yCheck))
	if err != nil {
		t.Fatalf("%s: accessibility check: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), shot, 0o644); err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%s: accessibility: %s", name, strings.Join(problems, "; "))
	}
	return strings.Join(strings.Fields(text), " ")
}

// revokedFixture: a badge whose status list (on the returned web) has its
// bit set.
func revokedFixture(t *testing.T) (fixture, *testkit.Web) {
	const list = "https://lab.example/status/1"
	f := newFixture(t, func(m map[string]any) {
		m["credentialStatus"] = map[string]any{"id": list + "#42", "type": "BitstringStatusListEntry",
			"statusPurpose": "revocation", "statusListIndex": "42", "statusListCredential": list}
	})
	return f, testkit.NewWeb(map[string][]byte{list: testissuer.StatusList(t, f.Signer, list, "revocation", 42)})
}

func TestBrowserVerifyPage(t *testing.T) {
	ctx, dir := browser(t)
	good := newFixture(t, nil)
	expired := newFixture(t, func(m map[string]any) { m["validUntil"] = "2026-02-01T00:00:00Z" })
	revoked, lists := revokedFixture(t)
	tampered := strings.Replace(string(good.badge), "Peer nominated.", "Nominated by the board.", 1)
	hosted := testkit.NewWeb(map[string][]byte{"https://lab.example/badges/1": good.badge})
	h := New(Config{
		Verifier: verifier.New(verifier.Options{Now: func() time.Time { return now }, Fetcher: lists}),
		Known:    map[string]string{}, Now: func() time.Time { return now },
		Fetch: func(_ context.Context, u string) ([]byte, error) {
			return hosted.GetJSON(context.Background(), u)
		},
		Extract: bake.ExtractCredential,
	})
	srv := httptest.NewServer(h)
	defer srv.Close()

	paste := func(lang, name, cred string, says ...string) {
		t.Run(name, func(t *testing.T) {
			err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/verify?lang="+lang),
				chromedp.WaitVisible(chromedp.ID("credential")),
				chromedp.SetValue(chromedp.ID("credential"), cred),
				chromedp.Click(chromedp.CSS("button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(".verdict")),
			)
			if err != nil {
				t.Fatal(err)
			}
			text := look(t, ctx, dir, name)
			for _, s := range says {
				if !strings.Contains(text, s) {
					t.Errorf("the page does not say %q:\n%s", s, text)
				}
			}
		})
	}
	paste("en", "verified-en", string(good.badge), "Genuine and valid", "Teamwork", "anonymous key", "Unknown issuer")
	paste("fr", "verified-fr", string(good.badge), "Authentique et valide", "Émetteur inconnu", "1er janvier 2026")
	paste("en", "revoked-en", string(revoked.badge), "Revoked", "The issuer has revoked this badge")
	paste("fr", "revoked-fr", string(revoked.badge), "Révoqué", "L'émetteur a révoqué ce badge")
	paste("en", "expired-en", string(expired.badge), "Genuine, but expired")
	paste("fr", "expired-fr", string(expired.badge), "Authentique, mais expiré")
	paste("en", "tampered-en", tampered, "Not genuine", "Nothing proves who issued it")
	paste("fr", "tampered-fr", tampered, "Non authentique", "Rien ne prouve qui l'a émis")
	paste("en", "unreadable-en", "Dear employer, here is my badge!", "Could not read this", "Nothing was verified")
	paste("fr", "unreadable-fr", "Cher employeur, voici mon badge !", "Illisible", "Rien n'a été vérifié")

	t.Run("by-address-fr", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/verify?lang=fr"),
			chromedp.SetValue(chromedp.ID("url"), "https://lab.example/badges/1"),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".verdict")),
		); err != nil {
			t.Fatal(err)
		}
		if text := look(t, ctx, dir, "by-address-fr"); !strings.Contains(text, "Authentique et valide") {
			t.Fatalf("by address: %s", text)
		}
	})
	t.Run("upload-en", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "badge.json")
		os.WriteFile(file, good.badge, 0o644)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/verify?lang=en"),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".verdict")),
		); err != nil {
			t.Fatal(err)
		}
		if text := look(t, ctx, dir, "upload-en"); !strings.Contains(text, "Genuine and valid") {
			t.Fatalf("upload: %s", text)
		}
	})
	t.Run("language-switch", func(t *testing.T) {
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/verify?lang=en"),
			chromedp.Click(chromedp.CSS(`a[hreflang="fr"]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang="fr"] main`)),
		); err != nil {
			t.Fatal(err)
		}
		attr, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS("html"), "lang"))
		if err != nil {
			t.Fatal(err)
		}
		lang := attr.Value
		text := look(t, ctx, dir, "form-fr")
		if lang != "fr" || !strings.Contains(text, "Vérifier un badge") {
			t.Fatalf("after the switch: lang=%q %s", lang, text)
		}
	})
	t.Run("baked-png-fr", func(t *testing.T) {
		var img bytes.Buffer
		m := image.NewRGBA(image.Rect(0, 0, 96, 96))
		for i := range m.Pix {
			m.Pix[i] = byte(40 + i%150)
		}
		png.Encode(&img, m)
		baked, err := bake.Bake(img.Bytes(), good.badge)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "badge.png")
		os.WriteFile(file, baked, 0o644)
		if err := chromedp.Do(ctx,
			chromedp.Navigate(srv.URL+"/verify?lang=fr"),
			chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".verdict")),
		); err != nil {
			t.Fatal(err)
		}
		text := look(t, ctx, dir, "baked-png-fr")
		if !strings.Contains(text, "Authentique et valide") || !strings.Contains(text, "Lu depuis une image de badge") {
			t.Fatalf("baked PNG: %s", text)
		}
		shown, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("img.badge-image") !== null && document.querySelector("img.badge-image").naturalWidth === 96`))
		if err != nil || !shown {
			t.Fatalf("the baked image is not shown: %v", err)
		}
	})
	t.Run("ob2", func(t *testing.T) {
		for _, lang := range []string{"en", "fr"} {
			if err := chromedp.Do(ctx,
				chromedp.Navigate(srv.URL+"/verify?lang="+lang),
				chromedp.SetValue(chromedp.ID("credential"), ob2Assertion),
				chromedp.Click(chromedp.CSS("button[type=submit]")),
				chromedp.WaitVisible(chromedp.CSS(".verdict")),
			); err != nil {
				t.Fatal(err)
			}
			text := look(t, ctx, dir, "ob2-"+lang)
			want := map[string]string{"en": "Format: Open Badges 2.0 (older).", "fr": "Format : Open Badges 2.0 (ancien)."}[lang]
			if !strings.Contains(text, want) || strings.Contains(text, "Not genuine") || strings.Contains(text, "Non authentique") {
				t.Fatalf("OB 2.0 %s: %s", lang, text)
			}
		}
	})
	t.Run("known-issuer-en", func(t *testing.T) {
		known := httptest.NewServer(New(Config{
			Verifier: verifier.New(verifier.Options{Now: func() time.Time { return now }}),
			Known:    map[string]string{good.DID: "Science & Society Lab"}, Now: func() time.Time { return now },
		}))
		defer known.Close()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(known.URL+"/verify?lang=en"),
			chromedp.SetValue(chromedp.ID("credential"), string(good.badge)),
			chromedp.Click(chromedp.CSS("button[type=submit]")),
			chromedp.WaitVisible(chromedp.CSS(".verdict")),
		); err != nil {
			t.Fatal(err)
		}
		if text := look(t, ctx, dir, "known-issuer-en"); !strings.Contains(text, "Known issuer") || strings.Contains(text, "Unknown issuer") {
			t.Fatalf("known issuer: %s", text)
		}
	})
	t.Logf("screenshots in %s", dir)
}

// TestBrowserAccessibilityCheckFails: the in-page check finds what it looks
// for, so its silence on Blason's pages means something.
func TestBrowserAccessibilityCheckFails(t *testing.T) {
	ctx, _ := browser(t)
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!DOCTYPE html><html><body><main><h2>No h1</h2><h4>Skipped</h4>
<input id="x"><img src="data:image/png;base64,iVBORw0KGgo="><a href="/"></a>
<p style="color:#bbb;background:#fff">Pale text</p></main></body></html>`))
	}))
	defer bad.Close()
	if err := chromedp.Do(ctx, chromedp.Navigate(bad.URL)); err != nil {
		t.Fatal(err)
	}
	problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](a11yCheck))
	if err != nil {
		t.Fatal(err)
	}
	found := strings.Join(problems, "; ")
	for _, want := range []string{"no lang", "0 h1", "skips from h2 to h4", "without label", "img without alt", "unnamed A", "contrast"} {
		if !strings.Contains(found, want) {
			t.Errorf("the check missed %q: %s", want, found)
		}
	}
}
