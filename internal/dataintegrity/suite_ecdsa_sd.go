package dataintegrity

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/blason-badges/blason/internal/did"
	"github.com/blason-badges/blason/internal/multibase"
	"github.com/blason-badges/blason/internal/rdfc"
)

// SuiteECDSASD is the selective disclosure cryptosuite of vc-di-ecdsa.
const SuiteECDSASD = "ecdsa-sd-2023"

// Proof value headers (vc-di-ecdsa §3.5.2, §3.5.7): a base proof (held by
// the holder, from which disclosures are derived) and a derived proof (what
// a verifier receives).
var (
	sdBaseHeader    = []byte{0xd9, 0x5d, 0x00}
	sdDerivedHeader = []byte{0xd9, 0x5d, 0x01}
)

// maxSDStatements bounds the statements of a selectively disclosed document
// (one ECDSA verification each).
const maxSDStatements = 4096

// verifyECDSASD verifies an ecdsa-sd-2023 proof: a derived proof (§3.6.x
// "Verify Derived Proof", what a verifier gets), or a base proof (what the
// holder gets from the issuer, checked the same way with the disclosure
// computed from the base proof's HMAC key and mandatory pointers).
//
// Both come down to: the issuer's signature over
// SHA-256(proof configuration) ‖ ephemeral public key ‖
// SHA-256(mandatory N-Quads), and one signature by the ephemeral key over
// each other N-Quad, blank nodes relabelled by the HMAC-derived label map.
func verifyECDSASD(ctx context.Context, in suiteInput) error {
	// "If the proofValue string does not start with u ... an error MUST be
	// raised."
	pv, ok := in.proof["proofValue"].(string)
	if !ok || pv == "" {
		return fmt.Errorf("%w: missing or not a string", ErrProofValue)
	}
	if pv[0] != 'u' {
		return fmt.Errorf("%w: multibase header %q, want 'u' (base64url)", ErrProofValue, pv[:1])
	}
	raw, err := multibase.Decode(pv)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrProofValue, err)
	}
	base := bytes.HasPrefix(raw, sdBaseHeader)
	if !base && !bytes.HasPrefix(raw, sdDerivedHeader) {
		return fmt.Errorf("%w: not an ecdsa-sd-2023 base or derived proof (header %x)", ErrProofValue, raw[:min(3, len(raw))])
	}
	decoded, err := decodeCBOR(raw[3:])
	if err != nil {
		return fmt.Errorf("%w: %v", ErrProofValue, err)
	}
	parts, ok := decoded.([]any)
	if !ok || len(parts) != 5 {
		return fmt.Errorf("%w: the proof value must be a CBOR array of 5 components", ErrProofValue)
	}

	key, err := in.resolveKey(ctx)
	if err != nil {
		return err
	}
	if k, ok := key.Public.(*ecdsa.PublicKey); !ok || k.Curve.Params().Name != "P-256" {
		return fmt.Errorf("%w: %s needs a P-256 key, got %s", ErrKeyType, SuiteECDSASD, keyName(key.Public))
	}
	doc, _, err := in.document()
	if err != nil {
		return err
	}
	options := shallowCopy(in.proof)
	delete(options, "proofValue")
	options["@context"] = doc["@context"]
	canonProof, err := canonicalizeRead(options)
	if err != nil {
		return fmt.Errorf("canonicalize proof options: %w", err)
	}
	proofHash := sha256.Sum256(canonProof)

	var d sdDisclosure
	if base {
		d, err = baseDisclosure(doc, parts)
	} else {
		d, err = derivedDisclosure(doc, parts)
	}
	if err != nil {
		return err
	}
	return d.verify(key.Public.(*ecdsa.PublicKey), proofHash[:])
}

// sdDisclosure is what both proof forms reduce to.
type sdDisclosure struct {
	baseSignature []byte
	publicKey     []byte   // multikey bytes of the ephemeral P-256 key (0x8024 ‖ compressed point)
	signatures    [][]byte // one per non-mandatory N-Quad
	mandatory     []string // N-Quads, each with its "\n"
	nonMandatory  []string
}

