package web

import (
	"bytes"
	stdhtml "html"
	"net/http"
	"strings"

	"github.com/blason-badges/blason/internal/i18n"
)

// The share page is rendered by writeSharePage, a transcription of the
// templates it is made of (layout.html's head and foot, wallet-share.html,
// verify.html's certificate), because the page must cost at most half a
// verification on top of the verification (issue 11) and html/template
// spent ~45 µs on it: each of its ~50 actions looks its field up by name
// and calls its escapers through reflection. The templates stay the
// reference: TestSharePageMatchesTemplate and FuzzSharePageMatchesTemplate
// render both ways, hostile strings in every field, and require the same
// bytes, so the escaping here is html/template's own, byte for byte (the
// same replacement table, the same URL normalisation and filter). A page
// whose data this transcription does not cover (see sharePageCovered) is
// rendered by the template.

// shareStatic is one language's fixed text of the share page: the
// template's text with its {{t .Lang "key"}} texts written in (escaped as
// parseTemplates writes them).
type shareStatic struct {
	headTitle, headNav, headSwitch, noExpiry, verdictEnd string
	certOpen, certOpenUnvouched, unvouchedNote           string
	awardedTo, issuedBy, validFrom, validUntil, criteria string
	issuerHeading, viewerForm, foot                      string
}

func newShareStatic(l i18n.Lang) *shareStatic {
	t := func(key string) string { return stdhtml.EscapeString(i18n.T(l, key)) }
	other := i18n.FR
	if l == i18n.FR {
		other = i18n.EN
	}
	return &shareStatic{
		headTitle: "<!DOCTYPE html>\n<html lang=\"" + string(l) + "\">\n<head>\n<meta charset=\"utf-8\">\n" +
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>",
		headNav: " · " + t("site.name") + "</title>\n<link rel=\"stylesheet\" href=\"/static/blason.css\">\n" +
			"<link rel=\"icon\" href=\"/static/favicon.svg\" type=\"image/svg+xml\">\n</head>\n<body>\n" +
			"<a class=\"skip\" href=\"#main\">" + t("nav.skip") + "</a>\n<header class=\"site\">\n" +
			"  <a class=\"brand\" href=\"/verify\"><img src=\"/static/favicon.svg\" alt=\"\" width=\"28\" height=\"28\"> " + t("site.name") + "</a>\n" +
			"  <span class=\"tagline\">" + t("site.tagline") + "</span>\n" +
			"  <nav aria-label=\"" + t("nav.verify") + "\">\n    <a href=\"/verify\">" + t("nav.verify") + "</a>\n" +
			"        <a href=\"",
		headSwitch: "\" lang=\"" + string(other) + "\" hreflang=\"" + string(other) + "\" aria-label=\"" + t("lang.switch.label") + "\">" +
			t("lang.switch") + "</a>\n  </nav>\n</header>\n<main id=\"main\">\n",
		verdictEnd:        "</section>\n",
		certOpen:          "<article class=\"certificate\" aria-label=\"" + t("badge.heading") + "\">\n  ",
		certOpenUnvouched: "<article class=\"certificate unvouched\" aria-label=\"" + t("badge.heading") + "\">\n  ",
		unvouchedNote:     "<p class=\"note\">" + t("badge.unverified-note") + "</p>",
		awardedTo:         "<dt>" + t("badge.awarded-to") + "</dt><dd>",
		issuedBy:          "\n        <dt>" + t("badge.issued-by") + "</dt><dd>",
		validFrom:         "<dt>" + t("badge.valid-from") + "</dt><dd>",
		validUntil:        "\n        <dt>" + t("badge.valid-until") + "</dt><dd>",
		noExpiry:          t("badge.no-expiry"),
		criteria:          "<dt>" + t("badge.criteria") + "</dt><dd>",
		issuerHeading:     "\">" + t("issuer.heading") + "</h3>\n    <p>",
		viewerForm: "?lang=" + string(l) + "\" class=\"viewer\">\n  <div class=\"field\"><label for=\"viewer\">" + t("wallet.share.viewer") +
			"</label><input type=\"text\" id=\"viewer\" name=\"viewer\" maxlength=\"120\"></div>\n" +
			"  <button type=\"submit\">" + t("wallet.share.viewer.submit") + "</button>\n</form>",
		foot: "\n\n</main>\n<footer class=\"site\">\n  <p>" + t("footer.privacy") + "</p>\n  <p>" + t("footer.source") +
			"</p>\n</footer>\n</body>\n</html>\n\n",
	}
}

