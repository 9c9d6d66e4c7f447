// Package obconnect connects a Blason user's wallet to another Open Badges
// 3.0 host (OB 3.0 §6, §7 from the client's side): the user gives the
// host's base URL; Blason discovers it, registers with it once (RFC 7591),
// sends the user to its consent page with PKCE and a state bound to the
// user, takes the code back, and keeps the tokens, sealed under the master
// key, refreshing them as needed. Then it pulls the user's badges from the
// host or pushes one to it.
//
// The protocol is internal/obclient's; this package adds the state: which
// user started which authorization, and the tokens of each connection.
package obconnect

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
	"github.com/blason-badges/blason/internal/sealed"
	"github.com/blason-badges/blason/internal/store/oauthdb"
)

// PendingLifetime bounds how long a user may take at the other host's
// consent page.
const PendingLifetime = 15 * time.Minute

// Errors.
var (
	ErrNotConnected = errors.New("this wallet is not connected to that host")
	ErrCallback     = errors.New("this answer from the host does not match a connection you started (it may be stale or forged)")
)

// Service connects users to other hosts.
type Service struct {
	Client   *obclient.Client
	Store    *oauthdb.Store
	Master   []byte            // seals registrations and tokens
	Software obclient.Software // Blason as a client; RedirectURI is its callback
	Now      func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Scopes Blason asks for: read the badges there, push badges there.
var Scopes = []string{obapi.ScopeCredentialReadonly, obapi.ScopeCredentialUpsert}

type registration struct {
	Host obclient.Host         `json:"host"`
	Reg  obclient.Registration `json:"registration"`
	SDD  *obapi.SDD            `json:"sdd"`
}

type pending struct {
	BaseURL  string `json:"base_url"`
	State    string `json:"state"`
	Verifier string `json:"verifier"`
}

// Connection is a user's link to another host.
type Connection struct {
	BaseURL string         `json:"base_url"`
	Token   obclient.Token `json:"token"`
}

func (s *Service) seal(v any, aad string) ([]byte, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return sealed.Seal(s.Master, b, []byte("blason obconnect\x00"+aad))
}

func (s *Service) open(b []byte, aad string, v any) error {
	p, err := sealed.Open(s.Master, b, []byte("blason obconnect\x00"+aad))
	if err != nil {
		return err
	}
	return json.Unmarshal(p, v)
}

func hashState(state string) string {
	sum := sha256.Sum256([]byte(state))
	return hex.EncodeToString(sum[:])
}

// normalize gives a base URL one spelling (no trailing slash, no API
// path), the key of registrations and connections.
func normalize(base string) (string, error) {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	base = strings.TrimSuffix(base, obapi.BasePath)
	if err := obapi.CheckURL(base); err != nil {
		return "", err
	}
	u, _ := url.Parse(base)
	if u.RawQuery != "" {
		return "", fmt.Errorf("%q has a query", base)
	}
	return strings.ToLower(u.Scheme) + "://" + strings.ToLower(u.Host) + u.Path, nil
}

// registration returns Blason's registration at base, discovering and
// registering on first use.
func (s *Service) registration(ctx context.Context, base string) (*registration, error) {
	if b, err := s.Store.RemoteClient(ctx, base); err == nil {
		var r registration
		if err := s.open(b, base, &r); err != nil {
			return nil, err
		}
		r.Host.SDD = r.SDD
		return &r, nil
	} else if !errors.Is(err, oauthdb.ErrNoRemote) {
		return nil, err
	}
	h, err := s.Client.Discover(ctx, base)
	if err != nil {
		return nil, err
	}
	reg, err := s.Client.Register(ctx, h, s.Software, Scopes)
	if err != nil {
		return nil, err
	}
	r := &registration{Host: *h, Reg: *reg, SDD: h.SDD}
	b, err := s.seal(r, base)
	if err != nil {
		return nil, err
	}
	stored, err := s.Store.PutRemoteClient(ctx, base, b)
	if err != nil {
		return nil, err
	}
	var kept registration
	if err := s.open(stored, base, &kept); err != nil {
		return nil, err
	}
	kept.Host.SDD = kept.SDD
	return &kept, nil
}

// Start begins connecting userID to the host at baseURL and returns where
// to send the user's browser (the host's consent page).
func (s *Service) Start(ctx context.Context, userID, baseURL string) (string, error) {
	return s.start(ctx, userID, baseURL, Scopes)
}

// deliveryKey is the pending key of a delivery: never a user id (those
// are "usr_..."), so a delivery cannot finish as a connection.
func deliveryKey(claimID string) string { return "claim:" + claimID }

// Deliver starts sending one badge (the claim claimID names) to the
// learner's account at the host at baseURL, asking only for the upsert
// scope; the learner need not have a Blason account. The caller binds the
// browser to the claim (a cookie) and calls Delivered on the way back.
func (s *Service) Deliver(ctx context.Context, claimID, baseURL string) (string, error) {
	if claimID == "" {
		return "", ErrCallback
	}
	return s.start(ctx, deliveryKey(claimID), baseURL, []string{obapi.ScopeCredentialUpsert})
}

// Delivered takes the host's answer to a delivery, pushes the badge and
// forgets the tokens. host is the host's address, for the learner.
func (s *Service) Delivered(ctx context.Context, claimID string, callback *url.URL, badge []byte) (host string, created bool, err error) {
	key := deliveryKey(claimID)
	c, err := s.finish(ctx, key, callback, []string{obapi.ScopeCredentialUpsert})
	if err != nil {
		return "", false, err
	}
	defer func() { _ = s.Store.DeleteConnection(ctx, key, c.BaseURL) }()
	r, err := s.registration(ctx, c.BaseURL)
	if err != nil {
		return "", false, err
	}
	created, err = s.Client.Upsert(ctx, &r.Host, c.Token.AccessToken, badge)
	return c.BaseURL, created, err
}

func (s *Service) start(ctx context.Context, key, baseURL string, scopes []string) (string, error) {
	base, err := normalize(baseURL)
	if err != nil {
		return "", fmt.Errorf("connect: %w", err)
	}
	r, err := s.registration(ctx, base)
	if err != nil {
		return "", fmt.Errorf("connect to %s: %w", base, err)
	}
	userID := key
	a, err := obclient.AuthURL(&r.Host, &r.Reg, s.Software.RedirectURI, scopes)
	if err != nil {
		return "", err
	}
	b, err := s.seal(pending{BaseURL: base, State: a.State, Verifier: a.Verifier}, userID)
	if err != nil {
		return "", err
	}
	if err := s.Store.PutPending(ctx, hashState(a.State), userID, b, s.now(), s.now().Add(PendingLifetime)); err != nil {
		return "", err
	}
	return a.URL, nil
}

// Finish takes the host's redirect back (the callback URL the browser
// arrived at) for userID: the state must be one userID started, unused
// and recent; the code is exchanged and the tokens kept.
func (s *Service) Finish(ctx context.Context, userID string, callback *url.URL) (*Connection, error) {
	return s.finish(ctx, userID, callback, Scopes)
}

func (s *Service) finish(ctx context.Context, userID string, callback *url.URL, scopes []string) (*Connection, error) {
	state := callback.Query().Get("state")
	if state == "" {
		return nil, ErrCallback
	}
	b, err := s.Store.TakePending(ctx, hashState(state), userID, s.now())
	if errors.Is(err, oauthdb.ErrNoRemote) {
		return nil, ErrCallback
	}
	if err != nil {
		return nil, err
	}
	var p pending
	if err := s.open(b, userID, &p); err != nil {
		return nil, err
	}
	code, err := obclient.Callback(callback, p.State)
	if err != nil {
		return nil, err
	}
	r, err := s.registration(ctx, p.BaseURL)
	if err != nil {
		return nil, err
	}
	tok, err := s.Client.Exchange(ctx, &r.Host, &r.Reg, s.Software.RedirectURI, code, p.Verifier, scopes)
	if err != nil {
		return nil, err
	}
	c := &Connection{BaseURL: p.BaseURL, Token: *tok}
	if err := s.save(ctx, userID, c); err != nil {
		return nil, err
	}
	return c, nil
}

func (s *Service) save(ctx context.Context, userID string, c *Connection) error {
	b, err := s.seal(c, userID+"\x00"+c.BaseURL)
	if err != nil {
		return err
	}
	return s.Store.PutConnection(ctx, userID, c.BaseURL, b)
}

// Connections lists the hosts userID is connected to.
func (s *Service) Connections(ctx context.Context, userID string) ([]string, error) {
	return s.Store.Connections(ctx, userID)
}

// Disconnect forgets userID's tokens at baseURL (the host knows no
// revocation endpoint from its discovery document; its tokens expire).
func (s *Service) Disconnect(ctx context.Context, userID, baseURL string) error {
	base, err := normalize(baseURL)
	if err != nil {
		return err
	}
	return s.Store.DeleteConnection(ctx, userID, base)
}

// session returns a usable access token for userID at base, refreshing it
// when it has expired (or expires within a minute).
func (s *Service) session(ctx context.Context, userID, baseURL string) (*registration, *Connection, error) {
	base, err := normalize(baseURL)
	if err != nil {
		return nil, nil, err
	}
	b, err := s.Store.Connection(ctx, userID, base)
	if errors.Is(err, oauthdb.ErrNoRemote) {
		return nil, nil, ErrNotConnected
	}
	if err != nil {
		return nil, nil, err
	}
	var c Connection
	if err := s.open(b, userID+"\x00"+base, &c); err != nil {
		return nil, nil, err
	}
	r, err := s.registration(ctx, base)
	if err != nil {
		return nil, nil, err
	}
	if !c.Token.ExpiresAt.IsZero() && s.now().Add(time.Minute).After(c.Token.ExpiresAt) {
		if c.Token.RefreshToken == "" {
			return nil, nil, ErrNotConnected
		}
		tok, err := s.Client.Refresh(ctx, &r.Host, &r.Reg, c.Token.RefreshToken, nil)
		if err != nil {
			return nil, nil, fmt.Errorf("%w (refresh failed: %v)", ErrNotConnected, err)
		}
		if tok.RefreshToken == "" {
			tok.RefreshToken = c.Token.RefreshToken
		}
		c.Token = *tok
		if err := s.save(ctx, userID, &c); err != nil {
			return nil, nil, err
		}
	}
	return r, &c, nil
}

// Pull returns every badge userID holds at the host (JSON credentials and
// compact JWS strings, as the host sent them) for the wallet to import; the
// wallet verifies each.
func (s *Service) Pull(ctx context.Context, userID, baseURL string) ([][]byte, error) {
	r, c, err := s.session(ctx, userID, baseURL)
	if err != nil {
		return nil, err
	}
	pg, err := s.Client.AllCredentials(ctx, &r.Host, c.Token.AccessToken, obapi.Page{Limit: obapi.MaxLimit})
	if err != nil {
		return nil, err
	}
	out := make([][]byte, 0, len(pg.Credentials)+len(pg.JWS))
	for _, raw := range pg.Credentials {
		out = append(out, raw)
	}
	for _, j := range pg.JWS {
		out = append(out, []byte(j))
	}
	return out, nil
}

// Push sends one badge (JSON or compact JWS) to userID's account at the
// host; created reports 201 (new there) rather than 200 (replaced).
func (s *Service) Push(ctx context.Context, userID, baseURL string, credential []byte) (created bool, err error) {
	r, c, err := s.session(ctx, userID, baseURL)
	if err != nil {
		return false, err
	}
	return s.Client.Upsert(ctx, &r.Host, c.Token.AccessToken, credential)
}
