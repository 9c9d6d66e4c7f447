package did

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
)

// did:key method spec test vectors (https://w3c-ccg.github.io/did-method-key/
// "Test Vectors"), plus the OB 3.0 implementation-guide key and the W3C
// Data Integrity test-vector keys.
var didKeyVectors = []struct {
	did     string
	keyType KeyType
}{
	{"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", Ed25519},
	{"did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG", Ed25519},
	{"did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf", Ed25519},
	{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", P256},
	{"did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv", P256},
	{"did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9", P384},
	{"did:key:z82LkvCwHNreneWpsgPEbV3gu1C6NFJEBg4srfJ5gdxEsMGRJUz2sG9FE42shbn2xkZJh54", P384},
	{"did:key:z6MkjZRZv3aez3r18pB1RBFJR1kwUVJ5jHt92JmQwXbd5hwi", Ed25519},
	{"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", Ed25519},
	{"did:key:zDnaepBuvsQ8cpsWrVKw8fbpGpvPeNSjVPTWoq6cRqaYzBKVP", P256},
	{"did:key:z82LkuBieyGShVBhvtE2zoiD6Kma4tJGFtkAhxR5pfkp5QPw4LutoYWhvQCnGjdVn14kujQ", P384},
	{specRSA2048DID, RSA},
	{specRSA4096DID, RSA},
}

func keyTypeOf(pub crypto.PublicKey) KeyType {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		return Ed25519
	case *ecdsa.PublicKey:
		return curveType(k.Curve)
	case *rsa.PublicKey:
		return RSA
	}
	return ""
}

func TestResolveDIDKeyVectors(t *testing.T) {
	ctx := context.Background()
	for _, tt := range didKeyVectors {
		t.Run(tt.did[8:20], func(t *testing.T) {
			doc, err := Offline.Resolve(ctx, tt.did)
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.did, err)
			}
			mb := strings.TrimPrefix(tt.did, "did:key:")
			vmID := tt.did + "#" + mb
			if doc.ID != tt.did || len(doc.VerificationMethod) != 1 {
				t.Fatalf("doc id %q with %d VMs", doc.ID, len(doc.VerificationMethod))
			}
			vm := doc.VerificationMethod[0]
			if vm.ID != vmID || vm.Type != "Multikey" || vm.Controller != tt.did || vm.PublicKeyMultibase != mb {
				t.Fatalf("unexpected VM %+v", vm)
			}
			for name, rel := range map[string][]string{
				"assertionMethod": doc.AssertionMethod, "authentication": doc.Authentication,
				"capabilityInvocation": doc.CapabilityInvocation, "capabilityDelegation": doc.CapabilityDelegation,
			} {
				if len(rel) != 1 || rel[0] != vmID {
					t.Errorf("%s = %v, want [%s]", name, rel, vmID)
				}
			}
			pub, err := vm.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			if got := keyTypeOf(pub); got != tt.keyType {
				t.Fatalf("key type %q, want %q", got, tt.keyType)
			}
			d, id, err := KeyDID(pub)
			if err != nil || d != tt.did || id != vmID {
				t.Fatalf("KeyDID = %q, %q, %v", d, id, err)
			}
			for _, ref := range []string{vmID, tt.did} {
				for _, rel := range []string{AssertionMethod, Authentication} {
					got, err := ResolveVerificationMethod(ctx, Offline, ref, rel)
					if err != nil || got.ID != vmID {
						t.Fatalf("ResolveVerificationMethod(%q, %s) = %+v, %v", ref, rel, got, err)
					}
				}
			}
		})
	}
}