// sharePageCovered reports whether writeSharePage renders p: the share
// page never has a navigation, a recipient form or an input kind, so
// those branches of the templates are not transcribed.
func sharePageCovered(p *acctPage) bool {
	return len(p.Nav) == 0 && (p.Report == nil || (p.Report.Credential == "" && p.Report.Kind == ""))
}

// renderShare writes the share page: transcribed when it can be, else
// through the template.
func (h *Handler) renderShare(w http.ResponseWriter, p *acctPage) {
	if !sharePageCovered(p) {
		h.renderAcct(w, http.StatusOK, "wallet-share.html", p)
		return
	}
	buf := pagePool.Get().(*bytes.Buffer)
	defer putPage(buf)
	writeSharePage(buf, h.share[p.Lang], p)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Vary", "Accept-Language, Cookie")
	w.WriteHeader(http.StatusOK)
	w.Write(buf.Bytes())
}

// writeSharePage writes wallet-share.html for p, as the template does.
func writeSharePage(b *bytes.Buffer, st *shareStatic, p *acctPage) {
	// {{template "head" .}}
	b.WriteString(st.headTitle)
	escHTML(b, p.Title)
	b.WriteString(st.headNav)
	// {{range .Nav}} is empty (sharePageCovered).
	if isSafeURL(p.SwitchURL) {
		escURLAttr(b, p.SwitchURL)
	} else {
		b.WriteString("#ZgotmplZ")
	}
	b.WriteString(st.headSwitch)
	b.WriteString("\n")
	if r := p.Report; r != nil {
		b.WriteString("\n<section class=\"verdict verdict-")
		escHTML(b, r.State)
		b.WriteString("\" role=\"status\" aria-labelledby=\"verdict-title\">\n  <h1 id=\"verdict-title\">")
		escHTML(b, r.Headline)
		b.WriteString("</h1>\n  <p>")
		escHTML(b, r.Text)
		b.WriteString("</p>\n  ")
		if r.CheckedAt != "" {
			b.WriteString("<p class=\"checked-at\">")
			escHTML(b, r.CheckedAt)
			b.WriteString("</p>")
		}
		b.WriteString("\n")
		b.WriteString(st.verdictEnd)
		writeCertificate(b, st, r)
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if p.Notice != "" {
		b.WriteString("<p class=\"notice\" role=\"status\">")
		escHTML(b, p.Notice)
		b.WriteString("</p>")
	} else {
		b.WriteString("\n<form method=\"post\" action=\"/s/")
		escURLAttr(b, p.Token)
		b.WriteString(st.viewerForm)
	}
	b.WriteString(st.foot)
}

// writeCertificate writes verify.html's "certificate" for r, but for the
// recipient form (sharePageCovered).
func writeCertificate(b *bytes.Buffer, st *shareStatic, r *reportView) {
	bv := &r.Badge
	b.WriteString("\n")
	if r.Genuine {
		b.WriteString(st.certOpen)
	} else {
		b.WriteString(st.certOpenUnvouched)
		b.WriteString(st.unvouchedNote)
	}
	b.WriteString("\n  <div class=\"cert-body\">\n    ")
	if bv.Image != "" {
		// A template.URL passes the filter; it is still normalised.
		b.WriteString("<img class=\"badge-image\" src=\"")
		escURLAttr(b, string(bv.Image))
		b.WriteString("\" alt=\"")
		escHTML(b, bv.ImageAlt)
		b.WriteString("\" width=\"160\" height=\"160\">")
	}
	b.WriteString("\n    <div>\n      <h2 class=\"badge-name\">")
	escHTML(b, bv.Name)
	b.WriteString("</h2>\n      ")
	escIf(b, "<p class=\"achievement\">", bv.Achievement, "</p>")
	b.WriteString("\n      ")
	escIf(b, "<p class=\"description\">", bv.Description, "</p>")
	b.WriteString("\n      <dl>\n        ")
	escIf(b, st.awardedTo, bv.Recipient, "</dd>")
	b.WriteString(st.issuedBy)
	escHTML(b, firstNonEmpty(bv.IssuerName, bv.IssuerID))
	b.WriteString("</dd>\n        ")
	escIf(b, st.validFrom, bv.ValidFrom, "</dd>")
	b.WriteString(st.validUntil)
	if bv.ValidUntil != "" {
		escHTML(b, bv.ValidUntil)
	} else {
		b.WriteString(st.noExpiry)
	}
	b.WriteString("</dd>\n        ")
	escIf(b, st.criteria, bv.Criteria, "</dd>")
	b.WriteString("\n      </dl>\n      ")
	escIf(b, "<p class=\"small older\">", r.Older, "</p>")
	// {{if eq $r.Kind "image"}}: no kind (sharePageCovered).
	b.WriteString("\n      \n    </div>\n  </div>\n  <section class=\"issuer\" aria-labelledby=\"issuer-")
	escHTML(b, bv.IssuerID)
	b.WriteString("\">\n    <h3 id=\"issuer-")
	escHTML(b, bv.IssuerID)
	b.WriteString(st.issuerHeading)
	escHTML(b, r.Issuer.Claims)
	b.WriteString("</p>\n    <p class=\"")
	if r.Issuer.Anonymous {
		b.WriteString("warn")
	}
	b.WriteString("\">")
	escHTML(b, r.Issuer.Proven)
	b.WriteString("</p>\n    ")
	if r.Issuer.Trust != "" {
		b.WriteString("<p class=\"trust ")
		if r.Issuer.Known {
			b.WriteString("known")
		} else {
			b.WriteString("warn")
		}
		b.WriteString("\">")
		escHTML(b, r.Issuer.Trust)
		b.WriteString("</p>")
	}
	// {{if and $r.Genuine $r.RecipientHashed $r.Credential}}: no
	// credential (sharePageCovered).
	b.WriteString("\n  </section>\n  \n</article>\n")
}

// htmlEscapes is html/template's htmlReplacementTable: what its
// htmlEscaper, attrEscaper (in a quoted attribute) and rcdataEscaper
// write for each byte of a plain string. Every byte it replaces is ASCII,
// so a byte loop finds the same ones as html/template's rune loop (bytes
// of other characters, and of invalid UTF-8, are never below 0x80).
var htmlEscapes = [...]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

// escHTML writes s escaped for HTML text or a quoted attribute value.
func escHTML(b *bytes.Buffer, s string) {
	written := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if int(c) >= len(htmlEscapes) || htmlEscapes[c] == "" {
			continue
		}
		b.WriteString(s[written:i])
		b.WriteString(htmlEscapes[c])
		written = i + 1
	}
	b.WriteString(s[written:])
}

