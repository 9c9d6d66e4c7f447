package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"

	"github.com/blason-badges/blason/internal/account"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/issuer"
)

// TestOf: each sentinel the libraries return, wrapped as they wrap it,
// maps to its status and kind; anything else is a 500.
func TestOf(t *testing.T) {
	t.Parallel()
	wrap := func(err error) error { return fmt.Errorf("store: %w", err) }
	for _, c := range []struct {
		err    error
		status int
		kind   string
	}{
		{wrap(issuer.ErrExists), 409, Duplicate},
		{wrap(issuer.ErrConflict), 409, Conflict},
		{wrap(issuer.ErrKeyRotation), 409, KeyRotation},
		{wrap(issuer.ErrNotFound), 404, NotFound},
		{account.ErrNotFound, 404, NotFound},
		{wrap(issuer.ErrNotOurIssuer), 400, UnknownIssuer},
		// A data-model error inside a credential error names the rule.
		{fmt.Errorf("%w: %w", issuer.ErrCredential, credential.ErrDataModel), 400, VCDataModel},
		{wrap(issuer.ErrCredential), 400, InvalidCredential},
		{wrap(issuer.ErrPreflight), 400, InvalidCredential},
		{issuer.ErrRecipient, 400, InvalidCredential},
		{account.ErrExpired, 401, Unauthorized},
		{account.ErrInvalid, 400, Malformed},
		{&http.MaxBytesError{Limit: 10}, 413, TooLarge},
		{fmt.Errorf("upload: %w", multipart.ErrMessageTooLarge), 413, TooLarge},
		{wrap(os.ErrDeadlineExceeded), 408, Timeout},
		{errors.New("disk on fire"), 500, Internal},
	} {
		status, kind := Of(c.err)
		if status != c.status || kind != c.kind {
			t.Errorf("Of(%v) = %d %s, want %d %s", c.err, status, kind, c.status, c.kind)
		}
		if titles[kind] == "" {
			t.Errorf("kind %s has no title", kind)
		}
	}
}

func serve(h gin.HandlerFunc) (*httptest.ResponseRecorder, *gin.Context) {
	w := httptest.NewRecorder()
	c, _ := gin.CreateTestContext(w)
	h(c)
	return w, c
}

// TestError: a 4xx tells the client the given detail (or the error's
// text), a 5xx tells nothing and logs the error; what redaction takes out
// is logged, and internal addresses never reach the client.
func TestError(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, detail, want string
		err                error
		status             int
		logged             bool
	}{
		{"own text", "", "no such list: not found", fmt.Errorf("no such list: %w", issuer.ErrNotFound), 404, false},
		{"given detail", "no credential x", "no credential x", issuer.ErrNotFound, 404, false},
		{"500 says nothing", "", "", errors.New("open /var/lib/blason/db: denied"), 500, true},
		{"redacted", "", "dial [internal address]:443: " + issuer.ErrPreflight.Error(), fmt.Errorf("dial 10.0.0.1:443: %w", issuer.ErrPreflight), 400, true},
	} {
		w, gc := serve(func(gc *gin.Context) { Error(gc, c.err, c.detail) })
		var p Problem
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
			t.Fatal(err)
		}
		if w.Code != c.status || p.Status != c.status || p.Detail != c.want || !strings.HasPrefix(p.Type, BaseURI) || p.Title == "" {
			t.Errorf("%s: %d %+v", c.name, w.Code, p)
		}
		if w.Header().Get("Cache-Control") != "no-store" {
			t.Errorf("%s: cacheable error", c.name)
		}
		if (len(gc.Errors) > 0) != c.logged {
			t.Errorf("%s: logged %v, want %v", c.name, gc.Errors, c.logged)
		}
	}
}

// TestWriteHTTP: the pages' writer sends the same object as
// application/problem+json and hands the redacted original to the log.
func TestWriteHTTP(t *testing.T) {
	t.Parallel()
	w := httptest.NewRecorder()
	var logged []string
	WriteHTTP(w, 502, FetchFailed, "x", func(s string) { logged = append(logged, s) })
	if w.Code != 502 || w.Header().Get("Content-Type") != "application/problem+json" || strings.Contains(w.Body.String(), `"detail"`) {
		t.Fatalf("5xx: %d %v %s", w.Code, w.Header(), w.Body)
	}
	w = httptest.NewRecorder()
	WriteHTTP(w, 400, Malformed, "read /home/x/y failed", func(s string) { logged = append(logged, s) })
	var p Problem
	_ = json.Unmarshal(w.Body.Bytes(), &p)
	if p.Detail != "read [server path] failed" || len(logged) != 1 || logged[0] != "read /home/x/y failed" {
		t.Fatalf("redaction: %+v %q", p, logged)
	}
}
