package wallet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/blason-badges/blason/internal/fetch"
)

// ErrSend: the presentation could not be delivered to the verifier's
// address (refused address, unreachable, timeout); the answer, when
// there is one, is given whatever its status.
var ErrSend = errors.New("the presentation could not be sent to the verifier")

// Answer is a verifier's answer to a posted presentation, as received.
type Answer struct {
	URL         string
	Status      int
	ContentType string
	Body        []byte
}

// Post sends body to url and returns the answer whatever its status;
// blason serve passes the hardened client's (internal/fetch: https only,
// no private address, bounded time and size, no redirect).
type Post func(ctx context.Context, url, contentType string, body []byte) (*Answer, error)

// SendPresentation posts a signed presentation to a verifier in the VC
// API's form (POST /presentations/verify: {"verifiablePresentation": the
// presentation, "options": {"challenge", "domain"}}; a VC-JWT
// presentation goes as its compact string), and returns its answer.
func SendPresentation(ctx context.Context, post Post, url string, vp []byte, contentType, challenge, domain string) (*Answer, error) {
	if post == nil || url == "" {
		return nil, fmt.Errorf("%w: no verifier address", ErrSend)
	}
	var pres json.RawMessage = vp
	if contentType == "application/vp+jwt" {
		pres, _ = json.Marshal(string(vp))
	}
	opts := map[string]string{"challenge": challenge}
	if domain != "" {
		opts["domain"] = domain
	}
	body, err := json.Marshal(map[string]any{"verifiablePresentation": pres, "options": opts})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSend, err)
	}
	a, err := post(ctx, url, "application/json", body)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSend, err)
	}
	return a, nil
}

// Text is the answer's body as text to show (at most max bytes, cut on a
// character boundary), or "" when it is not UTF-8 text.
func (a *Answer) Text(max int) string {
	b := a.Body
	if len(b) > max {
		b = b[:max]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	if !utf8.Valid(b) {
		return ""
	}
	return string(b)
}

// PostWith sends through the hardened client: its URL rules (https only
// unless the client allows http) and private-address guard, its time and
// size bounds, and no redirect (a presentation is not replayed elsewhere).
func PostWith(client *fetch.Client) Post {
	return func(ctx context.Context, u, ct string, body []byte) (*Answer, error) {
		r, err := client.Do(ctx, http.MethodPost, u, http.Header{"Content-Type": {ct}, "Accept": {"application/json, */*;q=0.1"}}, body)
		if err != nil {
			return nil, err
		}
		return &Answer{URL: r.URL, Status: r.StatusCode, ContentType: r.Header.Get("Content-Type"), Body: r.Body}, nil
	}
}
