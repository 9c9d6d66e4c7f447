package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/sealed"
)

// ErrKeyRotation is wrapped when a key rotation is refused: a did:key
// issuer (its DID is its key), a key that was already used, or a rotation
// that raced another.
var ErrKeyRotation = errors.New("key rotation refused")

// RetiredKey is a key an issuer signed with before a rotation. Its public
// half stays in the DID document and the JWKS, so that the credentials and
// status lists it signed still verify; its secret half is forgotten.
type RetiredKey struct {
	VerificationMethod string
	KeyType            string
	// PublicKeyMultibase is the public key as a Multikey.
	PublicKeyMultibase string
	RetiredAt          time.Time
}

// KeyRotator is the optional part of a Store that rotates keys
// (internal/store/issuerdb has it).
type KeyRotator interface {
	// RotateKey makes next the issuer's signing key and records retired
	// (the key that signed until now) in one transaction. It fails with
	// ErrKeyRotation when the issuer's key is no longer retired's
	// verification method (another rotation came first) or when next's
	// verification method or public key is one the issuer already had.
	RotateKey(ctx context.Context, issuerID string, retired RetiredKey, next KeyRecord) error
	// RetiredKeys returns the issuer's retired keys, oldest first.
	RetiredKeys(ctx context.Context, issuerID string) ([]RetiredKey, error)
}

// KeyRecord is a signing key as stored: sealed.
type KeyRecord struct {
	KeyType            string
	VerificationMethod string
	PublicKeyMultibase string
	SealedKey          []byte
}

// IssuerKeys are an issuer's keys: the one that signs, and the retired
// ones that only verify.
type IssuerKeys struct {
	IssuerID           string
	VerificationMethod string // the current key
	KeyType            string
	PublicKeyMultibase string
	Retired            []RetiredKey
}

// Keys returns the issuer's current and retired keys. The result is
// shared: callers must not modify it.
func (s *Service) Keys(ctx context.Context, issuerID string) (*IssuerKeys, error) {
	rec, err := s.Store.GetIssuer(ctx, issuerID)
	if err != nil {
		return nil, fmt.Errorf("issuer %s: %w", issuerID, err)
	}
	// The retired keys change only with the current one (RotateKey's one
	// transaction): what was read for this verification method still holds.
	s.mu.Lock()
	ks, ok := s.keySets[rec.ID]
	s.mu.Unlock()
	if ok && ks.VerificationMethod == rec.VerificationMethod {
		return ks, nil
	}
	k, err := s.key(rec)
	if err != nil {
		return nil, err
	}
	pub, err := did.EncodePublicMultikey(k.Signer.Public())
	if err != nil {
		return nil, err
	}
	out := &IssuerKeys{IssuerID: rec.ID, VerificationMethod: rec.VerificationMethod, KeyType: rec.KeyType, PublicKeyMultibase: pub}
	if kr, ok := s.Store.(KeyRotator); ok {
		if out.Retired, err = kr.RetiredKeys(ctx, issuerID); err != nil {
			return nil, err
		}
	}
	s.mu.Lock()
	if s.keySets == nil {
		s.keySets = map[string]*IssuerKeys{}
	}
	s.keySets[rec.ID] = out
	s.mu.Unlock()
	return out, nil
}

