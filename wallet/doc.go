// Package wallet is the holder side of Blason: importing a learner's
// badges from any format (JSON, VC-JWT, baked PNG/SVG, URL, the OB 3.0 API),
// verifying them on import, storing them, and presenting them (signed
// presentations with challenge and domain, share links, baked images).
//
// It verifies through a small interface it declares itself, so that it
// never imports the verifier package (see docs/ARCHITECTURE.md).
//
// Service keeps a learner's badges over a Store (internal/store/walletdb):
// ImportCredential (paste, upload, baked image; verified on import through
// the Verify it is given, the exact bytes kept, duplicates and newer
// versions recognised by issuer and id), share links with a view log
// (CreateShare, OpenShare re-verifies on every view), a holder did:key per
// user sealed under the master key (Holder), and Present / PresentJWT
// (signed presentations for a verifier's challenge and domain).
package wallet
