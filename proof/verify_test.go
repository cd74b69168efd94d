package proof

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
)

// testKey is a fixed did:key signer.
func testKey(t testing.TB, seed byte) (ed25519.PrivateKey, string, string) {
	t.Helper()
	priv := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, 32))
	d, vm, err := did.KeyDID(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return priv, d, vm
}

var signTime = time.Date(2025, 3, 14, 9, 30, 0, 0, time.UTC)

func signTypical(t testing.TB, opts SignOptions, edit func(*Signer)) []byte {
	t.Helper()
	priv, _, vm := testKey(t, 1)
	s := &Signer{Key: priv, VerificationMethod: vm}
	if edit != nil {
		edit(s)
	}
	if opts.Created.IsZero() {
		opts.Created = signTime
	}
	out, err := s.Sign(readFile(t, "typical-unsigned.json"), opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// edit decodes a signed document, applies f, and encodes it again.
func edit(t testing.TB, doc []byte, f func(doc, proof map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	p, _ := m["proof"].(map[string]any)
	f(m, p)
	out, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestVerifyErrors(t *testing.T) {
	signed := signTypical(t, SignOptions{}, nil)
	withExpiry := signTypical(t, SignOptions{Expires: signTime.Add(24 * time.Hour)}, nil)
	bound := signTypical(t, SignOptions{Domain: "verifier.example", Challenge: "c-123", Nonce: "n", ID: "urn:uuid:1"}, nil)
	authn := signTypical(t, SignOptions{}, func(s *Signer) { s.Purpose = did.Authentication })

	// A controller document listing its key only under authentication.
	priv, _, _ := testKey(t, 2)
	mk, _ := did.EncodeMultikey(priv.Public())
	const ctrl = "https://issuer.example/profile"
	authnOnly := controllerDoc(ctrl, mk)
	authnOnly = bytes.Replace(authnOnly, []byte(`"assertionMethod"`), []byte(`"authentication"`), 1)
	byHTTPS := signTypical(t, SignOptions{}, func(s *Signer) { s.Key, s.VerificationMethod = priv, ctrl+"#"+mk })
	resolver := keyResolver(map[string][]byte{ctrl: authnOnly})

	later := signTime.Add(time.Hour)
	cases := []struct {
		name string
		doc  []byte
		opts VerifyOptions
		want error
	}{
		{"valid", signed, VerifyOptions{}, nil},
		{"tampered document", edit(t, signed, func(d, _ map[string]any) { d["name"] = "Atelier soudure niveau 3" }), VerifyOptions{}, ErrInvalidSignature},
		{"tampered nested value", edit(t, signed, func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["tag"] = []any{"soudure"}
		}), VerifyOptions{}, ErrInvalidSignature},
		{"tampered created", edit(t, signed, func(_, p map[string]any) { p["created"] = "2025-03-14T09:30:01Z" }), VerifyOptions{}, ErrInvalidSignature},
		{"added proof member", edit(t, signed, func(_, p map[string]any) { p["nonce"] = "x" }), VerifyOptions{}, ErrInvalidSignature},
		{"signature of another document", edit(t, signed, func(_, p map[string]any) { p["proofValue"] = proofValueOf(t, withExpiry) }), VerifyOptions{}, ErrInvalidSignature},
		{"proofValue not base58btc", edit(t, signed, func(_, p map[string]any) { p["proofValue"] = "u" + p["proofValue"].(string)[1:] }), VerifyOptions{}, ErrMalformedProof},
		{"proofValue bad character", edit(t, signed, func(_, p map[string]any) { p["proofValue"] = "z0OIl" }), VerifyOptions{}, ErrMalformedProof},
		{"proofValue too short", edit(t, signed, func(_, p map[string]any) { p["proofValue"] = "z3yZe7d" }), VerifyOptions{}, ErrMalformedProof},
		{"proofValue too long", edit(t, signed, func(_, p map[string]any) { p["proofValue"] = "z" + strings.Repeat("2", 500) }), VerifyOptions{}, ErrMalformedProof},
		{"proofValue not a string", edit(t, signed, func(_, p map[string]any) { p["proofValue"] = 12 }), VerifyOptions{}, ErrMalformedProof},
		{"no verificationMethod", edit(t, signed, func(_, p map[string]any) { delete(p, "verificationMethod") }), VerifyOptions{}, ErrMalformedProof},
		{"no proofPurpose", edit(t, signed, func(_, p map[string]any) { delete(p, "proofPurpose") }), VerifyOptions{}, ErrMalformedProof},
		{"no type", edit(t, signed, func(_, p map[string]any) { delete(p, "type") }), VerifyOptions{}, ErrMalformedProof},
		{"created not a date", edit(t, signed, func(_, p map[string]any) { p["created"] = "yesterday" }), VerifyOptions{}, ErrMalformedProof},
		{"proof is a string", edit(t, signed, func(d, _ map[string]any) { d["proof"] = "z123" }), VerifyOptions{}, ErrMalformedProof},
		{"other cryptosuite", edit(t, signed, func(_, p map[string]any) { p["cryptosuite"] = "ecdsa-rdfc-2019" }), VerifyOptions{}, ErrUnsupportedCryptosuite},
		{"no cryptosuite", edit(t, signed, func(_, p map[string]any) { delete(p, "cryptosuite") }), VerifyOptions{}, ErrUnsupportedCryptosuite},
		{"other proof type", edit(t, signed, func(_, p map[string]any) { p["type"] = "JsonWebSignature2020" }), VerifyOptions{}, ErrUnsupportedCryptosuite},
		{"purpose other than expected", authn, VerifyOptions{}, ErrPurposeMismatch},
		{"purpose as expected", authn, VerifyOptions{Purpose: did.Authentication}, nil},
		{"key not an assertion method", byHTTPS, VerifyOptions{Resolver: resolver}, ErrPurposeNotAuthorized},
		{"key listed for authentication", edit(t, byHTTPS, func(_, p map[string]any) { p["proofPurpose"] = "authentication" }),
			VerifyOptions{Resolver: resolver, Purpose: did.Authentication}, ErrInvalidSignature},
		{"https key without fetcher", byHTTPS, VerifyOptions{Resolver: &did.MultiResolver{}}, ErrKeyNotFound},
		{"unknown DID method", edit(t, signed, func(_, p map[string]any) { p["verificationMethod"] = "did:1edtech:issuer#key-1" }), VerifyOptions{}, ErrKeyNotFound},
		{"no resolver", signed, VerifyOptions{Resolver: nil}, ErrKeyNotFound},
		{"P-256 key", edit(t, signed, func(_, p map[string]any) {
			p["verificationMethod"] = "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169#zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
		}), VerifyOptions{}, ErrKeyNotFound},
		{"created in the future", signed, VerifyOptions{Now: signTime.Add(-time.Minute)}, ErrProofNotYetValid},
		{"created within clock skew", signed, VerifyOptions{Now: signTime.Add(-time.Minute), ClockSkew: 5 * time.Minute}, nil},
		{"not yet expired", withExpiry, VerifyOptions{Now: later}, nil},
		{"expired", withExpiry, VerifyOptions{Now: signTime.Add(25 * time.Hour)}, ErrProofExpired},
		{"domain and challenge", bound, VerifyOptions{Domain: "verifier.example", Challenge: "c-123"}, nil},
		{"wrong domain", bound, VerifyOptions{Domain: "other.example"}, ErrDomainMismatch},
		{"wrong challenge", bound, VerifyOptions{Challenge: "c-124"}, ErrChallengeMismatch},
		{"domain expected, none", signed, VerifyOptions{Domain: "verifier.example"}, ErrDomainMismatch},
		{"undefined term", edit(t, signed, func(d, _ map[string]any) {
			d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["@context"] = map[string]any{"@vocab": nil}
			d["credentialSubject"].(map[string]any)["achievement"].(map[string]any)["notATerm"] = "x"
		}), VerifyOptions{}, ErrNotCanonicalizable},
		{"unknown context", edit(t, signed, func(d, _ map[string]any) {
			d["@context"] = append(d["@context"].([]any), "https://example.com/unknown-context.json")
		}), VerifyOptions{}, ErrNotCanonicalizable},
		{"no @context", edit(t, signed, func(d, _ map[string]any) { delete(d, "@context") }), VerifyOptions{}, ErrNotCanonicalizable},
		{"proof @context not a prefix", edit(t, signed, func(_, p map[string]any) {
			p["@context"] = []any{"https://www.w3.org/ns/credentials/v2", "https://example.com/x"}
		}), VerifyOptions{}, ErrContextMismatch},
		{"dangling previousProof", edit(t, signed, func(_, p map[string]any) { p["previousProof"] = "urn:uuid:missing" }), VerifyOptions{}, ErrPreviousProofMissing},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.opts.Resolver == nil && c.name != "no resolver" {
				c.opts.Resolver = &did.MultiResolver{}
			}
			if c.opts.Now.IsZero() {
				c.opts.Now = later
			}
			res, err := Verify(bg, c.doc, c.opts)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Proofs) != 1 {
				t.Fatalf("%d proofs", len(res.Proofs))
			}
			if got := res.Proofs[0].Err; !sameErr(got, c.want) {
				t.Errorf("err = %v, want %v", got, c.want)
			}
		})
	}
}