func (d sdDisclosure) verify(issuer *ecdsa.PublicKey, proofHash []byte) error {
	if len(d.signatures) != len(d.nonMandatory) {
		return fmt.Errorf("%w: %d signatures for %d disclosed statements", ErrProofValue, len(d.signatures), len(d.nonMandatory))
	}
	var mandatory []byte
	for _, q := range d.mandatory {
		mandatory = append(mandatory, q...)
	}
	mandatoryHash := sha256.Sum256(mandatory)
	// serializeSignData: proofHash ‖ publicKey ‖ mandatoryHash.
	toVerify := append(append(append([]byte{}, proofHash...), d.publicKey...), mandatoryHash[:]...)
	if err := verifySignature(issuer, toVerify, d.baseSignature, sha256.New); err != nil {
		return fmt.Errorf("issuer's base signature: %w", err)
	}
	ephemeral, err := did.DecodePublicMultikey(multibase.EncodeBase58(d.publicKey))
	if err != nil {
		return fmt.Errorf("%w: ephemeral key: %v", ErrProofValue, err)
	}
	if k, ok := ephemeral.(*ecdsa.PublicKey); !ok || k.Curve.Params().Name != "P-256" {
		return fmt.Errorf("%w: the ephemeral key must be P-256", ErrProofValue)
	}
	for i, q := range d.nonMandatory {
		if err := verifySignature(ephemeral, []byte(q), d.signatures[i], sha256.New); err != nil {
			return fmt.Errorf("statement %d: %w", i+1, err)
		}
	}
	return nil
}

// derivedDisclosure reads a derived proof value (§3.5.8 parseDerivedProofValue:
// baseSignature, publicKey, signatures, compressed labelMap,
// mandatoryIndexes) and splits the disclosed document's N-Quads with it.
func derivedDisclosure(doc map[string]any, parts []any) (sdDisclosure, error) {
	var d sdDisclosure
	var err error
	if d.baseSignature, d.publicKey, d.signatures, err = sdCommon(parts[0], parts[1], parts[2]); err != nil {
		return d, err
	}
	compressed, ok := parts[3].(map[uint64]any)
	if !ok {
		return d, fmt.Errorf("%w: the label map is not a CBOR map", ErrProofValue)
	}
	// decompressLabelMap: "c14n" + key -> "u" + base64url(value).
	labels := make(map[string]string, len(compressed))
	for k, v := range compressed {
		b, ok := v.([]byte)
		if !ok {
			return d, fmt.Errorf("%w: a label map value is not a byte string", ErrProofValue)
		}
		labels["c14n"+strconv.FormatUint(k, 10)] = "u" + base64.RawURLEncoding.EncodeToString(b)
	}
	indexes, ok := parts[4].([]any)
	if !ok {
		return d, fmt.Errorf("%w: the mandatory indexes are not a CBOR array", ErrProofValue)
	}
	quads, issued, err := canonicalQuads(doc, true)
	if err != nil {
		return d, err
	}
	nquads, err := relabel(quads, func(input string) (string, bool) {
		l, ok := labels[issued[input]]
		return l, ok
	})
	if err != nil {
		return d, err
	}
	mandatory := map[int]bool{}
	for _, x := range indexes {
		i, ok := x.(uint64)
		if !ok || i >= uint64(len(nquads)) {
			return d, fmt.Errorf("%w: mandatory index %v is not one of the %d statements", ErrProofValue, x, len(nquads))
		}
		mandatory[int(i)] = true
	}
	for i, q := range nquads {
		if mandatory[i] {
			d.mandatory = append(d.mandatory, q)
		} else {
			d.nonMandatory = append(d.nonMandatory, q)
		}
	}
	return d, nil
}

