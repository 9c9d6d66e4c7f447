package account

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// LoadOperatorFile returns the operator token kept in the file at path,
// creating the file (mode 0600, a fresh NewSecret) if it does not exist;
// created reports that. An existing file is refused when anyone but its
// owner may read or write it (mode & 0o077 != 0): a token others can read
// signs in the issuer's name. It is also refused when the token in it is
// weaker than CheckOperatorSecret allows. The errors say how to fix it.
func LoadOperatorFile(path string) (token string, created bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		token, err = createOperatorFile(path)
		return token, err == nil, err
	}
	if err != nil {
		return "", false, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return "", false, err
	}
	if !info.Mode().IsRegular() {
		return "", false, fmt.Errorf("%w: %s is not a regular file", ErrInvalid, path)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return "", false, fmt.Errorf("%w: %s has mode %04o: other users can read or change it; run: chmod 600 %s", ErrInvalid, path, perm, path)
	}
	// A token file is one line; read a little more than any sane token so
	// that a wrong path (a large file) fails as "too long", not by reading it.
	buf := make([]byte, 4096)
	n, err := io.ReadFull(f, buf)
	switch {
	case errors.Is(err, io.EOF):
		return "", false, fmt.Errorf("%w: %s is empty; delete it and a new token is made on the next start, or write a random token of at least %d characters into it", ErrInvalid, path, MinSecretLength)
	case err == nil:
		return "", false, fmt.Errorf("%w: %s is longer than %d bytes: not a token file", ErrInvalid, path, len(buf)-1)
	case !errors.Is(err, io.ErrUnexpectedEOF):
		return "", false, err
	}
	token = strings.TrimSpace(string(buf[:n]))
	if err := CheckOperatorSecret(token); err != nil {
		return "", false, fmt.Errorf("%s: %w; delete the file and a new token is made on the next start (or write one: openssl rand -hex 32)", path, err)
	}
	return token, false, nil
}

func createOperatorFile(path string) (string, error) {
	token, err := NewSecret()
	if err != nil {
		return "", err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := f.WriteString(token + "\n"); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	return token, f.Close()
}