// escURLAttr writes s as html/template writes a URL in a quoted
// attribute: urlNormalizer (bytes outside RFC 3986's unreserved and
// reserved sets percent-encoded, a valid escape kept), then attrEscaper
// (of what normalisation keeps, only & and + are replaced).
func escURLAttr(b *bytes.Buffer, s string) {
	const hex = "0123456789abcdef"
	written := 0
	for i, n := 0, len(s); i < n; i++ {
		c := s[i]
		var repl string
		switch {
		case c == '&':
			repl = "&amp;"
		case c == '+':
			repl = "&#43;"
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			continue
		case strings.IndexByte("!#$*,/:;=?@[]-._~", c) >= 0:
			continue
		// html/template keeps a % followed by two hex digits that are not
		// the string's last byte (its test is i+2 < len(s)).
		case c == '%' && i+2 < n && isHexDigit(s[i+1]) && isHexDigit(s[i+2]):
			continue
		}
		b.WriteString(s[written:i])
		if repl != "" {
			b.WriteString(repl)
		} else {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
		written = i + 1
	}
	b.WriteString(s[written:])
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isSafeURL is html/template's urlFilter test for a plain string: no
// scheme, or http, https or mailto.
func isSafeURL(s string) bool {
	if protocol, _, ok := strings.Cut(s, ":"); ok && !strings.Contains(protocol, "/") {
		if !strings.EqualFold(protocol, "http") && !strings.EqualFold(protocol, "https") && !strings.EqualFold(protocol, "mailto") {
			return false
		}
	}
	return true
}

// escIf writes open, v escaped and close when v is not empty: a template's
// {{if .V}}open{{.V}}close{{end}}.
func escIf(b *bytes.Buffer, open, v, close string) {
	if v != "" {
		b.WriteString(open)
		escHTML(b, v)
		b.WriteString(close)
	}
}
