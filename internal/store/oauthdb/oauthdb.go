// Package oauthdb keeps the OAuth 2.0 authorization server's state on
// Blason's one SQL layer (internal/store/sqldb): registered clients,
// authorization codes, PKCE challenges, access and refresh tokens. It
// implements the storage interfaces of github.com/ory/fosite
// (fosite.ClientManager, oauth2.CoreStorage, oauth2.TokenRevocationStorage,
// pkce.PKCERequestStorage).
//
// No token is stored: fosite's HMAC strategy hands the store the token's
// signature, HMAC-SHA-256 of the token's random part under the server's
// secret, and tokens are found by it. Client secrets are stored as the hash
// the caller computes.
package oauthdb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"time"

	"github.com/ory/fosite"

	"github.com/blason-badges/blason/internal/store/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Component is this package's name in schema_versions.
const Component = "oauth"

// ErrExists reports a client id already registered.
var ErrExists = errors.New("oauth client already exists")

// Store is the OAuth state in one database.
type Store struct {
	db  *sqldb.DB
	now func() time.Time
}

// Open migrates the database and returns the store.
func Open(ctx context.Context, db *sqldb.DB) (*Store, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx, Component, sub); err != nil {
		return nil, err
	}
	return &Store{db: db, now: time.Now}, nil
}

// Client is a registered client (RFC 7591 metadata) as fosite sees it.
type Client struct {
	ID         string   `json:"client_id"`
	SecretHash []byte   `json:"-"`
	Metadata   Metadata `json:"metadata"`
	CreatedAt  time.Time
}

// Metadata is the RFC 7591 client metadata Blason keeps (OB 3.0 §7.3.1
// names the fields a client sends).
type Metadata struct {
	ClientName      string   `json:"client_name"`
	ClientURI       string   `json:"client_uri"`
	LogoURI         string   `json:"logo_uri"`
	TOSURI          string   `json:"tos_uri"`
	PolicyURI       string   `json:"policy_uri"`
	SoftwareID      string   `json:"software_id"`
	SoftwareVersion string   `json:"software_version"`
	RedirectURIs    []string `json:"redirect_uris"`
	Scope           string   `json:"scope"`
	Scopes          []string `json:"scopes"`
	GrantTypes      []string `json:"grant_types"`
	ResponseTypes   []string `json:"response_types"`
	Contacts        []string `json:"contacts,omitempty"`
	AuthMethod      string   `json:"token_endpoint_auth_method"`
}

// Fosite returns the client as fosite sees it. It is an OpenID Connect
// client only so that fosite accepts no token endpoint authentication but
// the one registered (OB 3.0 §7.3.1: client_secret_basic).
func (c *Client) Fosite() fosite.Client {
	method := c.Metadata.AuthMethod
	if method == "" {
		method = "client_secret_basic"
	}
	return &fosite.DefaultOpenIDConnectClient{
		DefaultClient: &fosite.DefaultClient{
			ID: c.ID, Secret: c.SecretHash, RedirectURIs: c.Metadata.RedirectURIs,
			GrantTypes: c.Metadata.GrantTypes, ResponseTypes: c.Metadata.ResponseTypes, Scopes: c.Metadata.Scopes,
		},
		TokenEndpointAuthMethod: method,
	}
}

// CreateClient stores a new client.
func (s *Store) CreateClient(ctx context.Context, c *Client) error {
	meta, err := json.Marshal(c.Metadata)
	if err != nil {
		return err
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = s.now()
	}
	err = s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO oauth_clients (id, secret_hash, metadata, created_at) VALUES ($1, $2, $3, $4)",
			c.ID, c.SecretHash, string(meta), sqldb.Time(c.CreatedAt))
		return err
	})
	if sqldb.IsUnique(err) {
		return ErrExists
	}
	return err
}

// Client loads a client; fosite.ErrNotFound when there is none.
func (s *Store) Client(ctx context.Context, id string) (*Client, error) {
	var c Client
	var meta string
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id, secret_hash, metadata, created_at FROM oauth_clients WHERE id = $1", id).
			Scan(&c.ID, &c.SecretHash, &meta, (*sqldb.Time)(&c.CreatedAt))
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(meta), &c.Metadata); err != nil {
		return nil, fmt.Errorf("client %s: metadata: %w", id, err)
	}
	return &c, nil
}

// GetClient implements fosite.ClientManager.
func (s *Store) GetClient(ctx context.Context, id string) (fosite.Client, error) {
	c, err := s.Client(ctx, id)
	if err != nil {
		return nil, err
	}
	return c.Fosite(), nil
}