// JWKs published with the did:key spec for two of its vectors.
func TestDIDKeyVectorJWKs(t *testing.T) {
	tests := []struct{ did, jwk string }{
		{"did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
			`{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}`},
		{"did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
			`{"crv":"P-256","kty":"EC","x":"igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns","y":"efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM"}`},
	}
	for _, tt := range tests {
		pub, err := DecodePublicMultikey(strings.TrimPrefix(tt.did, "did:key:"))
		if err != nil {
			t.Fatal(err)
		}
		j, err := publicJWK(pub)
		if err != nil || string(j) != tt.jwk {
			t.Errorf("JWK of %s = %s, %v; want %s", tt.did, j, err, tt.jwk)
		}
	}
}

// The did:jwk spec's P-256 example.
const specJWKDID = "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"

func TestResolveDIDJWKSpecExample(t *testing.T) {
	doc, err := Offline.Resolve(context.Background(), specJWKDID)
	if err != nil {
		t.Fatal(err)
	}
	vmID := specJWKDID + "#0"
	vm := doc.VerificationMethod[0]
	if vm.ID != vmID || vm.Type != "JsonWebKey2020" || vm.Controller != specJWKDID {
		t.Fatalf("unexpected VM %+v", vm)
	}
	for _, rel := range [][]string{doc.AssertionMethod, doc.Authentication, doc.CapabilityInvocation, doc.CapabilityDelegation, doc.KeyAgreement} {
		if len(rel) != 1 || rel[0] != vmID {
			t.Fatalf("relationship %v, want [%s]", rel, vmID)
		}
	}
	pub, err := vm.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	if d, id, err := JWKDID(pub); err != nil || d != specJWKDID || id != vmID {
		t.Fatalf("JWKDID = %q, %q, %v", d, id, err)
	}
	// The document marshals with the expected member names.
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/suites/jws-2020/v1"]`,
		`"verificationMethod":[`, `"publicKeyJwk":{"crv":"P-256"`, `"assertionMethod":[`, `"keyAgreement":[`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("document JSON %s lacks %s", b, want)
		}
	}
}

func jwkDID(j string) string {
	return "did:jwk:" + base64.RawURLEncoding.EncodeToString([]byte(j))
}

func TestDIDJWKUse(t *testing.T) {
	ctx := context.Background()
	base := `"crv":"P-256","kty":"EC","x":"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0","y":"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE"`
	sig := jwkDID(`{` + base + `,"use":"sig"}`)
	doc, err := Offline.Resolve(ctx, sig)
	if err != nil || len(doc.KeyAgreement) != 0 || len(doc.AssertionMethod) != 1 {
		t.Fatalf("use=sig: %+v, %v", doc, err)
	}
	enc := jwkDID(`{` + base + `,"use":"enc"}`)
	doc, err = Offline.Resolve(ctx, enc)
	if err != nil || len(doc.KeyAgreement) != 1 || len(doc.AssertionMethod) != 0 || len(doc.Authentication) != 0 {
		t.Fatalf("use=enc: %+v, %v", doc, err)
	}
	if _, err := ResolveVerificationMethod(ctx, nil, enc+"#0", AssertionMethod); !errors.Is(err, ErrRelationship) {
		t.Fatalf("enc key for assertionMethod: %v", err)
	}
	if _, err := ResolveVerificationMethod(ctx, nil, enc+"#0", KeyAgreement); err != nil {
		t.Fatalf("enc key for keyAgreement: %v", err)
	}
}

func TestGeneratedDIDRoundTrip(t *testing.T) {
	ctx := context.Background()
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	var pubs []crypto.PublicKey
	for _, kt := range []KeyType{Ed25519, P256, P384} {
		for range 5 {
			k, err := GenerateKey(kt)
			if err != nil {
				t.Fatal(err)
			}
			pubs = append(pubs, k.Public())
		}
	}
	pubs = append(pubs, &rsaKey.PublicKey)
	for _, pub := range pubs {
		for _, mkDID := range []func(crypto.PublicKey) (string, string, error){KeyDID, JWKDID} {
			d, vmID, err := mkDID(pub)
			if err != nil {
				t.Fatal(err)
			}
			vm, err := ResolveVerificationMethod(ctx, Offline, vmID, AssertionMethod)
			if err != nil {
				t.Fatalf("ResolveVerificationMethod(%q): %v", vmID, err)
			}
			got, err := vm.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			if !keysEqual(got, pub) {
				t.Fatalf("%s resolves to a different key", d)
			}
		}
	}
}

