package bake

// The bounds on the work Extract and Bake do with an untrusted image, in one
// place. A baked badge is a small picture (the 1EdTech validator's fixtures
// are 85 KB) with a credential of a few KB; these leave a wide margin while
// keeping a hostile file from costing more than a fraction of a second.
const (
	// MaxImageBytes is the largest image Extract reads and Bake writes.
	MaxImageBytes = 16 << 20

	// MaxSVGBytes is the largest SVG. encoding/xml reads 10-20 MB/s, so a
	// 16 MiB SVG would cost a second of CPU; badge SVGs are a few KB (the
	// validator's are 4 KB), a few MB with an embedded raster image.
	MaxSVGBytes = 4 << 20

	// MaxCredentialBytes is the largest credential Extract returns and Bake
	// stores, after any decompression. It equals credential.DefaultMaxBytes
	// (a test keeps them equal): whatever is extracted must still be small
	// enough for the verifier to read.
	MaxCredentialBytes = 1 << 20

	// MaxPNGChunks is the most chunks a PNG may have. Encoders write IDAT
	// in 8-64 KiB chunks, so a 16 MiB image has at most a few thousand.
	MaxPNGChunks = 1 << 16

	// MaxXMLDepth is the deepest element nesting accepted in an SVG.
	MaxXMLDepth = 256

	// MaxXMLTokens is the most XML tokens (tags, text runs, comments)
	// accepted in an SVG: a detailed illustration has a few thousand
	// elements; encoding/xml reads roughly a million tokens a second.
	MaxXMLTokens = 1 << 18

	// sniffTokens is how many prolog items (XML declaration, comments,
	// DOCTYPE) Kind skips looking for the root element before deciding the
	// data is not an SVG.
	sniffTokens = 64
)