// ClientAssertionJWTValid implements fosite.ClientManager. Blason accepts
// no client assertions (client_secret_basic only), so no JTI is ever
// recorded and every one is "valid" (unused); fosite never reaches this
// for client_secret_basic clients.
func (s *Store) ClientAssertionJWTValid(context.Context, string) error { return nil }

// SetClientAssertionJWT implements fosite.ClientManager; see above.
func (s *Store) SetClientAssertionJWT(context.Context, string, time.Time) error {
	return errors.New("client assertions are not supported")
}

// stored is the part of a fosite request kept in the database.
type stored struct {
	ID              string          `json:"id"`
	RequestedAt     time.Time       `json:"requested_at"`
	ClientID        string          `json:"client_id"`
	Scopes          []string        `json:"scopes"`
	GrantedScopes   []string        `json:"granted_scopes"`
	Audience        []string        `json:"audience,omitempty"`
	GrantedAudience []string        `json:"granted_audience,omitempty"`
	Form            url.Values      `json:"form"`
	Session         json.RawMessage `json:"session"`
}

func encode(r fosite.Requester) (string, error) {
	sess, err := json.Marshal(r.GetSession())
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(stored{
		ID: r.GetID(), RequestedAt: r.GetRequestedAt(), ClientID: r.GetClient().GetID(),
		Scopes: r.GetRequestedScopes(), GrantedScopes: r.GetGrantedScopes(),
		Audience: r.GetRequestedAudience(), GrantedAudience: r.GetGrantedAudience(),
		Form: r.GetRequestForm(), Session: sess,
	})
	return string(b), err
}

func (s *Store) decode(ctx context.Context, data string, session fosite.Session) (*fosite.Request, error) {
	var st stored
	if err := json.Unmarshal([]byte(data), &st); err != nil {
		return nil, fmt.Errorf("stored request: %w", err)
	}
	if session != nil {
		if err := json.Unmarshal(st.Session, session); err != nil {
			return nil, fmt.Errorf("stored session: %w", err)
		}
	}
	c, err := s.GetClient(ctx, st.ClientID)
	if err != nil {
		return nil, err
	}
	return &fosite.Request{
		ID: st.ID, RequestedAt: st.RequestedAt, Client: c, RequestedScope: st.Scopes, GrantedScope: st.GrantedScopes,
		RequestedAudience: st.Audience, GrantedAudience: st.GrantedAudience, Form: st.Form, Session: session,
	}, nil
}

func subject(r fosite.Requester) string {
	if r.GetSession() == nil {
		return ""
	}
	return r.GetSession().GetSubject()
}

func expiry(r fosite.Requester, t fosite.TokenType, fallback time.Time) time.Time {
	if r.GetSession() != nil {
		if e := r.GetSession().GetExpiresAt(t); !e.IsZero() {
			return e
		}
	}
	return fallback
}

// CreateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
func (s *Store) CreateAuthorizeCodeSession(ctx context.Context, sig string, r fosite.Requester) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	exp := expiry(r, fosite.AuthorizeCode, s.now().Add(10*time.Minute))
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_codes (signature, request_id, client_id, subject, active, request, expires_at)
			VALUES ($1, $2, $3, $4, TRUE, $5, $6)`, sig, r.GetID(), r.GetClient().GetID(), subject(r), data, sqldb.Time(exp))
		return err
	})
}

// GetAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage: a used
// code returns its request with fosite.ErrInvalidatedAuthorizeCode, so
// that fosite revokes the tokens issued with it (RFC 6749 §4.1.2).
func (s *Store) GetAuthorizeCodeSession(ctx context.Context, sig string, session fosite.Session) (fosite.Requester, error) {
	return s.getOnce(ctx, "oauth_codes", sig, session, fosite.ErrInvalidatedAuthorizeCode)
}

// getOnce reads a single-use grant (a code or a refresh token) by its
// signature from table ("oauth_codes" or "oauth_refresh"): an inactive one
// is returned with inactive, the error fosite reads as a reuse.
func (s *Store) getOnce(ctx context.Context, table, sig string, session fosite.Session, inactive error) (fosite.Requester, error) {
	var data string
	var active int
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT request, CASE WHEN active THEN 1 ELSE 0 END FROM "+table+" WHERE signature = $1", sig).Scan(&data, &active)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	r, err := s.decode(ctx, data, session)
	if err != nil {
		return nil, err
	}
	if active == 0 {
		return r, inactive
	}
	return r, nil
}

// InvalidateAuthorizeCodeSession implements oauth2.AuthorizeCodeStorage.
// The row stays (until it expires) so that reuse is recognised. Only an
// active code is invalidated: of two exchanges racing with one code, the
// second finds it used and fails (fosite then issues nothing).
func (s *Store) InvalidateAuthorizeCodeSession(ctx context.Context, sig string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE oauth_codes SET active = FALSE WHERE signature = $1 AND active", sig)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var found int
			if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM oauth_codes WHERE signature = $1", sig).Scan(&found); err != nil {
				return err
			}
			if found == 0 {
				return fosite.ErrNotFound
			}
			return fosite.ErrInvalidatedAuthorizeCode
		}
		return nil
	})
}

// CreatePKCERequestSession implements pkce.PKCERequestStorage.
func (s *Store) CreatePKCERequestSession(ctx context.Context, sig string, r fosite.Requester) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	exp := expiry(r, fosite.AuthorizeCode, s.now().Add(10*time.Minute))
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO oauth_pkce (signature, request, expires_at) VALUES ($1, $2, $3)", sig, data, sqldb.Time(exp))
		return err
	})
}

// GetPKCERequestSession implements pkce.PKCERequestStorage.
func (s *Store) GetPKCERequestSession(ctx context.Context, sig string, session fosite.Session) (fosite.Requester, error) {
	return s.getSimple(ctx, "SELECT request FROM oauth_pkce WHERE signature = $1", sig, session)
}

// DeletePKCERequestSession implements pkce.PKCERequestStorage.
func (s *Store) DeletePKCERequestSession(ctx context.Context, sig string) error {
	return s.exec(ctx, "DELETE FROM oauth_pkce WHERE signature = $1", sig)
}

// CreateAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *Store) CreateAccessTokenSession(ctx context.Context, sig string, r fosite.Requester) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	now := s.now()
	exp := expiry(r, fosite.AccessToken, now.Add(time.Hour))
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_access (signature, request_id, client_id, subject, request, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, sig, r.GetID(), r.GetClient().GetID(), subject(r), data, sqldb.Time(now), sqldb.Time(exp))
		return err
	})
}

// GetAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *Store) GetAccessTokenSession(ctx context.Context, sig string, session fosite.Session) (fosite.Requester, error) {
	return s.getSimple(ctx, "SELECT request FROM oauth_access WHERE signature = $1", sig, session)
}

// DeleteAccessTokenSession implements oauth2.AccessTokenStorage.
func (s *Store) DeleteAccessTokenSession(ctx context.Context, sig string) error {
	return s.exec(ctx, "DELETE FROM oauth_access WHERE signature = $1", sig)
}

// CreateRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *Store) CreateRefreshTokenSession(ctx context.Context, sig, _ string, r fosite.Requester) error {
	data, err := encode(r)
	if err != nil {
		return err
	}
	now := s.now()
	exp := expiry(r, fosite.RefreshToken, time.Time{})
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO oauth_refresh (signature, request_id, client_id, subject, active, request, created_at, expires_at)
			VALUES ($1, $2, $3, $4, TRUE, $5, $6, $7)`, sig, r.GetID(), r.GetClient().GetID(), subject(r), data, sqldb.Time(now), sqldb.Time(exp))
		return err
	})
}

// GetRefreshTokenSession implements oauth2.RefreshTokenStorage: a used or
// revoked refresh token returns its request with fosite.ErrInactiveToken,
// so that fosite treats its reuse as theft and revokes the grant.
func (s *Store) GetRefreshTokenSession(ctx context.Context, sig string, session fosite.Session) (fosite.Requester, error) {
	return s.getOnce(ctx, "oauth_refresh", sig, session, fosite.ErrInactiveToken)
}

// DeleteRefreshTokenSession implements oauth2.RefreshTokenStorage.
func (s *Store) DeleteRefreshTokenSession(ctx context.Context, sig string) error {
	return s.exec(ctx, "DELETE FROM oauth_refresh WHERE signature = $1", sig)
}

// RotateRefreshToken implements oauth2.RefreshTokenStorage: a refresh
// token is used once. The token being used is made inactive only if it
// still is active, in the same transaction as the rest of its grant's
// refresh tokens and the deletion of its access tokens: of two refreshes
// racing with one token, one wins and the other gets fosite.ErrInactiveToken
// (fosite answers it "retry", and issues nothing).
func (s *Store) RotateRefreshToken(ctx context.Context, requestID, signature string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, "UPDATE oauth_refresh SET active = FALSE WHERE signature = $1 AND active", signature)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fosite.ErrInactiveToken
		}
		if _, err := tx.ExecContext(ctx, "UPDATE oauth_refresh SET active = FALSE WHERE request_id = $1", requestID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM oauth_access WHERE request_id = $1", requestID)
		return err
	})
}