func TestResolveErrors(t *testing.T) {
	ctx := context.Background()
	edJWK := `{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}`
	smallN := new(big.Int).Lsh(big.NewInt(1), 1023)
	smallN.Add(smallN, big.NewInt(1))
	rsa1024 := `{"kty":"RSA","e":"AQAB","n":"` + base64.RawURLEncoding.EncodeToString(smallN.Bytes()) + `"}`
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	p521Raw, _ := p521.PublicKey.Bytes()
	p521JWK := `{"kty":"EC","crv":"P-521","x":"` + base64.RawURLEncoding.EncodeToString(p521Raw[1:67]) + `","y":"` + base64.RawURLEncoding.EncodeToString(p521Raw[67:]) + `"}`
	tests := []struct {
		name, did string
		want      error
		sub       string
	}{
		{"empty", "", ErrInvalidDID, "empty"},
		{"not a DID", "https://example.com", ErrInvalidDID, "does not start"},
		{"no method", "did::abc", ErrInvalidDID, "method name"},
		{"no id", "did:key:", ErrInvalidDID, "empty method-specific"},
		{"upper-case method", "did:KEY:z6Mk", ErrInvalidDID, "invalid method name"},
		{"space", "did:key:z6Mk abc", ErrInvalidDID, "' '"},
		{"fragment", "did:key:z6Mk#x", ErrInvalidDID, "'#'"},
		{"bad pct", "did:web:a%2", ErrInvalidDID, "percent"},
		{"unknown method", "did:example:123", ErrUnsupportedMethod, "did:example:123"},
		{"web not offline", "did:web:example.com", ErrUnsupportedMethod, "web"},
		{"huge", "did:key:z" + strings.Repeat("2", 1<<20), ErrInvalidDID, "longer than"},
		{"did:key bad header", "did:key:u7QE", ErrInvalidDID, "'z'"},
		{"did:key bad base58", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooW0", ErrInvalidDID, "'0'"},
		{"did:key wrong multicodec", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", ErrInvalidKey, "multicodec 0xe7"},
		{"did:key short key", "did:key:" + mk(hdrEd25519Pub, make([]byte, 31)), ErrInvalidKey, "31 key bytes"},
		{"did:key P-256 off curve", "did:key:" + mk(hdrP256Pub, notOnCurveP256(t)), ErrInvalidKey, "not on the P-256 curve"},
		{"did:key version", "did:key:1:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", ErrInvalidDID, "'z'"},
		{"did:jwk not base64", "did:jwk:e30.", ErrInvalidDID, "not base64url"},
		{"did:jwk padded", "did:jwk:e30=", ErrInvalidDID, "="},
		{"did:jwk not JSON", jwkDID("not json"), ErrInvalidKey, "not a JSON object"},
		{"did:jwk JSON array", jwkDID(`[1,2]`), ErrInvalidKey, "not a JSON object"},
		{"did:jwk null", jwkDID(`null`), ErrInvalidKey, "not a JSON object"},
		{"did:jwk with d", jwkDID(`{"crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","kty":"OKP","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`), ErrInvalidKey, `"d"`},
		{"did:jwk symmetric", jwkDID(`{"kty":"oct","k":"AAAA"}`), ErrInvalidKey, `"k"`},
		{"did:jwk unknown kty", jwkDID(`{"kty":"XYZ"}`), ErrInvalidKey, "JWK"},
		{"did:jwk RSA 1024", jwkDID(rsa1024), ErrInvalidKey, "1024 bits"},
		{"did:jwk P-521", jwkDID(p521JWK), ErrInvalidKey, "unsupported curve"},
		{"did:jwk EC off curve", jwkDID(`{"crv":"P-256","kty":"EC","x":"acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0","y":"_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSA"}`), ErrInvalidKey, "JWK"},
		{"did:jwk short Ed25519", jwkDID(`{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2g"}`), ErrInvalidKey, "JWK"},
		{"did:jwk ok then garbage", jwkDID(edJWK + "x"), ErrInvalidKey, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Offline.Resolve(ctx, tt.did)
			if err == nil {
				t.Fatalf("Resolve(%q) = %+v, want error", tt.did, doc)
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Resolve error %v does not wrap %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.sub) {
				t.Fatalf("Resolve error %q does not mention %q", err, tt.sub)
			}
			if len(err.Error()) > 500 {
				t.Fatalf("error message is %d bytes; long inputs must be truncated", len(err.Error()))
			}
			// Resolution failures surface unchanged through
			// ResolveVerificationMethod.
			if _, err := ResolveVerificationMethod(ctx, Offline, tt.did, AssertionMethod); err == nil {
				t.Fatal("ResolveVerificationMethod succeeded")
			}
		})
	}
	if _, err := Offline.Resolve(ctx, jwkDID(edJWK)); err != nil {
		t.Fatalf("control did:jwk failed: %v", err)
	}
}

// staticResolver serves one fixed document (a stand-in for did:web).
type staticResolver struct{ doc *Document }

func (s staticResolver) Resolve(_ context.Context, did string) (*Document, error) {
	if s.doc == nil || did != s.doc.ID {
		return nil, ErrNotFound
	}
	return s.doc, nil
}

func TestResolveVerificationMethod(t *testing.T) {
	ctx := context.Background()
	const ed = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	const edVM = ed + "#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	const web = "did:web:issuer.example"
	edMB := strings.TrimPrefix(ed, "did:key:")
	webDoc := &Document{
		Context: ContextDIDv1,
		ID:      web,
		VerificationMethod: []VerificationMethod{
			{ID: "#key-1", Type: TypeMultikey, Controller: web, PublicKeyMultibase: edMB},
			{ID: web + "#key-2", Type: TypeMultikey, Controller: web, PublicKeyMultibase: edMB},
			{ID: web + "#foreign", Type: TypeMultikey, Controller: "did:web:other.example", PublicKeyMultibase: edMB},
		},
		AssertionMethod: []string{"#key-1", web + "#foreign"},
		Authentication:  []string{web + "#key-2"},
	}
	multi := MultiResolver{"key": KeyResolver{}, "jwk": JWKResolver{}, "web": staticResolver{webDoc}}

	ok := []struct{ url, rel, wantID string }{
		{edVM, AssertionMethod, edVM},
		{edVM, Authentication, edVM},
		{edVM, CapabilityInvocation, edVM},
		{ed, AssertionMethod, edVM},
		{web + "#key-1", AssertionMethod, web + "#key-1"},
		{web + "#key-2", Authentication, web + "#key-2"},
	}
	for _, tt := range ok {
		vm, err := ResolveVerificationMethod(ctx, multi, tt.url, tt.rel)
		if err != nil || vm.ID != tt.wantID {
			t.Errorf("ResolveVerificationMethod(%q, %s) = %+v, %v", tt.url, tt.rel, vm, err)
		}
	}

	bad := []struct {
		name, url, rel string
		want           error
		sub            string
	}{
		{"absent fragment", ed + "#z6MkOther", AssertionMethod, ErrNotFound, "#z6MkOther"},
		{"empty fragment", ed + "#", AssertionMethod, ErrInvalidDID, "empty fragment"},
		{"not in relationship", web + "#key-2", AssertionMethod, ErrRelationship, "not listed under assertionMethod"},
		{"not in relationship (relative)", web + "#key-1", Authentication, ErrRelationship, "authentication"},
		{"keyAgreement on did:key", edVM, KeyAgreement, ErrRelationship, "keyAgreement"},
		{"unknown relationship", edVM, "signing", ErrRelationship, "unknown verification relationship"},
		{"foreign controller", web + "#foreign", AssertionMethod, ErrRelationship, "controller"},
		{"bare DID with many VMs", web, AssertionMethod, ErrNotFound, "3 verification methods"},
		{"unknown method", "did:example:123#k", AssertionMethod, ErrUnsupportedMethod, "did:example:123"},
		{"empty", "", AssertionMethod, ErrInvalidDID, "empty"},
		{"huge", "did:key:" + strings.Repeat("z", 9000) + "#x", AssertionMethod, ErrInvalidDID, "longer than"},
		{"resolver lies", "did:web:other.example#k", AssertionMethod, ErrNotFound, ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			vm, err := ResolveVerificationMethod(ctx, multi, tt.url, tt.rel)
			if err == nil {
				t.Fatalf("got %+v, want error", vm)
			}
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.sub) {
				t.Fatalf("error %q, want %v mentioning %q", err, tt.want, tt.sub)
			}
		})
	}

	// A resolver returning a document for a different DID is refused.
	liar := staticResolver{&Document{ID: web}}
	if _, err := ResolveVerificationMethod(ctx, MultiResolver{"web": liarFor{liar}}, "did:web:x#k", AssertionMethod); !errors.Is(err, ErrInvalidDID) {
		t.Fatalf("mismatched document id: %v", err)
	}
}

