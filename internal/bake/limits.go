package bake

import "github.com/blason-badges/blason/internal/limits"

// The bounds on the work Extract and Bake do with an untrusted image. The
// values live in internal/limits, with every other bound of Blason.
const (
	// MaxImageBytes is the largest image Extract reads and Bake writes.
	MaxImageBytes = limits.BakedImageBytes
	// MaxSVGBytes is the largest SVG Extract reads and Bake writes.
	MaxSVGBytes = limits.BakedSVGBytes
	// MaxCredentialBytes is the largest credential Extract returns and Bake
	// stores, after any decompression: whatever is extracted must still be
	// small enough for the verifier to read (credential.DefaultMaxBytes).
	MaxCredentialBytes = limits.CredentialBytes
	// MaxPNGChunks is the most chunks a PNG may have.
	MaxPNGChunks = limits.PNGChunks
	// MaxXMLDepth is the deepest element nesting accepted in an SVG.
	MaxXMLDepth = limits.SVGDepth
	// MaxXMLTokens is the most XML tokens accepted in an SVG.
	MaxXMLTokens = limits.SVGTokens

	// sniffTokens is how many prolog items (XML declaration, comments,
	// DOCTYPE) Kind skips looking for the root element before deciding the
	// data is not an SVG. Not a resource bound: each skip is one
	// bytes.Index.
	sniffTokens = 64
)
