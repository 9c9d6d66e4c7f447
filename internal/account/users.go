package account

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// People's accounts: e-mail and password (argon2id), server-side sessions,
// one-time links (sign in, reset the password), sign-in rate limits, and
// personal API tokens. Like the API tokens above, this file knows nothing of
// HTTP or SQL: it declares UserStore (internal/store/userdb implements it)
// and the pages map its errors to words.

// Errors of the user rules. The messages are safe to show: none says
// whether an e-mail address has an account (no user enumeration).
var (
	// ErrSignIn: the e-mail address or the password is wrong (which one is
	// not said).
	ErrSignIn = errors.New("the e-mail address or the password is not right")
	// ErrThrottled: too many failed sign-ins for this address or from this
	// network; try again later.
	ErrThrottled = errors.New("too many failed sign-ins: wait a few minutes and try again")
	// ErrNoSession: no valid session (unknown, expired or signed out).
	ErrNoSession = errors.New("not signed in")
	// ErrLinkInvalid: a one-time link that is unknown, used or expired.
	ErrLinkInvalid = errors.New("this link is not valid: it was already used, it has expired, or it was mistyped")
	// ErrEmailTaken: an account already uses this address. Only the sign-up
	// page's caller sees it (see SignUp on enumeration).
	ErrEmailTaken = errors.New("an account already uses this e-mail address")
	// ErrBadEmail: not an e-mail address.
	ErrBadEmail = errors.New("this is not an e-mail address")
	// ErrWeakPassword: the password breaks CheckNewPassword.
	ErrWeakPassword = errors.New("password refused")
	// ErrNoUser is the store's "no such user" (never shown as such).
	ErrNoUser = errors.New("no such user")
)

// User is an account.
type User struct {
	ID    string // "usr_" + 16 hex digits
	Email string // normalised: trimmed, lower case
	// PasswordHash is an argon2id PHC string, empty when no password was
	// chosen yet (an account made by "blason user add" signs in by link).
	PasswordHash string
	CreatedAt    time.Time
}

// Session is a signed-in browser. Only the SHA-256 of its id is stored.
type Session struct {
	Hash      []byte
	UserID    string
	CreatedAt time.Time
	// LastSeenAt is updated at most once a minute (TouchInterval).
	LastSeenAt time.Time
	// ExpiresAt is the absolute end, whatever the activity.
	ExpiresAt time.Time
}

// Link purposes.
const (
	LinkSignIn = "sign-in"
	LinkReset  = "reset"
)

// Link is a one-time link: its secret is in the URL sent or printed; only
// its hash is stored.
type Link struct {
	Hash      []byte
	UserID    string
	Purpose   string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// PersonalToken is a user's API token (the wallet API): like Token, but
// it acts as one user.
type PersonalToken struct {
	ID        string // "ptk_" + 16 hex digits
	UserID    string
	Label     string
	Hash      []byte
	CreatedAt time.Time
	ExpiresAt time.Time
	RevokedAt time.Time
}

// UserStore keeps accounts. Implementations: internal/store/userdb (SQLite
// and PostgreSQL).
type UserStore interface {
	// CreateUser stores u; ErrEmailTaken if its address is taken, ErrExists
	// if its id is.
	CreateUser(ctx context.Context, u *User) error
	UserByEmail(ctx context.Context, email string) (*User, error) // ErrNoUser
	UserByID(ctx context.Context, id string) (*User, error)       // ErrNoUser
	SetPasswordHash(ctx context.Context, userID, hash string) error
	// DeleteUser removes the user with their sessions, links and tokens.
	DeleteUser(ctx context.Context, id string) error

	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash []byte) (*Session, error) // ErrNoSession
	TouchSession(ctx context.Context, hash []byte, at time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
	DeleteUserSessions(ctx context.Context, userID string) error

	CreateLink(ctx context.Context, l *Link) error
	// UseLink marks the link with this hash and purpose used at now, if it
	// is unused and not expired at now, in one atomic step (two uses at once:
	// one wins), and returns it; ErrLinkInvalid otherwise.
	UseLink(ctx context.Context, hash []byte, purpose string, now time.Time) (*Link, error)

	// AddFailure records a failed sign-in under key at at; CountFailures
	// counts those of key since since; ClearFailures forgets key's.
	AddFailure(ctx context.Context, key string, at time.Time) error
	CountFailures(ctx context.Context, key string, since time.Time) (int, error)
	ClearFailures(ctx context.Context, key string) error

	CreatePersonalToken(ctx context.Context, t *PersonalToken) error
	PersonalTokenByHash(ctx context.Context, hash []byte) (*PersonalToken, error) // ErrNotFound
}

// Session and link lifetimes, and the sign-in limits.
const (
	SessionIdle     = 7 * 24 * time.Hour
	SessionAbsolute = 30 * 24 * time.Hour
	SignInLinkTTL   = 24 * time.Hour
	ResetLinkTTL    = time.Hour
	// FailureWindow is how far back failed sign-ins count.
	FailureWindow = 15 * time.Minute
	// MaxFailuresPerAccount and MaxFailuresPerAddress: beyond these
	// failures within FailureWindow, sign-in is refused (ErrThrottled)
	// without checking the password. Per account stops guessing one
	// person's password from many machines; per address stops one machine
	// trying one password on many accounts.
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 30
)

// Users applies the rules of accounts over a UserStore.
type Users struct {
	Store UserStore
	// Argon2 are the hashing parameters; zero means DefaultArgon2.
	Argon2 Argon2Params
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (s *Users) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func (s *Users) params() Argon2Params {
	if s.Argon2 == (Argon2Params{}) {
		return DefaultArgon2
	}
	return s.Argon2
}

// NormalizeEmail trims and lower-cases an address and checks its shape
// (one @, a local part, a domain with a dot, at most 254 bytes, no space
// or control character). Delivery is what proves an address; this only
// refuses what cannot be one.
func NormalizeEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || len(e) > 254 || strings.Contains(domain, "@") ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.ContainsFunc(e, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '<' || r == '>' }) {
		return "", ErrBadEmail
	}
	return e, nil
}

func randomSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func randomID(prefix string) (string, error) {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("random: %w", err)
	}
	return prefix + hex.EncodeToString(b), nil
}

// Create makes an account for email. password may be empty (the account
// then signs in by a one-time link until a password is chosen).
func (s *Users) Create(ctx context.Context, email, password string) (*User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	u := &User{Email: e, CreatedAt: s.now()}
	if password != "" {
		if err := CheckNewPassword(password); err != nil {
			return nil, err
		}
		if u.PasswordHash, err = HashPassword(password, s.params()); err != nil {
			return nil, err
		}
	}
	if u.ID, err = randomID("usr_"); err != nil {
		return nil, err
	}
	if err := s.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, nil
}

// StartSession makes a session for the user and returns its secret (for
// the cookie; never stored) and the session.
func (s *Users) StartSession(ctx context.Context, userID string) (string, *Session, error) {
	secret, err := randomSecret()
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	sess := &Session{Hash: Hash(secret), UserID: userID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(SessionAbsolute)}
	if err := s.Store.CreateSession(ctx, sess); err != nil {
		return "", nil, err
	}
	return secret, sess, nil
}

// dummyHash is checked against when the address has no account (or no
// password), so that a sign-in takes as long either way: the time it takes
// does not tell whether an address has an account.
var dummyHash, _ = HashPassword("not a password of anyone", DefaultArgon2)

// SignIn checks an e-mail address and password, remote being where the
// attempt comes from (an IP address or network, for the per-address limit;
// it is used as a key only, never stored with the user). On success it
// starts a session. Failures are ErrSignIn or ErrThrottled, whatever the
// cause: a wrong password and an unknown address read the same.
func (s *Users) SignIn(ctx context.Context, email, password, remote string) (string, *User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return "", nil, ErrSignIn
	}
	now := s.now()
	since := now.Add(-FailureWindow)
	acctKey, addrKey := "email:"+e, "addr:"+remote
	// Limits first, without looking at the password: a guesser learns
	// nothing more once throttled. The per-account key is the address
	// given, existing or not, so throttling does not reveal accounts.
	if n, err := s.Store.CountFailures(ctx, acctKey, since); err != nil {
		return "", nil, err
	} else if n >= MaxFailuresPerAccount {
		return "", nil, ErrThrottled
	}
	if remote != "" {
		if n, err := s.Store.CountFailures(ctx, addrKey, since); err != nil {
			return "", nil, err
		} else if n >= MaxFailuresPerAddress {
			return "", nil, ErrThrottled
		}
	}
	u, err := s.Store.UserByEmail(ctx, e)
	if err != nil && !errors.Is(err, ErrNoUser) {
		return "", nil, err
	}
	ok := false
	if u != nil && u.PasswordHash != "" {
		if ok, err = CheckPassword(u.PasswordHash, password); err != nil {
			return "", nil, fmt.Errorf("user %s: %w", u.ID, err)
		}
	} else {
		_, _ = CheckPassword(dummyHash, password)
	}
	if !ok {
		err := s.Store.AddFailure(ctx, acctKey, now)
		if remote != "" {
			err = errors.Join(err, s.Store.AddFailure(ctx, addrKey, now))
		}
		if err != nil {
			return "", nil, err
		}
		return "", nil, ErrSignIn
	}
	if err := s.Store.ClearFailures(ctx, acctKey); err != nil {
		return "", nil, err
	}
	if NeedsRehash(u.PasswordHash, s.params()) {
		// Best effort: the old hash still works if this fails.
		if h, err := HashPassword(password, s.params()); err == nil {
			_ = s.Store.SetPasswordHash(ctx, u.ID, h)
		}
	}
	secret, _, err := s.StartSession(ctx, u.ID)
	if err != nil {
		return "", nil, err
	}
	return secret, u, nil
}

