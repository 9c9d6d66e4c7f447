package issuer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/blason-badges/blason/contexts"
	"github.com/blason-badges/blason/internal/credential"
	"github.com/blason-badges/blason/internal/dataintegrity"
	"github.com/blason-badges/blason/internal/status"
	"github.com/blason-badges/blason/internal/vcjwt"
)

// ErrCredential is wrapped when a credential submitted for signing is
// malformed or would lose data when signed.
var ErrCredential = errors.New("credential cannot be signed")

// ErrNotOurIssuer: the credential names an issuer whose key we do not hold.
var ErrNotOurIssuer = errors.New("issuer not held by this server")

// SignCredential signs a credential someone else built (the VC API's
// POST /credentials/issue): any W3C Verifiable Credential, VC 2.0 or 1.1,
// whose issuer is this issuer. It adds a DataIntegrityProof
// (eddsa-rdfc-2022, assertionMethod) and changes nothing else, except
// appending the Data Integrity context to a VC 1.1 credential. doc is not
// modified.
//
// It refuses what would be malformed or lose data: a first @context that
// is not a VC base context, no credentialSubject, a malformed
// credentialStatus, or any term the contexts do not define.
func (is *Issuer) SignCredential(ctx context.Context, doc map[string]any) (map[string]any, error) {
	signed, _, err := is.signCredential(ctx, doc)
	return signed, err
}

// signCredential is SignCredential, also returning the signed credential
// as JSON, marshalled once: the bytes the preflight verifies are the bytes
// a caller stores and sends.
func (is *Issuer) signCredential(ctx context.Context, doc map[string]any) (map[string]any, []byte, error) {
	c, err := is.checkSubmitted(doc)
	if err != nil {
		return nil, nil, err
	}
	signed, err := dataintegrity.Sign(doc, is.Key.Signer, dataintegrity.SignOptions{
		VerificationMethod: is.Key.VerificationMethod,
		Created:            is.now(),
	})
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %w", ErrCredential, err)
	}
	// Preflight: an Open Badge must pass our whole verifier; any other
	// credential at least its own proof.
	b, err := json.Marshal(signed)
	if err != nil {
		return nil, nil, err
	}
	if c.Kind() != credential.KindUnknown && is.Preflight != nil {
		if err := is.Preflight.Verify(ctx, b); err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrPreflight, err)
		}
	}
	return signed, b, nil
}

// SignCredentialJWT signs a credential someone else built as a VC-JWT
// (VC-JOSE-COSE, OB 3.0 §8.2), under SignCredential's rules: the
// credential, unchanged, is the JWT's payload; the header's kid names the
// issuer's verification method. The VC API answers with it enveloped
// (vcjwt.Envelope).
func (is *Issuer) SignCredentialJWT(ctx context.Context, doc map[string]any) (string, error) {
	c, err := is.checkSubmitted(doc)
	if err != nil {
		return "", err
	}
	jws, err := vcjwt.Sign(doc, is.Key.Signer, vcjwt.SignOptions{KeyID: is.Key.VerificationMethod})
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrCredential, err)
	}
	if c.Kind() != credential.KindUnknown && is.Preflight != nil {
		if err := is.Preflight.Verify(ctx, []byte(jws)); err != nil {
			return "", fmt.Errorf("%w: %w", ErrPreflight, err)
		}
	}
	return jws, nil
}

// checkSubmitted applies the rules of SignCredential and
// SignCredentialJWT to a submitted credential.
func (is *Issuer) checkSubmitted(doc map[string]any) (*credential.Credential, error) {
	if is.Key == nil || is.Key.Signer == nil {
		return nil, fmt.Errorf("%w: no signing key", ErrProfile)
	}
	ctxs, _ := doc["@context"].([]any)
	if s, ok := doc["@context"].(string); ok {
		ctxs = []any{s}
	}
	if len(ctxs) == 0 || (ctxs[0] != contexts.CredentialsV2 && ctxs[0] != contexts.CredentialsV1) {
		return nil, fmt.Errorf("%w: the first @context must be %s (or %s for VC 1.1)", ErrCredential, contexts.CredentialsV2, contexts.CredentialsV1)
	}
	c := credential.FromMap(doc)
	if !c.HasType("VerifiableCredential") {
		return nil, fmt.Errorf("%w: type must include VerifiableCredential", ErrCredential)
	}
	if _, ok := doc["credentialSubject"]; !ok || len(c.Subjects()) == 0 {
		return nil, fmt.Errorf("%w: no credentialSubject", ErrCredential)
	}
	if issuerID := c.IssuerID(); issuerID != is.Profile.ID {
		if issuerID == "" {
			return nil, fmt.Errorf("%w: no issuer (set it to %s)", ErrCredential, is.Profile.ID)
		}
		return nil, fmt.Errorf("%w: %s (this server signs as %s)", ErrNotOurIssuer, issuerID, is.Profile.ID)
	}
	if cs, ok := doc["credentialStatus"]; ok {
		if _, err := status.ParseEntries(cs); err != nil {
			return nil, fmt.Errorf("%w: credentialStatus: %w", ErrCredential, err)
		}
	}
	if _, ok := doc["proof"]; ok {
		return nil, fmt.Errorf("%w: it already has a proof", ErrCredential)
	}
	// The VC Data Model rules the verifier's data-model check applies.
	if errs := c.CheckDataModel(); len(errs) > 0 {
		return nil, fmt.Errorf("%w: %w", ErrCredential, errors.Join(errs...))
	}
	return c, nil
}
