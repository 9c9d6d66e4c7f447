package status

import (
	"encoding/json"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// Status entry types (credentialStatus.type).
const (
	TypeBitstringEntry     = "BitstringStatusListEntry"
	TypeStatusList2021     = "StatusList2021Entry"
	Type1EdTechRevocation  = "1EdTechRevocationList"
	TypeBitstringList      = "BitstringStatusListCredential"
	TypeStatusList2021List = "StatusList2021Credential"
)

// Status purposes defined by Bitstring Status List §2.1 (the value is
// otherwise arbitrary).
const (
	PurposeRefresh    = "refresh"
	PurposeRevocation = "revocation"
	PurposeSuspension = "suspension"
	PurposeMessage    = "message"
)

// MaxIndex is the largest statusListIndex accepted: 2^53-1, the largest
// integer every JSON implementation represents exactly. The specification
// allows "an arbitrary size integer", but no list within any sane size cap
// (DefaultMaxBytes holds 2^27 entries) can reach further, and the bound
// keeps index*statusSize far from overflow.
const MaxIndex = 1<<53 - 1

// StatusMessage is one element of statusMessage.
type StatusMessage struct {
	// Status is the numeric value of the "status" string.
	Status uint64
	// StatusHex is the "status" string as written, e.g. "0x2".
	StatusHex string
	// Message is "a string used by software developers to assist with
	// debugging which SHOULD NOT be displayed to end users".
	Message string
}

// Entry is one credentialStatus object.
type Entry struct {
	// Type is the entry's type: TypeBitstringEntry, TypeStatusList2021,
	// Type1EdTechRevocation, or any other string (see Known).
	Type string
	// ID is the entry's id. For a 1EdTechRevocationList entry it is the URL
	// of the revocation list to GET.
	ID string
	// Purpose is statusPurpose (status list entries only).
	Purpose string
	// Index is statusListIndex (status list entries only).
	Index int
	// ListCredential is the statusListCredential URL (status list entries).
	ListCredential string
	// Size is statusSize in bits; 1 when absent (status list entries).
	Size int
	// Messages is statusMessage, nil when absent.
	Messages []StatusMessage
	// Reference is statusReference (one or more URLs), nil when absent.
	Reference []string
	// Raw is the entry object as given.
	Raw map[string]any
}

// Known reports whether the entry's type is one this package can check.
// Unknown types are returned by ParseEntries without validation and without
// error; whether an unknown status method makes a credential unverifiable
// is the caller's policy.
func (e Entry) Known() bool {
	switch e.Type {
	case TypeBitstringEntry, TypeStatusList2021, Type1EdTechRevocation:
		return true
	}
	return false
}

// isList reports whether the entry points into a status list bitstring.
func (e Entry) isList() bool {
	return e.Type == TypeBitstringEntry || e.Type == TypeStatusList2021
}

// ParseOptions relaxes ParseEntriesWith. The zero value is strict.
type ParseOptions struct {
	// AllowNumericIndex accepts a JSON number (a non-negative integer no
	// larger than MaxIndex) as statusListIndex. The specification requires
	// a string ("MUST be an arbitrary size integer greater than or equal to
	// 0, expressed as a string in base 10"), but the 1EdTech validator's own
	// BitstringStatusListEntry fixtures write `"statusListIndex": 23`.
	// False (the default) rejects numbers with ErrIndex.
	AllowNumericIndex bool
}

// ParseEntries parses a credential's credentialStatus value (an object or
// an array of objects) strictly; see ParseEntriesWith.
func ParseEntries(credentialStatus any) ([]Entry, error) {
	return ParseEntriesWith(credentialStatus, ParseOptions{})
}

// ParseEntriesWith parses a credential's credentialStatus value, an object
// or an array of objects, as decoded by encoding/json (or
// internal/credential). Entries of known types are validated against their
// data model; entries of unknown types only need a type. Any invalid entry
// fails the whole call (fail closed).
func ParseEntriesWith(credentialStatus any, opts ParseOptions) ([]Entry, error) {
	switch v := credentialStatus.(type) {
	case map[string]any:
		e, err := parseEntry(v, opts)
		if err != nil {
			return nil, err
		}
		return []Entry{e}, nil
	case []any:
		if len(v) == 0 {
			return nil, fmt.Errorf("credentialStatus is an empty array: %w", ErrMalformedEntry)
		}
		out := make([]Entry, 0, len(v))
		for i, item := range v {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("credentialStatus[%d] is %s, not an object: %w", i, kind(item), ErrMalformedEntry)
			}
			e, err := parseEntry(m, opts)
			if err != nil {
				return nil, fmt.Errorf("credentialStatus[%d]: %w", i, err)
			}
			out = append(out, e)
		}
		return out, nil
	default:
		return nil, fmt.Errorf("credentialStatus is %s, not an object or array: %w", kind(credentialStatus), ErrMalformedEntry)
	}
}

