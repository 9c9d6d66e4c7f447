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
