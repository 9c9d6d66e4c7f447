package wallet

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/blason-badges/blason/internal/bake"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/input"
	"github.com/blason-badges/blason/internal/limits"
	"github.com/blason-badges/blason/internal/sealed"
)

// Errors of the wallet. Each says what happened in words a learner can
// act on; the pages and the API map them to their own texts and statuses.
var (
	// ErrUnreadable: what was given is not a badge Blason reads.
	ErrUnreadable = input.ErrUnreadable
	// ErrTooLarge: the file is larger than the wallet keeps.
	ErrTooLarge = errors.New("this file is too large to be a badge")
	// ErrPresentationGiven: a presentation, not a badge, was given.
	ErrPresentationGiven = errors.New("this is a presentation (a set of badges signed by their holder), not a badge: import the badges it holds one by one")
	// ErrNotVerified: the badge did not verify and the learner did not ask
	// to keep it anyway. Nothing was stored.
	ErrNotVerified = errors.New("this badge did not pass verification; it was not kept (you can keep it anyway, marked as not verified)")
	// ErrDuplicate: this very badge is already in the wallet.
	ErrDuplicate = errors.New("this badge is already in your wallet")
	// ErrOlderVersion: the wallet holds a newer version of this badge.
	ErrOlderVersion = errors.New("your wallet already holds a newer version of this badge")
	// ErrNotFound: no such badge (or share) for this user.
	ErrNotFound = errors.New("not found")
	// ErrShareGone: a share link that was revoked or has expired.
	ErrShareGone = errors.New("this share link was withdrawn by its owner or has expired")
	// ErrInvalid: a bad argument.
	ErrInvalid = errors.New("invalid wallet argument")
)

// Verification is what the wallet keeps of a verification: the outcome,
// the credential's own description, and the verifier's full report as JSON
// (the pages and the API show it as the verifier wrote it).
type Verification struct {
	Verified bool
	// Verdict is "verified", "revocation-not-checked" or "not-verified".
	Verdict string
	// Revoked: its issuer revoked or suspended it.
	Revoked bool
	// Reason is the message key of the check that failed, if any.
	Reason string
	// Unreadable: it is not a credential at all (broken JSON, a malformed
	// JWT): nothing to keep, even on insistence.
	Unreadable bool
	// What the credential says of itself.
	CredentialID, IssuerID, IssuerName, Name, Achievement, Image, ValidFrom, ValidUntil, RecipientID string
	Report                                                                                           json.RawMessage
	// Value is the verifier's report as it made it (a *verifier.Report
	// for blason serve), for callers that know its type. When Report is
	// empty, ReportJSON encodes Value: a share page that only shows the
	// report never encodes it.
	Value any
}

// ReportJSON is the report as JSON: Report, else Value encoded.
func (v *Verification) ReportJSON() json.RawMessage {
	if len(v.Report) > 0 || v.Value == nil {
		return v.Report
	}
	b, err := json.Marshal(v.Value)
	if err != nil {
		return nil
	}
	v.Report = b
	return b
}

// Verify checks one credential (the exact bytes: JSON or a compact JWS).
// The wallet declares it rather than importing the verifier (the roles do
// not import each other); blason serve passes the verifier's.
type Verify func(ctx context.Context, credential []byte) (*Verification, error)

// Credential is a badge kept in a wallet.
type Credential struct {
	ID     string // "crd_" + 16 hex digits
	UserID string
	// Raw is the credential exactly as received (JSON or compact JWS),
	// never re-serialised: its proof covers these bytes or what they say.
	Raw    []byte
	Format string // "json" or "jwt"
	// Image is the baked image it came in (PNG or SVG), if it came so.
	Image []byte
	// Source is where it came from: "paste", "upload:NAME", "url:URL".
	Source string
	// Key identifies the badge across versions: its issuer and id (OB 3.0
	// §10 "the same credential"), or its content hash when it has no id.
	Key string
	// From the verification.
	CredentialID, IssuerID, IssuerName, Name, ImageURL, ValidFrom string
	Verified                                                      bool
	Verdict                                                       string
	Report                                                        json.RawMessage
	CheckedAt                                                     time.Time
	// Insisted: kept although it did not verify (the learner asked).
	Insisted bool
	// Warning is a message key of something the learner should know
	// ("wallet.warn.other-holder": issued to someone else).
	Warning string
	AddedAt time.Time
}