type liarFor struct{ s staticResolver }

func (l liarFor) Resolve(context.Context, string) (*Document, error) { return l.s.doc, nil }

func TestVerificationMethodPublicKeyErrors(t *testing.T) {
	mb := "z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	jwk := json.RawMessage(`{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}`)
	p256 := "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
	tests := []struct {
		name string
		vm   *VerificationMethod
		sub  string
	}{
		{"nil", nil, "nil"},
		{"no key", &VerificationMethod{Type: TypeMultikey}, "no public key"},
		{"both", &VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: mb, PublicKeyJwk: jwk}, "both"},
		{"multikey with jwk", &VerificationMethod{Type: TypeMultikey, PublicKeyJwk: jwk}, "lacks publicKeyMultibase"},
		{"jwk type with multibase", &VerificationMethod{Type: TypeJsonWebKey2020, PublicKeyMultibase: mb}, "lacks publicKeyJwk"},
		{"unknown type", &VerificationMethod{Type: "EcdsaSecp256k1VerificationKey2019", PublicKeyMultibase: mb}, "unsupported verification method type"},
		{"Ed25519VerificationKey2020 with P-256", &VerificationMethod{Type: TypeEd25519VerificationKey2020, PublicKeyMultibase: p256}, "non-Ed25519"},
	}
	for _, tt := range tests {
		if _, err := tt.vm.PublicKey(); !errors.Is(err, ErrInvalidKey) || !strings.Contains(err.Error(), tt.sub) {
			t.Errorf("%s: error %v, want ErrInvalidKey mentioning %q", tt.name, err, tt.sub)
		}
	}
	for _, vm := range []*VerificationMethod{
		{Type: TypeEd25519VerificationKey2020, PublicKeyMultibase: mb},
		{Type: TypeJsonWebKey, PublicKeyJwk: jwk},
	} {
		if _, err := vm.PublicKey(); err != nil {
			t.Errorf("%s: %v", vm.Type, err)
		}
	}
}

