// Package limits is the one place that holds every size, depth and count
// limit Blason applies to what it reads: credentials, HTTP bodies, files
// given on the command line, fetched documents, status lists, tokens. The
// packages that enforce a limit keep their own exported names (for their
// callers and documentation) but take the value from here, so a reviewer
// can see every bound at once and no two places disagree.
//
// It also provides ReadFile and ReadAll, bounded replacements for
// os.ReadFile and io.ReadAll: a file such as /dev/zero, a FIFO or a huge
// file fails fast with ErrTooLarge instead of exhausting memory.
package limits

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Credentials and presentations (JSON and VC-JWT).
const (
	// CredentialBytes is the largest credential or presentation accepted,
	// in bytes of JSON (internal/credential.DefaultMaxBytes). The largest
	// real badge we know of is about 30 KB.
	CredentialBytes = 1 << 20
	// CredentialDepth is the deepest nesting of JSON arrays and objects
	// accepted (a top-level object is depth 1).
	CredentialDepth = 64
	// JWTBytes is the longest compact JWS (VC-JWT, VP-JWT) accepted: 1 MiB,
	// a JSON payload of at most 768 KiB once base64url-decoded.
	JWTBytes = 1 << 20
	// JOSEHeaderBytes bounds a decoded JOSE header (an RSA-8192 jwk is
	// about 1.5 KB).
	JOSEHeaderBytes = 16 << 10
	// JOSEHeaderDepth bounds the nesting of a JOSE header.
	JOSEHeaderDepth = 4
	// EndorsementDepth bounds endorsements of endorsements (OB 3.0 §9.2).
	EndorsementDepth = 2
)

// Keys, DIDs and URLs.
const (
	// DIDLength is the longest DID or DID URL, in bytes.
	DIDLength = 8 << 10
	// Base58Length is the longest base58btc string decoded (multibase keys
	// and signatures); base58 decoding is quadratic.
	Base58Length = 16 << 10
	// DIDDocumentBytes bounds a did:web DID document.
	DIDDocumentBytes = 1 << 20
	// DIDDocumentDepth bounds the nesting of a did:web DID document.
	DIDDocumentDepth = 64
	// KeyDocumentBytes bounds a controller document or JWKS fetched from an
	// https URL.
	KeyDocumentBytes = 1 << 20
	// KeyDocumentDepth bounds the nesting of such a document.
	KeyDocumentDepth = 32
	// JWKDepth bounds the nesting of a single publicKeyJwk.
	JWKDepth = 8
	// JWKSKeys bounds the keys of a JWKS considered (each RSA key costs a
	// modular exponentiation to try).
	JWKSKeys = 256
	// URLLength is the longest URL fetched.
	URLLength = 8 << 10
)

// Network: what the server accepts and what the fetcher downloads.
const (
	// HTTPBody is the default largest request body the server reads (a
	// 1 MiB credential inside a VC API envelope, with room to spare).
	HTTPBody = 2 << 20
	// HTTPHeaderBytes bounds request headers (server) and response
	// headers (fetcher).
	HTTPHeaderBytes = 64 << 10
	// FetchBytes is the default largest response body the hardened
	// fetcher reads (DID documents, status lists, refreshed credentials).
	FetchBytes = 1 << 20
	// FetchRedirects is the most redirects the fetcher follows.
	FetchRedirects = 3
	// CacheEntries bounds each in-memory cache of fetched documents.
	CacheEntries = 256
	// CachedStatusLists bounds the verified status lists a Verifier keeps.
	CachedStatusLists = 512
)

// Status lists.
const (
	// StatusListDecompressedBytes caps an encodedList once inflated (16 MiB
	// = 134,217,728 one-bit entries): a GZIP bomb costs at most this much.
	StatusListDecompressedBytes = 16 << 20
	// StatusListEntries bounds the lists an issuer stores (2^26 entries, an
	// 8 MiB bitstring).
	StatusListEntries = 1 << 26
)

// Files read by the command line and the issuer.
const (
	// AchievementFileBytes bounds `blason issue --achievement FILE`: an
	// Achievement is part of a credential, so it cannot be larger.
	AchievementFileBytes = CredentialBytes
	// KeyFileBytes bounds a key file written by `blason key new` (an
	// RSA-2048 key file is about 3 KB).
	KeyFileBytes = 64 << 10
	// InputFileBytes bounds a credential, presentation or VC-JWT file given
	// to `blason verify` or `blason present`.
	InputFileBytes = CredentialBytes
	// MasterKeyFileBytes bounds the master key file read (32 bytes, base64,
	// with room for a newline and comments).
	MasterKeyFileBytes = 1 << 10
)

// Baked images (OB 3.0 §5.3, internal/bake). A baked badge is a small
// picture (the 1EdTech validator's fixtures are 85 KB) holding a credential
// of a few KB; the credential inside is bounded by CredentialBytes, also
// once a compressed PNG chunk is inflated.
const (
	// BakedImageBytes is the largest baked image read or written.
	BakedImageBytes = 16 << 20
	// BakedSVGBytes is the largest SVG: encoding/xml reads 10-20 MB/s, so a
	// 16 MiB SVG would cost a second of CPU; badge SVGs are a few KB, a few
	// MB with an embedded raster image.
	BakedSVGBytes = 4 << 20
	// PNGChunks is the most chunks a PNG may have (encoders write IDAT in
	// 8-64 KiB chunks: a few thousand for 16 MiB).
	PNGChunks = 1 << 16
	// SVGDepth is the deepest element nesting accepted in an SVG.
	SVGDepth = 256
	// SVGTokens is the most XML tokens (tags, text runs, comments) in an
	// SVG: a detailed illustration has a few thousand elements.
	SVGTokens = 1 << 18
)

// Output.
const (
	// TerminalStringRunes clips each string from a credential (a name, an
	// id, an error detail) printed on a terminal (internal/termsafe).
	TerminalStringRunes = 512
)

// ErrTooLarge reports input longer than its limit.
var ErrTooLarge = errors.New("larger than the limit")

// TooLargeError says which input went over which limit.
type TooLargeError struct {
	Name  string // a file name, or a description such as "standard input"
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %d bytes", e.Name, e.Limit)
}

// Unwrap makes errors.Is(err, ErrTooLarge) true.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ReadAll reads r to the end, but at most limit bytes: reading stops as
// soon as one byte more is available, with a *TooLargeError naming name.
func ReadAll(r io.Reader, limit int64, name string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Name: name, Limit: limit}
	}
	return b, nil
}

// ReadFile reads the file at path, at most limit bytes (see ReadAll). It
// does not trust the size the file system reports: /dev/zero, FIFOs and
// /proc files report none.
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAll(f, limit, path)
}
