package oauth_test

import (
	"net/http/httptest"
	"testing"

	"github.com/blason-badges/blason/internal/store/sqldb/sqldbtest"
)

// BenchmarkAuthenticate: the bearer check every API call makes (HMAC of
// the token, one indexed read of the token's row on SQLite, the client's
// row).
func BenchmarkAuthenticate(b *testing.B) {
	e := newEnv(b, sqldbtest.SQLite(b))
	c := e.register(read)
	a := defaults(c, authz{scope: read})
	tk := e.exchange(c, e.code(c, a), a)
	if tk.Access == "" {
		b.Fatal("no token")
	}
	req := httptest.NewRequest("GET", "/", nil)
	req.Header.Set("Authorization", "Bearer "+tk.Access)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := e.srv.Authenticate(req, read); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCodeFlow: registration excluded, one authorization (code
// issued) and its exchange for tokens, over HTTP on loopback.
func BenchmarkCodeFlow(b *testing.B) {
	e := newEnv(b, sqldbtest.SQLite(b))
	c := e.register(read)
	a := defaults(c, authz{scope: read})
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if tk := e.exchange(c, e.code(c, a), a); tk.Access == "" {
			b.Fatal("no token")
		}
	}
}
