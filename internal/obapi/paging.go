package obapi

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Paging bounds: a page holds DefaultLimit credentials unless the client
// asks for another number, and never more than MaxLimit (a host may cap
// what it returns; the Link header tells the client where the rest is).
const (
	DefaultLimit = 50
	MaxLimit     = 200
)

// Page is a getCredentials query (§6.2.2): at most Limit results starting
// at Offset (zero-based), only credentials issued after Since when it is
// not zero.
type Page struct {
	Limit  int
	Offset int
	Since  time.Time
}

// ParsePage reads limit, offset and since from a query. An absent limit is
// DefaultLimit and one above MaxLimit is MaxLimit; a malformed value is a
// 400 invalid_query_parameter Error naming it. since is "an ISO 8601 time
// using the syntax YYYY-MM-DDThh:mm:ss" (OpenAPI: format date-time): RFC
// 3339 with or without fractional seconds, and without an offset read as
// UTC.
func ParsePage(q url.Values) (Page, *Error) {
	p := Page{Limit: DefaultLimit}
	for k, v := range q {
		if (k == "limit" || k == "offset" || k == "since") && len(v) > 1 {
			return Page{}, BadRequest(MinorInvalidQueryParam, fmt.Sprintf("%q is given %d times.", k, len(v)))
		}
	}
	if s := q.Get("limit"); s != "" || q.Has("limit") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return Page{}, BadRequest(MinorInvalidQueryParam, "limit must be a whole number of at least 1.")
		}
		p.Limit = min(n, MaxLimit)
	}
	if s := q.Get("offset"); s != "" || q.Has("offset") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return Page{}, BadRequest(MinorInvalidQueryParam, "offset must be a whole number of at least 0.")
		}
		p.Offset = n
	}
	if s := q.Get("since"); s != "" || q.Has("since") {
		t, err := parseSince(s)
		if err != nil {
			return Page{}, BadRequest(MinorInvalidQueryParam, "since must be a date and time such as 2024-01-31T09:00:00Z.")
		}
		p.Since = t
	}
	return p, nil
}

func parseSince(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("not a date-time: %q", s)
}

// Query writes the page back as query parameters (for a client, and for
// the links of a response).
func (p Page) Query() url.Values {
	q := url.Values{}
	if p.Limit > 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
	if p.Offset > 0 {
		q.Set("offset", strconv.Itoa(p.Offset))
	}
	if !p.Since.IsZero() {
		q.Set("since", p.Since.UTC().Format(time.RFC3339Nano))
	}
	return q
}

// Link is one link of a Link header.
type Link struct {
	Rel string
	URL string
}

// PageLinks returns the links of a getCredentials response (§6.1.1
// "Paging"): first and last always; next when the page is incomplete
// (more results after it); prev when offset > 0. self is the URL the
// request was made to (public form, no query needed); since carries over.
func PageLinks(self string, p Page, total int) []Link {
	u, err := url.Parse(self)
	if err != nil {
		return nil
	}
	at := func(offset int) string {
		q := Page{Limit: p.Limit, Offset: offset, Since: p.Since}.Query()
		if offset == 0 {
			q.Set("offset", "0")
		}
		v := *u
		v.RawQuery = q.Encode()
		v.Fragment = ""
		return v.String()
	}
	last := 0
	if total > 0 {
		last = (total - 1) / p.Limit * p.Limit
	}
	links := []Link{{"first", at(0)}}
	if p.Offset+p.Limit < total {
		links = append(links, Link{"next", at(p.Offset + p.Limit)})
	}
	if p.Offset > 0 {
		links = append(links, Link{"prev", at(max(0, min(p.Offset-p.Limit, last)))})
	}
	links = append(links, Link{"last", at(last)})
	return links
}

// LinkHeader formats links as an RFC 8288 Link header value.
func LinkHeader(links []Link) string {
	parts := make([]string, len(links))
	for i, l := range links {
		parts[i] = "<" + l.URL + `>; rel="` + l.Rel + `"`
	}
	return strings.Join(parts, ", ")
}

// ParseLinkHeader reads the links of an RFC 8288 Link header: the URL in
// angle brackets and its rel parameter (quoted or not); other parameters
// are ignored and malformed parts skipped.
func ParseLinkHeader(h string) map[string]string {
	out := map[string]string{}
	for _, part := range splitLinks(h) {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, "<") {
			continue
		}
		end := strings.IndexByte(part, '>')
		if end < 0 {
			continue
		}
		target := part[1:end]
		for _, param := range strings.Split(part[end+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				out[strings.ToLower(rel)] = target
			}
		}
	}
	return out
}

// splitLinks splits on commas outside angle brackets and quotes.
func splitLinks(h string) []string {
	var out []string
	depth, quoted, start := 0, false, 0
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '<':
			if !quoted {
				depth++
			}
		case '>':
			if !quoted && depth > 0 {
				depth--
			}
		case '"':
			if depth == 0 {
				quoted = !quoted
			}
		case ',':
			if depth == 0 && !quoted {
				out = append(out, h[start:i])
				start = i + 1
			}
		}
	}
	return append(out, h[start:])
}
