package fetch

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
)

// Do sends the method, headers and body; returns non-2xx responses with
// their body; follows no redirect; and keeps the guard, the https rule
// and the body cap.
func TestDo(t *testing.T) {
	t.Parallel()
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Header().Set("X-Method", r.Method)
			w.Header().Set("X-Auth", r.Header.Get("Authorization"))
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write(b)
		case "/fail":
			w.WriteHeader(http.StatusBadRequest)
			_, _ = io.WriteString(w, `{"error":"invalid_grant"}`)
		case "/redirect":
			http.Redirect(w, r, "/echo", http.StatusTemporaryRedirect)
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat("x", 100))
		}
	}))
	c := e.client(Options{AllowPrivate: true, MaxBytes: 64})
	resp, err := c.Do(ctxT(t), "POST", e.url(publicHost, "/echo"), http.Header{"Authorization": {"Basic abc"}}, []byte("hello"))
	if err != nil || resp.StatusCode != 201 || string(resp.Body) != "hello" || resp.Header.Get("X-Method") != "POST" || resp.Header.Get("X-Auth") != "Basic abc" {
		t.Fatalf("echo: %+v %v", resp, err)
	}
	resp, err = c.Do(ctxT(t), "POST", e.url(publicHost, "/fail"), nil, nil)
	if err != nil || resp.StatusCode != 400 || !strings.Contains(string(resp.Body), "invalid_grant") {
		t.Fatalf("fail: %+v %v", resp, err)
	}
	resp, err = c.Do(ctxT(t), "POST", e.url(publicHost, "/redirect"), nil, []byte("secret"))
	if err != nil || resp.StatusCode != http.StatusTemporaryRedirect {
		t.Fatalf("redirect followed: %+v %v", resp, err)
	}
	if _, err := c.Do(ctxT(t), "GET", e.url(publicHost, "/big"), nil, nil); !errors.Is(err, ErrTooLarge) {
		t.Errorf("cap: %v", err)
	}
	if _, err := c.Do(ctxT(t), "POST", "http://"+publicHost+"/echo", nil, nil); !errors.Is(err, ErrInsecureURL) {
		t.Errorf("http: %v", err)
	}
	guarded := e.client(Options{})
	if _, err := guarded.Do(ctxT(t), "POST", e.url(privateHost, "/echo"), nil, nil); !errors.Is(err, ErrPrivateAddress) {
		t.Errorf("private address: %v", err)
	}
}