func TestDocumentJSONRoundTrip(t *testing.T) {
	doc, err := Offline.Resolve(context.Background(), didKeyVectors[0].did)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var back Document
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(&back)
	if string(b) != string(b2) {
		t.Fatalf("JSON round trip differs:\n%s\n%s", b, b2)
	}
	for _, want := range []string{`"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"]`,
		`"type":"Multikey"`, `"publicKeyMultibase":"z6Mk`, `"capabilityDelegation":[`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("document JSON %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), "keyAgreement") || strings.Contains(string(b), "publicKeyJwk") {
		t.Errorf("document JSON %s has empty members", b)
	}
}

func FuzzDecodePublicMultikey(f *testing.F) {
	for _, v := range didKeyVectors {
		f.Add(strings.TrimPrefix(v.did, "did:key:"))
	}
	// didKeyVectors hold RSA-2048 and RSA-4096 multikeys; add a generated
	// RSA-2048 key and a truncated one.
	rsaMB, err := EncodePublicMultikey(rsaTestKey().Public())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(rsaMB)
	f.Add(rsaMB[:len(rsaMB)-3])
	for _, s := range []string{"", "z", "z6Mk", "u7QE", "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
		"z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "z42twTcNeSYcnqg1FLuSFs2bsGH3ZqbRHFmvS9XMsYhjxvHN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := DecodePublicMultikey(s)
		if err != nil {
			if pub != nil {
				t.Fatal("non-nil key with error")
			}
			return
		}
		again, err := EncodePublicMultikey(pub)
		if err != nil {
			t.Fatalf("decoded key of %q does not re-encode: %v", s, err)
		}
		if again != s {
			t.Fatalf("DecodePublicMultikey(%q) re-encodes to %q", s, again)
		}
	})
}

