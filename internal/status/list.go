package status

import (
	"fmt"
	"slices"
	"time"
)

// List is a parsed status list credential (BitstringStatusListCredential or
// StatusList2021Credential). ParseListCredential checks its data model only:
// the caller must verify the proof and decide what validFrom/validUntil
// mean before trusting a Result.
type List struct {
	// Type is TypeBitstringList or TypeStatusList2021List.
	Type string
	// ID is the credential's id ("" when absent). The specification only
	// says it MAY match the entry's statusListCredential, so Status does
	// not compare them.
	ID string
	// Issuer is the issuer id (issuer given as a string or as an object
	// with an id).
	Issuer string
	// SubjectID is credentialSubject.id ("" when absent).
	SubjectID string
	// Purposes holds credentialSubject.statusPurpose: "one or more
	// strings" for Bitstring Status List, exactly one for StatusList2021.
	Purposes []string
	// TTL is credentialSubject.ttl, the "time to live" in milliseconds
	// "before a refresh SHOULD be attempted"; zero when absent.
	TTL time.Duration
	// ValidFrom and ValidUntil are the credential's validity period
	// (validFrom/validUntil, or VC 1.1 issuanceDate/expirationDate); the
	// zero Time when absent. They are not checked here.
	ValidFrom, ValidUntil time.Time
	// Messages is credentialSubject.statusMessage (the REC's table also
	// names it statusMessages), used when an entry carries none; nil when
	// absent.
	Messages []StatusMessage
	// Bits is the decoded bitstring.
	Bits *Bitstring

	minBytes int
}

// Result is the outcome of List.Status, mirroring the result map of §3.2.
type Result struct {
	// Purpose is the entry's statusPurpose.
	Purpose string
	// Index and Size echo the entry.
	Index, Size int
	// Value is the status value: one bit, or Size bits MSB first.
	Value uint64
	// Valid is true when Value is 0 (§3.2 step 13: "If status is 0, set the
	// valid key in result to true").
	Valid bool
	// Message is the matching statusMessage, or for a one-bit entry without
	// statusMessage the spec's defaults: "set" for 1, "unset" for 0.
	Message StatusMessage
}

// Revoked reports whether r says the credential is revoked: purpose
// "revocation" ("Used to cancel the validity of a verifiable credential.
// This status is not reversible.") with a non-zero status.
func Revoked(r Result) bool { return r.Purpose == PurposeRevocation && r.Value != 0 }

// Suspended reports whether r says the credential is suspended: purpose
// "suspension" ("Used to temporarily prevent the acceptance of a
// verifiable credential. This status is reversible.") with a non-zero
// status.
func Suspended(r Result) bool { return r.Purpose == PurposeSuspension && r.Value != 0 }

// ParseListCredential parses a status list credential with the default
// DecodeOptions; see ParseListCredentialWith.
func ParseListCredential(doc map[string]any) (*List, error) {
	return ParseListCredentialWith(doc, DecodeOptions{})
}

