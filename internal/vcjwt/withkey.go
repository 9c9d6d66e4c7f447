package vcjwt

import (
	"crypto"
	"encoding/base64"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/blason-badges/blason/internal/credential"
)

// VerifyWithKey verifies a compact JWS against a public key the caller has
// already tied to the signer, and returns the signed payload bytes and the
// algorithm. It serves formats older than VC-JWT whose key is named outside
// the JOSE header, such as Open Badges 2.0 signed assertions (the key is the
// issuer's CryptographicKey named by verification.creator), so the header is
// not held to OB 3.0 §8.2.3 (no kid, jwk or typ is required, other members
// are tolerated) but the algorithm still is: it must be in algs (nil means
// RS256 and ES256), "none" and MAC algorithms are refused, and the key must
// fit it (RSA ≥ MinRSABits for RS256, P-256 for ES256). Errors wrap
// ErrMalformed, ErrTooLarge, ErrAlgorithm, ErrKeyType or ErrSignature.
func VerifyWithKey(tok string, key crypto.PublicKey, algs []Algorithm, maxBytes int) ([]byte, Algorithm, error) {
	if algs == nil {
		algs = []Algorithm{RS256, ES256}
	}
	allowed, err := algorithmsFor(algs)
	if err != nil {
		return nil, "", err
	}
	seg, err := checkCompact(tok, maxBytes)
	if err != nil {
		return nil, "", err
	}
	if base64.RawURLEncoding.DecodedLen(len(seg[0])) > maxHeaderBytes {
		return nil, "", fmt.Errorf("%w: header longer than %d bytes", ErrHeader, maxHeaderBytes)
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg[0])
	if err != nil {
		return nil, "", fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	v, err := credential.ParseJSON(raw, credential.Limits{MaxBytes: maxHeaderBytes, MaxDepth: 4})
	if err != nil {
		return nil, "", fmt.Errorf("%w: header: %w", ErrMalformed, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, "", fmt.Errorf("%w: header is not a JSON object", ErrMalformed)
	}
	alg, _ := m["alg"].(string)
	switch {
	case alg == "":
		return nil, "", fmt.Errorf("%w: header has no alg", ErrAlgorithm)
	case strings.EqualFold(alg, "none"):
		return nil, "", fmt.Errorf(`%w: alg "none" (unsecured JWS) is never accepted`, ErrAlgorithm)
	case strings.HasPrefix(strings.ToUpper(alg), "HS"):
		return nil, "", fmt.Errorf("%w: alg %q is a MAC algorithm; only asymmetric signatures are accepted", ErrAlgorithm, alg)
	}
	in := false
	for _, a := range allowed {
		in = in || string(a) == alg
	}
	if !in {
		return nil, "", fmt.Errorf("%w: alg %q is not in the allowlist %v", ErrAlgorithm, alg, algs)
	}
	if err := checkKeyType(Algorithm(alg), key); err != nil {
		return nil, "", err
	}
	jws, err := jose.ParseSignedCompact(tok, allowed)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	if len(jws.Signatures) != 1 {
		return nil, "", fmt.Errorf("%w: expected one signature", ErrMalformed)
	}
	payload, err := jws.Verify(key)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %w", ErrSignature, err)
	}
	return payload, Algorithm(alg), nil
}
