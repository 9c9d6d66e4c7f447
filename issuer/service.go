package issuer

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/sealed"
	"github.com/blason-badges/blason/internal/status"
)

// DefaultListSize is the number of entries of a new status list: the
// Bitstring Status List minimum (131,072, 16 KiB), which gives every
// credential a crowd to hide in (§6.1 "herd privacy").
const DefaultListSize = status.MinBits

// DefaultListTTL is the ttl published in status lists: how long verifiers
// may cache them.
const DefaultListTTL = 5 * time.Minute

// Service is the issuer's stateful side: issuers whose keys are sealed in a
// Store, awards that carry status entries, status changes, and the signed
// status lists it publishes.
type Service struct {
	Store Store
	// MasterKey seals issuer keys at rest (AES-256-GCM); 32 bytes, required.
	MasterKey []byte
	// BaseURL is this server's public URL (https://host[:port], no trailing
	// slash); status lists are published at StatusListURL(BaseURL, list ID, format).
	BaseURL string
	// ListSize is the size of new status lists; zero means DefaultListSize.
	ListSize int
	// ListTTL is the ttl published in lists; zero means DefaultListTTL.
	ListTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Preflight verifies each credential before it is stored and returned.
	// It should not fetch (the credential's own status lists are this
	// server's).
	Preflight Preflight
	// Profiles, when set, supplies the issuer's current profile (name, URL,
	// e-mail, description: the issuer workspace's editable profile) for the
	// credentials it signs; the profile recorded with the key otherwise.
	Profiles ProfileSource

	mu        sync.Mutex
	signing   sync.Mutex               // held while a status list is signed (publish)
	keys      map[string]*Key          // unsealed signing keys by issuer id
	keySets   map[string]*IssuerKeys   // current and retired public keys by issuer id (Keys)
	published map[string]publishedList // signed list credentials by list ID and format
}

type publishedList struct {
	version int64
	doc     []byte
	// list is doc as a verifier reads it, decoded once: trusted without a
	// proof check because this service signed it.
	list *status.List
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) listSize() int {
	if s.ListSize > 0 {
		return s.ListSize
	}
	return DefaultListSize
}

// AddIssuer stores an issuer with its key, sealed under the master key with
// the issuer id as additional data.
func (s *Service) AddIssuer(ctx context.Context, p Profile, k *Key) (*IssuerRecord, error) {
	if p.ID == "" {
		p.ID = k.DID
	}
	if p.ID != k.DID {
		return nil, fmt.Errorf("%w: issuer id %s does not control the key %s", ErrProfile, p.ID, k.VerificationMethod)
	}
	secret, err := did.EncodeSecretMultikey(k.Signer)
	if err != nil {
		return nil, err
	}
	box, err := sealed.Seal(s.MasterKey, []byte(secret), []byte(p.ID))
	if err != nil {
		return nil, fmt.Errorf("seal issuer key: %w", err)
	}
	rec := &IssuerRecord{ID: p.ID, Profile: p, KeyType: string(k.Type), VerificationMethod: k.VerificationMethod,
		SealedKey: box, CreatedAt: s.now().UTC()}
	if err := s.Store.CreateIssuer(ctx, rec); err != nil {
		return nil, err
	}
	return rec, nil
}

// Issuer returns a signing Issuer for a stored issuer.
func (s *Service) Issuer(ctx context.Context, id string) (*Issuer, error) {
	rec, err := s.Store.GetIssuer(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("issuer %s: %w", id, err)
	}
	k, err := s.key(rec)
	if err != nil {
		return nil, err
	}
	p := rec.Profile
	if s.Profiles != nil {
		cur, ok, err := s.Profiles.IssuerProfile(ctx, id)
		if err != nil {
			return nil, fmt.Errorf("issuer %s: profile: %w", id, err)
		}
		if ok {
			// The id is the key's: a profile never changes who signs.
			cur.ID = rec.ID
			if cur.Name == "" {
				cur.Name = p.Name
			}
			p = cur
		}
	}
	return &Issuer{Profile: p, Key: k, Now: s.Now, Preflight: s.Preflight}, nil
}

// ProfileSource supplies an issuer's current profile; ok is false when it
// has none (the recorded profile applies).
type ProfileSource interface {
	IssuerProfile(ctx context.Context, issuerID string) (p Profile, ok bool, err error)
}

