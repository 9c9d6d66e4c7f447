package account

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// memStore is a map-backed Store for the rules' tests; the SQL stores run
// the shared suite in store/storetest.
type memStore struct {
	mu      sync.Mutex
	byID    map[string]*Token
	touches int
}

func (m *memStore) CreateToken(_ context.Context, t *Token) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byID == nil {
		m.byID = map[string]*Token{}
	}
	for _, o := range m.byID {
		if o.ID == t.ID || bytes.Equal(o.Hash, t.Hash) {
			return ErrExists
		}
	}
	c := *t
	m.byID[t.ID] = &c
	return nil
}

func (m *memStore) TokenByHash(_ context.Context, h []byte) (*Token, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, t := range m.byID {
		if bytes.Equal(t.Hash, h) {
			c := *t
			return &c, nil
		}
	}
	return nil, ErrNotFound
}

func (m *memStore) ListTokens(context.Context) ([]*Token, error) { return nil, nil }

func (m *memStore) RevokeToken(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	t, ok := m.byID[id]
	if !ok {
		return ErrNotFound
	}
	if t.RevokedAt.IsZero() {
		t.RevokedAt = at
	}
	return nil
}

func (m *memStore) TouchToken(_ context.Context, id string, at time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.touches++
	m.byID[id].LastUsedAt = at
	return nil
}

func TestSecretShapeAndHash(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		s, err := NewSecret()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(s, Prefix))
		if !strings.HasPrefix(s, Prefix) || err != nil || len(raw) != 32 {
			t.Fatalf("secret %q: want %s + base64url of 32 bytes (%v)", s, Prefix, err)
		}
		if seen[s] {
			t.Fatal("secret repeated")
		}
		seen[s] = true
		if h := Hash(s); len(h) != 32 || bytes.Contains(h, []byte(s)) {
			t.Fatalf("hash %x", h)
		}
	}
}

func TestParseScopes(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want string
		ok       bool
	}{
		{"issue", "issue", true},
		{"status, issue", "issue,status", true},
		{"ADMIN,issue,issue", "issue,admin", true},
		{"", "", false},
		{" , ", "", false},
		{"issue,write", "", false},
	} {
		got, err := ParseScopes(c.in)
		if (err == nil) != c.ok || (c.ok && JoinScopes(got) != c.want) {
			t.Errorf("ParseScopes(%q) = %v, %v; want %q ok=%v", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Errorf("%q: error %v does not wrap ErrInvalid", c.in, err)
		}
	}
}

