package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestKeyRotate: 'blason key rotate' gives a did:web issuer its next key,
// lists the retired ones, records the rotation in the audit log as the
// person at the terminal; a did:key issuer and a data directory without
// an issuer are told why not, and nothing is created.
func TestKeyRotate(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if code, _, errs := runCLI(t, "", "key", "rotate", "--data", filepath.Join(dir, "none")); code != 2 || !strings.Contains(errs, "no issuer is recorded") {
		t.Fatalf("no data directory: %d %s", code, errs)
	}

	keyData := filepath.Join(dir, "didkey")
	if code, _, errs := runCLI(t, "", "member", "set", "--data", keyData, "--email", "a@lab.example", "--role", "admin"); code != 0 {
		t.Fatal(errs)
	}
	if code, _, errs := runCLI(t, "", "key", "rotate", "--data", keyData); code != 2 || !strings.Contains(errs, "a did:key is its key") ||
		!strings.Contains(errs, "did:web") {
		t.Fatalf("did:key: %d %s", code, errs)
	}

	data := filepath.Join(dir, "didweb")
	const id = "did:web:badges.lab.example"
	data2 := data
	st, err := openState(ctx, addStateFlagsFor(&data2))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ensureIssuer(ctx, st.Issuer, st.Issuers, "", id, "Lab", slog.New(slog.NewTextHandler(io.Discard, nil))); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for i, want := range []string{id + "#key-2", id + "#key-3"} {
		code, out, errs := runCLI(t, "", "key", "rotate", "--data", data)
		if code != 0 || !strings.Contains(out, "now signs with "+want) || strings.Count(out, "retired") != i+1 {
			t.Fatalf("rotation %d: %d %s %s", i+1, code, out, errs)
		}
	}
	st, err = openState(ctx, addStateFlagsFor(&data2))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	is, err := st.Issuer.Issuer(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if is.Key.VerificationMethod != id+"#key-3" {
		t.Errorf("signs with %s", is.Key.VerificationMethod)
	}
	ws, err := workspaceOn(ctx, st.DB, nil)
	if err != nil {
		t.Fatal(err)
	}
	log, err := ws.AuditLog(ctx, id, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(log) != 2 || log[0].Action != "key.rotate" || log[0].Actor != cliActor() || !strings.HasPrefix(log[0].Actor, "cli") {
		t.Fatalf("audit log: %+v", log)
	}
	// A badge awarded from the CLI now is signed by the new key; its
	// preflight reads the did:web document from the store (an offline
	// verifier could not resolve a did:web at all).
	_, out, _ := runCLI(t, "", "achievement", "add", "--data", data, "--file", "../../docs/examples/achievement.json")
	if code, out, errs := runCLI(t, "", "award", "--data", data, "--achievement", lastLine(out), "--recipient-email", "ann@lab.example.org"); code != 0 {
		t.Fatalf("award: %d %s %s", code, out, errs)
	}
	_, out, _ = runCLI(t, "", "awards", "--data", data)
	cr, err := st.Issuer.Store.GetCredential(ctx, regexp.MustCompile(`urn:uuid:[0-9a-f-]+`).FindString(out))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(cr.Document), `"verificationMethod": "`+id+`#key-3"`) {
		t.Errorf("the badge awarded after the rotations: %s", cr.Document)
	}
}

// addStateFlagsFor is the state flags of a command given --data data.
func addStateFlagsFor(data *string) stateFlags {
	empty1, empty2 := "", ""
	return stateFlags{data: data, database: &empty1, masterKeyFile: &empty2}
}
