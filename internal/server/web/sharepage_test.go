package web

import (
	"bytes"
	"html/template"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/blason-badges/blason/internal/i18n"
	"github.com/blason-badges/blason/wallet"
)

// hostile are strings a badge, a link or a viewer can put on the share
// page: markup, quotes, the characters html/template replaces, invalid
// UTF-8, URLs with schemes it filters, percent signs it keeps or encodes.
var hostile = []string{
	"", "Teamwork", "<script>alert(1)</script>", `a&b'c"d+e<f>g`, "\x00nul", "\xff\xfe invalid \xc3", "é ü 中文 \u2028 \uFFFD",
	"javascript:alert(1)", "JavaScript:x", "vbscript:y", "http://x.example/?a=1&b=2#f", "HTTPS://X", "mailto:a@b.example",
	"/s/tok?lang=en&x=%3Ca%3E", "%", "%4", "%41", "a%4", "%zz", "100%", "data:image/png;base64,AAAA+/==", "//evil.example/",
	"{{.Title}}", "]]><!--", " spaces\tand\nlines ", "a:b/c", "/a:b", "\x7f\x1f",
}

// sharePages are share pages with every field set to s, and with the
// page's switches (genuine, known, anonymous, a notice, no report) set
// from bits.
func sharePage(l i18n.Lang, s string, bits int) *acctPage {
	other := i18n.FR
	if l == i18n.FR {
		other = i18n.EN
	}
	p := &acctPage{page: &page{Lang: l, Other: other, Title: s, SwitchURL: s}, Token: s}
	if bits&1 != 0 {
		p.Notice = s
	}
	if bits&2 == 0 {
		p.Report = &reportView{State: s, Headline: s, Text: s, CheckedAt: s, Older: s, Genuine: bits&4 != 0,
			Badge: badgeView{Name: s, Achievement: s, Description: s, Criteria: s, Image: template.URL(s), ImageAlt: s,
				IssuerName: s, IssuerID: s, Recipient: s, ValidFrom: s, ValidUntil: s},
			Issuer: issuerView{Claims: s, Proven: s, Trust: s, Known: bits&8 != 0, Anonymous: bits&16 != 0}}
		if bits&32 != 0 { // some fields empty, the others not
			p.Report.Badge.IssuerName, p.Report.Badge.ValidUntil, p.Report.Issuer.Trust = "", "", ""
			p.Report.Badge.Image, p.Report.CheckedAt = "", ""
		}
	}
	return p
}

func checkSharePage(t *testing.T, h *Handler, p *acctPage) {
	t.Helper()
	var want, got bytes.Buffer
	if err := h.tmpl[p.Lang].ExecuteTemplate(&want, "wallet-share.html", p); err != nil {
		t.Fatal(err)
	}
	if !sharePageCovered(p) {
		t.Fatal("a share page is not covered")
	}
	writeSharePage(&got, h.share[p.Lang], p)
	if got.String() != want.String() {
		g, w := got.String(), want.String()
		i := 0
		for i < len(g) && i < len(w) && g[i] == w[i] {
			i++
		}
		t.Fatalf("the share page differs from its template at byte %d:\ngot  %q\nwant %q", i, g[max(0, i-80):min(len(g), i+80)], w[max(0, i-80):min(len(w), i+80)])
	}
}

// The share page is written without html/template (sharepage.go); it must
// be the template's page byte for byte, so escaping is as safe as the
// template's: every field set to each hostile string, in both languages,
// with each of the page's switches.
func TestSharePageMatchesTemplate(t *testing.T) {
	t.Parallel()
	h := newHandler(nil, nil)
	for _, l := range i18n.Supported {
		for _, s := range hostile {
			for bits := range 64 {
				checkSharePage(t, h, sharePage(l, s, bits))
			}
		}
	}
	// Different strings in different fields.
	p := sharePage(i18n.EN, "x", 0)
	p.Title, p.Token, p.Report.Badge.Name, p.Report.Badge.IssuerID = "<b>", "a b&c", `"quoted"`, "did:key:z6Mk+/="
	checkSharePage(t, h, p)
	// What the template writes a hostile string as, for a person to read:
	// no markup gets through.
	var out bytes.Buffer
	writeSharePage(&out, h.share[i18n.EN], sharePage(i18n.EN, "<script>alert(1)</script>", 0))
	if strings.Contains(out.String(), "<script>") || !strings.Contains(out.String(), "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Fatal("a hostile string is not escaped")
	}
	// A filtered URL in the language switch.
	out.Reset()
	writeSharePage(&out, h.share[i18n.EN], sharePage(i18n.EN, "javascript:alert(1)", 2))
	if !strings.Contains(out.String(), `href="#ZgotmplZ"`) {
		t.Fatal("a javascript: URL is not filtered")
	}
}