// Share is a public link to one badge.
type Share struct {
	// Token is the link's secret (256 bits, base64url): the link is meant
	// to be given to others, so it is stored as is, for its owner to copy
	// again.
	Token        string
	UserID       string
	CredentialID string
	CreatedAt    time.Time
	ExpiresAt    time.Time // zero: no expiry
	RevokedAt    time.Time
}

// Active reports whether the link opens at now.
func (s *Share) Active(now time.Time) bool {
	return s.RevokedAt.IsZero() && (s.ExpiresAt.IsZero() || now.Before(s.ExpiresAt))
}

// View is one opening of a share link: when, and the name a viewer chose
// to give (no address, no browser fingerprint).
type View struct {
	Token  string
	At     time.Time
	Viewer string
}

// HolderKey is a user's holder did:key, its private key sealed under the
// master key.
type HolderKey struct {
	UserID, DID, VerificationMethod string
	Sealed                          []byte
	CreatedAt                       time.Time
}

// Store keeps wallets. internal/store/walletdb implements it.
type Store interface {
	// PutCredential stores c; when replaces is not empty, the credential
	// with that id (an older version) is removed in the same transaction,
	// with its share links.
	PutCredential(ctx context.Context, c *Credential, replaces string) error
	Credentials(ctx context.Context, userID string) ([]*Credential, error)  // newest first
	Credential(ctx context.Context, userID, id string) (*Credential, error) // ErrNotFound
	CredentialByKey(ctx context.Context, userID, key string) (*Credential, error)
	UpdateVerification(ctx context.Context, id string, v *Credential) error
	DeleteCredential(ctx context.Context, userID, id string) error // with its shares; ErrNotFound

	CreateShare(ctx context.Context, s *Share) error
	Share(ctx context.Context, token string) (*Share, error) // ErrNotFound
	// SharedCredential returns a link with its badge in one read, for the
	// share page's hot path, with only what that page uses: the link's
	// Token, UserID, CredentialID, ExpiresAt and RevokedAt; the badge's ID,
	// UserID, Raw, Format, Image and Name (not its stored report or
	// verdict: the page verifies again). ErrNotFound if either is gone.
	SharedCredential(ctx context.Context, token string) (*Share, *Credential, error)
	Shares(ctx context.Context, userID string) ([]*Share, error)
	RevokeShare(ctx context.Context, userID, token string, at time.Time) error // ErrNotFound
	// AddViews records views in one transaction; a view of a link that
	// no longer exists is dropped. It need not wait for the disk: a view
	// lost in a crash of the machine is acceptable (viewlog.go).
	AddViews(ctx context.Context, v []*View) error
	Views(ctx context.Context, token string) ([]*View, error)

	HolderKey(ctx context.Context, userID string) (*HolderKey, error) // ErrNotFound
	// PutHolderKey stores k unless the user has one; it returns the one
	// stored (two first presentations at once agree on one key).
	PutHolderKey(ctx context.Context, k *HolderKey) (*HolderKey, error)

	// DeleteUser removes everything of the user's wallet.
	DeleteUser(ctx context.Context, userID string) error
}

