package vcjwt

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/blason-badges/blason/internal/did"
)

// testKey is a signing key with its DID and verification method.
type testKey struct {
	name   string
	alg    Algorithm
	signer crypto.Signer
	did    string
	vm     string
}

var (
	keysOnce sync.Once
	keyEd    testKey
	keyP256  testKey
	keyRSA   testKey
)

func keys(t testing.TB) (ed, p256, rsaK testKey) {
	t.Helper()
	keysOnce.Do(func() {
		edPriv := ed25519.NewKeyFromSeed([]byte("blason vcjwt test key ed25519!!!"))
		// Deterministic keys, so that fuzz workers (separate processes)
		// agree on which tokens are valid.
		scalar := sha256.Sum256([]byte("blason vcjwt test key p-256"))
		ec, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), scalar[:])
		if err != nil {
			panic(err)
		}
		blk, _ := pem.Decode([]byte(testRSAKeyPEM))
		k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
		if err != nil {
			panic(err)
		}
		rk := k.(*rsa.PrivateKey)
		mk := func(name string, alg Algorithm, s crypto.Signer, jwk bool) testKey {
			var d, vm string
			var err error
			if jwk {
				d, vm, err = did.JWKDID(s.Public())
			} else {
				d, vm, err = did.KeyDID(s.Public())
			}
			if err != nil {
				panic(err)
			}
			return testKey{name: name, alg: alg, signer: s, did: d, vm: vm}
		}
		keyEd = mk("EdDSA", EdDSA, edPriv, false)
		keyP256 = mk("ES256", ES256, ec, false)
		keyRSA = mk("RS256", RS256, rk, true)
	})
	return keyEd, keyP256, keyRSA
}

func allKeys(t testing.TB) []testKey {
	a, b, c := keys(t)
	return []testKey{a, b, c}
}

// fixed clock: 2025-06-01.
var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func nowFn() time.Time { return testNow }

// credV2 returns an OB 3.0 VC 2.0 credential issued by issuer.
func credV2(issuer string) map[string]any {
	return map[string]any{
		"@context":   []any{"https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":         "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002",
		"type":       []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":     map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example Issuer"},
		"validFrom":  "2025-01-01T00:00:00.250Z",
		"validUntil": "2030-01-01T00:00:00Z",
		"name":       "Teamwork <&>",
		"credentialSubject": map[string]any{
			"id":   "did:example:learner",
			"type": []any{"AchievementSubject"},
			"achievement": map[string]any{
				"id": "https://issuer.example/achievements/teamwork", "type": []any{"Achievement"},
				"name": "Teamwork", "criteria": map[string]any{"narrative": "Works well in teams."},
			},
		},
	}
}

