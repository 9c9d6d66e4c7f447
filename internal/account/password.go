package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Argon2Params are the argon2id cost parameters. They are written into
// every hash (the PHC string format), so they can be raised later: a hash
// made with older parameters still verifies, and is re-made with the
// current ones at the next successful sign-in (NeedsRehash).
type Argon2Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes
	Threads uint8
}

// DefaultArgon2 is OWASP's first recommended argon2id setting (Password
// Storage Cheat Sheet: m=19 MiB, t=2, p=1): about 30 ms on one core of the
// build machine, so a sign-in costs little and a guess costs the same.
var DefaultArgon2 = Argon2Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Bounds on parameters read from a stored hash: a corrupted or hostile row
// must not make one sign-in allocate gigabytes or run for minutes.
const (
	maxArgonMemory = 1 << 20 // 1 GiB in KiB
	maxArgonTime   = 20
	saltBytes      = 16
	keyBytes       = 32
	// MinPasswordLength and MaxPasswordLength bound a chosen password (NIST
	// SP 800-63B §5.1.1.2: at least 8, allow at least 64); the upper bound
	// keeps one hash's input small.
	MinPasswordLength = 8
	MaxPasswordLength = 256
)

// ErrHashFormat: a stored hash that is not an argon2id PHC string this
// package can read.
var ErrHashFormat = errors.New("password hash: not an argon2id hash")

// HashPassword hashes password with argon2id and a fresh 16-byte salt, in
// the PHC string format:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt, base64 raw>$<key, base64 raw>
func HashPassword(password string, p Argon2Params) (string, error) {
	if p.Memory == 0 || p.Time == 0 || p.Threads == 0 || p.Memory > maxArgonMemory || p.Time > maxArgonTime {
		return "", fmt.Errorf("%w: argon2 parameters %+v", ErrInvalid, p)
	}
	salt := make([]byte, saltBytes)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, keyBytes)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// parseHash reads a PHC argon2id string.
func parseHash(encoded string) (p Argon2Params, salt, key []byte, err error) {
	parts := strings.Split(encoded, "$")
	// "", "argon2id", "v=19", "m=..,t=..,p=..", salt, key
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return p, nil, nil, ErrHashFormat
	}
	var m, t, th uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return p, nil, nil, ErrHashFormat
		}
		n, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return p, nil, nil, ErrHashFormat
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			th = n
		default:
			return p, nil, nil, ErrHashFormat
		}
	}
	if m == 0 || t == 0 || th == 0 || th > 255 || m > maxArgonMemory || t > maxArgonTime {
		return p, nil, nil, ErrHashFormat
	}
	if salt, err = base64.RawStdEncoding.DecodeString(parts[4]); err != nil || len(salt) < 8 {
		return p, nil, nil, ErrHashFormat
	}
	if key, err = base64.RawStdEncoding.DecodeString(parts[5]); err != nil || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, ErrHashFormat
	}
	return Argon2Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(th)}, salt, key, nil
}

// CheckPassword reports whether password matches the stored hash, with the
// parameters the hash names; the comparison is constant-time.
func CheckPassword(encoded, password string) (bool, error) {
	p, salt, key, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	got := argon2.IDKey([]byte(password), salt, p.Time, p.Memory, p.Threads, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1, nil
}

// NeedsRehash reports whether a stored hash was made with other parameters
// than p (it is then re-made at the next successful sign-in).
func NeedsRehash(encoded string, p Argon2Params) bool {
	got, _, _, err := parseHash(encoded)
	return err != nil || got != p
}

// CheckNewPassword applies the rules to a password a person chooses:
// length only (NIST SP 800-63B §5.1.1.2 advises against composition rules).
func CheckNewPassword(password string) error {
	n := len([]rune(password))
	if n < MinPasswordLength {
		return fmt.Errorf("%w: a password has at least %d characters", ErrWeakPassword, MinPasswordLength)
	}
	if len(password) > MaxPasswordLength {
		return fmt.Errorf("%w: a password has at most %d bytes", ErrWeakPassword, MaxPasswordLength)
	}
	return nil
}