// Service is a wallet over a Store. It is safe for concurrent use and
// must not be copied once used (it holds the queue of views to write).
type Service struct {
	Store  Store
	Verify Verify
	// MasterKey seals holder keys (as issuer keys are sealed).
	MasterKey []byte
	// MaxBytes bounds an imported file; zero means limits.BakedImageBytes.
	MaxBytes int
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// Views are written in batches (viewlog.go).
	views viewLog
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// Import is one badge given to the wallet.
type Import struct {
	Data   []byte // JSON, a JWT, a baked PNG or SVG, or a saved page
	Source string
	// Insist keeps a badge that does not verify, marked as such.
	Insist bool
	// Email is the account's address: a badge whose hashed recipient
	// identifier does not match it is flagged as issued to someone else.
	Email string
}

// ImportResult is what an import did.
type ImportResult struct {
	Credential *Credential
	// Replaced is the id of the older version this one replaced.
	Replaced     string
	Verification *Verification
}

// ImportCredential reads, verifies and keeps one badge. Nothing is stored
// unless every step succeeds: a file that cannot be read, a presentation,
// a duplicate, an older version, or a badge that does not verify (unless
// Insist) returns an error and leaves the wallet as it was. For
// ErrNotVerified the result still carries the verification (to show why).
func (s *Service) ImportCredential(ctx context.Context, userID string, in Import) (*ImportResult, error) {
	return s.importCredential(ctx, userID, in, nil)
}

// importCredential is ImportCredential with a check of the verification
// before anything is stored (a refresh's: the same badge).
func (s *Service) importCredential(ctx context.Context, userID string, in Import, check func(*Verification) error) (*ImportResult, error) {
	max := s.MaxBytes
	if max <= 0 {
		max = limits.BakedImageBytes
	}
	if len(in.Data) > max {
		return nil, fmt.Errorf("%w (%d bytes; at most %d)", ErrTooLarge, len(in.Data), max)
	}
	if userID == "" || s.Verify == nil {
		return nil, fmt.Errorf("%w: no user or no verifier", ErrInvalid)
	}
	raw, kind, err := input.Read(in.Data, bake.ExtractCredential)
	if err != nil {
		return nil, err
	}
	if len(raw) > credential.DefaultMaxBytes {
		return nil, fmt.Errorf("%w (the badge inside is %d bytes; at most %d)", ErrTooLarge, len(raw), credential.DefaultMaxBytes)
	}
	if input.IsPresentation(raw) {
		return nil, ErrPresentationGiven
	}
	c := &Credential{UserID: userID, Raw: raw, Format: "json", Source: clip(in.Source, 300), AddedAt: s.now()}
	if kind == input.JWT || (kind == input.Image && input.IsCompactJWS(raw)) {
		c.Format = "jwt"
	}
	if kind == input.Image {
		c.Image = in.Data
	}
	v, err := s.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{Verification: v}
	if !v.Verified && v.Unreadable {
		return res, fmt.Errorf("%w (%s)", ErrUnreadable, v.Reason)
	}
	if !v.Verified && !in.Insist {
		return res, ErrNotVerified
	}
	if check != nil {
		if err := check(v); err != nil {
			return res, err
		}
	}
	c.Insisted = !v.Verified
	setVerification(c, v, s.now())
	c.Key = identityKey(v.IssuerID, v.CredentialID, raw)
	c.Warning = s.holderWarning(ctx, userID, raw, in.Email)

	old, err := s.Store.CredentialByKey(ctx, userID, c.Key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return nil, err
	case bytes.Equal(old.Raw, raw):
		res.Credential = old
		return res, ErrDuplicate
	case !newer(v.ValidFrom, old.ValidFrom):
		// The same credential (issuer and id) with other bytes: OB 3.0 §10
		// keeps the one issued last; a tie keeps what is held.
		res.Credential = old
		return res, ErrOlderVersion
	default:
		res.Replaced = old.ID
	}
	if c.ID, err = randomID("crd_"); err != nil {
		return nil, err
	}
	if err := s.Store.PutCredential(ctx, c, res.Replaced); err != nil {
		return nil, err
	}
	res.Credential = c
	return res, nil
}

func setVerification(c *Credential, v *Verification, at time.Time) {
	c.CredentialID, c.IssuerID, c.IssuerName, c.Name, c.ImageURL, c.ValidFrom = v.CredentialID, v.IssuerID, v.IssuerName, v.Name, v.Image, v.ValidFrom
	if c.Name == "" {
		c.Name = v.Achievement
	}
	c.Verified, c.Verdict, c.Report, c.CheckedAt = v.Verified, v.Verdict, v.ReportJSON(), at
}

// newer reports whether validFrom a is later than b (RFC 3339; a date
// that does not parse is not newer).
func newer(a, b string) bool {
	ta, err1 := time.Parse(time.RFC3339, a)
	tb, err2 := time.Parse(time.RFC3339, b)
	return err1 == nil && (err2 != nil || ta.After(tb))
}

// identityKey names "the same credential": its issuer and id; without an
// id (optional in VC 2.0), its exact bytes.
func identityKey(issuer, id string, raw []byte) string {
	if issuer != "" && id != "" {
		h := sha256.Sum256([]byte(issuer + "\x00" + id))
		return "id:" + hex.EncodeToString(h[:])
	}
	h := sha256.Sum256(raw)
	return "sha256:" + hex.EncodeToString(h[:])
}

// holderWarning flags a badge issued to someone else: its subject is a DID
// that is not this user's holder DID, or it names a hashed e-mail address
// that is not the account's (when neither matches).
func (s *Service) holderWarning(ctx context.Context, userID string, raw []byte, email string) string {
	subj := subjectOf(raw)
	if subj == nil {
		return ""
	}
	if email != "" {
		if ok, _ := credential.MatchIdentifier(subj, "emailAddress", email); ok {
			return ""
		}
	}
	id, _ := subj["id"].(string)
	if strings.HasPrefix(id, "did:") {
		if k, err := s.Store.HolderKey(ctx, userID); err == nil && k.DID == id {
			return ""
		}
		return "wallet.warn.other-holder"
	}
	if _, has := subj["identifier"]; has && email != "" {
		return "wallet.warn.other-holder"
	}
	return ""
}

// subjectOf reads credentialSubject (the first, if several) from a JSON
// credential or a VC-JWT's payload. Only for the warning above: the
// verification has already run on the same bytes.
func subjectOf(raw []byte) map[string]any {
	doc := raw
	if jws, ok := input.CompactJWS(raw); ok {
		parts := strings.Split(jws, ".")
		p, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			return nil
		}
		doc = p
	}
	v, err := credential.ParseJSON(doc, credential.Limits{})
	if err != nil {
		return nil
	}
	m, _ := v.(map[string]any)
	if vc, ok := m["vc"].(map[string]any); ok { // VC-JWT 1.1
		m = vc
	}
	switch cs := m["credentialSubject"].(type) {
	case map[string]any:
		return cs
	case []any:
		if len(cs) > 0 {
			f, _ := cs[0].(map[string]any)
			return f
		}
	}
	return nil
}

