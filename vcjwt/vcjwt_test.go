package vcjwt

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/sceau/sceau/did"
)

var update = flag.Bool("update", false, "rewrite golden files")

var ctx = context.Background()

// issuerKey is a fixed Ed25519 key: the vc-di-eddsa test vector pair.
func issuerKey(t testing.TB) (ed25519.PrivateKey, string, string) {
	t.Helper()
	priv, err := did.DecodePrivateMultikey("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if err != nil {
		t.Fatal(err)
	}
	d, vm, err := did.KeyDID(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	return priv, d, vm
}

// credential returns testdata/credential.json with the issuer id set.
func credential(t testing.TB, issuer string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/credential.json")
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Replace(b, []byte(`"ISSUER"`), []byte(`"`+issuer+`"`), 1)
}

// edit decodes the credential, applies fn and re-encodes it.
func edit(t testing.TB, cred []byte, fn func(m map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(cred, &m); err != nil {
		t.Fatal(err)
	}
	fn(m)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawToken signs an arbitrary header and payload with sign.
func rawToken(t testing.TB, header, payload any, sign func([]byte) []byte) string {
	t.Helper()
	enc := func(v any) string {
		b, ok := v.([]byte)
		if !ok {
			var err error
			if b, err = json.Marshal(v); err != nil {
				t.Fatal(err)
			}
		}
		return base64.RawURLEncoding.EncodeToString(b)
	}
	input := enc(header) + "." + enc(payload)
	return input + "." + base64.RawURLEncoding.EncodeToString(sign([]byte(input)))
}

func edSigner(k ed25519.PrivateKey) func([]byte) []byte {
	return func(in []byte) []byte { return ed25519.Sign(k, in) }
}

func TestSignGolden(t *testing.T) {
	priv, issuer, vm := issuerKey(t)
	cred := credential(t, issuer)
	for _, form := range []Form{FormVCClaim, FormVCJOSE} {
		t.Run(form.String(), func(t *testing.T) {
			tok, err := Sign(cred, priv, vm, SignOptions{Form: form})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "golden", form.String()+".jwt")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path, []byte(tok+"\n"), 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if tok != strings.TrimSpace(string(want)) {
				t.Errorf("token differs from golden %s", path)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	priv, issuer, vm := issuerKey(t)
	cred := credential(t, issuer)
	r := &did.MultiResolver{}
	for _, form := range []Form{FormVCClaim, FormVCJOSE} {
		t.Run(form.String(), func(t *testing.T) {
			tok, err := Sign(cred, priv, vm, SignOptions{Form: form})
			if err != nil {
				t.Fatal(err)
			}
			res, err := Verify(ctx, tok, VerifyOptions{Resolver: r, Now: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Form != form || res.Method.ID != vm || res.Header.Kid != vm || res.Header.Alg != "EdDSA" {
				t.Errorf("result form %v method %q header %+v", res.Form, res.Method.ID, res.Header)
			}
			var a, b any
			json.Unmarshal(res.Credential, &a)
			json.Unmarshal(cred, &b)
			if !jsonEqual(a, b) {
				t.Errorf("credential changed:\n%s", res.Credential)
			}
			if form == FormVCClaim {
				c := res.Claims
				if c.Iss != issuer || c.Jti != "urn:uuid:2f5a1c3e-8d4b-4c1a-9e1f-6b7d2a9c0e11" || c.Sub != "did:example:learner-42" ||
					c.Nbf == nil || *c.Nbf != 1736935200 || c.Exp == nil || *c.Exp != 1894701600 {
					t.Errorf("claims %+v", c)
				}
			} else if res.Header.Typ != "vc+jwt" || res.Header.Cty != "vc" {
				t.Errorf("VC-JOSE header %+v", res.Header)
			}
			// An independent JOSE implementation accepts our signature.
			jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.EdDSA})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := jws.Verify(priv.Public()); err != nil {
				t.Errorf("go-jose rejects our token: %v", err)
			}
			// Enveloped form.
			env, err := Envelope(tok)
			if err != nil {
				t.Fatal(err)
			}
			back, err := Unenvelope(env)
			if err != nil || back != tok {
				t.Errorf("Unenvelope = %q, %v", back, err)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

// The 1EdTech validator's JWT fixtures. Neither can be verified offline, for
// the reasons given; their claims agree with their credentials.
func TestValidatorVectors(t *testing.T) {
	cases := []struct {
		file    string
		form    Form
		want    error
		message string
	}{
		// No kid, no jwk; the issuer is https://example.edu/issuers/565049.
		{"simple.jwt", FormVCClaim, ErrNoKey, "neither kid nor jwk"},
		// kid is a did:velocity DID URL, a method we do not resolve.
		{"velocity.jwt", FormVCClaim, did.ErrUnsupportedMethod, "unknown DID method did:velocity"},
	}
	r := &did.MultiResolver{Web: did.StaticFetcher{}}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join("testdata", "validator-ob30", c.file))
			if err != nil {
				t.Fatal(err)
			}
			tok, err := Parse(string(b))
			if err != nil {
				t.Fatal(err)
			}
			if tok.Form != c.form || tok.Header.Alg != "RS256" {
				t.Errorf("form %v alg %q", tok.Form, tok.Header.Alg)
			}
			f, err := credentialFacts(tok.Credential)
			if err != nil {
				t.Fatal(err)
			}
			if err := checkClaims(tok.Claims, f); err != nil {
				t.Errorf("claims: %v", err)
			}
			res, err := Verify(ctx, string(b), VerifyOptions{Resolver: r})
			if !errors.Is(err, c.want) || res != nil {
				t.Fatalf("Verify = %v, %v; want %v", res, err, c.want)
			}
			if !strings.Contains(err.Error(), c.message) {
				t.Errorf("error %q does not say %q", err, c.message)
			}
		})
	}
}

var (
	rsaOnce sync.Once
	rsaKey  *rsa.PrivateKey
)

func testRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaOnce.Do(func() {
		var err error
		if rsaKey, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	})
	return rsaKey
}

// joseToken signs with go-jose (an independent implementation) for ES256
// and RS256 cases.
func joseToken(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, embedJWK bool, payload []byte) string {
	t.Helper()
	opts := (&jose.SignerOptions{EmbedJWK: embedJWK}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func vcPayload(t testing.TB, cred []byte, claims map[string]any) []byte {
	t.Helper()
	p := map[string]any{"vc": json.RawMessage(cred)}
	for k, v := range claims {
		p[k] = v
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestVerifyCases(t *testing.T) {
	priv, issuer, vm := issuerKey(t)
	cred := credential(t, issuer)
	_, otherPriv, _ := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{1}, 32)))
	otherDID, otherVM, _ := did.KeyDID(otherPriv.Public())

	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	jwkDID, jwkVM, _ := did.JWKDID(&p256.PublicKey)
	rsaPriv := testRSAKey(t)
	rsaJWK, _ := json.Marshal(jose.JSONWebKey{Key: &rsaPriv.PublicKey})

	// did:web and https key documents served from memory.
	webDoc := func(id, ctrl string) []byte {
		mb, _ := did.EncodeMultikey(priv.Public())
		b, _ := json.Marshal(map[string]any{
			"id": id,
			"verificationMethod": []any{map[string]any{
				"id": id + "#key-1", "type": "Multikey", "controller": ctrl, "publicKeyMultibase": mb,
			}},
			"assertionMethod": []string{"#key-1"},
		})
		return b
	}
	httpsIssuer := "https://issuer.example/profile"
	fetch := did.StaticFetcher{
		"https://good.example/.well-known/did.json":  webDoc("did:web:good.example", "did:web:good.example"),
		"https://rogue.example/.well-known/did.json": webDoc("did:web:rogue.example", "did:web:someone.else"),
		"https://issuer.example/keys/rsa": []byte(`{"id":"https://issuer.example/keys/rsa","type":"JsonWebKey","controller":"` +
			httpsIssuer + `","publicKeyJwk":` + string(rsaJWK) + `}`),
		"https://issuer.example/keys/stray": []byte(`{"id":"https://issuer.example/keys/stray","type":"JsonWebKey","controller":"https://elsewhere.example","publicKeyJwk":` + string(rsaJWK) + `}`),
	}
	r := &did.MultiResolver{Web: fetch}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	good, _ := Sign(cred, priv, vm, SignOptions{})
	parts := strings.Split(good, ".")

	withIssuer := func(iss string) []byte {
		return edit(t, cred, func(m map[string]any) { m["issuer"].(map[string]any)["id"] = iss })
	}
	hdr := func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	ed := edSigner(priv)
	tamperedPayload := base64.RawURLEncoding.EncodeToString(bytes.Replace(mustB64(t, parts[1]), []byte("Soudure"), []byte("Soudage"), 1))
	sigBytes := mustB64(t, parts[2])
	sigBytes[0] ^= 1

	cases := []struct {
		name  string
		token string
		opts  *VerifyOptions
		want  error
		claim string // for ErrClaimMismatch
		msg   string
	}{
		{name: "good", token: good},
		{name: "tampered payload", token: parts[0] + "." + tamperedPayload + "." + parts[2], want: ErrBadSignature},
		{name: "tampered signature", token: parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sigBytes), want: ErrBadSignature},
		{name: "signed by another key", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, nil), edSigner(otherPriv)), want: ErrBadSignature},
		{name: "alg none", token: rawToken(t, hdr("alg", "none", "kid", vm), vcPayload(t, cred, nil), func([]byte) []byte { return nil }), want: ErrAlgRefused, msg: "unsigned"},
		{name: "alg None", token: rawToken(t, hdr("alg", "None", "kid", vm), vcPayload(t, cred, nil), func([]byte) []byte { return nil }), want: ErrAlgRefused},
		{name: "alg HS256", token: rawToken(t, hdr("alg", "HS256", "kid", vm), vcPayload(t, cred, nil), ed), want: ErrAlgRefused, msg: "HS256"},
		{name: "alg ES256K", token: rawToken(t, hdr("alg", "ES256K", "kid", vm), vcPayload(t, cred, nil), ed), want: ErrAlgRefused},
		{name: "alg ES256 with Ed25519 key", token: rawToken(t, hdr("alg", "ES256", "kid", vm), vcPayload(t, cred, nil), ed), want: ErrAlgRefused, msg: "Ed25519"},
		{name: "crit", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm, "crit", []string{"exp"}, "exp", 1), vcPayload(t, cred, nil), ed), want: ErrCritRefused},
		{name: "crit b64", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm, "crit", []string{"b64"}, "b64", false), vcPayload(t, cred, nil), ed), want: ErrCritRefused},
		{name: "typ of another token", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm, "typ", "at+jwt"), vcPayload(t, cred, nil), ed), want: ErrMalformed, msg: "typ"},
		{name: "no kid no jwk", token: rawToken(t, hdr("alg", "EdDSA"), vcPayload(t, cred, nil), ed), want: ErrNoKey},
		{name: "kid relative to issuer DID", token: rawToken(t, hdr("alg", "EdDSA", "kid", "#"+strings.TrimPrefix(issuer, "did:key:")), vcPayload(t, cred, nil), ed)},
		{name: "kid bare did:key", token: rawToken(t, hdr("alg", "EdDSA", "kid", issuer), vcPayload(t, cred, nil), ed)},
		{name: "kid not a URL", token: rawToken(t, hdr("alg", "EdDSA", "kid", "key-1"), vcPayload(t, cred, nil), ed), want: ErrNoKey},
		{name: "kid of unknown DID method", token: rawToken(t, hdr("alg", "EdDSA", "kid", "did:1edtech:abc#key-1"), vcPayload(t, cred, nil), ed), want: did.ErrUnsupportedMethod, msg: "unknown DID method did:1edtech"},
		{name: "kid without resolver", token: good, opts: &VerifyOptions{}, want: ErrNoKey},
		{name: "kid is another DID's key", token: rawToken(t, hdr("alg", "EdDSA", "kid", otherVM), vcPayload(t, cred, nil), edSigner(otherPriv)), want: ErrKeyNotBound, msg: otherDID},
		{name: "did:web issuer", token: rawToken(t, hdr("alg", "EdDSA", "kid", "did:web:good.example#key-1"), vcPayload(t, withIssuer("did:web:good.example"), nil), ed)},
		{name: "did:web key controlled by someone else", token: rawToken(t, hdr("alg", "EdDSA", "kid", "did:web:rogue.example#key-1"), vcPayload(t, withIssuer("did:web:rogue.example"), nil), ed), want: ErrKeyNotBound, msg: "did:web:someone.else"},
		{name: "did:web unreachable", token: rawToken(t, hdr("alg", "EdDSA", "kid", "did:web:absent.example#key-1"), vcPayload(t, withIssuer("did:web:absent.example"), nil), ed), want: did.ErrNotFound},
		{name: "https key URL, RS256", token: joseToken(t, jose.RS256, rsaPriv, "https://issuer.example/keys/rsa", false, vcPayload(t, withIssuer(httpsIssuer), nil))},
		{name: "https key URL of another controller", token: joseToken(t, jose.RS256, rsaPriv, "https://issuer.example/keys/stray", false, vcPayload(t, withIssuer(httpsIssuer), nil)), want: ErrKeyNotBound},
		{name: "jwk header, did:jwk issuer, ES256", token: joseToken(t, jose.ES256, p256, "", true, vcPayload(t, withIssuer(jwkDID), nil))},
		{name: "kid did:jwk, ES256", token: joseToken(t, jose.ES256, p256, jwkVM, false, vcPayload(t, withIssuer(jwkDID), nil))},
		{name: "jwk header, did:key issuer", token: rawToken(t, hdr("alg", "EdDSA", "jwk", mustJWK(t, priv.Public())), vcPayload(t, cred, nil), ed)},
		{name: "jwk header, https issuer", token: joseToken(t, jose.ES256, p256, "", true, vcPayload(t, withIssuer(httpsIssuer), nil)), want: ErrKeyNotBound, msg: httpsIssuer},
		{name: "jwk header, issuer is another did:key", token: rawToken(t, hdr("alg", "EdDSA", "jwk", mustJWK(t, otherPriv.Public())), vcPayload(t, cred, nil), edSigner(otherPriv)), want: ErrKeyNotBound},
		{name: "jwk header disagrees with kid", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm, "jwk", mustJWK(t, otherPriv.Public())), vcPayload(t, cred, nil), ed), want: ErrKeyNotBound},
		{name: "iss mismatch", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"iss": "did:example:someone"}), ed), want: ErrClaimMismatch, claim: "iss"},
		{name: "jti mismatch", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"jti": "urn:uuid:other"}), ed), want: ErrClaimMismatch, claim: "jti"},
		{name: "sub mismatch", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"sub": "did:example:other"}), ed), want: ErrClaimMismatch, claim: "sub"},
		{name: "nbf mismatch", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"nbf": 1736935201}), ed), want: ErrClaimMismatch, claim: "nbf", msg: "validFrom"},
		{name: "exp mismatch", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"exp": 1}), ed), want: ErrClaimMismatch, claim: "exp"},
		{name: "exp without validUntil", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, edit(t, cred, func(m map[string]any) { delete(m, "validUntil") }), map[string]any{"exp": 1894701600}), ed), want: ErrClaimMismatch, claim: "exp"},
		{name: "nbf with fraction agrees", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"nbf": 1736935200.5}), ed)},
		{name: "VC-JOSE iss mismatch", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm, "typ", "vc+jwt"), edit(t, cred, func(m map[string]any) { m["iss"] = "did:example:x" }), ed), want: ErrClaimMismatch, claim: "iss"},
		{name: "expired", token: good, opts: &VerifyOptions{Resolver: r, Now: time.Date(2031, 1, 1, 0, 0, 0, 0, time.UTC)}, want: ErrExpired},
		{name: "not yet valid", token: good, opts: &VerifyOptions{Resolver: r, Now: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}, want: ErrNotYetValid},
		{name: "not yet valid within leeway", token: good, opts: &VerifyOptions{Resolver: r, Now: time.Unix(1736935200-30, 0), Leeway: time.Minute}},
		{name: "two parts", token: parts[0] + "." + parts[1], want: ErrMalformed},
		{name: "four parts", token: good + ".x", want: ErrMalformed},
		{name: "padded base64", token: parts[0] + "=." + parts[1] + "." + parts[2], want: ErrMalformed},
		{name: "header not JSON", token: "bm90." + parts[1] + "." + parts[2], want: ErrMalformed},
		{name: "duplicate header member", token: rawToken(t, []byte(`{"alg":"EdDSA","alg":"none","kid":"`+vm+`"}`), vcPayload(t, cred, nil), ed), want: ErrMalformed, msg: "twice"},
		{name: "duplicate claim", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), []byte(`{"vc":`+string(cred)+`,"iss":"a","iss":"b"}`), ed), want: ErrMalformed},
		{name: "no credential", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), map[string]any{"iss": issuer}, ed), want: ErrMalformed},
		{name: "vc not an object", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), map[string]any{"vc": "x"}, ed), want: ErrMalformed},
		{name: "nbf not a number", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, cred, map[string]any{"nbf": "2025"}), ed), want: ErrMalformed},
		{name: "credential without issuer", token: rawToken(t, hdr("alg", "EdDSA", "kid", vm), vcPayload(t, edit(t, cred, func(m map[string]any) { delete(m, "issuer") }), nil), ed), want: ErrMalformed},
		{name: "too large", token: strings.Repeat("a", MaxTokenSize+1), want: ErrTooLarge},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			opts := VerifyOptions{Resolver: r, Now: now}
			if c.opts != nil {
				opts = *c.opts
			}
			res, err := Verify(ctx, c.token, opts)
			if c.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if res == nil || res.Method == nil {
					t.Fatal("no result")
				}
				if _, err := res.Method.PublicKey(); err != nil {
					t.Errorf("result method: %v", err)
				}
				return
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("Verify = %v; want %v", err, c.want)
			}
			if c.msg != "" && !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not mention %q", err, c.msg)
			}
			var cm *ClaimMismatchError
			switch {
			case c.claim != "":
				if !errors.As(err, &cm) || cm.Claim != c.claim {
					t.Errorf("mismatch error %v, want claim %s", err, c.claim)
				}
				if res == nil {
					t.Error("claim mismatch after a good signature should return the result")
				}
			case errors.Is(err, ErrExpired), errors.Is(err, ErrNotYetValid):
				if res == nil {
					t.Error("date failure after a good signature should return the result")
				}
			default:
				if res != nil {
					t.Error("result returned with a signature or key failure")
				}
			}
		})
	}
}

