package status

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readJSON(t testing.TB, name string) map[string]any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return m
}

func TestTestdataPresent(t *testing.T) {
	files, err := filepath.Glob("testdata/*.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 5 {
		t.Fatalf("testdata/*.json matched %d files, want at least 5", len(files))
	}
}

// The validator's testlist: 16 KiB, only bit 23 set.
func TestFixtureTestlist(t *testing.T) {
	l, err := ParseListCredential(readJSON(t, "bitstring-testlist.json"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Type != TypeBitstringList || l.Issuer != "https://1edtech.edu/issuers/565049" ||
		len(l.Purposes) != 1 || l.Purposes[0] != PurposeRevocation || l.ValidFrom.IsZero() {
		t.Fatalf("unexpected list metadata: %+v", l)
	}
	if got := l.Bits.Len(); got != MinBits {
		t.Fatalf("Len = %d, want %d", got, MinBits)
	}
	var set []int
	for i := range l.Bits.Len() {
		if v, _ := l.Bits.Get(i); v {
			set = append(set, i)
		}
	}
	if len(set) != 1 || set[0] != 23 {
		t.Fatalf("set bits = %v, want [23]", set)
	}
	if b := l.Bits.Bytes(); b[2] != 0x01 {
		t.Fatalf("byte 2 = %#x, want 0x01 (bit 23, MSB-first)", b[2])
	}
}

func TestFixtureBitstringEntries(t *testing.T) {
	l, err := ParseListCredential(readJSON(t, "bitstring-testlist.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"bitstring-credential-status-revoked.json", "bitstring-credential-status-revoked-blank-nodes.json"} {
		t.Run(name, func(t *testing.T) {
			cs := readJSON(t, name)["credentialStatus"]
			// Strict: the fixture's statusListIndex is the number 23, not a string.
			_, err := ParseEntries(cs)
			if !errors.Is(err, ErrIndex) || !strings.Contains(err.Error(), "23") {
				t.Fatalf("strict ParseEntries err = %v, want ErrIndex naming 23", err)
			}
			es, err := ParseEntriesWith(cs, ParseOptions{AllowNumericIndex: true})
			if err != nil {
				t.Fatal(err)
			}
			e := es[0]
			if len(es) != 1 || e.Type != TypeBitstringEntry || !e.Known() || e.Index != 23 || e.Size != 1 ||
				e.Purpose != PurposeRevocation || !strings.HasSuffix(e.ListCredential, "/bit-string-list/testlist") {
				t.Fatalf("entry = %+v", e)
			}
			r, err := l.Status(e)
			if err != nil {
				t.Fatal(err)
			}
			if !Revoked(r) || Suspended(r) || r.Valid || r.Value != 1 || r.Message.Message != "set" {
				t.Fatalf("result = %+v, want revoked", r)
			}
			// Every other index reads valid.
			for _, i := range []int{0, 22, 24, MinBits - 1} {
				e.Index = i
				r, err := l.Status(e)
				if err != nil || Revoked(r) || !r.Valid || r.Message.Message != "unset" {
					t.Fatalf("index %d: %+v, %v", i, r, err)
				}
			}
		})
	}
}

func TestFixture1EdTechRevocationList(t *testing.T) {
	cred := readJSON(t, "1edtech-credential-status-revoked.json")
	es, err := ParseEntries(cred["credentialStatus"])
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Type != Type1EdTechRevocation || !es[0].Known() ||
		!strings.HasPrefix(es[0].ID, "https://dc.1edtech.org/wellspring2022/wellspring-portal/api/revocations/") {
		t.Fatalf("entries = %+v", es)
	}
	data, err := os.ReadFile("testdata/1edtech-revocation-list.json")
	if err != nil {
		t.Fatal(err)
	}
	rl, err := ParseRevocationList(data)
	if err != nil {
		t.Fatal(err)
	}
	id := cred["id"].(string)
	if ok, reason := rl.Revoked(id); !ok || reason != "Awarded in error (Blason test list)" {
		t.Fatalf("Revoked(%s) = %v, %q", id, ok, reason)
	}
	base := "https://dc.1edtech.org/wellspring2022/wellspring-portal/credential/"
	if ok, _ := rl.Revoked(base + "00000000-0000-4000-8000-000000000001"); !ok {
		t.Fatal("entry with revoked omitted must revoke")
	}
	if ok, _ := rl.Revoked(base + "00000000-0000-4000-8000-000000000002"); ok {
		t.Fatal("entry with revoked:false must not revoke")
	}
	if ok, _ := rl.Revoked(base + "ffffffff-0000-4000-8000-000000000000"); ok {
		t.Fatal("unlisted id must not be revoked")
	}
}