func (s *Service) key(rec *IssuerRecord) (*Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Keyed by issuer, checked against the stored verification method: a
	// key rotated (by this process or another sharing the store) is never
	// used again.
	if k, ok := s.keys[rec.ID]; ok && k.VerificationMethod == rec.VerificationMethod {
		return k, nil
	}
	secret, err := sealed.Open(s.MasterKey, rec.SealedKey, []byte(rec.ID))
	if err != nil {
		return nil, fmt.Errorf("unseal the key of %s (is this the right master key?): %w", rec.ID, err)
	}
	signer, err := did.DecodeSecretMultikey(string(secret))
	if err != nil {
		return nil, fmt.Errorf("issuer %s: stored key: %w", rec.ID, err)
	}
	k := &Key{Signer: signer, DID: rec.ID, VerificationMethod: rec.VerificationMethod, Type: did.KeyType(rec.KeyType)}
	if s.keys == nil {
		s.keys = map[string]*Key{}
	}
	s.keys[rec.ID] = k
	return k, nil
}

// ListURL is where a status list is published.
func (s *Service) ListURL(listID string) string {
	return StatusListURL(s.BaseURL, listID, FormatBitstring)
}

// listURL2021 is the same list published as a StatusList2021Credential,
// for VC 1.1 credentials (whose contexts define StatusList2021Entry).
func (s *Service) listURL2021(listID string) string {
	return StatusListURL(s.BaseURL, listID, FormatStatusList2021)
}

// entry builds a credentialStatus entry for a slot. A VC 1.1 credential
// gets a StatusList2021Entry, a type its contexts (with the status list
// 2021 context) define; VC 2.0 a BitstringStatusListEntry.
func (s *Service) entry(slot StatusSlot, v1 bool) map[string]any {
	idx := strconv.Itoa(slot.Index)
	if v1 {
		u := s.listURL2021(slot.ListID)
		return map[string]any{"id": u + "#" + idx, "type": status.TypeStatusList2021, "statusPurpose": string(slot.Purpose),
			"statusListIndex": idx, "statusListCredential": u}
	}
	u := s.ListURL(slot.ListID)
	return map[string]any{"id": u + "#" + idx, "type": status.TypeBitstringEntry, "statusPurpose": string(slot.Purpose),
		"statusListIndex": idx, "statusListCredential": u}
}

