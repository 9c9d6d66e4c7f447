// Package wallet is the holder side of Blason: importing a learner's
// badges from any format (JSON, VC-JWT, baked PNG/SVG, URL, the OB 3.0 API),
// verifying them on import, storing them, and presenting them (signed
// presentations with challenge and domain, share links, baked images).
//
// It verifies through a small interface it declares itself, so that it
// never imports the verifier package (see docs/ARCHITECTURE.md).
//
// Implemented so far: signed presentations (Present: Data Integrity,
// PresentJWT: VP-JWT). Import, storage, share links and baking come with
// their own issues.
package wallet
