package credential

// interned holds the strings that occur in nearly every credential, JWT
// payload and JOSE header: JSON-LD keywords, the VC and OB 3.0 terms and
// types, and the pinned context URLs. ParseJSON returns these shared
// strings instead of allocating a copy for each occurrence (a lookup with
// string(bytes) does not allocate): a typical badge carries forty or so, a
// fifth of the allocations of parsing it. Strings are immutable, so sharing
// them is unobservable.
var interned = func() map[string]string {
	words := []string{
		// JSON-LD keywords
		"@context", "@id", "@type", "@value", "@language", "@direction", "@graph", "@list", "@set",
		"@vocab", "@base", "@container", "@protected", "@version", "@included", "@index", "@json",
		// VC data model 1.1 and 2.0
		"id", "type", "issuer", "name", "description", "validFrom", "validUntil", "issuanceDate",
		"expirationDate", "credentialSubject", "credentialStatus", "credentialSchema", "proof",
		"holder", "verifiableCredential", "evidence", "termsOfUse", "refreshService", "image",
		"statusPurpose", "statusListIndex", "statusListCredential", "statusSize", "statusMessage",
		"encodedList", "status", "message",
		"VerifiableCredential", "VerifiablePresentation", "BitstringStatusListEntry",
		"BitstringStatusListCredential", "BitstringStatusList", "StatusList2021Entry", "revocation",
		"suspension", "JsonSchema", "1EdTechJsonSchemaValidator2019",
		// Data Integrity
		"DataIntegrityProof", "Ed25519Signature2020", "cryptosuite", "eddsa-rdfc-2022", "ecdsa-rdfc-2019",
		"created", "expires", "verificationMethod", "proofPurpose", "proofValue", "assertionMethod",
		"authentication", "challenge", "domain", "previousProof",
		// JWT and JOSE
		"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "vc", "vp", "nonce", "alg", "kid", "typ", "jwk",
		"kty", "crv", "x", "y", "n", "e", "JWT", "vc+jwt", "vp+jwt", "EdDSA", "ES256", "RS256", "OKP", "EC",
		"RSA", "Ed25519", "P-256",
		// Open Badges 3.0
		"OpenBadgeCredential", "AchievementCredential", "EndorsementCredential", "AchievementSubject",
		"EndorsementSubject", "Achievement", "Profile", "Image", "Criteria", "Alignment", "Result",
		"ResultDescription", "IdentityObject", "IdentifierEntry", "Evidence", "GeoCoordinates", "Address",
		"achievement", "achievementType", "alignment", "criteria", "narrative", "creator", "endorsement",
		"endorsementJwt", "identifier", "identifierType", "identityHash", "identityType", "hashed", "salt",
		"emailAddress", "email", "url", "phone", "caption", "targetName", "targetUrl", "targetCode",
		"targetDescription", "targetFramework", "targetType", "result", "resultDescription", "awardedDate",
		"source", "tag", "inLanguage", "version", "fieldOfStudy", "specialization", "creditsAvailable",
		"creditsEarned", "humanCode", "otherIdentifier", "activityStartDate", "activityEndDate",
		"role", "term", "licenseNumber", "narrative", "genre", "audience",
		"Badge", "Certificate", "Competency", "Course", "CoCurricular", "Degree", "Diploma",
		"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/2018/credentials/v1",
		"https://w3id.org/security/data-integrity/v2", "https://w3id.org/security/suites/ed25519-2020/v1",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/context.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
		"https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
	}
	m := make(map[string]string, len(words))
	for _, w := range words {
		m[w] = w
	}
	return m
}()

// maxInterned is the longest string worth a lookup in interned.
const maxInterned = 96

// internEntry is a word of the interning table with its boxed form, so that
// a string value that is a known word costs no allocation at all.
type internEntry struct {
	s string
	v any
}

// internTable is interned as an open-addressing hash table with a hash of a
// few bytes (internHash): cheaper than a Go map lookup, which hashes the
// whole string, for the many strings of a document that are not words of
// the table and the many that are. Built once; read-only afterwards.
var internTable = func() []*internEntry {
	t := make([]*internEntry, internTableSize)
	for w := range interned {
		h := internHash([]byte(w))
		for t[h] != nil {
			h = (h + 1) & (internTableSize - 1)
		}
		t[h] = &internEntry{s: w, v: w}
	}
	return t
}()

// internTableSize is a power of two, four or more times the number of words,
// so that probes are short.
const internTableSize = 1024

// internHash mixes the length and four bytes of b (which is not empty).
func internHash(b []byte) int {
	n := len(b)
	h := uint32(n)*0x9e3779b1 ^ uint32(b[0])<<3 ^ uint32(b[n-1])<<9 ^ uint32(b[n/2])<<15 ^ uint32(b[n/3])<<21
	h ^= h >> 13
	h *= 0x85ebca6b
	h ^= h >> 16
	return int(h & (internTableSize - 1))
}

// lookupInterned returns the table's entry for b, or nil if b is not one of
// the words.
func lookupInterned(b []byte) *internEntry {
	if len(b) == 0 || len(b) > maxInterned {
		return nil
	}
	for h := internHash(b); ; h = (h + 1) & (internTableSize - 1) {
		e := internTable[h]
		if e == nil {
			return nil
		}
		if e.s == string(b) {
			return e
		}
	}
}