func parseEntry(m map[string]any, opts ParseOptions) (Entry, error) {
	e := Entry{Raw: m}
	typ, err := entryType(m["type"])
	if err != nil {
		return e, err
	}
	e.Type = typ
	if id, ok := m["id"]; ok {
		s, ok := id.(string)
		if !ok {
			return e, fmt.Errorf("%s id is %s, not a string: %w", typ, kind(id), ErrMalformedEntry)
		}
		e.ID = s
	}
	switch {
	case e.Type == Type1EdTechRevocation:
		// The validator GETs credentialStatus.id; without it there is
		// nothing to check.
		if !isURL(e.ID) {
			return e, fmt.Errorf("1EdTechRevocationList id %s is not a URL: %w", q(e.ID), ErrMalformedEntry)
		}
	case e.isList():
		if err := parseListEntry(&e, m, opts); err != nil {
			return e, err
		}
	}
	return e, nil
}

// entryType reads type: a string, or an array of strings of which the first
// known one (else the first) is used.
func entryType(v any) (string, error) {
	switch t := v.(type) {
	case string:
		if t == "" {
			return "", fmt.Errorf("credentialStatus type is empty: %w", ErrMalformedEntry)
		}
		return t, nil
	case []any:
		var first string
		for _, x := range t {
			s, ok := x.(string)
			if !ok || s == "" {
				return "", fmt.Errorf("credentialStatus type array holds %s: %w", kind(x), ErrMalformedEntry)
			}
			if (Entry{Type: s}).Known() {
				return s, nil
			}
			if first == "" {
				first = s
			}
		}
		if first == "" {
			return "", fmt.Errorf("credentialStatus type is an empty array: %w", ErrMalformedEntry)
		}
		return first, nil
	case nil:
		return "", fmt.Errorf("credentialStatus has no type: %w", ErrMalformedEntry)
	default:
		return "", fmt.Errorf("credentialStatus type is %s: %w", kind(v), ErrMalformedEntry)
	}
}

func parseListEntry(e *Entry, m map[string]any, opts ParseOptions) error {
	// §2.1 statusPurpose: "The purpose of the status entry MUST be a string."
	p, ok := m["statusPurpose"].(string)
	if !ok || p == "" {
		return fmt.Errorf("%s statusPurpose is %s, not a non-empty string: %w", e.Type, kind(m["statusPurpose"]), ErrMalformedEntry)
	}
	e.Purpose = p

	idx, err := parseIndex(m["statusListIndex"], opts)
	if err != nil {
		return err
	}
	e.Index = idx

	// §2.1 statusListCredential: "MUST be a URL to a verifiable credential."
	lc, _ := m["statusListCredential"].(string)
	if !isURL(lc) {
		return fmt.Errorf("%s statusListCredential %s is not a URL: %w", e.Type, describe(m["statusListCredential"]), ErrMalformedEntry)
	}
	e.ListCredential = lc
	// §2.1 id: "It MUST NOT be the URL for the status list."
	if e.ID != "" && e.ID == lc {
		return fmt.Errorf("%s id equals its statusListCredential %s: %w", e.Type, q(lc), ErrMalformedEntry)
	}

	// §2.1 statusSize: "If statusSize is not present ... MUST be processed
	// as 1. If present, statusSize MUST be an integer greater than zero."
	e.Size = 1
	if v, ok := m["statusSize"]; ok {
		n, ok := jsonInt(v)
		if !ok || n < 1 {
			return fmt.Errorf("%s statusSize %s is not an integer greater than zero: %w", e.Type, describe(v), ErrMalformedEntry)
		}
		if n > MaxStatusSize {
			return fmt.Errorf("%s statusSize %d exceeds this implementation's limit of %d: %w", e.Type, n, MaxStatusSize, ErrMalformedEntry)
		}
		e.Size = int(n)
	}

	// §2.1 statusSize: "If statusSize is provided and is greater than 1,
	// then the property credentialStatus.statusMessage MUST be present".
	if v, ok := m["statusMessage"]; ok {
		msgs, err := parseMessages(v, e.Size)
		if err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		e.Messages = msgs
	} else if e.Size > 1 {
		return fmt.Errorf("%s has statusSize %d but no statusMessage: %w", e.Type, e.Size, ErrMalformedEntry)
	}

	// §2.1 statusReference: "MUST be a URL or an array of URLs".
	if v, ok := m["statusReference"]; ok {
		refs, err := urls(v)
		if err != nil {
			return fmt.Errorf("%s statusReference: %w", e.Type, err)
		}
		e.Reference = refs
	}
	return nil
}

