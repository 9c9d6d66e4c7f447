package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/blason-badges/blason/verifier"
)

// webOf serves fixed documents by URL, standing in for the network.
type webOf map[string][]byte

func (w webOf) GetJSON(_ context.Context, u string, _ ...string) ([]byte, error) {
	if b, ok := w[u]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("not found: %s", u)
}

// TestServeHTTPSIssuer: 'serve --issuer-url' signs as an issuer whose id
// is an https URL of the server and serves its profile there: OB 3.0
// Profile JSON with its key for machines (a verifier that fetched it
// verifies the issuer's badges), a page for people; other names are not
// found. Badges awarded from the CLI pass their preflight (the key read
// from the store), and the server's own verifier accepts them.
func TestServeHTTPSIssuer(t *testing.T) {
	const id = "https://badges.lab.example/issuers/lab"
	data := filepath.Join(t.TempDir(), "data")
	t.Setenv("BLASON_DATA", data)
	t.Setenv("BLASON_ADDR", "127.0.0.1:0")
	if code, _, errs := runCLI(t, "", "serve", "--issuer-url", "https://badges.lab.example/admin"); code != 2 || !strings.Contains(errs, "/issuers/NAME") {
		t.Fatalf("bad --issuer-url: %d %s", code, errs)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var sout, serr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--issuer-url", id, "--public-url", "https://badges.lab.example", "--issuer-name", "Laboratoire"},
			strings.NewReader(""), &sout, &serr)
	}()
	defer func() {
		cancel()
		if code := <-done; code != 0 {
			t.Errorf("serve: %d %s", code, serr.String())
		}
	}()
	var addr string
	for deadline := time.Now().Add(15 * time.Second); addr == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := regexp.MustCompile(`serving on (http://\S+)`).FindStringSubmatch(sout.String()); m != nil {
			addr = m[1]
		}
	}
	if addr == "" {
		t.Fatalf("serve did not start: %s", serr.String())
	}
	get := func(path, accept string) (int, string, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", addr+path, nil)
		req.Host = "badges.lab.example"
		req.Header.Set("Accept", accept)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}

	// A badge awarded from the CLI on the same data directory.
	_, out, _ := runCLI(t, "", "achievement", "add", "--data", data, "--file", "../../docs/examples/achievement.json")
	if code, out, errs := runCLI(t, "", "award", "--data", data, "--achievement", lastLine(out), "--recipient-email", "ann@lab.example.org",
		"--public-url", "https://badges.lab.example"); code != 0 || !strings.Contains(out, "Badges awarded: 1.") {
		t.Fatalf("award: %d %s %s", code, out, errs)
	}
	d := data
	st, err := openState(context.Background(), addStateFlagsFor(&d))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := st.Issuers.ListIssuers(context.Background())
	if err != nil || len(recs) != 1 || recs[0].ID != id || recs[0].VerificationMethod != id+"#key-1" {
		t.Fatalf("issuers: %v %v", recs, err)
	}
	_, out, _ = runCLI(t, "", "awards", "--data", data)
	credID := regexp.MustCompile(`urn:uuid:[0-9a-f-]+`).FindString(out)
	cr, err := st.Issuer.Store.GetCredential(context.Background(), credID)
	st.Close()
	if err != nil {
		t.Fatal(err)
	}

	code, ct, profile := get("/issuers/lab", "application/ld+json")
	if code != 200 || ct != "application/ld+json" || !strings.Contains(string(profile), `"name":"Laboratoire"`) ||
		!strings.Contains(string(profile), `"assertionMethod":["`+id+`#key-1"]`) {
		t.Fatalf("profile JSON: %d %s %s", code, ct, profile)
	}
	// Anyone who fetched the profile at the issuer's id verifies the badge
	// (the status list offline: "revocation not checked", the proof and the
	// key's provenance checked).
	v := verifier.New(verifier.Options{Fetcher: webOf{id: profile}})
	rep, _ := v.Verify(context.Background(), cr.Document)
	for _, id := range []string{verifier.CheckProof, verifier.CheckIssuerKey} {
		if c := rep.Check(id); c.Outcome != verifier.Passed {
			t.Errorf("check %s: %s %s", id, c.Outcome, c.Detail)
		}
	}
	if rep.Verdict != verifier.VerdictRevocationNotChecked {
		t.Errorf("outside verifier: %s", rep.Verdict)
	}
	// Without the profile, the key cannot be found.
	if rep, _ := verifier.New(verifier.Options{Fetcher: webOf{}}).Verify(context.Background(), cr.Document); rep.Verified {
		t.Error("verified without the issuer's profile")
	}

	code, ct, page := get("/issuers/lab", "text/html")
	if code != 200 || !strings.HasPrefix(ct, "text/html") || !strings.Contains(string(page), "Laboratoire") || !strings.Contains(string(page), id+"#key-1") {
		t.Fatalf("profile page: %d %s %s", code, ct, page)
	}
	if code, _, _ := get("/issuers/other", "application/json"); code != 404 {
		t.Errorf("another name: %d", code)
	}
	// The server's own verifier finds the key too.
	req, _ := http.NewRequest("POST", addr+"/credentials/verify", strings.NewReader(`{"verifiableCredential": `+string(cr.Document)+`}`))
	req.Host = "badges.lab.example"
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("server verification: %d %s", resp.StatusCode, body)
	}
}
