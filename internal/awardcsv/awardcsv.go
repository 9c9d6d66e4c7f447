// Package awardcsv reads the spreadsheet a coordinator exports to award a
// badge to many people: one row per recipient, with an e-mail address and
// optionally a name, a narrative, an evidence URL, a result and a
// language. It reads what spreadsheets write: UTF-8 (with or without a
// BOM), UTF-16 with a BOM, or Windows-1252 (Excel's "CSV" in France);
// ',' or ';' (or tab) separators; column names in French or English. It
// reports every problem by line number and field instead of stopping at
// the first, so that a dry run lists them all.
package awardcsv

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Limits: a workshop is 40 rows, a graduating year a few thousand; the
// issue's target is 10,000.
const (
	MaxBytes    = 16 << 20
	MaxRows     = 20000
	MaxFieldLen = 4000
	MaxNameLen  = 200
)

// ErrUnreadable: the file cannot be read as a table at all (not text, no
// header, no e-mail column, too large). Row problems are not errors:
// they are listed in Sheet.Problems.
var ErrUnreadable = errors.New("cannot read this file as a CSV table")

// Field names, as Problems name them.
const (
	FieldName      = "name"
	FieldEmail     = "email"
	FieldNarrative = "narrative"
	FieldEvidence  = "evidence"
	FieldResult    = "result"
	FieldLang      = "lang"
	FieldRow       = "row" // the row as a whole (malformed, duplicate)
)

// Row is one recipient.
type Row struct {
	Line        int // the line the row starts on (the header is line 1)
	Name        string
	Email       string // as written, trimmed
	Narrative   string
	EvidenceURL string
	Result      string
	Lang        string // "", "fr" or "en"
	// Key identifies the recipient: the SHA-256 of the lower-cased
	// address. The same person in two imports has the same key.
	Key string
}

// Problem is one reason a row cannot be awarded.
type Problem struct {
	Line  int    `json:"line"`
	Field string `json:"field"`
	// Code is stable, for translations: email.missing, email.invalid,
	// email.several, row.malformed, row.fields, row.duplicate,
	// evidence.invalid, lang.invalid, text.too-long, result.*.
	Code    string `json:"code"`
	Message string `json:"message"` // in English
	Value   string `json:"value,omitempty"`
	// Earlier is, for row.duplicate, the line where the person first
	// appears.
	Earlier int `json:"earlier,omitempty"`
}

func (p Problem) String() string {
	return fmt.Sprintf("line %d, %s: %s", p.Line, p.Field, p.Message)
}

// Sheet is a parsed file.
type Sheet struct {
	Rows      []Row
	Problems  []Problem
	Encoding  string // utf-8, utf-16, windows-1252
	Separator rune
	// Columns maps each recognised field to the header as written.
	Columns map[string]string
	// Ignored lists the headers that are none of the fields.
	Ignored []string
	// DataRows counts the non-empty data rows read (valid or not).
	DataRows int
}

// Invalid returns the lines that have a problem, in order.
func (s *Sheet) Invalid() []int {
	seen := map[int]bool{}
	var out []int
	for _, p := range s.Problems {
		if !seen[p.Line] {
			seen[p.Line] = true
			out = append(out, p.Line)
		}
	}
	sort.Ints(out)
	return out
}

// Valid returns the rows without a problem.
func (s *Sheet) Valid() []Row {
	bad := map[int]bool{}
	for _, p := range s.Problems {
		bad[p.Line] = true
	}
	var out []Row
	for _, r := range s.Rows {
		if !bad[r.Line] {
			out = append(out, r)
		}
	}
	return out
}

// aliases maps normalised header names to fields. "nom" is the name,
// unless a "prénom" column exists, when it is the family name.
var aliases = map[string]string{
	"name": FieldName, "full name": FieldName, "fullname": FieldName, "nom": FieldName, "nom complet": FieldName,
	"prenom nom": FieldName, "nom prenom": FieldName, "recipient": FieldName, "recipient name": FieldName,
	"destinataire": FieldName, "participant": FieldName, "participante": FieldName, "apprenant": FieldName, "learner": FieldName,
	"email": FieldEmail, "e mail": FieldEmail, "mail": FieldEmail, "courriel": FieldEmail, "adresse e mail": FieldEmail,
	"adresse email": FieldEmail, "adresse mail": FieldEmail, "adresse electronique": FieldEmail, "email address": FieldEmail,
	"e mail address": FieldEmail, "adresse courriel": FieldEmail, "mel": FieldEmail,
	"narrative": FieldNarrative, "narration": FieldNarrative, "recit": FieldNarrative, "commentaire": FieldNarrative,
	"comment": FieldNarrative, "motif": FieldNarrative, "justification": FieldNarrative,
	"evidence": FieldEvidence, "evidence url": FieldEvidence, "preuve": FieldEvidence, "url de la preuve": FieldEvidence,
	"lien de la preuve": FieldEvidence, "url preuve": FieldEvidence, "lien preuve": FieldEvidence, "justificatif": FieldEvidence,
	"result": FieldResult, "resultat": FieldResult, "note": FieldResult, "score": FieldResult, "grade": FieldResult,
	"niveau": FieldResult, "level": FieldResult,
	"lang": FieldLang, "language": FieldLang, "langue": FieldLang,
}

