package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/oauth"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
	"github.com/blason-badges/blason/internal/obconnect"
	"github.com/blason-badges/blason/internal/server"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	"github.com/blason-badges/blason/internal/server/obapi"
	connectpart "github.com/blason-badges/blason/internal/server/obconnect"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
)

// obDeps is what the Open Badges API needs from the accounts and the
// wallet; serve fills it from account.Users and wallet.Service.
type obDeps struct {
	// Name is the platform's name (the discovery document's title and
	// Blason's name as a client of other hosts).
	Name string
	// TermsURL and PrivacyURL: the pages the discovery document and
	// registrations at other hosts name; empty means PUBLIC_URL/privacy.
	TermsURL, PrivacyURL string
	// CurrentUser reads the browser's session.
	CurrentUser func(r *http.Request) *oauthpart.User
	// SignIn is where a signed-out user goes (and comes back to next).
	SignIn func(next string) string
	// Wallet is the learners' wallet as the host part sees it
	// (obapi.Funcs over wallet.Service).
	Wallet obapi.Wallet
	// Import and Badge connect the wallet to other hosts (pull, push);
	// without Import the /account/hosts pages are not served.
	Import func(ctx context.Context, userID string, credential []byte, source string) (bool, error)
	Badge  func(ctx context.Context, userID, id string) ([]byte, error)
	// Claimed and Delivered let a claim page send its badge to the
	// learner's host (/deliver); optional.
	Claimed   func(ctx context.Context, claimID string) ([]byte, error)
	Delivered func(ctx context.Context, claimID string) error
}

// tokenSecret derives the OAuth token secret from the master key, so
// that every process sharing the database and the master key accepts the
// tokens of the others, and no other secret file is needed.
func tokenSecret(master []byte) []byte {
	m := hmac.New(sha256.New, master)
	m.Write([]byte("blason oauth token secret v1"))
	return m.Sum(nil)
}

// openBadges builds the Open Badges API host, its authorization server
// and the client side (connections to other hosts) over db.
func openBadges(ctx context.Context, db *sqldb.DB, master []byte, publicURL string, client *fetch.Client, d obDeps) (*server.OpenBadges, *obconnect.Service, error) {
	if len(master) == 0 || publicURL == "" || d.CurrentUser == nil || d.SignIn == nil || d.Wallet == nil {
		return nil, nil, errors.New("open badges api: the master key, the public URL, sessions and the wallet are required")
	}
	base := strings.TrimSuffix(publicURL, "/")
	if d.PrivacyURL == "" {
		d.PrivacyURL = base + "/privacy"
	}
	if d.TermsURL == "" {
		d.TermsURL = d.PrivacyURL
	}
	if d.Name == "" {
		d.Name = "Blason"
	}
	store, err := oauthdb.Open(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	as, err := oauth.New(store, oauth.Config{Secret: tokenSecret(master), TokenURL: base + oauthpart.PathToken})
	if err != nil {
		return nil, nil, err
	}
	sdd, err := ob.ServiceDescription(ob.Host{Title: d.Name, TermsOfService: d.TermsURL, PrivacyPolicy: d.PrivacyURL,
		Image: base + "/static/favicon.svg", APIBase: base + ob.BasePath, AuthorizationURL: base + oauthpart.PathAuthorize,
		TokenURL: base + oauthpart.PathToken, RegistrationURL: base + oauthpart.PathRegister})
	if err != nil {
		return nil, nil, err
	}
	connect := &obconnect.Service{Client: obclient.New(client), Store: store, Master: master,
		Software: obclient.Software{Name: d.Name, URI: base + "/", LogoURI: base + "/static/favicon.svg", TOSURI: d.TermsURL,
			PolicyURI: d.PrivacyURL, ID: "blason", Version: version, RedirectURI: base + connectpart.PathCallback}}
	out := &server.OpenBadges{
		API:   obapi.Config{OAuth: as, Wallet: d.Wallet, SDD: sdd},
		OAuth: oauthpart.Config{OAuth: as, CurrentUser: d.CurrentUser, SignIn: d.SignIn},
	}
	if d.Import != nil {
		userID := func(r *http.Request) string {
			if u := d.CurrentUser(r); u != nil {
				return u.ID
			}
			return ""
		}
		out.Connect = &connectpart.Config{Service: connect, CurrentUser: userID, SignIn: d.SignIn, Import: d.Import,
			Badge: d.Badge, Claimed: d.Claimed, Delivered: d.Delivered}
	}
	return out, connect, nil
}

// purgeOAuth deletes expired codes and tokens every interval until ctx
// ends (serve runs it beside the server); used or revoked refresh tokens
// are kept 30 days so that their reuse is still recognised.
func purgeOAuth(ctx context.Context, store *oauthdb.Store, every time.Duration, logf func(error)) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := store.Purge(ctx, time.Now().Add(-30*24*time.Hour)); err != nil && ctx.Err() == nil {
				logf(err)
			}
		}
	}
}