// Credentials lists the user's badges, newest first.
func (s *Service) Credentials(ctx context.Context, userID string) ([]*Credential, error) {
	return s.Store.Credentials(ctx, userID)
}

// Credential returns one of the user's badges.
func (s *Service) Credential(ctx context.Context, userID, id string) (*Credential, error) {
	return s.Store.Credential(ctx, userID, id)
}

// Delete removes one of the user's badges with its share links.
func (s *Service) Delete(ctx context.Context, userID, id string) error {
	return s.Store.DeleteCredential(ctx, userID, id)
}

// Recheck verifies a kept badge again (its status may have changed) and
// records the result.
func (s *Service) Recheck(ctx context.Context, c *Credential) (*Verification, error) {
	v, err := s.Verify(ctx, c.Raw)
	if err != nil {
		return nil, err
	}
	setVerification(c, v, s.now())
	if err := s.Store.UpdateVerification(ctx, c.ID, c); err != nil {
		return nil, err
	}
	return v, nil
}

// MaxShareTTL bounds a share link's lifetime when one is given.
const MaxShareTTL = 10 * 365 * 24 * time.Hour

// CreateShare makes a public link to one of the user's badges, expiring
// after ttl (0: no expiry).
func (s *Service) CreateShare(ctx context.Context, userID, credentialID string, ttl time.Duration) (*Share, error) {
	if ttl < 0 || ttl > MaxShareTTL {
		return nil, fmt.Errorf("%w: expiry %s", ErrInvalid, ttl)
	}
	if _, err := s.Store.Credential(ctx, userID, credentialID); err != nil {
		return nil, err
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	now := s.now()
	sh := &Share{Token: base64.RawURLEncoding.EncodeToString(b), UserID: userID, CredentialID: credentialID, CreatedAt: now}
	if ttl > 0 {
		sh.ExpiresAt = now.Add(ttl)
	}
	if err := s.Store.CreateShare(ctx, sh); err != nil {
		return nil, err
	}
	return sh, nil
}

// RevokeShare withdraws a link: it no longer opens.
func (s *Service) RevokeShare(ctx context.Context, userID, token string) error {
	return s.Store.RevokeShare(ctx, userID, token, s.now())
}

// Shares lists the user's links.
func (s *Service) Shares(ctx context.Context, userID string) ([]*Share, error) {
	return s.Store.Shares(ctx, userID)
}

// Views lists the openings of one of the user's links.
func (s *Service) Views(ctx context.Context, userID, token string) ([]*View, error) {
	sh, err := s.Store.Share(ctx, token)
	if err != nil {
		return nil, err
	}
	if sh.UserID != userID {
		return nil, ErrNotFound
	}
	if err := s.FlushViews(ctx); err != nil {
		return nil, err
	}
	return s.Store.Views(ctx, token)
}

// OpenShare is a viewer opening a link: the badge with a fresh
// verification (its status now, not at import), and the view recorded
// with the name the viewer chose to give (may be empty). A revoked or
// expired link is ErrShareGone; an unknown one ErrNotFound. The badge has
// the fields Store.SharedCredential fills: what it is (Raw, Format, Image,
// Name), not what was last found of it.
func (s *Service) OpenShare(ctx context.Context, token, viewer string) (*Credential, *Verification, error) {
	if token == "" || len(token) > 64 {
		return nil, nil, ErrNotFound
	}
	sh, c, err := s.Store.SharedCredential(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	if !sh.Active(s.now()) {
		return nil, nil, ErrShareGone
	}
	v, err := s.Verify(ctx, c.Raw)
	if err != nil {
		return nil, nil, err
	}
	s.logView(&View{Token: token, At: s.now(), Viewer: clip(strings.TrimSpace(viewer), 120)})
	return c, v, nil
}

// Holder returns the user's holder key, making it on first use: an
// Ed25519 did:key whose private key is sealed under the master key, bound
// to the user (the additional data), so a sealed key copied to another
// user's row does not open.
func (s *Service) Holder(ctx context.Context, userID string) (Holder, error) {
	k, err := s.Store.HolderKey(ctx, userID)
	if errors.Is(err, ErrNotFound) {
		k, err = s.newHolderKey(ctx, userID)
	}
	if err != nil {
		return Holder{}, err
	}
	seed, err := sealed.Open(s.MasterKey, k.Sealed, holderAAD(userID))
	if err != nil {
		return Holder{}, fmt.Errorf("holder key of %s: %w", userID, err)
	}
	if len(seed) != ed25519.SeedSize {
		return Holder{}, fmt.Errorf("holder key of %s: %w", userID, sealed.ErrDecrypt)
	}
	return Holder{Signer: ed25519.NewKeyFromSeed(seed), DID: k.DID, VerificationMethod: k.VerificationMethod}, nil
}

func holderAAD(userID string) []byte { return []byte("blason wallet holder key\x00" + userID) }

func (s *Service) newHolderKey(ctx context.Context, userID string) (*HolderKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	d, vm, err := did.KeyDID(pub)
	if err != nil {
		return nil, err
	}
	box, err := sealed.Seal(s.MasterKey, priv.Seed(), holderAAD(userID))
	if err != nil {
		return nil, err
	}
	return s.Store.PutHolderKey(ctx, &HolderKey{UserID: userID, DID: d, VerificationMethod: vm, Sealed: box, CreatedAt: s.now()})
}

// PresentRequest is what a verifier asked for.
type PresentRequest struct {
	CredentialIDs []string
	Challenge     string
	Domain        string
	// Format is "jwt" for a VP-JWT, else a Data Integrity presentation
	// (chosen automatically as "jwt" when a badge is a VC-JWT).
	Format string
}

// Present signs a presentation of the chosen badges with the user's holder
// key, bound to the verifier's challenge and domain. It returns the
// presentation and its media type.
func (s *Service) Present(ctx context.Context, userID string, req PresentRequest) ([]byte, string, error) {
	if strings.TrimSpace(req.Challenge) == "" {
		return nil, "", fmt.Errorf("%w: a challenge is required", ErrPresentation)
	}
	if len(req.CredentialIDs) > 100 {
		return nil, "", fmt.Errorf("%w: at most 100 badges", ErrPresentation)
	}
	raws := make([][]byte, 0, len(req.CredentialIDs))
	useJWT := req.Format == "jwt"
	for _, id := range req.CredentialIDs {
		c, err := s.Store.Credential(ctx, userID, id)
		if err != nil {
			return nil, "", fmt.Errorf("badge %s: %w", id, err)
		}
		if c.Format == "jwt" {
			useJWT = true
		}
		raws = append(raws, c.Raw)
	}
	h, err := s.Holder(ctx, userID)
	if err != nil {
		return nil, "", err
	}
	opts := PresentOptions{Challenge: req.Challenge, Domain: req.Domain, Now: s.now}
	if useJWT {
		jws, err := PresentJWT(raws, h, opts)
		return []byte(jws), "application/vp+jwt", err
	}
	vp, err := Present(raws, h, opts)
	return vp, "application/vp+ld+json", err
}

// DeleteUser removes the user's whole wallet (badges, links, views, key).
func (s *Service) DeleteUser(ctx context.Context, userID string) error {
	// Views waiting to be written go first, so none lands after.
	if err := s.FlushViews(ctx); err != nil {
		return err
	}
	return s.Store.DeleteUser(ctx, userID)
}

func randomID(prefix string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + hex.EncodeToString(b), nil
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && (s[n]&0xc0) == 0x80 {
		n--
	}
	return s[:n]
}

// Export writes everything the user's wallet holds as a zip archive: each
// badge as received (badges/ID.json or .jwt), its baked image, its last
// report, and the share links with their view logs (shares.json). about
// is written as account.json (the caller's account data).
func (s *Service) Export(ctx context.Context, userID string, about any, w io.Writer) error {
	if err := s.FlushViews(ctx); err != nil {
		return err
	}
	list, err := s.Store.Credentials(ctx, userID)
	if err != nil {
		return err
	}
	zw := zip.NewWriter(w)
	put := func(name string, b []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate, Modified: s.now()})
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	}
	js := func(v any) []byte { b, _ := json.MarshalIndent(v, "", "  "); return b }
	if err := put("account.json", js(about)); err != nil {
		return err
	}
	type meta struct {
		ID, Name, Issuer, Source, Verdict, Warning string
		Verified, KeptUnverified                   bool
		AddedAt, CheckedAt                         time.Time
	}
	var metas []meta
	for _, l := range list {
		c, err := s.Store.Credential(ctx, userID, l.ID)
		if err != nil {
			return err
		}
		ext := ".json"
		if c.Format == "jwt" {
			ext = ".jwt"
		}
		if err := put("badges/"+c.ID+ext, c.Raw); err != nil {
			return err
		}
		if err := put("badges/"+c.ID+".report.json", c.Report); err != nil {
			return err
		}
		switch bake.Kind(c.Image) {
		case bake.PNG:
			err = put("badges/"+c.ID+".png", c.Image)
		case bake.SVG:
			err = put("badges/"+c.ID+".svg", c.Image)
		}
		if err != nil {
			return err
		}
		metas = append(metas, meta{c.ID, c.Name, firstOf(c.IssuerName, c.IssuerID), c.Source, c.Verdict, c.Warning, c.Verified, c.Insisted, c.AddedAt, c.CheckedAt})
	}
	if err := put("badges.json", js(metas)); err != nil {
		return err
	}
	shares, err := s.Store.Shares(ctx, userID)
	if err != nil {
		return err
	}
	type shareOut struct {
		*Share
		Views []*View
	}
	out := make([]shareOut, 0, len(shares))
	for _, sh := range shares {
		v, err := s.Store.Views(ctx, sh.Token)
		if err != nil {
			return err
		}
		out = append(out, shareOut{sh, v})
	}
	if err := put("shares.json", js(out)); err != nil {
		return err
	}
	if k, err := s.Store.HolderKey(ctx, userID); err == nil {
		// The public half only: the private key stays sealed here.
		if err := put("holder.json", js(map[string]string{"did": k.DID, "verificationMethod": k.VerificationMethod})); err != nil {
			return err
		}
	}
	return zw.Close()
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