// ParseListCredentialWith parses a status list credential decoded from
// JSON and expands its encodedList with opts. Checked (§2.2): type
// "includes the BitstringStatusListCredential value" (or
// StatusList2021Credential); credentialSubject.type "MUST be
// BitstringStatusList" (StatusList2021); statusPurpose "MUST be one or more
// strings"; encodedList decodes (see Decode); ttl, when present, is a
// non-negative integer; issuer, validFrom and validUntil are well formed.
func ParseListCredentialWith(doc map[string]any, opts DecodeOptions) (*List, error) {
	l := &List{minBytes: opts.minBytes()}
	types, err := strings1(doc["type"])
	if err != nil {
		return nil, fmt.Errorf("status list credential type: %w", err)
	}
	subjectType := ""
	switch {
	case slices.Contains(types, TypeBitstringList):
		l.Type, subjectType = TypeBitstringList, "BitstringStatusList"
	case slices.Contains(types, TypeStatusList2021List):
		l.Type, subjectType = TypeStatusList2021List, "StatusList2021"
	default:
		return nil, fmt.Errorf("credential type %q includes neither %s nor %s: %w", types, TypeBitstringList, TypeStatusList2021List, ErrMalformedList)
	}
	if v, ok := doc["id"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("status list credential id is %s: %w", kind(v), ErrMalformedList)
		}
		l.ID = s
	}
	switch iss := doc["issuer"].(type) {
	case string:
		l.Issuer = iss
	case map[string]any:
		l.Issuer, _ = iss["id"].(string)
	}
	if l.Issuer == "" {
		return nil, fmt.Errorf("status list credential issuer is missing or has no id: %w", ErrMalformedList)
	}
	if l.ValidFrom, err = date(doc, "validFrom", "issuanceDate"); err != nil {
		return nil, err
	}
	if l.ValidUntil, err = date(doc, "validUntil", "expirationDate"); err != nil {
		return nil, err
	}

	subj, ok := doc["credentialSubject"].(map[string]any)
	if arr, isArr := doc["credentialSubject"].([]any); isArr && len(arr) == 1 {
		subj, ok = arr[0].(map[string]any)
	}
	if !ok {
		return nil, fmt.Errorf("credentialSubject is %s, not one object: %w", kind(doc["credentialSubject"]), ErrMalformedList)
	}
	if v, ok := subj["id"]; ok {
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("credentialSubject.id is %s: %w", kind(v), ErrMalformedList)
		}
		l.SubjectID = s
	}
	st, err := strings1(subj["type"])
	if err != nil {
		return nil, fmt.Errorf("credentialSubject.type: %w", err)
	}
	if !slices.Contains(st, subjectType) {
		return nil, fmt.Errorf("credentialSubject.type %q of a %s must be %s: %w", st, l.Type, subjectType, ErrMalformedList)
	}

	purposes, err := strings1(subj["statusPurpose"])
	if err != nil {
		return nil, fmt.Errorf("credentialSubject.statusPurpose: %w", err)
	}
	if l.Type == TypeStatusList2021List && len(purposes) != 1 {
		return nil, fmt.Errorf("StatusList2021 statusPurpose must be one string: %w", ErrMalformedList)
	}
	l.Purposes = purposes

	if v, ok := subj["ttl"]; ok {
		n, ok := jsonInt(v)
		if !ok || n < 0 || n > int64(time.Duration(1<<62)/time.Millisecond) {
			return nil, fmt.Errorf("credentialSubject.ttl %s is not a non-negative integer number of milliseconds: %w", describe(v), ErrMalformedList)
		}
		l.TTL = time.Duration(n) * time.Millisecond
	}

	for _, key := range []string{"statusMessage", "statusMessages"} {
		v, ok := subj[key]
		if !ok {
			continue
		}
		size := 1
		if sv, ok := subj["statusSize"]; ok {
			n, ok := jsonInt(sv)
			if !ok || n < 1 || n > MaxStatusSize {
				return nil, fmt.Errorf("credentialSubject.statusSize %s: %w", describe(sv), ErrMalformedList)
			}
			size = int(n)
		}
		msgs, err := parseMessages(v, size)
		if err != nil {
			return nil, fmt.Errorf("credentialSubject.%s: %v: %w", key, err, ErrMalformedList)
		}
		l.Messages = msgs
		break
	}

	enc, ok := subj["encodedList"].(string)
	if !ok {
		return nil, fmt.Errorf("credentialSubject.encodedList is %s, not a string: %w", kind(subj["encodedList"]), ErrMalformedList)
	}
	if l.Bits, err = Decode(enc, opts); err != nil {
		return nil, fmt.Errorf("credentialSubject.encodedList: %w", err)
	}
	return l, nil
}