// Authenticate returns the user a session secret stands for, or
// ErrNoSession when it is unknown, idle for longer than SessionIdle, or
// past its absolute expiry (an expired session is deleted).
func (s *Users) Authenticate(ctx context.Context, secret string) (*User, *Session, error) {
	if secret == "" || len(secret) > 128 {
		return nil, nil, ErrNoSession
	}
	h := Hash(secret)
	sess, err := s.Store.SessionByHash(ctx, h)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= SessionIdle {
		_ = s.Store.DeleteSession(ctx, h)
		return nil, nil, ErrNoSession
	}
	u, err := s.Store.UserByID(ctx, sess.UserID)
	if errors.Is(err, ErrNoUser) {
		return nil, nil, ErrNoSession
	}
	if err != nil {
		return nil, nil, err
	}
	if now.Sub(sess.LastSeenAt) >= TouchInterval {
		if err := s.Store.TouchSession(ctx, h, now); err == nil {
			sess.LastSeenAt = now
		}
	}
	return u, sess, nil
}

// SignOut ends one session.
func (s *Users) SignOut(ctx context.Context, secret string) error {
	return s.Store.DeleteSession(ctx, Hash(secret))
}

// SignOutEverywhere ends every session of the user (every browser).
func (s *Users) SignOutEverywhere(ctx context.Context, userID string) error {
	return s.Store.DeleteUserSessions(ctx, userID)
}

// NewLink makes a one-time link of purpose for the user and returns its
// secret (to put in the URL; never stored).
func (s *Users) NewLink(ctx context.Context, userID, purpose string) (string, *Link, error) {
	ttl := SignInLinkTTL
	switch purpose {
	case LinkSignIn:
	case LinkReset:
		ttl = ResetLinkTTL
	default:
		return "", nil, fmt.Errorf("%w: link purpose %q", ErrInvalid, purpose)
	}
	secret, err := randomSecret()
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	l := &Link{Hash: Hash(secret), UserID: userID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.Store.CreateLink(ctx, l); err != nil {
		return "", nil, err
	}
	return secret, l, nil
}

// Reset request limits within FailureWindow: per address typed (a
// mailbox is not flooded) and per client network (the outbox is not used
// to spam many mailboxes).
const (
	MaxResetsPerAccount = 3
	MaxResetsPerAddress = 10
)

// RequestReset makes a password-reset link for email when it has an
// account. For an unknown address it returns ("", nil, nil): the caller
// says the same thing either way ("if an account uses this address, a
// link was sent"), and sends nothing. Beyond the limits it returns
// ErrThrottled, for known and unknown addresses alike.
func (s *Users) RequestReset(ctx context.Context, email, remote string) (string, *User, error) {
	e, err := NormalizeEmail(email)
	if err != nil {
		return "", nil, nil
	}
	now := s.now()
	for _, l := range []struct {
		key string
		max int
	}{{"reset-email:" + e, MaxResetsPerAccount}, {"reset-addr:" + remote, MaxResetsPerAddress}} {
		if l.key == "reset-addr:" {
			continue
		}
		n, err := s.Store.CountFailures(ctx, l.key, now.Add(-FailureWindow))
		if err != nil {
			return "", nil, err
		}
		if n >= l.max {
			return "", nil, ErrThrottled
		}
		if err := s.Store.AddFailure(ctx, l.key, now); err != nil {
			return "", nil, err
		}
	}
	u, err := s.Store.UserByEmail(ctx, e)
	if errors.Is(err, ErrNoUser) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, err
	}
	secret, _, err := s.NewLink(ctx, u.ID, LinkReset)
	if err != nil {
		return "", nil, err
	}
	return secret, u, nil
}