func proofValueOf(t testing.TB, doc []byte) string {
	var m struct{ Proof struct{ ProofValue string } }
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m.Proof.ProofValue
}

func TestVerifyResultFields(t *testing.T) {
	signed := signTypical(t, SignOptions{ID: "urn:uuid:p1"}, nil)
	_, d, vm := testKey(t, 1)
	res, err := Verify(bg, signed, VerifyOptions{Resolver: &did.MultiResolver{}, Now: signTime})
	if err != nil {
		t.Fatal(err)
	}
	p := res.Proofs[0]
	if p.Err != nil || !res.AllVerified() || !res.AnyVerified() || res.Err() != nil {
		t.Fatalf("not verified: %v", p.Err)
	}
	if p.VerificationMethod != vm || p.Controller != d {
		t.Errorf("method %q controller %q, want %q %q", p.VerificationMethod, p.Controller, vm, d)
	}
	if p.Proof.ID != "urn:uuid:p1" || p.Proof.Cryptosuite != SuiteEdDSARDFC2022 || !p.Proof.Created.Equal(signTime) {
		t.Errorf("parsed proof = %+v", p.Proof)
	}
}

func TestVerifyDocumentErrors(t *testing.T) {
	signed := signTypical(t, SignOptions{}, nil)
	var tooMany []any
	for range MaxProofs + 1 {
		tooMany = append(tooMany, map[string]any{"type": "DataIntegrityProof"})
	}
	cases := []struct {
		name string
		doc  []byte
		want error
	}{
		{"not JSON", []byte(`{"proof":`), ErrMalformedDocument},
		{"array", []byte(`[{"proof":{}}]`), ErrMalformedDocument},
		{"trailing data", append(append([]byte{}, signed...), []byte(` {}`)...), ErrMalformedDocument},
		{"no proof", readFile(t, "typical-unsigned.json"), ErrNoProof},
		{"null proof", edit(t, signed, func(d, _ map[string]any) { d["proof"] = nil }), ErrNoProof},
		{"too many proofs", edit(t, signed, func(d, _ map[string]any) { d["proof"] = tooMany }), ErrMalformedProof},
		{"too large", append([]byte(`{"a":"`), bytes.Repeat([]byte{'a'}, MaxDocumentSize)...), ErrMalformedDocument},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Verify(bg, c.doc, VerifyOptions{Resolver: &did.MultiResolver{}})
			if !errors.Is(err, c.want) {
				t.Errorf("err = %v, want %v", err, c.want)
			}
		})
	}
}
