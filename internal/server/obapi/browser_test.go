package obapi_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/blason-badges/blason/internal/fetch"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
)

// The consent flow in headless Chromium (as internal/server/web's browser
// tests do): a signed-out learner follows an app's link, signs in, reads
// the consent page in English or French, allows, and the app's redirect
// URI receives a code that the app turns into a working token. It checks
// what the browser enforces and a unit test cannot: the CSP lets the
// decision's redirect reach the app and the page is accessible.

func chromium(t *testing.T) string {
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

// a11y: one h1, no skipped heading level, a label for each control, alt on
// each image, a name for each link and button.
const a11y = `(() => {
  const p = [];
  if (!document.documentElement.lang) p.push("no lang");
  if (document.querySelectorAll("h1").length !== 1) p.push("h1 count");
  let last = 0;
  for (const h of document.querySelectorAll("h1,h2,h3,h4,h5,h6")) { const n = +h.tagName[1]; if (last && n > last + 1) p.push("heading skip"); last = n; }
  for (const el of document.querySelectorAll("input:not([type=hidden]),textarea,select")) if (!el.closest("label") && !el.getAttribute("aria-label")) p.push("unlabelled " + el.name);
  for (const img of document.querySelectorAll("img")) if (!img.hasAttribute("alt") || !img.alt) p.push("img without alt");
  for (const a of document.querySelectorAll("a,button")) if (!a.textContent.trim()) p.push("unnamed " + a.tagName);
  return p;
})()`

func TestBrowserConsent(t *testing.T) {
	exe := chromium(t)
	h := newHost(t)
	var mu sync.Mutex
	var got url.Values
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/logo.png" {
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(testLogo(t))
			return
		}
		if r.URL.Path != "/callback" {
			http.NotFound(w, r)
			return
		}
		mu.Lock()
		got = r.URL.Query()
		mu.Unlock()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, `<!DOCTYPE html><html lang="en"><head><title>App</title></head><body><main><h1 id="done">The app is connected</h1></main></body></html>`)
	}))
	defer cb.Close()
	c := obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true}))
	hd, err := c.Discover(context.Background(), h.ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	sw := obclient.Software{Name: "Peer Backpack", URI: cb.URL + "/", LogoURI: cb.URL + "/logo.png", TOSURI: cb.URL + "/tos",
		PolicyURI: cb.URL + "/privacy", ID: "peer", Version: "1", RedirectURI: cb.URL + "/callback"}
	reg, err := c.Register(context.Background(), hd, sw, ob.Scopes)
	if err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.WindowSize(1000, 1400))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelA()
	dir := os.Getenv("BLASON_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		lang  string
		words []string
	}{
		{"en", []string{"Connect an app to your badges", "Peer Backpack asks for permission to:", "see the badges in your wallet", "change your profile", "You are signed in as alice@example.org"}},
		{"fr", []string{"Connecter une application à vos badges", "Peer Backpack demande l'autorisation de :", "voir les badges de votre portefeuille", "modifier votre profil", "Vous êtes connecté·e en tant que alice@example.org"}},
	} {
		t.Run(tc.lang, func(t *testing.T) {
			// A fresh browser each time: signed out, no language cookie.
			ctx, cancel := chromedp.NewContext(actx)
			defer cancel()
			ctx, cancelT := context.WithTimeout(ctx, 60*time.Second)
			defer cancelT()
			a, err := obclient.AuthURL(hd, reg, sw.RedirectURI, ob.Scopes)
			if err != nil {
				t.Fatal(err)
			}
			err = chromedp.Do(ctx,
				chromedp.Navigate(a.URL+"&lang="+tc.lang),
				chromedp.WaitVisible(chromedp.ID("signin")),
				chromedp.Click(chromedp.ID("signin")),
				chromedp.WaitVisible(chromedp.ID("allow")),
			)
			if err != nil {
				t.Fatal(err)
			}
			// The app's logo is shown, from this site (a data: URI fetched
			// by the server): the page asks nothing of the app's site.
			logo, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const i = document.querySelector("img.client-logo"); return i && i.complete && i.naturalWidth === 64 ? i.src.slice(0, 22) : "none"; })()`))
			if err != nil {
				t.Fatal(err)
			}
			if logo != "data:image/png;base64," {
				t.Errorf("the app's logo: %q, want it shown as data:image/png;base64,...", logo)
			}
			text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
			if err != nil {
				t.Fatal(err)
			}
			problems, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](a11y))
			if err != nil {
				t.Fatal(err)
			}
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // 100: PNG (below, chromedp writes JPEG)
			if err != nil {
				t.Fatal(err)
			}
			_ = os.WriteFile(filepath.Join(dir, "consent-"+tc.lang+".png"), shot, 0o644)
			text = strings.Join(strings.Fields(text), " ")
			for _, w := range tc.words {
				if !strings.Contains(text, w) {
					t.Errorf("the consent page does not say %q:\n%s", w, text)
				}
			}
			if len(problems) > 0 {
				t.Errorf("accessibility: %v", problems)
			}
			// Untick profile.update, then allow.
			err = chromedp.Do(ctx,
				chromedp.Click(chromedp.CSS(`input[value="`+ob.ScopeProfileUpdate+`"]`)),
				chromedp.Click(chromedp.ID("allow")),
				chromedp.WaitVisible(chromedp.ID("done")),
			)
			if err != nil {
				t.Fatalf("allow: %v", err)
			}
			mu.Lock()
			q := got
			mu.Unlock()
			if q.Get("state") != a.State || q.Get("code") == "" {
				t.Fatalf("callback query %v", q)
			}
			tok, err := c.Exchange(context.Background(), hd, reg, sw.RedirectURI, q.Get("code"), a.Verifier, ob.Scopes)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(tok.Scope, ob.ScopeProfileUpdate) || !strings.Contains(tok.Scope, ob.ScopeCredentialReadonly) {
				t.Errorf("granted %q: the unticked scope was granted, or another dropped", tok.Scope)
			}
			if _, err := c.Credentials(context.Background(), hd, tok.AccessToken, ob.Page{}); err != nil {
				t.Errorf("the token from the browser flow: %v", err)
			}
		})
	}
}

// testLogo is a 64×64 PNG, an app's logo.
func testLogo(t testing.TB) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for i := range img.Pix {
		img.Pix[i] = byte(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestConsentLogoOnlyAnImage: the consent page shows an app's logo only
// when the server fetched a real raster image of bounded size; an SVG (which
// may script), an HTML page or an oversized file shows the name alone, and
// the page's policy never lets the browser load anything from the app.
func TestConsentLogoOnlyAnImage(t *testing.T) {
	h := newHost(t)
	big := append(testLogo(t), make([]byte, 300<<10)...)
	for _, tc := range []struct {
		name, ctype string
		body        []byte
		shown       bool
	}{
		{"png", "image/png", testLogo(t), true},
		{"svg", "image/svg+xml", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), false},
		{"html", "image/png", []byte(`<!DOCTYPE html><html><body>hi</body></html>`), false},
		{"oversized", "image/png", big, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.ctype)
				_, _ = w.Write(tc.body)
			}))
			defer app.Close()
			c := obclient.New(fetch.New(fetch.Options{AllowHTTP: true, AllowPrivate: true}))
			hd, err := c.Discover(context.Background(), h.ts.URL)
			if err != nil {
				t.Fatal(err)
			}
			sw := obclient.Software{Name: "App " + tc.name, URI: app.URL + "/", LogoURI: app.URL + "/logo", TOSURI: app.URL + "/tos",
				PolicyURI: app.URL + "/privacy", ID: "app-" + tc.name, Version: "1", RedirectURI: app.URL + "/callback"}
			reg, err := c.Register(context.Background(), hd, sw, ob.Scopes)
			if err != nil {
				t.Fatal(err)
			}
			a, err := obclient.AuthURL(hd, reg, sw.RedirectURI, ob.Scopes)
			if err != nil {
				t.Fatal(err)
			}
			req, _ := http.NewRequest(http.MethodGet, a.URL, nil)
			req.AddCookie(&http.Cookie{Name: cookieUser, Value: "alice"})
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			page, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "App "+tc.name) {
				t.Fatalf("consent page: %d\n%s", res.StatusCode, page)
			}
			shown := strings.Contains(string(page), `class="client-logo" src="data:image/png;base64,`)
			if shown != tc.shown {
				t.Errorf("logo shown = %v, want %v", shown, tc.shown)
			}
			if strings.Contains(string(page), app.URL+"/logo") && strings.Contains(string(page), "<img") {
				t.Error("the page points the browser at the app's logo address")
			}
			csp := res.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "img-src 'self' data:;") {
				t.Errorf("CSP %q: images must stay this site's own", csp)
			}
		})
	}
}
