package issuerdb_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/blason-badges/blason/issuer"
)

// TestRotateKey: the store's half of key rotation on each engine: a
// rotation based on a key that is no longer current (another came first)
// is refused, as is a key the issuer already had; the retired keys are
// listed oldest first; an unknown issuer is not found.
func TestRotateKey(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			ctx := context.Background()
			s := open(t, e.open(t))
			const id = "did:web:lab.example"
			at := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			if err := s.CreateIssuer(ctx, &issuer.IssuerRecord{ID: id, KeyType: "Ed25519", VerificationMethod: id + "#key-1",
				SealedKey: []byte("sealed-1"), CreatedAt: at}); err != nil {
				t.Fatal(err)
			}
			k := func(n string) issuer.KeyRecord {
				return issuer.KeyRecord{KeyType: "Ed25519", VerificationMethod: id + "#key-" + n, PublicKeyMultibase: "zPub" + n, SealedKey: []byte("sealed-" + n)}
			}
			retire := func(n string, day int) issuer.RetiredKey {
				return issuer.RetiredKey{VerificationMethod: id + "#key-" + n, KeyType: "Ed25519", PublicKeyMultibase: "zPub" + n, RetiredAt: at.AddDate(0, 0, day)}
			}
			if err := s.RotateKey(ctx, id, retire("1", 1), k("2")); err != nil {
				t.Fatal(err)
			}
			cases := []struct {
				name    string
				retired issuer.RetiredKey
				next    issuer.KeyRecord
				want    error
			}{
				{"stale current key", retire("1", 2), k("3"), issuer.ErrKeyRotation},
				{"retired key again", retire("2", 2), k("1"), issuer.ErrKeyRotation},
				{"retired public key under a new id", retire("2", 2), issuer.KeyRecord{KeyType: "Ed25519", VerificationMethod: id + "#key-9",
					PublicKeyMultibase: "zPub1", SealedKey: []byte("x")}, issuer.ErrKeyRotation},
				{"current key again", retire("2", 2), k("2"), issuer.ErrKeyRotation},
			}
			for _, c := range cases {
				if err := s.RotateKey(ctx, id, c.retired, c.next); !errors.Is(err, c.want) {
					t.Errorf("%s: %v, want %v", c.name, err, c.want)
				}
			}
			if err := s.RotateKey(ctx, "did:web:nobody.example", retire("1", 1), k("2")); !errors.Is(err, issuer.ErrNotFound) {
				t.Errorf("unknown issuer: %v", err)
			}
			if err := s.RotateKey(ctx, id, retire("2", 3), k("3")); err != nil {
				t.Fatal(err)
			}
			rec, err := s.GetIssuer(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if rec.VerificationMethod != id+"#key-3" || string(rec.SealedKey) != "sealed-3" {
				t.Errorf("current key %s %q", rec.VerificationMethod, rec.SealedKey)
			}
			got, err := s.RetiredKeys(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 2 || got[0] != retire("1", 1) || got[1] != retire("2", 3) {
				t.Errorf("retired keys: %+v", got)
			}
		})
	}
}