// credV1 returns a VC 1.1 style OB 3.0 credential.
func credV1(issuer string) map[string]any {
	return map[string]any{
		"@context":       []any{"https://www.w3.org/2018/credentials/v1", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"},
		"id":             "http://example.edu/credentials/3732",
		"type":           []any{"VerifiableCredential", "OpenBadgeCredential"},
		"issuer":         map[string]any{"id": issuer, "type": []any{"Profile"}, "name": "Example University"},
		"issuanceDate":   "2010-01-01T00:00:00Z",
		"expirationDate": "2031-01-01T00:00:00Z",
		"name":           "Example University Degree",
		"credentialSubject": map[string]any{
			"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "type": []any{"AchievementSubject"},
		},
	}
}

func readFixture(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	return strings.TrimSpace(string(b))
}

var b64 = base64.RawURLEncoding

// handToken assembles header.payload.signature from raw JSON strings and a
// signing function over the signing input (nil: signature "AAAA").
func handToken(header, payload string, sign func(input []byte) []byte) string {
	in := b64.EncodeToString([]byte(header)) + "." + b64.EncodeToString([]byte(payload))
	sig := []byte{0, 0, 0}
	if sign != nil {
		sig = sign([]byte(in))
	}
	return in + "." + b64.EncodeToString(sig)
}

// signWith signs input with k as its alg requires.
func signWith(t testing.TB, k testKey) func([]byte) []byte {
	return func(in []byte) []byte {
		s, err := rawSign(k.alg, k.signer, in)
		if err != nil {
			t.Fatalf("rawSign: %v", err)
		}
		return s
	}
}

// mustJSON marshals v.
func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// payloadFor builds the OB 3.0 VC 2.0 payload Sign would for credV2(k.did).
func payloadFor(t testing.TB, k testKey, edit func(p map[string]any)) string {
	t.Helper()
	p := credV2(k.did)
	p["iss"] = k.did
	p["sub"] = "did:example:learner"
	p["nbf"] = 1735689600
	p["jti"] = "urn:uuid:91537dba-56cb-11ec-bf63-0242ac130002"
	p["exp"] = 1893456000
	if edit != nil {
		edit(p)
	}
	return mustJSON(t, p)
}

func headerFor(k testKey) string {
	return `{"alg":"` + string(k.alg) + `","kid":"` + k.vm + `","typ":"JWT"}`
}

func verifyOpts() VerifyOptions { return VerifyOptions{Now: nowFn} }

func wantErr(t testing.TB, err error, targets ...error) {
	t.Helper()
	if err == nil {
		t.Fatalf("got no error, want %v", targets)
	}
	for _, target := range targets {
		if !errors.Is(err, target) {
			t.Fatalf("error %q does not wrap %v", err, target)
		}
	}
}

var bg = context.Background()

// fakeResolver serves fixed keys by kid.
type fakeResolver map[string]struct {
	key        crypto.PublicKey
	controller string
}

func (f fakeResolver) ResolveJWTKey(_ context.Context, kid, _ string) (crypto.PublicKey, string, error) {
	e, ok := f[kid]
	if !ok {
		return nil, "", errors.New("unknown kid " + kid)
	}
	return e.key, e.controller, nil
}

// testRSAKeyPEM is a throw-away RSA-2048 key generated for these tests only.
const testRSAKeyPEM = `-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC5ulwBc8iwn0ID
lAyf4KurBcMZWC0T5wrAr8VI46cJ1g3OBO/ZhPZ8VLUHH2INm+ypRn6n5L5HHbVS
/LAU4rw2MLOcL4vFU79Uf+FlCo/cmECpbWxYG2nQTDhjWv5oN8cjFxF1vubmXdD2
wA3momTkha3BdtqlVq5oZJQx/Rw+HBrulJnLvHudXcLe3YHXEEZJj8En8gRg3mho
sTsO5JOZxmSiGfstys/hzHLpnN2KrL5TPLzy/6WlJ0mMKzFgQFHE9UPAWdTGI92i
0cPW4gheeaJBicVq3ZA7FfbK4u8Czw6i7gKGESfuouiACfy4RxnixMoqpZVX/mhS
4v2E5oIfAgMBAAECggEAR/JYzNk4766p6G/0GgTzC1u+kbVWNQUF5dHRV2SU4xsQ
GvRPo5A92bkIrXsrRUFXQtXDn69dRHhOMxke7uBMb6ObGFBU0TqZfhbRzg3y3839
EoUIePMZoO6900M/FUkyM7YuddHfaXMDTWrll6fl9J6SSkUL+wuioV8BB4JY6/fV
96hZCZ9sKQL15ISSv2sJjVBhEsDGbBXHjA7sgljuFgEgKOvWGydx1nMUOYFpvThN
zpQKQDiNADvQ1l5JPkDbNjzS2skAtO1oVOPD8QyFeYm8LScOsC22bZ7GpmD7k2IP
hVc8yoYBJbu/FRtkn9wVh2WARwQGXkx4z2T2jqSsOQKBgQD3B0swCmN/uky4VyXX
Go0w8CN/a1PV9thErfRNwK/6K0Ydt+LkL19esuR/HFpJYI5iAhWVjlwO/5KQfuB3
Y9BzD426zHBHGwNizvpP4MKDVr8IG+jFZ2mfBkeT7UWwnKH/BINc3d/8eBWWykDp
MjpWLpIpwTcXnjMkERCQS+bpGQKBgQDAeSJfQN3S4yar8LBrS3sfY55CCbgrl5XM
/bbYh8OL7NkFoziOhWZN94rWcoFfYAAb9sjK1Qn8eWVhEJFfLpPDZBLv01vIGq6F
cVFckbCX+Mms1AOcNSlY0Wi5gNfD1URMxHMgTCKNPgtFgqLYu6xCb6IhZG6dAIxE
gWl/AlzT9wKBgAaP9gpfrEb/XvxirEmrleaf6oF/C2oataIVcPED1mjx71nowalI
LONqIzHRQgDDBOVLouEnOADZ/z3BcRsa1rXHyv8UYUMyT4O3deTbVq+AhXCktSlR
Vvf3hb1DR1+quY75wreb2VBurDwmQVUwlWYmtJFRZbJF7JvfrC35Jjg5AoGAdFCA
AhpcM1aMhznUE3Mw+74i5HulLcrUf2YP+njJJqVCXZLO2eop8hIXeBMItc95IW0Y
2OK3vzjJmEf/4gpux5SRkRckjx/4ubHKXmu40Y5KqkQRznOeAgvDAt+nBLS8KrxJ
aoo4Ey0ceKxCp0F7D0cRLqbX5c9v9PJUA6o02O8CgYEA15WWizHE8NRkxH/bOdPO
ysHraUS6F9bEIX5wjicwozf/Kv9h2pKiJZNdrgB/2+ssSwwlpnxMpI4WeVMUg7+m
csIkzNZYuLAtbxFt+u0v8RPh1QZkKwo4UoUGM0yWG0DgnN+lajA4jCrMXBfDfrXa
kdOSu08HoHDjzaueO746UxE=
-----END PRIVATE KEY-----`

// ecdsaVerifyRaw checks a JWS R||S signature.
func ecdsaVerifyRaw(pub *ecdsa.PublicKey, digest, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	r := new(big.Int).SetBytes(sig[:32])
	s := new(big.Int).SetBytes(sig[32:])
	return ecdsa.Verify(pub, digest, r, s)
}
