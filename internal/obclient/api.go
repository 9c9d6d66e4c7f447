package obclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/obapi"
)

// MaxPages bounds how many pages Credentials.All follows.
const MaxPages = 100

// Page is one getCredentials response.
type Page struct {
	Credentials []json.RawMessage // JSON credentials (`credential`)
	JWS         []string          // compact JWS credentials (`compactJwsString`)
	Total       int               // X-Total-Count, or -1 when not sent
	Next        string            // the next link, "" on the last page
}

func (c *Client) call(ctx context.Context, method, rawURL, token string, contentType string, body []byte, accept string) (*fetch.Response, error) {
	hdr := http.Header{"Authorization": {"Bearer " + token}, "Accept": {accept}}
	if contentType != "" {
		hdr.Set("Content-Type", contentType)
	}
	resp, err := c.fetch.Do(ctx, method, rawURL, hdr, body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		e := &APIError{Status: resp.StatusCode}
		if info, ok := obapi.ParseStatusInfo(resp.Body); ok {
			e.Info = &info
		}
		return nil, e
	}
	return resp, nil
}

// Credentials is getCredentials (OB 3.0 §6.2.2) for one page.
func (c *Client) Credentials(ctx context.Context, h *Host, token string, p obapi.Page) (*Page, error) {
	u := h.APIBase + "/credentials"
	if q := p.Query().Encode(); q != "" {
		u += "?" + q
	}
	return c.credentialsAt(ctx, h, token, u)
}

func (c *Client) credentialsAt(ctx context.Context, h *Host, token, u string) (*Page, error) {
	resp, err := c.call(ctx, http.MethodGet, u, token, "", nil, obapi.MediaJSON)
	if err != nil {
		return nil, fmt.Errorf("get credentials: %w", err)
	}
	var body struct {
		Credential []json.RawMessage `json:"credential"`
		JWS        []string          `json:"compactJwsString"`
	}
	dec := json.NewDecoder(bytes.NewReader(resp.Body))
	if err := dec.Decode(&body); err != nil {
		return nil, fmt.Errorf("get credentials: the response is not a GetOpenBadgeCredentialsResponse: %w", err)
	}
	pg := &Page{Credentials: body.Credential, JWS: body.JWS, Total: -1}
	if s := resp.Header.Get(obapi.HeaderTotal); s != "" {
		if n, err := strconv.Atoi(s); err == nil && n >= 0 {
			pg.Total = n
		}
	}
	if next := obapi.ParseLinkHeader(resp.Header.Get("Link"))["next"]; next != "" {
		// A next link is followed only on the API's own origin and path: a
		// host cannot make the client send its token elsewhere.
		abs, err := sameAPI(h, u, next)
		if err != nil {
			return nil, fmt.Errorf("get credentials: %w", err)
		}
		pg.Next = abs
	}
	return pg, nil
}

func sameAPI(h *Host, base, link string) (string, error) {
	b, err := url.Parse(base)
	if err != nil {
		return "", err
	}
	l, err := url.Parse(link)
	if err != nil {
		return "", fmt.Errorf("bad next link %q", link)
	}
	abs := b.ResolveReference(l)
	api, _ := url.Parse(h.APIBase)
	if abs.Scheme != api.Scheme || abs.Host != api.Host || abs.Path != api.Path+"/credentials" {
		return "", fmt.Errorf("the next link %q leaves the API at %s", link, h.APIBase)
	}
	return abs.String(), nil
}

// AllCredentials follows next links from the first page (limit per page),
// at most MaxPages pages.
func (c *Client) AllCredentials(ctx context.Context, h *Host, token string, p obapi.Page) (*Page, error) {
	pg, err := c.Credentials(ctx, h, token, p)
	if err != nil {
		return nil, err
	}
	all := &Page{Credentials: pg.Credentials, JWS: pg.JWS, Total: pg.Total}
	for i := 1; pg.Next != ""; i++ {
		if i >= MaxPages {
			return nil, fmt.Errorf("get credentials: more than %d pages", MaxPages)
		}
		if pg, err = c.credentialsAt(ctx, h, token, pg.Next); err != nil {
			return nil, err
		}
		all.Credentials = append(all.Credentials, pg.Credentials...)
		all.JWS = append(all.JWS, pg.JWS...)
	}
	return all, nil
}

// ErrNotCredential reports an upsert body that is neither a JSON object
// nor a compact JWS.
var ErrNotCredential = errors.New("neither a JSON credential nor a compact JWS")

// Upsert is upsertCredential (OB 3.0 §6.2.3): a JSON credential is sent as
// application/json, a VC-JWT as text/plain. created is true for 201 (a
// new credential), false for 200 (it replaced one).
func (c *Client) Upsert(ctx context.Context, h *Host, token string, credential []byte) (created bool, err error) {
	ct, accept := obapi.MediaJSON, obapi.MediaJSON
	b := bytes.TrimSpace(credential)
	switch {
	case len(b) > 0 && b[0] == '{':
	case input.IsCompactJWS(b):
		ct, accept = obapi.MediaJWS, obapi.MediaJWS
	default:
		return false, ErrNotCredential
	}
	resp, err := c.call(ctx, http.MethodPost, h.APIBase+"/credentials", token, ct, b, accept)
	if err != nil {
		return false, fmt.Errorf("upsert credential: %w", err)
	}
	switch resp.StatusCode {
	case http.StatusCreated:
		return true, nil
	case http.StatusOK:
		return false, nil
	}
	return false, fmt.Errorf("upsert credential: unexpected status %d", resp.StatusCode)
}

// Profile is getProfile (OB 3.0 §6.2.4).
func (c *Client) Profile(ctx context.Context, h *Host, token string) (json.RawMessage, error) {
	resp, err := c.call(ctx, http.MethodGet, h.APIBase+"/profile", token, "", nil, obapi.MediaJSON)
	if err != nil {
		return nil, fmt.Errorf("get profile: %w", err)
	}
	if !json.Valid(resp.Body) {
		return nil, errors.New("get profile: the response is not JSON")
	}
	return resp.Body, nil
}

// PutProfile is putProfile (OB 3.0 §6.2.5): the whole profile. accepted
// is true for 202 (the host will apply it later).
func (c *Client) PutProfile(ctx context.Context, h *Host, token string, profile []byte) (accepted bool, err error) {
	resp, err := c.call(ctx, http.MethodPut, h.APIBase+"/profile", token, obapi.MediaJSON, profile, obapi.MediaJSON)
	if err != nil {
		return false, fmt.Errorf("put profile: %w", err)
	}
	return resp.StatusCode == http.StatusAccepted, nil
}