func TestAllows(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		scopes []Scope
		want   Scope
		ok     bool
	}{
		{[]Scope{ScopeIssue}, ScopeIssue, true},
		{[]Scope{ScopeIssue}, ScopeStatus, false},
		{[]Scope{ScopeStatus}, ScopeAdmin, false},
		{[]Scope{ScopeAdmin}, ScopeIssue, true},
		{[]Scope{ScopeAdmin}, ScopeStatus, true},
		{nil, ScopeIssue, false},
	} {
		if got := (&Token{Scopes: c.scopes}).Allows(c.want); got != c.ok {
			t.Errorf("%v allows %s = %v", c.scopes, c.want, got)
		}
	}
}

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	clock := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	st := &memStore{}
	svc := &Service{Store: st, Operator: strings.Repeat("k", 40), Now: func() time.Time { return clock }}

	secret, tok, err := svc.Create(ctx, []Scope{ScopeStatus, ScopeIssue}, "ci", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if JoinScopes(tok.Scopes) != "issue,status" || !tok.ExpiresAt.Equal(clock.Add(time.Hour)) || !bytes.Equal(tok.Hash, Hash(secret)) {
		t.Fatalf("token %+v", tok)
	}
	forever, _, err := svc.Create(ctx, []Scope{ScopeIssue}, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := svc.Authenticate(ctx, secret)
	if err != nil || got.ID != tok.ID {
		t.Fatalf("valid token: %v %v", got, err)
	}
	// Used again within a minute: no second write.
	if _, err := svc.Authenticate(ctx, secret); err != nil || st.touches != 1 {
		t.Fatalf("touches %d, %v", st.touches, err)
	}
	op, err := svc.Authenticate(ctx, svc.Operator)
	if err != nil || op.ID != OperatorID || !op.Allows(ScopeIssue) || !op.Allows(ScopeStatus) {
		t.Fatalf("operator: %v %v", op, err)
	}

	for name, c := range map[string]struct {
		secret string
		want   error
	}{
		"empty":         {"", ErrUnknownToken},
		"unknown":       {Prefix + "nope", ErrUnknownToken},
		"operator+1":    {svc.Operator + "k", ErrUnknownToken},
		"operator-1":    {svc.Operator[1:], ErrUnknownToken},
		"secret prefix": {secret[:len(secret)-1], ErrUnknownToken},
	} {
		if _, err := svc.Authenticate(ctx, c.secret); !errors.Is(err, c.want) || !errors.Is(err, ErrUnauthenticated) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}

	clock = clock.Add(time.Hour) // exactly at expiry: expired
	if _, err := svc.Authenticate(ctx, secret); !errors.Is(err, ErrExpired) {
		t.Fatalf("expired: %v", err)
	}
	if _, err := svc.Authenticate(ctx, forever); err != nil {
		t.Fatalf("no expiry: %v", err)
	}
	if err := svc.Revoke(ctx, st.mustID(forever)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Authenticate(ctx, forever); !errors.Is(err, ErrRevoked) {
		t.Fatalf("revoked: %v", err)
	}
	if err := svc.Revoke(ctx, "tok_nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoke unknown: %v", err)
	}
}

func (m *memStore) mustID(secret string) string {
	t, _ := m.TokenByHash(context.Background(), Hash(secret))
	return t.ID
}

func TestCreateRejects(t *testing.T) {
	t.Parallel()
	svc := &Service{Store: &memStore{}}
	for name, c := range map[string]struct {
		scopes []Scope
		label  string
		ttl    time.Duration
	}{
		"no scope":        {nil, "", 0},
		"unknown scope":   {[]Scope{"write"}, "", 0},
		"negative ttl":    {[]Scope{ScopeIssue}, "", -time.Second},
		"control label":   {[]Scope{ScopeIssue}, "a\x1b[2Jb", 0},
		"very long label": {[]Scope{ScopeIssue}, strings.Repeat("x", 201), 0},
	} {
		if _, _, err := svc.Create(context.Background(), c.scopes, c.label, c.ttl); !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestLoadOperatorFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "operator.token")
	tok, created, err := LoadOperatorFile(path)
	if err != nil || !created || CheckOperatorSecret(tok) != nil {
		t.Fatalf("create: %q %v %v", tok, created, err)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o600 {
		t.Fatalf("created with mode %v", info.Mode())
	}
	again, created, err := LoadOperatorFile(path)
	if err != nil || created || again != tok {
		t.Fatalf("reload: %q %v %v", again, created, err)
	}

	write := func(name, content string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			t.Fatal(err)
		}
		return p
	}
	strong := strings.Repeat("0123456789abcdef", 4) + "\n"
	if got, _, err := LoadOperatorFile(write("hex", strong, 0o600)); err != nil || got != strings.TrimSpace(strong) {
		t.Fatalf("hex token: %q %v", got, err)
	}
	for name, c := range map[string]struct {
		content string
		mode    os.FileMode
		want    string
	}{
		"world readable": {strong, 0o644, "chmod 600"},
		"group readable": {strong, 0o640, "chmod 600"},
		"group writable": {strong, 0o620, "chmod 600"},
		"one character":  {"x\n", 0o600, "at least 32"},
		"31 characters":  {strings.Repeat("a", 31), 0o600, "at least 32"},
		"empty":          {"", 0o600, "empty"},
		"inner space":    {strings.Repeat("a", 20) + " " + strings.Repeat("b", 20), 0o600, "whitespace"},
		"huge":           {strings.Repeat("a", 10000), 0o600, "not a token file"},
	} {
		_, _, err := LoadOperatorFile(write(strings.ReplaceAll(name, " ", "-"), c.content, c.mode))
		if err == nil || !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v (want %q)", name, err, c.want)
		}
	}
}
