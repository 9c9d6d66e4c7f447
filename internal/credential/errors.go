package credential

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// these (compare with errors.Is); the message around it says what was wrong
// and where.
var (
	// ErrMalformed: the input is not well-formed JSON (syntax error, invalid
	// UTF-8, an unpaired UTF-16 surrogate escape, a number out of float64
	// range, or trailing data after the value). The message gives the byte
	// offset.
	ErrMalformed = errors.New("malformed JSON")
	// ErrDuplicateKey: an object has the same key twice.
	ErrDuplicateKey = errors.New("duplicate object key")
	// ErrTooDeep: arrays/objects are nested deeper than Limits.MaxDepth.
	ErrTooDeep = errors.New("JSON nested too deeply")
	// ErrTooLarge: the input is longer than Limits.MaxBytes.
	ErrTooLarge = errors.New("input too large")

	// ErrNotObject: the top-level JSON value is not an object.
	ErrNotObject = errors.New("credential must be a JSON object")
	// ErrContext: @context is missing or violates OB 3.0 App. A.2 / B.1.2,
	// or the VC data model version cannot be determined from it.
	ErrContext = errors.New("invalid @context")
	// ErrType: the credential's type does not make it an Open Badges
	// (Achievement/OpenBadge) or Endorsement credential.
	ErrType = errors.New("invalid credential type")
	// ErrSubject: credentialSubject is missing, not exactly one, not
	// identified, or lacks the required type/achievement (OB 3.0 §9.1 step 1b).
	ErrSubject = errors.New("invalid credentialSubject")
	// ErrDate: a date property is not an XSD dateTime with a time zone.
	ErrDate = errors.New("invalid date")
	// ErrNullProof: "proof" is present with the value null.
	ErrNullProof = errors.New("proof is null")
	// ErrProof: "proof" is neither an object nor an array of objects.
	ErrProof = errors.New("invalid proof")

	// ErrSchema: the credential does not validate against the OB 3.0 JSON
	// Schema. The message lists the failing JSON pointers.
	ErrSchema = errors.New("schema validation failed")
	// ErrNoSchemaForV1: there is no published OB 3.0 JSON Schema for VC Data
	// Model 1.1 credentials (the "any*credential" schemas were never found),
	// so the schema check is not applicable. ValidateSchema returns it for a
	// document whose @context[0] is the VC 1.1 context; callers should report
	// the check as skipped, not failed.
	ErrNoSchemaForV1 = errors.New("no OB 3.0 JSON Schema for VC 1.1 credentials")
	// ErrUnknownKind: ValidateSchema was asked for a Kind with no schema.
	ErrUnknownKind = errors.New("no schema for this kind of credential")

	// ErrIdentityHash: an IdentityHash is malformed or uses an algorithm
	// other than sha256 or md5.
	ErrIdentityHash = errors.New("invalid identity hash")
)