// baseDisclosure reads a base proof value (§3.5.3 parseBaseProofValue:
// baseSignature, publicKey, hmacKey, signatures, mandatoryPointers) and
// computes, as the holder does before deriving, which N-Quads the mandatory
// pointers select, blank nodes labelled by HMAC-SHA-256 of their canonical
// labels.
func baseDisclosure(doc map[string]any, parts []any) (sdDisclosure, error) {
	var d sdDisclosure
	var err error
	if d.baseSignature, d.publicKey, d.signatures, err = sdCommon(parts[0], parts[1], parts[3]); err != nil {
		return d, err
	}
	hmacKey, ok := parts[2].([]byte)
	if !ok || len(hmacKey) != 32 {
		return d, fmt.Errorf("%w: the HMAC key must be 32 bytes", ErrProofValue)
	}
	rawPointers, ok := parts[4].([]any)
	if !ok {
		return d, fmt.Errorf("%w: the mandatory pointers are not a CBOR array", ErrProofValue)
	}
	pointers := make([]string, 0, len(rawPointers))
	for _, p := range rawPointers {
		s, ok := p.(string)
		if !ok {
			return d, fmt.Errorf("%w: a mandatory pointer is not a text string", ErrProofValue)
		}
		pointers = append(pointers, s)
	}

	// canonicalizeAndGroup: skolemize so that the selection's nodes keep
	// their identity, canonicalize the whole document, label its blank
	// nodes by HMAC, and find the statements the pointers select.
	// What the holder received must be in the form the checks read, as for
	// every verified document (form.go); the skolemized copy is ours.
	if _, err := canonicalizeRead(doc); err != nil {
		return d, fmt.Errorf("canonicalize document: %w", err)
	}
	skolemized := skolemize(doc)
	quads, issued, err := canonicalQuads(skolemized, false)
	if err != nil {
		return d, err
	}
	hmacLabels := map[string]string{}
	labelOf := func(input string) (string, bool) {
		c14n, ok := issued[input]
		if !ok {
			return "", false
		}
		if l, ok := hmacLabels[c14n]; ok {
			return l, true
		}
		m := hmac.New(sha256.New, hmacKey)
		m.Write([]byte(c14n))
		l := "u" + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
		hmacLabels[c14n] = l
		return l, true
	}
	nquads, err := relabel(quads, labelOf)
	if err != nil {
		return d, err
	}
	selected := map[string]bool{}
	if len(pointers) > 0 {
		selection, err := selectJSONLD(skolemized, pointers)
		if err != nil {
			return d, err
		}
		sq, err := toQuads(selection)
		if err != nil {
			return d, fmt.Errorf("mandatory selection: %w", err)
		}
		sq = deskolemize(sq)
		// The selection's nodes are the document's: the same (deskolemized)
		// labels, hence the same canonical and HMAC labels.
		sel, err := relabel(sq, labelOf)
		if err != nil {
			return d, fmt.Errorf("mandatory selection: %w", err)
		}
		for _, q := range sel {
			selected[q] = true
		}
	}
	for _, q := range nquads {
		if selected[q] {
			d.mandatory = append(d.mandatory, q)
		} else {
			d.nonMandatory = append(d.nonMandatory, q)
		}
	}
	return d, nil
}

func sdCommon(sig, pub, sigs any) ([]byte, []byte, [][]byte, error) {
	baseSignature, ok := sig.([]byte)
	if !ok || len(baseSignature) != 64 {
		return nil, nil, nil, fmt.Errorf("%w: the base signature must be 64 bytes", ErrProofValue)
	}
	publicKey, ok := pub.([]byte)
	if !ok || len(publicKey) != 35 || publicKey[0] != 0x80 || publicKey[1] != 0x24 {
		return nil, nil, nil, fmt.Errorf("%w: the ephemeral key must be a P-256 multikey (35 bytes)", ErrProofValue)
	}
	list, ok := sigs.([]any)
	if !ok || len(list) > maxSDStatements {
		return nil, nil, nil, fmt.Errorf("%w: the signatures must be a CBOR array of at most %d", ErrProofValue, maxSDStatements)
	}
	signatures := make([][]byte, 0, len(list))
	for _, s := range list {
		b, ok := s.([]byte)
		if !ok || len(b) != 64 {
			return nil, nil, nil, fmt.Errorf("%w: a statement signature is not 64 bytes", ErrProofValue)
		}
		signatures = append(signatures, b)
	}
	return baseSignature, publicKey, signatures, nil
}