func mustB64(t testing.TB, s string) []byte {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustJWK(t testing.TB, pub crypto.PublicKey) map[string]any {
	m, err := did.PublicKeyJWK(pub)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSignErrors(t *testing.T) {
	priv, issuer, vm := issuerKey(t)
	cred := credential(t, issuer)
	cases := []struct {
		name string
		cred []byte
		key  ed25519.PrivateKey
		kid  string
		opts SignOptions
	}{
		{"not JSON", []byte("{"), priv, vm, SignOptions{}},
		{"array", []byte("[]"), priv, vm, SignOptions{}},
		{"no issuer", edit(t, cred, func(m map[string]any) { delete(m, "issuer") }), priv, vm, SignOptions{}},
		{"bad validFrom", edit(t, cred, func(m map[string]any) { m["validFrom"] = "2025-01-15" }), priv, vm, SignOptions{}},
		{"empty kid", cred, priv, "", SignOptions{}},
		{"short key", cred, priv[:10], vm, SignOptions{}},
		{"unknown form", cred, priv, vm, SignOptions{Form: 7}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if tok, err := Sign(c.cred, c.key, c.kid, c.opts); err == nil {
				t.Errorf("Sign = %q, want error", tok)
			}
		})
	}
	// An issuer given as a plain IRI and VC 1.1 dates are mirrored too.
	v1 := edit(t, cred, func(m map[string]any) {
		m["issuer"] = issuer
		delete(m, "validFrom")
		delete(m, "validUntil")
		m["issuanceDate"] = "2020-02-02T02:02:02.250Z"
		m["expirationDate"] = "2040-02-02T00:00:00Z"
	})
	tok, err := Sign(v1, priv, vm, SignOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(ctx, tok, VerifyOptions{Resolver: &did.MultiResolver{}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Claims.Iss != issuer || *res.Claims.Nbf != 1580608922 || *res.Claims.Exp != 2211753600 {
		t.Errorf("claims %+v", res.Claims)
	}
}

func TestUnenvelope(t *testing.T) {
	cases := []struct {
		name, in, want string
	}{
		{"vc+jwt", `{"@context":"https://www.w3.org/ns/credentials/v2","type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt,a.b.c"}`, "a.b.c"},
		{"type array, old media type", `{"type":["EnvelopedVerifiableCredential"],"id":"data:application/vc-ld+jwt,a.b.c"}`, "a.b.c"},
		{"charset parameter", `{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt;charset=utf-8,a.b.c"}`, "a.b.c"},
		{"wrong type", `{"type":"VerifiableCredential","id":"data:application/vc+jwt,a.b.c"}`, ""},
		{"not data URL", `{"type":"EnvelopedVerifiableCredential","id":"https://x/a.b.c"}`, ""},
		{"other media type", `{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+sd-jwt,a.b.c"}`, ""},
		{"base64", `{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt;base64,YS5iLmM="}`, ""},
		{"no comma", `{"type":"EnvelopedVerifiableCredential","id":"data:application/vc+jwt"}`, ""},
		{"not JSON", `{`, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Unenvelope([]byte(c.in))
			if c.want == "" {
				if !errors.Is(err, ErrMalformed) {
					t.Errorf("Unenvelope = %q, %v; want ErrMalformed", got, err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Errorf("Unenvelope = %q, %v; want %q", got, err, c.want)
			}
		})
	}
}

func TestRS256Direct(t *testing.T) {
	// RS256 signed by hand (not go-jose) and verified, to pin the PKCS #1
	// v1.5 path with a did:jwk issuer and a jwk header.
	k := testRSAKey(t)
	jwkJSON, _ := json.Marshal(jose.JSONWebKey{Key: &k.PublicKey})
	var jwk map[string]any
	json.Unmarshal(jwkJSON, &jwk)
	issuer := "did:jwk:" + base64.RawURLEncoding.EncodeToString(jwkJSON)
	cred := credential(t, issuer)
	tok := rawToken(t, map[string]any{"alg": "RS256", "jwk": jwk}, vcPayload(t, cred, map[string]any{"iss": issuer}), func(in []byte) []byte {
		h := sha256.Sum256(in)
		s, err := rsa.SignPKCS1v15(nil, k, crypto.SHA256, h[:])
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
	if _, err := Verify(ctx, tok, VerifyOptions{}); err != nil {
		t.Fatal(err)
	}
}