// FuzzSharePageMatchesTemplate: the same, for any strings.
func FuzzSharePageMatchesTemplate(f *testing.F) {
	for i, s := range hostile {
		f.Add(s, hostile[(i+1)%len(hostile)], hostile[(i+7)%len(hostile)], uint8(i))
	}
	h := newHandler(nil, nil)
	f.Fuzz(func(t *testing.T, a, b, c string, bits uint8) {
		l := i18n.Supported[int(bits>>7)%len(i18n.Supported)]
		p := sharePage(l, a, int(bits))
		p.SwitchURL, p.Token = b, c
		if p.Report != nil {
			p.Report.Badge.Name, p.Report.Badge.Image, p.Report.Issuer.Claims = b, template.URL(c), c
		}
		checkSharePage(t, h, p)
	})
}

// Through the handler: the page a viewer gets, in each language, with and
// without the thanks for a name, is the template's.
func TestSharePageServedMatchesTemplate(t *testing.T) {
	t.Parallel()
	e := newWalletEnv(t)
	ctx := t.Context()
	u, _ := e.users.Create(ctx, "page@example.org", "")
	res, err := e.wallet.ImportCredential(ctx, u.ID, wallet.Import{Data: bakedBadge(t, "urn:uuid:share-page")})
	if err != nil {
		t.Fatal(err)
	}
	sh, err := e.wallet.CreateShare(ctx, u.ID, res.Credential.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	h := e.srv.Config.Handler.(*Handler)
	for _, tc := range []struct{ method, query string }{{"GET", "?lang=en&x=%3Ca%3E"}, {"GET", "?lang=fr"}, {"POST", "?lang=fr"}} {
		var body *strings.Reader
		if tc.method == "POST" {
			body = strings.NewReader(url.Values{"viewer": {"<b>ACME</b>"}}.Encode())
		} else {
			body = strings.NewReader("")
		}
		r := httptest.NewRequest(tc.method, "/s/"+sh.Token+tc.query, body)
		if tc.method == "POST" {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != 200 {
			t.Fatalf("%s %s: %d", tc.method, tc.query, w.Code)
		}
		// The same page through the template.
		var want bytes.Buffer
		c, v, err := e.wallet.OpenShare(ctx, sh.Token, "")
		if err != nil {
			t.Fatal(err)
		}
		p := h.sharePageData(r, i18n.Lang(r.URL.Query().Get("lang")), c, v)
		if err := h.tmpl[p.Lang].ExecuteTemplate(&want, "wallet-share.html", p); err != nil {
			t.Fatal(err)
		}
		if w.Body.String() != want.String() {
			t.Fatalf("%s %s: the page served is not the template's", tc.method, tc.query)
		}
		if !strings.Contains(w.Body.String(), `class="badge-image" src="data:image/png;base64,`) {
			t.Fatal("the baked image is not shown")
		}
	}
}

// A page the transcription does not cover (a navigation, a recipient
// form) is rendered by the template.
func TestSharePageFallsBackToTemplate(t *testing.T) {
	t.Parallel()
	h := newHandler(nil, nil)
	for _, edit := range []func(*acctPage){
		func(p *acctPage) { p.Nav = []navLink{{"/wallet?lang=en", "<My badges>"}} },
		func(p *acctPage) { p.Report.Credential, p.Report.Genuine, p.Report.RecipientHashed = "{}", true, true },
		func(p *acctPage) { p.Report.Kind = "image" },
	} {
		p := sharePage(i18n.EN, "<x>", 0)
		edit(p)
		if sharePageCovered(p) {
			t.Fatal("covered")
		}
		var want bytes.Buffer
		if err := h.tmpl[p.Lang].ExecuteTemplate(&want, "wallet-share.html", p); err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.renderShare(w, p)
		if w.Code != 200 || w.Body.String() != want.String() {
			t.Fatalf("%d: not the template's page", w.Code)
		}
	}
}