// canonicalQuads converts doc to RDF (deskolemized) and canonicalizes it,
// returning the quads with their input labels and the issued map (input
// label -> c14nN). With read, doc must be in the form the checks read
// (canonicalizeRead).
func canonicalQuads(doc map[string]any, read bool) ([]rdfc.Quad, map[string]string, error) {
	opts := expansion.opts
	if read {
		var err error
		if opts, err = formOptions(); err != nil {
			return nil, nil, err
		}
	}
	quads, err := toQuadsWith(doc, opts)
	if err != nil {
		return nil, nil, fmt.Errorf("canonicalize document: %w", err)
	}
	quads = deskolemize(quads)
	if len(quads) > maxSDStatements {
		return nil, nil, fmt.Errorf("%w: %d statements (at most %d)", ErrProofValue, len(quads), maxSDStatements)
	}
	_, issued, err := rdfc.Canonicalize(quads, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("canonicalize document: %w", err)
	}
	return quads, issued, nil
}

// relabel writes each quad as canonical N-Quads ("…\n") with its blank
// nodes renamed by label, deduplicated and sorted in code point order
// (§3.4.x labelReplacementCanonicalizeNQuads).
func relabel(quads []rdfc.Quad, label func(input string) (string, bool)) ([]string, error) {
	seen := make(map[string]bool, len(quads))
	out := make([]string, 0, len(quads))
	var buf []byte
	for _, q := range quads {
		for _, t := range []*rdfc.Term{&q.Subject, &q.Object, &q.Graph} {
			if t.Kind != rdfc.BlankNode {
				continue
			}
			l, ok := label(t.Value)
			if !ok {
				return nil, fmt.Errorf("%w: no label for blank node %s", ErrProofValue, t.Value)
			}
			t.Value = l
		}
		buf = append(rdfc.AppendQuad(buf[:0], q), '\n')
		if s := string(buf); !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out, nil
}

// skolemPrefix names the nodes skolemize identifies; deskolemize turns
// them back into blank nodes.
const skolemPrefix = "urn:bnid:blason-sk-"

// skolemize returns a copy of doc in which every node object without an
// id gets one (skolemPrefix + a counter), so that a selection of the
// document names the same nodes (di-sd-primitives skolemizeCompactJsonLd,
// applied to the compact form). Value objects and @context values are
// left alone.
func skolemize(doc map[string]any) map[string]any {
	n := 0
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			if _, isValue := t["@value"]; isValue {
				return t
			}
			out := make(map[string]any, len(t)+1)
			for k, e := range t {
				if k == "@context" {
					out[k] = e
					continue
				}
				out[k] = walk(e)
			}
			_, hasID := t["id"]
			_, hasAtID := t["@id"]
			_, isList := t["@list"]
			_, isSet := t["@set"]
			if !hasID && !hasAtID && !isList && !isSet {
				out["id"] = skolemPrefix + strconv.Itoa(n)
				n++
			}
			return out
		case []any:
			out := make([]any, len(t))
			for i, e := range t {
				out[i] = walk(e)
			}
			return out
		}
		return v
	}
	return walk(doc).(map[string]any)
}