const (
	fieldGiven  = "given"
	fieldFamily = "family"
)

var nameParts = map[string]string{
	"prenom": fieldGiven, "first name": fieldGiven, "firstname": fieldGiven, "given name": fieldGiven,
	"last name": fieldFamily, "lastname": fieldFamily, "family name": fieldFamily, "surname": fieldFamily,
	"nom de famille": fieldFamily,
}

// normHeader lower-cases, strips accents and punctuation: "Adresse
// e-mail", "ADRESSE_EMAIL" and "adresse e‑mail" read the same.
func normHeader(s string) string {
	var b strings.Builder
	space := false
	for _, r := range norm.NFD.String(strings.ToLower(strings.TrimSpace(s))) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(r)
		default:
			space = true
		}
	}
	return b.String()
}

// decode returns data as UTF-8 and the encoding it was in.
func decode(data []byte) ([]byte, string, error) {
	switch {
	case bytes.HasPrefix(data, []byte{0xef, 0xbb, 0xbf}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xff, 0xfe}), bytes.HasPrefix(data, []byte{0xfe, 0xff}):
		out, _, err := transform.Bytes(xunicode.UTF16(xunicode.BigEndian, xunicode.ExpectBOM).NewDecoder(), data)
		if err != nil {
			return nil, "", fmt.Errorf("%w: a UTF-16 file that does not decode: %v", ErrUnreadable, err)
		}
		return out, "utf-16", nil
	}
	if bytes.IndexByte(data, 0) >= 0 {
		return nil, "", fmt.Errorf("%w: it holds NUL bytes: it is not a text file (save the sheet as CSV)", ErrUnreadable)
	}
	if utf8.Valid(data) {
		return data, "utf-8", nil
	}
	// Not UTF-8: Excel's "CSV (séparateur : point-virgule)" writes
	// Windows-1252, in which every byte is a character.
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrUnreadable, err)
	}
	return out, "windows-1252", nil
}

// separator picks the separator the header line uses most, outside quotes.
func separator(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(data) {
		if r == '"' {
			quoted = !quoted
			continue
		}
		if quoted {
			continue
		}
		if r == '\n' {
			break
		}
		if r == ',' || r == ';' || r == '\t' {
			counts[r]++
		}
	}
	best := ','
	for _, r := range []rune{';', '\t'} {
		if counts[r] > counts[best] {
			best = r
		}
	}
	return best
}

