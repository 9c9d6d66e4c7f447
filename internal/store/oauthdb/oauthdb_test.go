package oauthdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ory/fosite"

	"github.com/blason-badges/blason/internal/store/oauthdb"
	"github.com/blason-badges/blason/internal/store/sqldb"
	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// The fosite flows are tested through internal/oauth on both engines;
// these are the store's own rules.
func TestStore(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, err := oauthdb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := oauthdb.Open(ctx, db); err != nil {
			t.Fatalf("second Open (migrations already applied): %v", err)
		}
		c := &oauthdb.Client{ID: "c1", SecretHash: []byte{1, 2, 3}, Metadata: oauthdb.Metadata{ClientName: "App",
			RedirectURIs: []string{"https://a.example/cb"}, Scopes: []string{"s"}, GrantTypes: []string{"authorization_code"},
			ResponseTypes: []string{"code"}}}
		if err := s.CreateClient(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateClient(ctx, c); !errors.Is(err, oauthdb.ErrExists) {
			t.Fatalf("duplicate client: %v", err)
		}
		got, err := s.GetClient(ctx, "c1")
		if err != nil || got.GetID() != "c1" || string(got.GetHashedSecret()) != "\x01\x02\x03" || got.GetRedirectURIs()[0] != "https://a.example/cb" {
			t.Fatalf("GetClient %+v %v", got, err)
		}
		if oc, ok := got.(fosite.OpenIDConnectClient); !ok || oc.GetTokenEndpointAuthMethod() != "client_secret_basic" {
			t.Errorf("client does not pin client_secret_basic")
		}
		if _, err := s.GetClient(ctx, "nope"); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("unknown client: %v", err)
		}
		// A code: stored, found, invalidated, then reported as used with
		// its request (fosite revokes that request's tokens).
		sess := &fosite.DefaultSession{Subject: "alice"}
		sess.SetExpiresAt(fosite.AuthorizeCode, time.Now().Add(time.Minute))
		req := &fosite.Request{ID: "r1", RequestedAt: time.Now().UTC().Truncate(time.Second), Client: got, Session: sess,
			RequestedScope: fosite.Arguments{"s"}, GrantedScope: fosite.Arguments{"s"}}
		if err := s.CreateAuthorizeCodeSession(ctx, "sig", req); err != nil {
			t.Fatal(err)
		}
		r, err := s.GetAuthorizeCodeSession(ctx, "sig", &fosite.DefaultSession{})
		if err != nil || r.GetID() != "r1" || r.GetSession().GetSubject() != "alice" || !r.GetGrantedScopes().Has("s") {
			t.Fatalf("code session %+v %v", r, err)
		}
		if err := s.InvalidateAuthorizeCodeSession(ctx, "sig"); err != nil {
			t.Fatal(err)
		}
		if r, err := s.GetAuthorizeCodeSession(ctx, "sig", &fosite.DefaultSession{}); !errors.Is(err, fosite.ErrInvalidatedAuthorizeCode) || r == nil || r.GetID() != "r1" {
			t.Errorf("used code: %v %v", r, err)
		}
		if err := s.InvalidateAuthorizeCodeSession(ctx, "other"); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("invalidate unknown: %v", err)
		}
		// Access tokens expire out of Grants and are purged.
		sess.SetExpiresAt(fosite.AccessToken, time.Now().Add(-time.Second))
		if err := s.CreateAccessTokenSession(ctx, "at", req); err != nil {
			t.Fatal(err)
		}
		if g, err := s.Grants(ctx, "alice"); err != nil || len(g) != 0 {
			t.Errorf("expired access token is a grant: %+v %v", g, err)
		}
		if err := s.Purge(ctx, time.Now()); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetAccessTokenSession(ctx, "at", &fosite.DefaultSession{}); !errors.Is(err, fosite.ErrNotFound) {
			t.Errorf("expired access token not purged: %v", err)
		}
	})
}

func TestRemote(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, err := oauthdb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.RemoteClient(ctx, "https://h"); !errors.Is(err, oauthdb.ErrNoRemote) {
			t.Fatalf("no client: %v", err)
		}
		first, err := s.PutRemoteClient(ctx, "https://h", []byte("one"))
		if err != nil || string(first) != "one" {
			t.Fatalf("put: %q %v", first, err)
		}
		if kept, err := s.PutRemoteClient(ctx, "https://h", []byte("two")); err != nil || string(kept) != "one" {
			t.Errorf("second registration replaced the first: %q %v", kept, err)
		}
		now := time.Now()
		if err := s.PutPending(ctx, "st", "u1", []byte("p"), now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakePending(ctx, "st", "u2", now); !errors.Is(err, oauthdb.ErrNoRemote) {
			t.Errorf("another user took it: %v", err)
		}
		if b, err := s.TakePending(ctx, "st", "u1", now); err != nil || string(b) != "p" {
			t.Errorf("take: %q %v", b, err)
		}
		if _, err := s.TakePending(ctx, "st", "u1", now); !errors.Is(err, oauthdb.ErrNoRemote) {
			t.Errorf("taken twice: %v", err)
		}
		if err := s.PutPending(ctx, "old", "u1", []byte("p"), now, now.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.TakePending(ctx, "old", "u1", now.Add(2*time.Minute)); !errors.Is(err, oauthdb.ErrNoRemote) {
			t.Errorf("expired taken: %v", err)
		}
		for _, v := range []string{"a", "b"} {
			if err := s.PutConnection(ctx, "u1", "https://h", []byte(v)); err != nil {
				t.Fatal(err)
			}
		}
		if b, err := s.Connection(ctx, "u1", "https://h"); err != nil || string(b) != "b" {
			t.Errorf("connection %q %v", b, err)
		}
		if l, err := s.Connections(ctx, "u1"); err != nil || len(l) != 1 {
			t.Errorf("connections %v %v", l, err)
		}
		if err := s.DeleteConnection(ctx, "u1", "https://h"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Connection(ctx, "u1", "https://h"); !errors.Is(err, oauthdb.ErrNoRemote) {
			t.Errorf("after delete: %v", err)
		}
	})
}

func TestProfilesAndDeleteUser(t *testing.T) {
	t.Parallel()
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, err := oauthdb.Open(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Profile(ctx, "u"); !errors.Is(err, oauthdb.ErrNoProfile) {
			t.Fatalf("no profile: %v", err)
		}
		for _, p := range []string{`{"id":"urn:a"}`, `{"id":"urn:b"}`} {
			if err := s.PutProfile(ctx, "u", []byte(p)); err != nil {
				t.Fatal(err)
			}
		}
		if p, err := s.Profile(ctx, "u"); err != nil || string(p) != `{"id":"urn:b"}` {
			t.Errorf("profile %s %v", p, err)
		}
		if err := s.PutConnection(ctx, "u", "https://h", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteUser(ctx, "u"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Profile(ctx, "u"); !errors.Is(err, oauthdb.ErrNoProfile) {
			t.Errorf("profile after delete: %v", err)
		}
		if l, _ := s.Connections(ctx, "u"); len(l) != 0 {
			t.Errorf("connections after delete: %v", l)
		}
	})
}