// Status looks an entry up in the list, following §3.2 (Validate
// Algorithm) from step 5 on; steps 1-4 (dereferencing the
// statusListCredential URL and verifying its proofs) are the caller's.
//
//   - step 5: "Verify that the status purpose is equal to a statusPurpose
//     value in the statusListCredential" (ErrPurposeMismatch);
//   - step 9: "If the length of the revocation bitstring divided by
//     statusSize is less than minimumNumberOfEntries, raise a
//     STATUS_LIST_LENGTH_ERROR" (ErrTooShort);
//   - step 10: "If the credentialIndex multiplied by the size is a value
//     outside of the range of the bitstring, a RANGE_ERROR MUST be raised"
//     (ErrIndexRange);
//   - steps 12-14: status, purpose, valid and the matching message.
//
// The entry must be a BitstringStatusListEntry for a
// BitstringStatusListCredential, or a StatusList2021Entry for a
// StatusList2021Credential (ErrMalformedEntry otherwise).
func (l *List) Status(e Entry) (Result, error) {
	want := TypeBitstringEntry
	if l.Type == TypeStatusList2021List {
		want = TypeStatusList2021
	}
	if e.Type != want {
		return Result{}, fmt.Errorf("entry type %s cannot be checked against a %s: %w", q(e.Type), l.Type, ErrMalformedEntry)
	}
	if !slices.Contains(l.Purposes, e.Purpose) {
		return Result{}, fmt.Errorf("entry statusPurpose %s is not among the list's %q: %w", q(e.Purpose), l.Purposes, ErrPurposeMismatch)
	}
	size := e.Size
	if size == 0 {
		size = 1
	}
	minEntries := l.minBytes * 8
	if n := l.Bits.Entries(size); n < minEntries {
		return Result{}, fmt.Errorf("list holds %d entries of %d bits (minimum %d): %w", n, size, minEntries, ErrTooShort)
	}
	v, err := l.Bits.GetValue(e.Index, size)
	if err != nil {
		return Result{}, fmt.Errorf("statusListIndex %d: %w", e.Index, err)
	}
	r := Result{Purpose: e.Purpose, Index: e.Index, Size: size, Value: v, Valid: v == 0}
	msgs := e.Messages
	if msgs == nil && len(l.Messages) == 1<<size {
		msgs = l.Messages
	}
	switch {
	case msgs != nil:
		for _, m := range msgs {
			if m.Status == v {
				r.Message = m
				break
			}
		}
	case size == 1:
		// §2.1: "If the statusMessage array is not present, the message
		// values associated with the status bit values of 1 and 0 are
		// "set" and "unset", respectively."
		r.Message = StatusMessage{Status: 0, StatusHex: "0x0", Message: "unset"}
		if v != 0 {
			r.Message = StatusMessage{Status: 1, StatusHex: "0x1", Message: "set"}
		}
	}
	return r, nil
}

// strings1 reads a non-empty string or a non-empty array of non-empty
// strings.
func strings1(v any) ([]string, error) {
	switch t := v.(type) {
	case string:
		if t != "" {
			return []string{t}, nil
		}
	case []any:
		out := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok || s == "" {
				return nil, fmt.Errorf("holds %s, not a non-empty string: %w", describe(x), ErrMalformedList)
			}
			out = append(out, s)
		}
		if len(out) > 0 {
			return out, nil
		}
	}
	return nil, fmt.Errorf("%s is not one or more non-empty strings: %w", describe(v), ErrMalformedList)
}

// date reads an XML Schema dateTimeStamp under key (or legacy key).
func date(doc map[string]any, key, legacy string) (time.Time, error) {
	v, ok := doc[key]
	if !ok {
		if v, ok = doc[legacy]; !ok {
			return time.Time{}, nil
		}
		key = legacy
	}
	s, ok := v.(string)
	if !ok {
		return time.Time{}, fmt.Errorf("%s is %s, not a string: %w", key, kind(v), ErrMalformedList)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s is not a dateTimeStamp: %w", key, q(s), ErrMalformedList)
	}
	return t, nil
}