func FuzzResolveDID(f *testing.F) {
	for _, v := range didKeyVectors {
		f.Add(v.did)
	}
	for _, s := range []string{specJWKDID, "did:example:123", "did:key:", "did:jwk:e30", "",
		jwkDID(`{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik"}`),
		jwkDID(`{"crv":"Ed25519","kty":"OKP","x":"O2onvM62pC1io6jQKm8Nc2UyFXcd4kOmOsBIoYtZ2ik","use":"enc"}`)} {
		f.Add(s)
	}
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, s string) {
		doc, err := Offline.Resolve(ctx, s)
		if err != nil {
			if doc != nil {
				t.Fatal("non-nil document with error")
			}
			return
		}
		if doc.ID != s || len(doc.VerificationMethod) != 1 {
			t.Fatalf("Resolve(%q): id %q, %d VMs", s, doc.ID, len(doc.VerificationMethod))
		}
		vm := doc.VerificationMethod[0]
		pub, err := vm.PublicKey()
		if err != nil {
			t.Fatalf("Resolve(%q) produced a VM whose key does not parse: %v", s, err)
		}
		switch {
		case strings.HasPrefix(s, "did:key:"):
			mb, err := EncodePublicMultikey(pub)
			if err != nil || "did:key:"+mb != s {
				t.Fatalf("did:key %q re-encodes to %q, %v", s, mb, err)
			}
		case strings.HasPrefix(s, "did:jwk:"):
			if _, _, err := JWKDID(pub); err != nil {
				t.Fatalf("key of %q cannot form a did:jwk: %v", s, err)
			}
		default:
			t.Fatalf("Offline resolved unexpected method: %q", s)
		}
		rel := AssertionMethod
		if len(doc.AssertionMethod) == 0 {
			rel = KeyAgreement
		}
		if _, err := ResolveVerificationMethod(ctx, Offline, vm.ID, rel); err != nil {
			t.Fatalf("ResolveVerificationMethod(%q): %v", vm.ID, err)
		}
	})
}

func BenchmarkResolveVerificationMethod(b *testing.B) {
	ctx := context.Background()
	for _, v := range []string{didKeyVectors[0].did, didKeyVectors[3].did, didKeyVectors[5].did} {
		mb := strings.TrimPrefix(v, "did:key:")
		url := v + "#" + mb
		b.Run(string(keyTypeOfDID(b, mb)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ResolveVerificationMethod(ctx, Offline, url, AssertionMethod); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func keyTypeOfDID(b *testing.B, mb string) KeyType {
	pub, err := DecodePublicMultikey(mb)
	if err != nil {
		b.Fatal(err)
	}
	return keyTypeOf(pub)
}
