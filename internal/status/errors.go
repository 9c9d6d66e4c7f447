// Package status implements the credential status mechanisms an Open Badges
// 3.0 verifier meets, as pure codecs (no I/O, no signature checks):
//
//   - W3C Bitstring Status List v1.0 (https://www.w3.org/TR/vc-bitstring-status-list/,
//     Recommendation 15 May 2025): BitstringStatusListEntry and
//     BitstringStatusListCredential;
//   - its predecessor StatusList2021 (W3C CCG, context
//     https://w3id.org/vc/status-list/2021/v1): StatusList2021Entry and
//     StatusList2021Credential;
//   - the 1EdTech Revocation List status method (1EdTechRevocationList, VCRL
//     1.0) as the official 1EdTech validator reads it.
//
// The caller fetches documents (through the hardened fetcher), verifies the
// status list credential's proof and its validity dates, and only then asks
// this package for a status. The package never logs and never panics on
// input; every error wraps one of the sentinel errors below (compare with
// errors.Is).
package status

import (
	"errors"
	"strconv"
)

// Sentinel errors. Every error returned by this package wraps exactly one of
// them; the message around it says what was wrong and where.
var (
	// ErrNotGzip: the decoded encodedList is not a valid GZIP [RFC1952]
	// stream (wrong magic, bad header, corrupt deflate data, CRC or length
	// mismatch, trailing garbage).
	ErrNotGzip = errors.New("status: encodedList is not valid GZIP data")
	// ErrTooLarge: the decompressed bitstring (or the compressed input)
	// exceeds DecodeOptions.MaxBytes, or New was asked for a larger list.
	ErrTooLarge = errors.New("status: status list too large")
	// ErrTooShort: the uncompressed bitstring is shorter than the minimum
	// ("The uncompressed bitstring MUST be at least 16KB in size"), or holds
	// fewer than the minimum number of entries for the entry's statusSize
	// (the spec's STATUS_LIST_LENGTH_ERROR).
	ErrTooShort = errors.New("status: status list too short")
	// ErrIndex: statusListIndex is not "an arbitrary size integer greater
	// than or equal to 0, expressed as a string in base 10", or exceeds
	// MaxIndex.
	ErrIndex = errors.New("status: invalid statusListIndex")
	// ErrIndexRange: the index (times statusSize) lies outside the
	// bitstring (the spec's RANGE_ERROR).
	ErrIndexRange = errors.New("status: status index out of range")
	// ErrPurposeMismatch: the entry's statusPurpose is not one of the list's
	// statusPurpose values (the spec raises STATUS_VERIFICATION_ERROR).
	ErrPurposeMismatch = errors.New("status: statusPurpose mismatch")
	// ErrMalformedList: a status list credential, encodedList (multibase /
	// base64) or 1EdTech revocation list document that does not follow its
	// data model (the spec's MALFORMED_VALUE_ERROR for lists).
	ErrMalformedList = errors.New("status: malformed status list")
	// ErrMalformedEntry: a credentialStatus entry of a known type that does
	// not follow its data model (MALFORMED_VALUE_ERROR for entries), or an
	// entry that cannot be checked against the given list.
	ErrMalformedEntry = errors.New("status: malformed status entry")
)

// maxQuoted is the longest input echoed verbatim in an error message.
const maxQuoted = 64

// q quotes s for an error message, truncating long values.
func q(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted-3]) + "…(" + strconv.Itoa(len(s)) + " bytes)"
	}
	return strconv.Quote(s)
}