// deskolemize turns the skolem IRIs back into blank nodes.
func deskolemize(quads []rdfc.Quad) []rdfc.Quad {
	for i := range quads {
		for _, t := range []*rdfc.Term{&quads[i].Subject, &quads[i].Object, &quads[i].Graph} {
			if t.Kind == rdfc.IRI && strings.HasPrefix(t.Value, skolemPrefix) {
				t.Kind, t.Value = rdfc.BlankNode, "sk"+strings.TrimPrefix(t.Value, skolemPrefix)
			}
		}
	}
	return quads
}

// selectJSONLD builds the document that holds only what the JSON pointers
// select, with the @context, id and type of every object on the way
// (di-sd-primitives selectJsonLd, vc-di-ecdsa §3.4.x).
func selectJSONLD(doc map[string]any, pointers []string) (map[string]any, error) {
	initial := func(o map[string]any) map[string]any {
		s := map[string]any{}
		for _, k := range []string{"@context", "id", "type"} {
			if v, ok := o[k]; ok {
				s[k] = v
			}
		}
		return s
	}
	selection := initial(doc)
	var finish func(v any) any
	finish = func(v any) any {
		switch t := v.(type) {
		case *sparseArray:
			idx := make([]int, 0, len(t.items))
			for i := range t.items {
				idx = append(idx, i)
			}
			sort.Ints(idx)
			out := make([]any, 0, len(idx))
			for _, i := range idx {
				out = append(out, finish(t.items[i]))
			}
			return out
		case map[string]any:
			for k, e := range t {
				t[k] = finish(e)
			}
		}
		return v
	}
	for _, pointer := range pointers {
		paths, err := parsePointer(pointer)
		if err != nil {
			return nil, err
		}
		var value any = doc
		var selected any = selection
		var parent any
		var last string
		for _, p := range paths {
			parent, last = selected, p
			var next any
			switch v := value.(type) {
			case map[string]any:
				next = v[p]
			case []any:
				i, err := strconv.Atoi(p)
				if err != nil || i < 0 || i >= len(v) {
					return nil, fmt.Errorf("%w: JSON pointer %q does not match the document", ErrProofValue, clip(pointer))
				}
				next = v[i]
			}
			if next == nil {
				return nil, fmt.Errorf("%w: JSON pointer %q does not match the document", ErrProofValue, clip(pointer))
			}
			value = next
			child := getChild(parent, p)
			if child == nil {
				switch v := value.(type) {
				case []any:
					child = &sparseArray{items: map[int]any{}}
				case map[string]any:
					child = initial(v)
				}
				setChild(parent, p, child)
			}
			selected = child
		}
		switch v := value.(type) {
		case map[string]any:
			merged := map[string]any{}
			if m, ok := selected.(map[string]any); ok {
				for k, e := range m {
					merged[k] = e
				}
			}
			for k, e := range v {
				merged[k] = e
			}
			setChild(parent, last, merged)
		default:
			setChild(parent, last, v)
		}
	}
	return finish(selection).(map[string]any), nil
}

// sparseArray is an array of a selection, filled by index and compacted
// (holes removed) at the end, as selectJsonLd does.
type sparseArray struct{ items map[int]any }

func getChild(parent any, key string) any {
	switch p := parent.(type) {
	case map[string]any:
		return p[key]
	case *sparseArray:
		i, _ := strconv.Atoi(key)
		return p.items[i]
	}
	return nil
}

func setChild(parent any, key string, v any) {
	switch p := parent.(type) {
	case map[string]any:
		p[key] = v
	case *sparseArray:
		i, _ := strconv.Atoi(key)
		p.items[i] = v
	}
}

// parsePointer splits an RFC 6901 JSON pointer into its reference tokens.
func parsePointer(pointer string) ([]string, error) {
	if pointer == "" || pointer[0] != '/' {
		return nil, fmt.Errorf("%w: %q is not a JSON pointer", ErrProofValue, clip(pointer))
	}
	parts := strings.Split(pointer[1:], "/")
	for i, p := range parts {
		parts[i] = strings.ReplaceAll(strings.ReplaceAll(p, "~1", "/"), "~0", "~")
	}
	return parts, nil
}
