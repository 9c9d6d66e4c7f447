package vcjwt

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/asn1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/blason-badges/blason/internal/credential"
)

// SignOptions configures Sign. At least one of KeyID and EmbedJWK must be
// set (OB 3.0 §8.2.3: kid, or "if kid is absent, jwk MUST be present").
type SignOptions struct {
	// KeyID is the kid header: the verification method URL of the signing
	// key (e.g. "did:key:z6Mk…#z6Mk…" or an HTTPS JWK URL). Empty means no kid.
	KeyID string
	// EmbedJWK adds the public key as a jwk header (never private members).
	// False means no jwk header.
	EmbedJWK bool
	// Envelope makes the token for an EnvelopedVerifiableCredential
	// (VC-JOSE-COSE): header typ "vc+jwt" instead of "JWT". Only VC 2.0
	// credentials can be enveloped. Wrap the result with Envelope. False
	// means a plain OB 3.0 VC-JWT.
	Envelope bool
}

// Sign secures credential as a compact JWS (OB 3.0 §8.2 "JSON Web Token
// Proof Format").
//
// Header (§8.2.3): alg from the key — RS256 for RSA ≥ 2048 bits (what the
// 1EdTech validator requires), ES256 for P-256, EdDSA for Ed25519 —, kid
// and/or jwk per opts, typ "JWT" (or "vc+jwt" with opts.Envelope); nothing
// else.
//
// Payload (§8.2.4): for a VC 2.0 credential, the credential JSON itself
// plus "iss" = issuer.id, "sub" = credentialSubject.id, "nbf" = validFrom,
// "jti" = id and "exp" = validUntil when present (NumericDates, whole
// seconds, fractions dropped). A VC 1.1 credential goes unchanged in a "vc"
// claim, with nbf from issuanceDate and exp from expirationDate.
//
// sub (digest §10 item 4): when credentialSubject has no id (an
// identifier-only subject), sub is omitted rather than invented; §8.2.6's
// "sub present" cannot be met for such credentials, and Verify accepts the
// omission (check "sub" Skipped). Prefer a Data Integrity proof for them.
//
// The credential must have an issuer id, an id and validFrom (issuanceDate),
// and a VC 2.0 credential must not already hold a member named like a JWT
// claim (iss, sub, aud, exp, nbf, iat, jti, vc, vp, nonce); otherwise the
// error wraps ErrCredential. key may be any crypto.Signer (an HSM/KMS key
// included) whose public key is one of the three types above; otherwise
// ErrKeyType. The credential map is not modified.
func Sign(cred map[string]any, key crypto.Signer, opts SignOptions) (string, error) {
	if key == nil {
		return "", fmt.Errorf("%w: nil key", ErrKeyType)
	}
	alg, err := algorithmFor(key.Public())
	if err != nil {
		return "", err
	}
	if opts.KeyID == "" && !opts.EmbedJWK {
		return "", fmt.Errorf("%w: neither a kid nor an embedded jwk requested (OB 3.0 §8.2.3)", ErrCredential)
	}
	c := credential.FromMap(cred)
	ver, err := c.Version()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrCredential, err)
	}
	issuer, id := c.IssuerID(), c.ID()
	if issuer == "" {
		return "", fmt.Errorf("%w: no issuer id (iss is required)", ErrCredential)
	}
	if id == "" {
		return "", fmt.Errorf("%w: no id (jti is required)", ErrCredential)
	}
	from, ok, err := c.ValidFrom()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrCredential, err)
	}
	if !ok {
		return "", fmt.Errorf("%w: no validFrom/issuanceDate (nbf is required)", ErrCredential)
	}
	until, hasUntil, err := c.ValidUntil()
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrCredential, err)
	}

	claims := map[string]any{"iss": issuer, "nbf": from.Unix(), "jti": id}
	if sub := c.SubjectID(); sub != "" {
		claims["sub"] = sub
	}
	if hasUntil {
		claims["exp"] = until.Unix()
	}
	var payload map[string]any
	switch ver {
	case credential.V1:
		if opts.Envelope {
			return "", fmt.Errorf("%w: only VC 2.0 credentials can be enveloped (vc+jwt)", ErrCredential)
		}
		claims["vc"] = cred
		payload = claims
	default:
		payload = make(map[string]any, len(cred)+len(claims))
		for k, v := range cred {
			payload[k] = v
		}
		for _, k := range []string{"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "vc", "vp", "nonce"} {
			if _, clash := cred[k]; clash {
				return "", fmt.Errorf("%w: the credential has a member %q, which is a JWT claim name", ErrCredential, k)
			}
		}
		for k, v := range claims {
			payload[k] = v
		}
	}
	typ := "JWT"
	if opts.Envelope {
		typ = "vc+jwt"
	}
	return signCompact(alg, key, opts.KeyID, opts.EmbedJWK, typ, payload)
}

// algorithmFor picks alg from the public key (§8.2.3).
func algorithmFor(pub crypto.PublicKey) (Algorithm, error) {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() < MinRSABits {
			return "", fmt.Errorf("%w: RSA key of %d bits, at least %d required", ErrKeyType, k.N.BitLen(), MinRSABits)
		}
		return RS256, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return "", fmt.Errorf("%w: ECDSA key on %s; only P-256 (ES256) is supported", ErrKeyType, keyDesc(k))
		}
		return ES256, nil
	case ed25519.PublicKey:
		return EdDSA, nil
	}
	return "", fmt.Errorf("%w: unsupported signing key %T", ErrKeyType, pub)
}

