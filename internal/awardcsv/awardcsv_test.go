package awardcsv

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

func win1252(t testing.TB, s string) []byte {
	t.Helper()
	b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// What French and English spreadsheets write reads the same.
func TestParseForms(t *testing.T) {
	t.Parallel()
	fr := "Prénom;Nom;Adresse e-mail;Commentaire;Preuve;Résultat;Langue\r\n" +
		"Élodie;Müller;elodie@lab.example.fr;A animé l'atelier « bulles »;https://lab.example.fr/p/1;or;fr\r\n" +
		"Jean;Dupont;JEAN.DUPONT@Lab.Example.fr;;;;\r\n"
	utf16, _ := xunicode.UTF16(xunicode.LittleEndian, xunicode.UseBOM).NewEncoder().Bytes([]byte(strings.ReplaceAll(fr, ";", "\t")))
	cases := []struct {
		name, enc string
		sep       rune
		data      []byte
	}{
		{"windows-1252 semicolons", "windows-1252", ';', win1252(t, fr)},
		{"utf-8 with BOM semicolons", "utf-8", ';', append([]byte("\ufeff"), fr...)},
		{"utf-8 commas quoted", "utf-8", ',', []byte("Prenom,NOM,E_mail,narrative,Evidence URL,Result,Language\n" +
			"Élodie,Müller,elodie@lab.example.fr,\"A animé l'atelier « bulles »\",https://lab.example.fr/p/1,or,fr\n" +
			"Jean,Dupont,JEAN.DUPONT@Lab.Example.fr,,,,\n\n")},
		{"utf-16 tabs", "utf-16", '\t', utf16},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Parse(bytes.NewReader(c.data))
			if err != nil {
				t.Fatal(err)
			}
			if s.Encoding != c.enc || s.Separator != c.sep || len(s.Problems) != 0 || len(s.Rows) != 2 {
				t.Fatalf("encoding %s sep %q problems %v rows %d", s.Encoding, s.Separator, s.Problems, len(s.Rows))
			}
			r := s.Rows[0]
			want := Row{Line: 2, Name: "Élodie Müller", Email: "elodie@lab.example.fr", Narrative: "A animé l'atelier « bulles »",
				EvidenceURL: "https://lab.example.fr/p/1", Result: "or", Lang: "fr", Key: Key("elodie@lab.example.fr")}
			if r != want {
				t.Fatalf("row\n%+v\nwant\n%+v", r, want)
			}
			if s.Rows[1].Line != 3 || s.Rows[1].Key != Key("jean.dupont@lab.example.fr") {
				t.Fatalf("second row %+v", s.Rows[1])
			}
		})
	}
}