// Parse reads a whole file. The error is non-nil only when the file
// cannot be read as a table; problems with rows are in Sheet.Problems.
func Parse(r io.Reader) (*Sheet, error) {
	raw, err := io.ReadAll(io.LimitReader(r, MaxBytes+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > MaxBytes {
		return nil, fmt.Errorf("%w: larger than %d MB", ErrUnreadable, MaxBytes>>20)
	}
	data, enc, err := decode(raw)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrUnreadable)
	}
	s := &Sheet{Encoding: enc, Separator: separator(data), Columns: map[string]string{}}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = s.Separator
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: the first line (the column names): %v", ErrUnreadable, err)
	}
	cols := map[string]int{}
	hasGiven := false
	for _, h := range header {
		if nameParts[normHeader(h)] == fieldGiven {
			hasGiven = true
		}
	}
	for i, h := range header {
		n := normHeader(h)
		f, ok := aliases[n]
		if part, isPart := nameParts[n]; isPart {
			f, ok = part, true
		}
		if n == "nom" && hasGiven {
			f = fieldFamily
		}
		if !ok {
			if n != "" {
				s.Ignored = append(s.Ignored, h)
			}
			continue
		}
		if _, dup := cols[f]; dup {
			return nil, fmt.Errorf("%w: two columns mean %s (%q and %q)", ErrUnreadable, f, header[cols[f]], h)
		}
		cols[f] = i
		s.Columns[f] = strings.TrimSpace(h)
	}
	if _, ok := cols[FieldEmail]; !ok {
		return nil, fmt.Errorf("%w: no e-mail column (call it \"email\", \"e-mail\", \"courriel\" or \"adresse e-mail\"); the columns are: %s",
			ErrUnreadable, strings.Join(header, ", "))
	}
	firstLine := map[string]int{} // row key -> line first seen
	for {
		line := 0
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = max(pe.StartLine, 1)
				s.DataRows++
				s.Problems = append(s.Problems, Problem{Line: line, Field: FieldRow, Code: "row.malformed",
					Message: "malformed CSV: " + pe.Err.Error() + " (a quote inside a field must be doubled, and a quoted field closed)"})
				// The reader resumes after the bad record (an unclosed quote
				// runs to the end of the file, which is then this one problem).
				continue
			}
			return nil, err
		}
		if line, _ = cr.FieldPos(0); line == 0 {
			line = 1
		}
		if blank(rec) {
			continue
		}
		s.DataRows++
		if s.DataRows > MaxRows {
			return nil, fmt.Errorf("%w: more than %d rows (split the file)", ErrUnreadable, MaxRows)
		}
		if len(rec) != len(header) {
			s.Problems = append(s.Problems, Problem{Line: line, Field: FieldRow, Code: "row.fields",
				Message: fmt.Sprintf("has %d fields where the header has %d (a separator inside a field that is not quoted?)", len(rec), len(header))})
			continue
		}
		get := func(f string) string {
			if i, ok := cols[f]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		row := Row{Line: line, Name: get(FieldName), Email: get(FieldEmail), Narrative: get(FieldNarrative),
			EvidenceURL: get(FieldEvidence), Result: get(FieldResult), Lang: strings.ToLower(get(FieldLang))}
		if row.Name == "" {
			row.Name = strings.TrimSpace(get(fieldGiven) + " " + get(fieldFamily))
		}
		add := func(field, code, value, format string, a ...any) {
			s.Problems = append(s.Problems, Problem{Line: line, Field: field, Code: code, Value: clip(value), Message: fmt.Sprintf(format, a...)})
		}
		addr, code, msg := CheckEmail(row.Email)
		if code != "" {
			add(FieldEmail, code, row.Email, "%s", msg)
		} else {
			row.Email = addr
			row.Key = Key(addr)
		}
		if utf8.RuneCountInString(row.Name) > MaxNameLen {
			add(FieldName, "text.too-long", row.Name, "longer than %d characters", MaxNameLen)
		}
		for _, f := range []struct{ field, v string }{{FieldNarrative, row.Narrative}, {FieldResult, row.Result}} {
			if utf8.RuneCountInString(f.v) > MaxFieldLen {
				add(f.field, "text.too-long", f.v, "longer than %d characters", MaxFieldLen)
			}
		}
		if row.EvidenceURL != "" {
			if u, err := url.Parse(row.EvidenceURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				add(FieldEvidence, "evidence.invalid", row.EvidenceURL, "%q is not an http(s) address", clip(row.EvidenceURL))
			}
		}
		if row.Lang != "" && row.Lang != "fr" && row.Lang != "en" {
			add(FieldLang, "lang.invalid", row.Lang, "%q: the language must be fr or en (or empty)", clip(row.Lang))
		}
		if row.Key != "" {
			if first, dup := firstLine[row.Key]; dup {
				add(FieldEmail, "row.duplicate", row.Email, "%s is already on line %d (each person once per file)", row.Email, first)
				s.Problems[len(s.Problems)-1].Earlier = first
			} else {
				firstLine[row.Key] = line
			}
		}
		s.Rows = append(s.Rows, row)
	}
	if s.DataRows == 0 {
		return nil, fmt.Errorf("%w: no row under the column names", ErrUnreadable)
	}
	return s, nil
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func clip(s string) string {
	if utf8.RuneCountInString(s) <= 80 {
		return s
	}
	return string([]rune(s)[:79]) + "…"
}

// Key is a recipient's row key: the SHA-256 of the lower-cased address.
func Key(email string) string {
	h := sha256.Sum256([]byte(strings.ToLower(email)))
	return hex.EncodeToString(h[:])
}

// CheckEmail accepts one plain e-mail address, optionally written "Name
// <addr>", and returns the address. Otherwise code is email.missing,
// email.several (two addresses in one cell) or email.invalid, with a
// sentence saying why.
func CheckEmail(s string) (addr, code, msg string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", "email.missing", "no e-mail address"
	}
	if strings.Count(s, "@") > 1 {
		return "", "email.several", "two or more addresses in one cell (one person per row)"
	}
	a, err := mail.ParseAddress(s)
	if err != nil {
		return "", "email.invalid", fmt.Sprintf("%q is not an e-mail address", clip(s))
	}
	local, domain, ok := strings.Cut(a.Address, "@")
	if !ok || local == "" || !validDomain(domain) || strings.ContainsAny(local, " ,;<>()[]\\\"") {
		return "", "email.invalid", fmt.Sprintf("%q is not an e-mail address (the part after @ must be a domain such as lab.example.org)", clip(s))
	}
	return a.Address, "", ""
}

// validDomain: dot-separated labels of letters, digits and hyphens (or
// their Unicode letters: internationalised domains), a last label of
// letters.
func validDomain(d string) bool {
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return false
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for _, r := range l {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-') {
				return false
			}
		}
	}
	tld := labels[len(labels)-1]
	for _, r := range tld {
		if !unicode.IsLetter(r) {
			return false
		}
	}
	return len(tld) >= 2
}