type joseHeader struct {
	Alg string          `json:"alg"`
	Kid string          `json:"kid,omitempty"`
	JWK json.RawMessage `json:"jwk,omitempty"`
	Typ string          `json:"typ"`
}

// signCompact builds and signs header.payload (RFC 7515 §5.1).
func signCompact(alg Algorithm, key crypto.Signer, kid string, embed bool, typ string, payload map[string]any) (string, error) {
	h := joseHeader{Alg: string(alg), Kid: kid, Typ: typ}
	if embed {
		b, err := jose.JSONWebKey{Key: key.Public()}.MarshalJSON()
		if err != nil {
			return "", fmt.Errorf("%w: jwk: %w", ErrKeyType, err)
		}
		h.JWK = b
	}
	hb, err := marshal(h)
	if err != nil {
		return "", err
	}
	pb, err := marshal(payload)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(hb) + "." + enc.EncodeToString(pb)
	sig, err := rawSign(alg, key, []byte(input))
	if err != nil {
		return "", err
	}
	return input + "." + enc.EncodeToString(sig), nil
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	e := json.NewEncoder(&buf)
	e.SetEscapeHTML(false)
	if err := e.Encode(v); err != nil {
		return nil, fmt.Errorf("%w: encode JSON: %w", ErrCredential, err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// rawSign produces the JWS signature bytes (RFC 7518 §3.3, §3.4; RFC 8037 §3.1).
func rawSign(alg Algorithm, key crypto.Signer, input []byte) ([]byte, error) {
	switch alg {
	case EdDSA:
		sig, err := key.Sign(rand.Reader, input, crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("vcjwt: sign: %w", err)
		}
		return sig, nil
	case RS256:
		d := sha256.Sum256(input)
		sig, err := key.Sign(rand.Reader, d[:], crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("vcjwt: sign: %w", err)
		}
		return sig, nil
	case ES256:
		d := sha256.Sum256(input)
		der, err := key.Sign(rand.Reader, d[:], crypto.SHA256)
		if err != nil {
			return nil, fmt.Errorf("vcjwt: sign: %w", err)
		}
		// crypto.Signer returns ASN.1 DER; JWS wants R || S, 32 bytes each.
		var rs struct{ R, S *big.Int }
		rest, err := asn1.Unmarshal(der, &rs)
		if err != nil || len(rest) != 0 || rs.R.Sign() <= 0 || rs.S.Sign() <= 0 || rs.R.BitLen() > 256 || rs.S.BitLen() > 256 {
			return nil, fmt.Errorf("vcjwt: sign: malformed ECDSA signature from signer")
		}
		out := make([]byte, 64)
		rs.R.FillBytes(out[:32])
		rs.S.FillBytes(out[32:])
		return out, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrAlgorithm, string(alg))
}

// SignPresentation secures vp as a VC-JWT 1.1 style presentation (VC Data
// Model 1.1 §6.3.1 "JWT encoding"): header alg (from the key), kid, typ
// "JWT"; claims "iss" = the holder, "aud" = aud, "nonce" = nonce, "vp" = vp
// (unchanged), "jti" = vp.id when present, and "iat" = the current time
// (time.Now, whole seconds; SignPresentationAt takes the time). No nbf is set, so a verifier whose clock is
// slightly behind still accepts a fresh presentation.
//
// The holder is vp.holder (a string or an object's id); when absent, the
// DID of kid (the part before "#"). kid is required: the verifier checks that
// the holder controls the key. Empty nonce or aud are omitted.
func SignPresentation(vp map[string]any, key crypto.Signer, kid, nonce, aud string) (string, error) {
	return SignPresentationAt(vp, key, kid, nonce, aud, time.Now())
}

// SignPresentationAt is SignPresentation with "iat" = at (whole seconds),
// for callers with their own clock.
func SignPresentationAt(vp map[string]any, key crypto.Signer, kid, nonce, aud string, at time.Time) (string, error) {
	if key == nil {
		return "", fmt.Errorf("%w: nil key", ErrKeyType)
	}
	alg, err := algorithmFor(key.Public())
	if err != nil {
		return "", err
	}
	if kid == "" {
		return "", fmt.Errorf("%w: a presentation needs a kid", ErrCredential)
	}
	if vp == nil {
		return "", fmt.Errorf("%w: nil presentation", ErrCredential)
	}
	holder := holderOf(vp)
	if holder == "" {
		if d, _, ok := strings.Cut(kid, "#"); ok && strings.HasPrefix(d, "did:") {
			holder = d
		}
	}
	if holder == "" {
		return "", fmt.Errorf("%w: presentation has no holder and kid %q is not a DID URL", ErrCredential, kid)
	}
	claims := map[string]any{"iss": holder, "vp": vp, "iat": at.Unix()}
	if nonce != "" {
		claims["nonce"] = nonce
	}
	if aud != "" {
		claims["aud"] = aud
	}
	if id, ok := vp["id"].(string); ok && id != "" {
		claims["jti"] = id
	}
	return signCompact(alg, key, kid, false, "JWT", claims)
}

// holderOf returns vp.holder as a string or an object's id.
func holderOf(vp map[string]any) string {
	switch h := vp["holder"].(type) {
	case string:
		return h
	case map[string]any:
		s, _ := h["id"].(string)
		return s
	}
	return ""
}