// parseIndex enforces §2.1 statusListIndex: "MUST be an arbitrary size
// integer greater than or equal to 0, expressed as a string in base 10".
// Only ASCII digits are accepted: no sign, no blanks, no exponent, no hex,
// no empty string. Leading zeros are still base 10 and are accepted.
func parseIndex(v any, opts ParseOptions) (int, error) {
	s, ok := v.(string)
	if !ok {
		if opts.AllowNumericIndex {
			if n, ok := jsonInt(v); ok && n >= 0 && n <= MaxIndex {
				return int(n), nil
			}
		}
		return 0, fmt.Errorf("statusListIndex %s is not a string of decimal digits: %w", describe(v), ErrIndex)
	}
	if s == "" {
		return 0, fmt.Errorf("statusListIndex is an empty string: %w", ErrIndex)
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, fmt.Errorf("statusListIndex %s is not a string of decimal digits: %w", q(s), ErrIndex)
		}
	}
	t := strings.TrimLeft(s, "0")
	if len(t) > 16 { // MaxIndex has 16 digits
		return 0, fmt.Errorf("statusListIndex %s exceeds %d: %w", q(s), int64(MaxIndex), ErrIndex)
	}
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n > MaxIndex {
		return 0, fmt.Errorf("statusListIndex %s exceeds %d: %w", q(s), int64(MaxIndex), ErrIndex)
	}
	return int(n), nil
}

// parseMessages enforces §2.1 statusMessage: "MUST be an array, the length
// of which MUST equal the number of possible status messages indicated by
// statusSize" and "each element MUST contain the two properties" status ("a
// string representing the hexadecimal value of the status prefixed with
// 0x") and message (a string). Each status value must be in range and
// appear once, so the array covers every possible value.
func parseMessages(v any, size int) ([]StatusMessage, error) {
	arr, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("statusMessage is %s, not an array: %w", kind(v), ErrMalformedEntry)
	}
	want := 1 << size
	if len(arr) != want {
		return nil, fmt.Errorf("statusMessage has %d elements, statusSize %d needs %d: %w", len(arr), size, want, ErrMalformedEntry)
	}
	seen := make([]bool, want)
	out := make([]StatusMessage, 0, len(arr))
	for i, x := range arr {
		o, ok := x.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("statusMessage[%d] is %s, not an object: %w", i, kind(x), ErrMalformedEntry)
		}
		hex, ok1 := o["status"].(string)
		msg, ok2 := o["message"].(string)
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("statusMessage[%d] lacks string status and message: %w", i, ErrMalformedEntry)
		}
		if len(hex) < 3 || hex[:2] != "0x" || len(hex) > 2+16 {
			return nil, fmt.Errorf("statusMessage[%d].status %s is not 0x-prefixed hexadecimal: %w", i, q(hex), ErrMalformedEntry)
		}
		n, err := strconv.ParseUint(hex[2:], 16, 64)
		if err != nil {
			return nil, fmt.Errorf("statusMessage[%d].status %s is not 0x-prefixed hexadecimal: %w", i, q(hex), ErrMalformedEntry)
		}
		if n >= uint64(want) {
			return nil, fmt.Errorf("statusMessage[%d].status %s does not fit statusSize %d: %w", i, q(hex), size, ErrMalformedEntry)
		}
		if seen[n] {
			return nil, fmt.Errorf("statusMessage[%d].status %s is listed twice: %w", i, q(hex), ErrMalformedEntry)
		}
		seen[n] = true
		out = append(out, StatusMessage{Status: n, StatusHex: hex, Message: msg})
	}
	return out, nil
}

// urls reads a URL or an array of URLs.
func urls(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		if !isURL(t) {
			return nil, fmt.Errorf("%s is not a URL: %w", q(t), ErrMalformedEntry)
		}
		return []string{t}, nil
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok || !isURL(s) {
				return nil, fmt.Errorf("%s is not a URL: %w", describe(x), ErrMalformedEntry)
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not a URL or array of URLs: %w", kind(v), ErrMalformedEntry)
}

// isURL reports whether s is an absolute URL (scheme and something after
// it), which admits https:, did: and urn: forms.
func isURL(s string) bool {
	if s == "" || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme != "" && (u.Host != "" || u.Opaque != "" || u.Path != "")
}

// jsonInt reads an integral JSON number (float64 from encoding/json, a
// json.Number, or a Go integer).
func jsonInt(v any) (int64, bool) {
	switch n := v.(type) {
	case float64:
		if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
			return 0, false
		}
		return int64(n), true
	case json.Number:
		i, err := n.Int64()
		return i, err == nil
	case int:
		return int64(n), true
	case int64:
		return n, true
	case int32:
		return int64(n), true
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	}
	return 0, false
}

// kind names the JSON kind of v for error messages.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "null or absent"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case float64, json.Number, int, int64, int32, uint64:
		return "a number"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// describe renders a JSON value for an error message.
func describe(v any) string {
	switch t := v.(type) {
	case string:
		return q(t)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64) + " (a number)"
	case json.Number:
		return q(string(t)) + " (a number)"
	case bool:
		return strconv.FormatBool(t) + " (a boolean)"
	case int, int64, int32, uint64:
		return fmt.Sprintf("%d (a number)", t)
	}
	return kind(v)
}