// RevokeRefreshToken implements oauth2.TokenRevocationStorage (RFC 7009
// §2.1: revoking a refresh token also invalidates the access tokens of the
// same grant, which fosite asks for separately).
func (s *Store) RevokeRefreshToken(ctx context.Context, requestID string) error {
	return s.exec(ctx, "UPDATE oauth_refresh SET active = FALSE WHERE request_id = $1", requestID)
}

// RevokeAccessToken implements oauth2.TokenRevocationStorage.
func (s *Store) RevokeAccessToken(ctx context.Context, requestID string) error {
	return s.exec(ctx, "DELETE FROM oauth_access WHERE request_id = $1", requestID)
}

func (s *Store) exec(ctx context.Context, q string, args ...any) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, q, args...)
		return err
	})
}

func (s *Store) getSimple(ctx context.Context, q, sig string, session fosite.Session) (fosite.Requester, error) {
	var data string
	err := s.db.Read(ctx, func(tx *sql.Tx) error { return tx.QueryRowContext(ctx, q, sig).Scan(&data) })
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fosite.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return s.decode(ctx, data, session)
}

// Grant is a client a user has let in: it holds a live refresh token or
// an unexpired access token for that user.
type Grant struct {
	Client    *Client
	Scopes    []string
	GrantedAt time.Time
}

// Grants lists the clients subject has authorised and not revoked, most
// recent first.
func (s *Store) Grants(ctx context.Context, subject string) ([]Grant, error) {
	type row struct {
		client string
		data   string
		at     time.Time
	}
	var rows []row
	err := s.db.Read(ctx, func(tx *sql.Tx) error {
		rs, err := tx.QueryContext(ctx, `SELECT client_id, request, created_at FROM oauth_refresh WHERE subject = $1 AND active
			UNION ALL SELECT client_id, request, created_at FROM oauth_access WHERE subject = $1 AND expires_at > $2
			ORDER BY 3 DESC`, subject, sqldb.Time(s.now()))
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.client, &r.data, (*sqldb.Time)(&r.at)); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	})
	if err != nil {
		return nil, err
	}
	var out []Grant
	seen := map[string]int{}
	for _, r := range rows {
		var st stored
		if err := json.Unmarshal([]byte(r.data), &st); err != nil {
			return nil, err
		}
		if i, ok := seen[r.client]; ok {
			out[i].Scopes = union(out[i].Scopes, st.GrantedScopes)
			continue
		}
		c, err := s.Client(ctx, r.client)
		if errors.Is(err, fosite.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		seen[r.client] = len(out)
		out = append(out, Grant{Client: c, Scopes: st.GrantedScopes, GrantedAt: r.at})
	}
	return out, nil
}

func union(a, b []string) []string {
	for _, x := range b {
		found := false
		for _, y := range a {
			if x == y {
				found = true
				break
			}
		}
		if !found {
			a = append(a, x)
		}
	}
	return a
}

// RevokeGrant revokes every token subject gave clientID, and its unused
// codes: the app is disconnected.
func (s *Store) RevokeGrant(ctx context.Context, subject, clientID string) error {
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{
			"UPDATE oauth_refresh SET active = FALSE WHERE subject = $1 AND client_id = $2",
			"DELETE FROM oauth_access WHERE subject = $1 AND client_id = $2",
			"UPDATE oauth_codes SET active = FALSE WHERE subject = $1 AND client_id = $2",
		} {
			if _, err := tx.ExecContext(ctx, q, subject, clientID); err != nil {
				return err
			}
		}
		return nil
	})
}

// Purge deletes what can no longer be used: expired codes, PKCE
// challenges and access tokens, and refresh tokens expired or revoked
// before cutoff (kept until then so that their reuse is recognised).
func (s *Store) Purge(ctx context.Context, cutoff time.Time) error {
	now := sqldb.Time(s.now())
	return s.db.Write(ctx, func(tx *sql.Tx) error {
		for _, q := range []struct {
			sql string
			arg any
		}{
			{"DELETE FROM oauth_codes WHERE expires_at < $1", now},
			{"DELETE FROM oauth_pkce WHERE expires_at < $1", now},
			{"DELETE FROM oauth_access WHERE expires_at < $1", now},
			{"DELETE FROM oauth_refresh WHERE (expires_at IS NOT NULL AND expires_at < $1) OR (NOT active AND created_at < $1)", sqldb.Time(cutoff)},
		} {
			if _, err := tx.ExecContext(ctx, q.sql, q.arg); err != nil {
				return err
			}
		}
		return nil
	})
}