// UseLink spends a one-time link of purpose. When newPassword is not empty
// it becomes the user's password (required for a reset link). Every other
// session of the user is ended when the password changes (someone who knew
// the old one is signed out), and a new session is started for this
// browser.
func (s *Users) UseLink(ctx context.Context, secret, purpose, newPassword string) (string, *User, error) {
	if purpose == LinkReset && newPassword == "" {
		return "", nil, fmt.Errorf("%w: choose a new password", ErrWeakPassword)
	}
	var hash string
	if newPassword != "" {
		if err := CheckNewPassword(newPassword); err != nil {
			return "", nil, err
		}
		var err error
		if hash, err = HashPassword(newPassword, s.params()); err != nil {
			return "", nil, err
		}
	}
	if secret == "" || len(secret) > 128 {
		return "", nil, ErrLinkInvalid
	}
	l, err := s.Store.UseLink(ctx, Hash(secret), purpose, s.now())
	if err != nil {
		return "", nil, err
	}
	u, err := s.Store.UserByID(ctx, l.UserID)
	if errors.Is(err, ErrNoUser) {
		return "", nil, ErrLinkInvalid
	}
	if err != nil {
		return "", nil, err
	}
	if hash != "" {
		if err := s.Store.SetPasswordHash(ctx, u.ID, hash); err != nil {
			return "", nil, err
		}
		if err := s.Store.DeleteUserSessions(ctx, u.ID); err != nil {
			return "", nil, err
		}
		u.PasswordHash = hash
	}
	if err := s.Store.ClearFailures(ctx, "email:"+u.Email); err != nil {
		return "", nil, err
	}
	sessSecret, _, err := s.StartSession(ctx, u.ID)
	if err != nil {
		return "", nil, err
	}
	return sessSecret, u, nil
}

// ChangePassword sets a new password for a signed-in user after checking
// the current one (when there is one), and ends every session of the user
// (the caller starts a new one for this browser).
func (s *Users) ChangePassword(ctx context.Context, u *User, current, newPassword string) error {
	if u.PasswordHash != "" {
		ok, err := CheckPassword(u.PasswordHash, current)
		if err != nil {
			return err
		}
		if !ok {
			return ErrSignIn
		}
	}
	if err := CheckNewPassword(newPassword); err != nil {
		return err
	}
	h, err := HashPassword(newPassword, s.params())
	if err != nil {
		return err
	}
	if err := s.Store.SetPasswordHash(ctx, u.ID, h); err != nil {
		return err
	}
	u.PasswordHash = h
	return s.Store.DeleteUserSessions(ctx, u.ID)
}

// Delete removes the account with its sessions, links and tokens (the
// wallet's data is removed by the wallet first).
func (s *Users) Delete(ctx context.Context, userID string) error {
	return s.Store.DeleteUser(ctx, userID)
}

// NewPersonalToken makes an API token acting as the user (the wallet API),
// expiring after ttl (0: never); the secret is returned once.
func (s *Users) NewPersonalToken(ctx context.Context, userID, label string, ttl time.Duration) (string, *PersonalToken, error) {
	if ttl < 0 {
		return "", nil, fmt.Errorf("%w: expiry %s is negative", ErrInvalid, ttl)
	}
	if len(label) > 200 || strings.ContainsFunc(label, unicode.IsControl) {
		return "", nil, fmt.Errorf("%w: a label is at most 200 characters, without control characters", ErrInvalid)
	}
	secret, err := NewSecret()
	if err != nil {
		return "", nil, err
	}
	id, err := randomID("ptk_")
	if err != nil {
		return "", nil, err
	}
	now := s.now()
	t := &PersonalToken{ID: id, UserID: userID, Label: label, Hash: Hash(secret), CreatedAt: now}
	if ttl > 0 {
		t.ExpiresAt = now.Add(ttl)
	}
	if err := s.Store.CreatePersonalToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// AuthenticateToken returns the user a personal token acts as, or an error
// wrapping ErrUnauthenticated.
func (s *Users) AuthenticateToken(ctx context.Context, secret string) (*User, error) {
	if secret == "" || len(secret) > 128 {
		return nil, ErrUnknownToken
	}
	t, err := s.Store.PersonalTokenByHash(ctx, Hash(secret))
	if errors.Is(err, ErrNotFound) {
		return nil, ErrUnknownToken
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	switch {
	case !t.RevokedAt.IsZero():
		return nil, ErrRevoked
	case !t.ExpiresAt.IsZero() && !now.Before(t.ExpiresAt):
		return nil, ErrExpired
	}
	u, err := s.Store.UserByID(ctx, t.UserID)
	if errors.Is(err, ErrNoUser) {
		return nil, ErrUnknownToken
	}
	return u, err
}