// RotateKey gives a did:web issuer a new signing key: a fresh key of the
// same type (or next, when not nil), published as the next #key-N of its
// DID. The key that signed until now is retired: it stays in the DID
// document and the JWKS (badges and lists it signed keep verifying) but
// never signs again, and neither it nor any earlier key can come back.
//
// A did:key issuer cannot rotate: a did:key IS its key (did:key method
// §"Update": not supported); a new key is a new issuer.
func (s *Service) RotateKey(ctx context.Context, issuerID string, next *Key) (*IssuerKeys, error) {
	switch {
	case strings.HasPrefix(issuerID, "did:web:"):
	case strings.HasPrefix(issuerID, "https://"):
		// Verifiers keep an issuer's profile for minutes (this server's
		// own preflight too), so badges of a new key would fail meanwhile.
		return nil, fmt.Errorf("%w: %s is an https issuer, whose key cannot be rotated yet (rotation needs a did:web issuer, serve --did-web)", ErrKeyRotation, issuerID)
	default:
		return nil, fmt.Errorf("%w: %s is not a did:web issuer: a did:key is its key, so it cannot change (rotation needs a did:web issuer, serve --did-web)", ErrKeyRotation, issuerID)
	}
	kr, ok := s.Store.(KeyRotator)
	if !ok {
		return nil, fmt.Errorf("%w: this store cannot rotate keys", ErrKeyRotation)
	}
	cur, err := s.Keys(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	if next == nil {
		if next, err = NewKey(did.KeyType(cur.KeyType)); err != nil {
			return nil, err
		}
	}
	// The new key is published under the issuer's DID, as the first
	// #key-N not used before.
	used := map[string]bool{cur.VerificationMethod: true}
	usedKeys := map[string]bool{cur.PublicKeyMultibase: true}
	for _, r := range cur.Retired {
		used[r.VerificationMethod] = true
		usedKeys[r.PublicKeyMultibase] = true
	}
	pub, err := did.EncodePublicMultikey(next.Signer.Public())
	if err != nil {
		return nil, err
	}
	if usedKeys[pub] {
		return nil, fmt.Errorf("%w: this key already signed for %s; a retired key is never used again", ErrKeyRotation, issuerID)
	}
	n := len(used) + 1
	for used[issuerID+"#key-"+strconv.Itoa(n)] {
		n++
	}
	vm := issuerID + "#key-" + strconv.Itoa(n)
	secret, err := did.EncodeSecretMultikey(next.Signer)
	if err != nil {
		return nil, err
	}
	box, err := sealed.Seal(s.MasterKey, []byte(secret), []byte(issuerID))
	if err != nil {
		return nil, fmt.Errorf("seal issuer key: %w", err)
	}
	t := next.Type
	if t == "" {
		t = did.KeyType(cur.KeyType)
	}
	retired := RetiredKey{VerificationMethod: cur.VerificationMethod, KeyType: cur.KeyType, PublicKeyMultibase: cur.PublicKeyMultibase,
		RetiredAt: s.now().UTC()}
	if err := kr.RotateKey(ctx, issuerID, retired, KeyRecord{KeyType: string(t), VerificationMethod: vm, PublicKeyMultibase: pub, SealedKey: box}); err != nil {
		return nil, err
	}
	return s.Keys(ctx, issuerID)
}

// DIDDocument is the did:web issuer's DID document: its current key for
// authentication and assertion, and its retired keys for assertion only,
// so that what they signed still verifies (DID Core §5.3.2
// assertionMethod) while they can no longer prove the issuer's control.
func (s *Service) DIDDocument(ctx context.Context, issuerID string) (*did.Document, error) {
	ks, err := s.Keys(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	doc := &did.Document{Context: []any{did.ContextDIDv1, did.ContextMultikey}, ID: issuerID,
		VerificationMethod: []did.VerificationMethod{{ID: ks.VerificationMethod, Type: did.TypeMultikey, Controller: issuerID,
			PublicKeyMultibase: ks.PublicKeyMultibase}},
		AssertionMethod: []string{ks.VerificationMethod},
		Authentication:  []string{ks.VerificationMethod},
	}
	for _, r := range ks.Retired {
		doc.VerificationMethod = append(doc.VerificationMethod, did.VerificationMethod{ID: r.VerificationMethod, Type: did.TypeMultikey,
			Controller: issuerID, PublicKeyMultibase: r.PublicKeyMultibase})
		doc.AssertionMethod = append(doc.AssertionMethod, r.VerificationMethod)
	}
	return doc, nil
}

// JWKS is the issuer's public key set (OB 3.0 §8.5): every key it signed
// with, current first, each with its verification method as kid (the kid
// of its VC-JWTs).
func (s *Service) JWKS(ctx context.Context, issuerID string) ([]byte, error) {
	ks, err := s.Keys(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	keys := []json.RawMessage{}
	add := func(mk, kid string) error {
		pub, err := did.DecodePublicMultikey(mk)
		if err != nil {
			return fmt.Errorf("issuer %s: key %s: %w", issuerID, kid, err)
		}
		j, err := did.PublicJWK(pub, kid)
		if err != nil {
			return err
		}
		keys = append(keys, j)
		return nil
	}
	if err := add(ks.PublicKeyMultibase, ks.VerificationMethod); err != nil {
		return nil, err
	}
	for _, r := range ks.Retired {
		if err := add(r.PublicKeyMultibase, r.VerificationMethod); err != nil {
			return nil, err
		}
	}
	return json.Marshal(map[string]any{"keys": keys})
}
