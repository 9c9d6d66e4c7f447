package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/fetch"
	"github.com/blason-badges/blason/internal/oauth"
	ob "github.com/blason-badges/blason/internal/obapi"
	"github.com/blason-badges/blason/internal/obclient"
	"github.com/blason-badges/blason/internal/obconnect"
	"github.com/blason-badges/blason/internal/server"
	oauthpart "github.com/blason-badges/blason/internal/server/oauth"
	"github.com/blason-badges/blason/internal/server/obapi"
	connectpart "github.com/blason-badges/blason/internal/server/obconnect"
	webpages "github.com/blason-badges/blason/internal/server/web"
	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/wallet"
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
	// OwnerOf, List and Keep are the wallet as the host part sees it
	// (see obapi.Funcs); profiles are kept in the OAuth store.
	OwnerOf func(ctx context.Context, userID string) (*obapi.Owner, error)
	List    func(ctx context.Context, userID string) ([]obapi.Listed, error)
	Keep    func(ctx context.Context, userID string, c obapi.Upsert) (bool, error)
	Load    func(ctx context.Context, userID, id string) ([]byte, error)
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

// openBadgesParts is what openBadges builds.
type openBadgesParts struct {
	Config  *server.OpenBadges
	Connect *obconnect.Service
	Store   *oauthdb.Store
}

// openBadges builds the Open Badges API host, its authorization server
// and the client side (connections to other hosts) over db.
func openBadges(ctx context.Context, db *sqldb.DB, master []byte, publicURL string, client *fetch.Client, d obDeps) (*openBadgesParts, error) {
	if len(master) == 0 || publicURL == "" || d.CurrentUser == nil || d.SignIn == nil || d.OwnerOf == nil || d.List == nil || d.Keep == nil {
		return nil, errors.New("open badges api: the master key, the public URL, sessions and the wallet are required")
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
		return nil, err
	}
	as, err := oauth.New(store, oauth.Config{Secret: tokenSecret(master), TokenURL: base + oauthpart.PathToken})
	if err != nil {
		return nil, err
	}
	sdd, err := ob.ServiceDescription(ob.Host{Title: d.Name, TermsOfService: d.TermsURL, PrivacyPolicy: d.PrivacyURL,
		Image: base + "/static/favicon.svg", APIBase: base + ob.BasePath, AuthorizationURL: base + oauthpart.PathAuthorize,
		TokenURL: base + oauthpart.PathToken, RegistrationURL: base + oauthpart.PathRegister})
	if err != nil {
		return nil, err
	}
	connect := &obconnect.Service{Client: obclient.New(client), Store: store, Master: master,
		Software: obclient.Software{Name: d.Name, URI: base + "/", LogoURI: base + "/static/favicon.svg", TOSURI: d.TermsURL,
			PolicyURI: d.PrivacyURL, ID: "blason", Version: version, RedirectURI: base + connectpart.PathCallback}}
	out := &server.OpenBadges{
		API: obapi.Config{OAuth: as, Wallet: obapi.Funcs{OwnerOf: d.OwnerOf, List: d.List, Keep: d.Keep, Load: d.Load, Profiles: store}, SDD: sdd},
		OAuth: oauthpart.Config{OAuth: as, CurrentUser: d.CurrentUser, SignIn: d.SignIn,
			FetchLogo: func(ctx context.Context, u string) ([]byte, error) {
				r, err := client.Get(ctx, u, "image/png", "image/jpeg", "image/gif", "image/webp")
				if err != nil {
					return nil, err
				}
				return r.Body, nil
			}},
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
	return &openBadgesParts{Config: out, Connect: connect, Store: store}, nil
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

// walletDeps fills obDeps from the accounts and the learners' wallet.
func walletDeps(users *account.Users, w *wallet.Service) obDeps {
	email := func(ctx context.Context, userID string) string {
		u, err := users.Store.UserByID(ctx, userID)
		if err != nil {
			return ""
		}
		return u.Email
	}
	load := func(ctx context.Context, userID, id string) ([]byte, error) {
		c, err := w.Credential(ctx, userID, id)
		if err != nil {
			return nil, err
		}
		return c.Raw, nil
	}
	keep := func(ctx context.Context, userID string, raw []byte, source string) (*wallet.ImportResult, error) {
		return w.ImportCredential(ctx, userID, wallet.Import{Data: raw, Source: source, Email: email(ctx, userID)})
	}
	return obDeps{
		CurrentUser: func(r *http.Request) *oauthpart.User {
			c, err := r.Cookie(webpages.SessionCookie)
			if err != nil || c.Value == "" {
				return nil
			}
			u, _, err := users.Authenticate(r.Context(), c.Value)
			if err != nil {
				return nil
			}
			return &oauthpart.User{ID: u.ID, Label: u.Email}
		},
		// The sign-in page returns to the consent page (or the hosts
		// page) once the learner has signed in.
		SignIn: webpages.SignInURL,
		OwnerOf: func(ctx context.Context, userID string) (*obapi.Owner, error) {
			u, err := users.Store.UserByID(ctx, userID)
			if errors.Is(err, account.ErrNoUser) {
				return nil, fmt.Errorf("%w: %s", obapi.ErrNoOwner, userID)
			}
			if err != nil {
				return nil, err
			}
			o := &obapi.Owner{Email: u.Email}
			// The holder DID, if the learner has one (not made here).
			if k, err := w.Store.HolderKey(ctx, userID); err == nil {
				o.DIDs, o.ProfileID = []string{k.DID}, k.DID
			}
			return o, nil
		},
		List: func(ctx context.Context, userID string) ([]obapi.Listed, error) {
			cs, err := w.Credentials(ctx, userID)
			if err != nil {
				return nil, err
			}
			out := make([]obapi.Listed, 0, len(cs))
			for _, c := range cs {
				// Only what verified: a badge kept on insistence is not
				// served to apps (every element MUST be verifiable).
				if !c.Verified || c.Insisted {
					continue
				}
				vf, _ := time.Parse(time.RFC3339Nano, c.ValidFrom)
				// The listing has no bytes (Load reads those of a page).
				out = append(out, obapi.Listed{ID: c.ID, Raw: c.Raw, JWS: c.Format == "jwt", ValidFrom: vf, AddedAt: c.AddedAt})
			}
			return out, nil
		},
		Keep: func(ctx context.Context, userID string, c obapi.Upsert) (bool, error) {
			res, err := keep(ctx, userID, c.Raw, "openbadges-api")
			switch {
			case errors.Is(err, wallet.ErrDuplicate), errors.Is(err, wallet.ErrOlderVersion):
				return false, nil // OB 3.0 §10: the same credential, 200
			case err != nil:
				return false, err
			}
			return res.Replaced == "", nil
		},
		Import: func(ctx context.Context, userID string, raw []byte, source string) (bool, error) {
			_, err := keep(ctx, userID, raw, source)
			switch {
			case err == nil:
				return true, nil
			case errors.Is(err, wallet.ErrDuplicate), errors.Is(err, wallet.ErrOlderVersion), errors.Is(err, wallet.ErrNotVerified),
				errors.Is(err, wallet.ErrUnreadable), errors.Is(err, wallet.ErrPresentationGiven), errors.Is(err, wallet.ErrTooLarge):
				return false, nil
			}
			return false, err
		},
		Badge: load,
		Load:  load,
	}
}

// obapiCheckURL is obapi.CheckURL (https, or http on loopback).
func obapiCheckURL(u string) error { return ob.CheckURL(u) }