// Every bad row is named by its line and field; good rows around them
// are kept.
func TestParseProblems(t *testing.T) {
	t.Parallel()
	data := "nom,email,preuve,langue\n" + // 1
		"Ana,ana@lab.example.org,,\n" + // 2 ok
		"Bob,a@x,org,,\n" + // 3 a@x,org unquoted: too many fields
		"Bea,\"a@x,org\",,\n" + // 4 quoted: invalid address
		"Cid,\"c@lab.example.org, d@lab.example.org\",,\n" + // 5 two addresses
		"Dan,,,\n" + // 6 missing
		"Eve,ANA@lab.example.org,,\n" + // 7 duplicate of 2
		"Fay,fay@lab.example.org,ftp://x/y,\n" + // 8 evidence
		"Gus,gus@lab.example.org,,de\n" + // 9 language
		"\"Hal \"quoted\" name\",hal@lab.example.org,,\n" + // 10 bare quote
		"Ivy,ivy@lab,,\n" + // 11 no dot in the domain
		"Joe,joe@lab.example.org,,\n" // 12 ok
	s, err := Parse(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range s.Problems {
		got = append(got, fmt.Sprintf("%d:%s:%s", p.Line, p.Field, p.Code))
	}
	want := "3:row:row.fields 4:email:email.invalid 5:email:email.several 6:email:email.missing 7:email:row.duplicate " +
		"8:evidence:evidence.invalid 9:lang:lang.invalid 10:row:row.malformed 11:email:email.invalid"
	if strings.Join(got, " ") != want {
		t.Fatalf("problems\n%s\nwant\n%s", strings.Join(got, " "), want)
	}
	if !strings.Contains(s.Problems[4].Message, "line 2") {
		t.Fatalf("duplicate does not name the first line: %s", s.Problems[4].Message)
	}
	valid := s.Valid()
	if len(valid) != 2 || valid[0].Line != 2 || valid[1].Line != 12 || s.DataRows != 11 {
		t.Fatalf("valid %+v, data rows %d", valid, s.DataRows)
	}
	if inv := s.Invalid(); len(inv) != 9 || inv[0] != 3 || inv[8] != 11 {
		t.Fatalf("invalid lines %v", inv)
	}
}

// Multi-line quoted fields: the line is where the row starts.
func TestParseMultilineLineNumbers(t *testing.T) {
	t.Parallel()
	s, err := Parse(strings.NewReader("email;commentaire\na@lab.example.org;\"deux\nlignes\"\nb@lab,example.org;x\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Rows) != 2 || s.Rows[0].Narrative != "deux\nlignes" || len(s.Problems) != 1 || s.Problems[0].Line != 4 {
		t.Fatalf("rows %+v problems %+v", s.Rows, s.Problems)
	}
}

func TestParseUnreadable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ name, data, want string }{
		{"empty", "", "empty"},
		{"no email column", "nom;prénom\nA;B\n", "no e-mail column"},
		{"header only", "email\n", "no row"},
		{"binary", "PK\x03\x04\x00\x00", "not a text file"},
		{"two email columns", "email;courriel\na@b.cd;a@b.cd\n", "two columns"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(strings.NewReader(c.data))
			if !errors.Is(err, ErrUnreadable) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse = %v, want %q", err, c.want)
			}
		})
	}
}

func TestCheckEmail(t *testing.T) {
	t.Parallel()
	for in, code := range map[string]string{
		"a@lab.example.org": "", "Alice <alice@lab.example.org>": "", "élodie@université.fr": "",
		"a@x,org": "email.invalid", "a@x.org,b@y.org": "email.several", "a@x.org b@y.org": "email.several",
		"a@x.org; b@y.org": "email.several", "a@": "email.invalid", "@x.org": "email.invalid", "a@x": "email.invalid",
		"a@x.1": "email.invalid", "a b@x.org": "email.invalid", "": "email.missing", "a@-x.org": "email.invalid",
	} {
		if _, got, _ := CheckEmail(in); got != code {
			t.Errorf("CheckEmail(%q) = %q, want %q", in, got, code)
		}
	}
}

// FuzzParse: Parse never panics, and every row it returns has a line
// within the file and a key exactly when its address is valid.
func FuzzParse(f *testing.F) {
	f.Add([]byte("nom;email\nA;a@b.cd\n"))
	f.Add([]byte("email,narrative\n\"a@b.cd\",\"x\ny\"\n"))
	f.Add([]byte("\xff\xfee\x00m\x00a\x00i\x00l\x00\n\x00"))
	f.Add([]byte("Prénom;Nom;Courriel\nÉ;M;\"e@x,org\"\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrUnreadable) {
				t.Fatalf("error without ErrUnreadable: %v", err)
			}
			return
		}
		lines := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		for _, r := range s.Rows {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row line %d outside 2..%d", r.Line, lines)
			}
			if _, code, _ := CheckEmail(r.Email); (code == "") != (r.Key != "") {
				t.Fatalf("row %+v: key and address disagree", r)
			}
		}
		for _, p := range s.Problems {
			if p.Line < 1 || p.Field == "" || p.Code == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