// Award issues an Open Badges credential with a revocation status entry:
// the store reserves the status slot, the credential is signed and
// verified (preflight) holding no lock, and it is recorded with its slot.
// If signing or preflight fails, nothing is recorded (the reserved slot
// stays unused; see Store.Award).
//
// One entry, not a revocation and a suspension entry: the OB 3.0 data model
// allows one credentialStatus per credential ([0..1], an object in both
// published JSON Schemas), and a credential with two fails the 1EdTech
// validator's schema check. Revocation is the purpose every OB 3.0
// verifier reads. The store and the verifier support suspension entries
// (other issuers use them), for credential types that may carry several.
func (s *Service) Award(ctx context.Context, issuerID string, a Award) (*CredentialRecord, error) {
	is, err := s.Issuer(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	if a.ID == "" {
		if a.ID, err = newURNUUID(); err != nil {
			return nil, err
		}
	}
	return s.Store.Award(ctx, issuerID, []StatusPurpose{PurposeRevocation}, s.listSize(), func(slots []StatusSlot) (*CredentialRecord, error) {
		return s.build(ctx, is, a, slots)
	})
}

// SignWithStatus signs a credential submitted through the VC API
// (Issuer.SignCredential's rules), adding a revocation status entry
// itself, and records it so that it can be revoked later. A credential
// that already has a credentialStatus is refused (ErrCredential); one whose
// id was already issued is ErrExists.
//
// It returns the signed credential as JSON: the very bytes that passed the
// preflight verification and were recorded, marshalled once (a caller
// that answers with them embeds them as they are, json.RawMessage).
func (s *Service) SignWithStatus(ctx context.Context, issuerID string, doc map[string]any) ([]byte, error) {
	var out []byte
	err := s.signWithStatus(ctx, issuerID, doc, func(is *Issuer, withStatus map[string]any) ([]byte, error) {
		var err error
		_, out, err = is.signCredential(ctx, withStatus)
		return out, err
	})
	return out, err
}

// SignWithStatusJWT is SignWithStatus for a VC-JWT: the credential, with
// the status entry added, is signed as a JWT and recorded as such.
func (s *Service) SignWithStatusJWT(ctx context.Context, issuerID string, doc map[string]any) (string, error) {
	var jws string
	err := s.signWithStatus(ctx, issuerID, doc, func(is *Issuer, withStatus map[string]any) ([]byte, error) {
		var err error
		jws, err = is.SignCredentialJWT(ctx, withStatus)
		return []byte(jws), err
	})
	return jws, err
}

// signWithStatus has the store reserve the status slot, adds the entry,
// signs with sign (which returns the bytes to record, verified) and records
// the credential: Store.Award.
func (s *Service) signWithStatus(ctx context.Context, issuerID string, doc map[string]any,
	sign func(is *Issuer, withStatus map[string]any) ([]byte, error)) error {
	is, err := s.Issuer(ctx, issuerID)
	if err != nil {
		return err
	}
	if _, has := doc["credentialStatus"]; has {
		// A caller-supplied entry would be signed without being recorded:
		// the issuer could never revoke the credential (issue 7).
		return fmt.Errorf("%w: it carries its own credentialStatus; this issuer adds and records the status entry itself", ErrCredential)
	}
	c := credential.FromMap(doc)
	v1 := false
	if list, ok := doc["@context"].([]any); ok && len(list) > 0 && list[0] == contexts.CredentialsV1 {
		v1 = true
	}
	_, err = s.Store.Award(ctx, issuerID, []StatusPurpose{PurposeRevocation}, s.listSize(), func(slots []StatusSlot) (*CredentialRecord, error) {
		withStatus := make(map[string]any, len(doc)+1)
		for k, v := range doc {
			withStatus[k] = v
		}
		if v1 {
			withStatus["@context"] = append(append([]any{}, doc["@context"].([]any)...), contexts.StatusList2021)
		}
		entry := s.entry(slots[0], v1)
		withStatus["credentialStatus"] = entry
		// A credential without an id is recorded under its status entry's
		// id: the one identifier it carries that its issuer can revoke by.
		id := c.ID()
		if id == "" {
			id, _ = entry["id"].(string)
		}
		out, err := sign(is, withStatus)
		if err != nil {
			return nil, err
		}
		rec := &CredentialRecord{ID: id, IssuerID: issuerID, RecipientDID: c.SubjectID(), Slots: slots, Status: StatusActive,
			IssuedAt: s.now().UTC(), Document: out}
		rec.ValidFrom, _, _ = c.ValidFrom()
		rec.ValidUntil, _, _ = c.ValidUntil()
		return rec, nil
	})
	return err
}

// ChangeStatus revokes, suspends or reinstates a credential and records
// who did it and why. The lists it touches are re-signed when next fetched.
func (s *Service) ChangeStatus(ctx context.Context, credentialID, action, reason, actor string) (*CredentialRecord, error) {
	switch action {
	case ActionRevoke, ActionSuspend, ActionReinstate:
	default:
		return nil, fmt.Errorf("%w: unknown action %q (revoke, suspend or reinstate)", ErrConflict, action)
	}
	if strings.TrimSpace(actor) == "" {
		return nil, errors.New("change status: the actor is required (who made the change)")
	}
	return s.Store.ChangeStatus(ctx, StatusEvent{CredentialID: credentialID, Action: action, Reason: reason, Actor: actor, At: s.now().UTC()})
}

// ChangeStatusOf is ChangeStatus for a credential of issuerID only. A
// credential of another issuer held in the same store is ErrNotFound: a
// server changes the status of its own issuers' credentials, never of the
// other issuers that share its database (issue 7). A credential's issuer
// never changes, so checking it before the change is not a race.
func (s *Service) ChangeStatusOf(ctx context.Context, issuerID, credentialID, action, reason, actor string) (*CredentialRecord, error) {
	rec, err := s.Store.GetCredential(ctx, credentialID)
	if err != nil {
		return nil, err
	}
	if rec.IssuerID != issuerID {
		return nil, fmt.Errorf("credential %s: %w (not issued by %s)", credentialID, ErrNotFound, issuerID)
	}
	return s.ChangeStatus(ctx, credentialID, action, reason, actor)
}

// ListFormat selects how a status list is published.
type ListFormat int

const (
	// FormatBitstring publishes a VC 2.0 BitstringStatusListCredential.
	FormatBitstring ListFormat = iota
	// FormatStatusList2021 publishes a VC 1.1 StatusList2021Credential of the
	// same bits, for VC 1.1 credentials.
	FormatStatusList2021
)

// StatusList returns the signed status list credential of a list, and its
// version (for ETags). It is re-signed only when a bit changed since it was
// last signed.
func (s *Service) StatusList(ctx context.Context, listID string, f ListFormat) ([]byte, int64, error) {
	p, err := s.publish(ctx, listID, f)
	if err != nil {
		return nil, 0, err
	}
	return p.doc, p.version, nil
}

// DecodedStatusList returns the status list credential StatusList
// publishes as a verifier reads it (status.ParseListCredential of the same
// signed JSON), decoded once per version and kept in memory. Its proof is
// not re-verified: this service signed it. The list's version is read from
// the store on every call, so a bit changed by another process sharing the
// store (several serve processes on one database) is seen at once; only
// the signing and decoding are skipped while the version is unchanged.
func (s *Service) DecodedStatusList(ctx context.Context, listID string, f ListFormat) (*status.List, error) {
	p, err := s.publish(ctx, listID, f)
	if err != nil {
		return nil, err
	}
	return p.list, nil
}

// publish returns the signed (and decoded) status list credential of the
// list's current version, signing it only when a bit changed since it was
// last signed.
func (s *Service) publish(ctx context.Context, listID string, f ListFormat) (publishedList, error) {
	cacheKey := listID + "/" + strconv.Itoa(int(f))
	if lv, ok := s.Store.(ListVersioner); ok {
		v, err := lv.StatusListVersion(ctx, listID)
		if err != nil {
			return publishedList{}, err
		}
		if p, ok := s.cached(cacheKey); ok && p.version == v {
			return p, nil
		}
	}
	l, err := s.Store.GetStatusList(ctx, listID)
	if err != nil {
		return publishedList{}, err
	}
	if p, ok := s.cached(cacheKey); ok && p.version == l.Version {
		return p, nil
	}
	// One signer at a time: after a revocation every verification in
	// flight finds the list changed, and one signature serves them all.
	s.signing.Lock()
	defer s.signing.Unlock()
	if p, ok := s.cached(cacheKey); ok && p.version >= l.Version {
		return p, nil
	}

	is, err := s.Issuer(ctx, l.IssuerID)
	if err != nil {
		return publishedList{}, err
	}
	bits, err := status.FromBytes(l.Bits, l.Size)
	if err != nil {
		return publishedList{}, fmt.Errorf("status list %s: %w", listID, err)
	}
	enc, err := bits.Encode()
	if err != nil {
		return publishedList{}, err
	}
	ttl := s.ListTTL
	if ttl <= 0 {
		ttl = DefaultListTTL
	}
	now := s.now()
	var doc map[string]any
	switch f {
	case FormatStatusList2021:
		u := s.listURL2021(listID)
		// StatusList2021 lists carry the base64url bits without a multibase prefix.
		doc = map[string]any{
			"@context":     []any{contexts.CredentialsV1, contexts.StatusList2021},
			"id":           u,
			"type":         []any{"VerifiableCredential", "StatusList2021Credential"},
			"issuer":       l.IssuerID,
			"issuanceDate": xsdDateTime(now),
			"credentialSubject": map[string]any{"id": u + "#list", "type": "StatusList2021",
				"statusPurpose": string(l.Purpose), "encodedList": strings.TrimPrefix(enc, "u")},
		}
	default:
		u := s.ListURL(listID)
		// Bitstring Status List §2.2: a VC 2.0 credential, string issuer,
		// validFrom, and a ttl telling verifiers how long they may cache it.
		doc = map[string]any{
			"@context":  []any{contexts.CredentialsV2},
			"id":        u,
			"type":      []any{"VerifiableCredential", "BitstringStatusListCredential"},
			"issuer":    l.IssuerID,
			"validFrom": xsdDateTime(now),
			"credentialSubject": map[string]any{"id": u + "#list", "type": "BitstringStatusList",
				"statusPurpose": string(l.Purpose), "encodedList": enc, "ttl": ttl.Milliseconds()},
		}
	}
	signed, err := dataintegrity.Sign(doc, is.Key.Signer, dataintegrity.SignOptions{VerificationMethod: is.Key.VerificationMethod, Created: now})
	if err != nil {
		return publishedList{}, fmt.Errorf("sign status list %s: %w", listID, err)
	}
	out, err := json.Marshal(signed)
	if err != nil {
		return publishedList{}, err
	}
	// Decoded from the published bytes exactly as a verifier that fetched
	// them would (credential.ParseJSON, then ParseListCredential), so the
	// in-memory list cannot say anything the published one does not.
	val, err := credential.ParseJSON(out, credential.Limits{})
	if err != nil {
		return publishedList{}, fmt.Errorf("status list %s: %w", listID, err)
	}
	m, _ := val.(map[string]any)
	list, err := status.ParseListCredential(m)
	if err != nil {
		return publishedList{}, fmt.Errorf("status list %s: %w", listID, err)
	}
	p := publishedList{version: l.Version, doc: out, list: list}
	s.mu.Lock()
	if s.published == nil {
		s.published = map[string]publishedList{}
	}
	// Keep the newest version: a slower request that read an older one
	// must not replace it.
	if cur, ok := s.published[cacheKey]; !ok || cur.version <= p.version {
		s.published[cacheKey] = p
	}
	s.mu.Unlock()
	return p, nil
}

// cached returns the published list kept for cacheKey.
func (s *Service) cached(cacheKey string) (publishedList, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.published[cacheKey]
	return p, ok
}

// NewListKey returns a fresh secret key for a status list's index
// permutation (for Store implementations).
func NewListKey() ([]byte, error) {
	k := make([]byte, 32)
	_, err := rand.Read(k)
	return k, err
}
