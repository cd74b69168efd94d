package did

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files")

// fileFetcher serves https://host/path from testdata/web/host/path.
func fileFetcher(t testing.TB) Fetcher {
	return FetcherFunc(func(_ context.Context, u string) ([]byte, error) {
		rest, ok := strings.CutPrefix(u, "https://")
		if !ok {
			t.Fatalf("fetch of non-https URL %q", u)
		}
		b, err := os.ReadFile(filepath.Join("testdata", "web", filepath.FromSlash(rest)))
		if errors.Is(err, os.ErrNotExist) {
			return nil, ErrNotFound
		}
		return b, err
	})
}

// Vectors from the did:key specification (w3c-ccg/did-key-spec) and, for
// z6MkrJVn…, the vc-di-eddsa test key pair.
func TestResolveKeyGolden(t *testing.T) {
	cases := []struct{ name, did string }{
		{"ed25519-spec-example", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
		{"ed25519-vc-di-eddsa", "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"},
		{"p256-spec-example", "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"},
		{"jwk-p256-spec-example", "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"},
	}
	r := &MultiResolver{}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := r.Resolve(context.Background(), c.did)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(doc, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			path := filepath.Join("testdata", "golden", c.name+".json")
			if *update {
				os.MkdirAll(filepath.Dir(path), 0o755)
				os.WriteFile(path, got, 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(string(want), string(got)); d != "" {
				t.Errorf("document differs from golden (-want +got):\n%s", d)
			}
			// The golden document parses back to the same value.
			back, err := ParseDocument(want)
			if err != nil {
				t.Fatal(err)
			}
			again, _ := json.MarshalIndent(back, "", "  ")
			if !bytes.Equal(append(again, '\n'), want) {
				t.Errorf("golden document does not round-trip")
			}
		})
	}
}

// The did:key spec gives these JWKs for its example keys; a decoder that
// got the point compression or the codec wrong would not reproduce them.
func TestMultikeyAgainstSpecJWK(t *testing.T) {
	cases := []struct {
		name, multikey string
		jwk            map[string]any
	}{
		{"ed25519", "z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
			map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY"}},
		{"p256", "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
			map[string]any{"kty": "EC", "crv": "P-256", "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI", "y": "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pub, err := DecodeMultikey(c.multikey)
			if err != nil {
				t.Fatal(err)
			}
			jwk, err := PublicKeyJWK(pub)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(c.jwk, jwk); d != "" {
				t.Errorf("JWK (-want +got):\n%s", d)
			}
			fromJWK, err := PublicKeyFromJWK(c.jwk)
			if err != nil {
				t.Fatal(err)
			}
			enc, err := EncodeMultikey(fromJWK)
			if err != nil || enc != c.multikey {
				t.Errorf("EncodeMultikey(JWK key) = %q, %v; want %q", enc, err, c.multikey)
			}
		})
	}
}

func TestPrivateMultikey(t *testing.T) {
	// vc-di-eddsa test vector key pair.
	priv, err := DecodePrivateMultikey("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	if err != nil {
		t.Fatal(err)
	}
	pub, err := EncodeMultikey(priv.Public())
	if err != nil || pub != "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2" {
		t.Errorf("public key = %q, %v", pub, err)
	}
	enc, err := EncodePrivateMultikey(priv)
	if err != nil || enc != "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq" {
		t.Errorf("EncodePrivateMultikey = %q, %v", enc, err)
	}
	if _, err := DecodeMultikey(enc); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("DecodeMultikey(private) err = %v, want ErrInvalidKey", err)
	}
	if _, err := DecodePrivateMultikey(pub); !errors.Is(err, ErrUnsupportedKey) {
		t.Errorf("DecodePrivateMultikey(public) err = %v, want ErrUnsupportedKey", err)
	}
}

func TestGenerateKeyDID(t *testing.T) {
	seed := bytes.Repeat([]byte{7}, 32)
	pub, priv, err := GenerateKey(bytes.NewReader(seed))
	if err != nil {
		t.Fatal(err)
	}
	if !priv.Public().(ed25519.PublicKey).Equal(pub) {
		t.Fatal("key pair mismatch")
	}
	did, vm, err := KeyDID(pub)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(did, "did:key:z6Mk") || vm != did+"#"+strings.TrimPrefix(did, "did:key:") {
		t.Errorf("KeyDID = %q, %q", did, vm)
	}
	doc, err := ResolveKey(did)
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.Method(vm, AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	k, err := m.PublicKey()
	if err != nil || !pub.Equal(k) {
		t.Errorf("resolved key = %v, %v", k, err)
	}
	jd, jvm, err := JWKDID(pub)
	if err != nil {
		t.Fatal(err)
	}
	jdoc, err := ResolveJWK(jd)
	if err != nil {
		t.Fatal(err)
	}
	jm, err := jdoc.Method(jvm, AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	if k, err := jm.PublicKey(); err != nil || !pub.Equal(k) {
		t.Errorf("did:jwk key = %v, %v", k, err)
	}
}

func TestResolveErrors(t *testing.T) {
	r := &MultiResolver{}
	cases := []struct {
		name, did string
		want      error
		msg       string
	}{
		{"unknown method", "did:1edtech:issuer:123", ErrUnsupportedMethod, "unknown DID method did:1edtech"},
		{"velocity", "did:velocity:v2:0x4ade3a40a6092366765fa42a8247d07a6c3bdddd", ErrUnsupportedMethod, "did:velocity"},
		{"not a did", "https://example.com", ErrInvalidDID, ""},
		{"upper-case method", "did:KEY:z6Mk", ErrInvalidDID, ""},
		{"empty id", "did:key:", ErrInvalidDID, ""},
		{"trailing colon", "did:web:example.com:", ErrInvalidDID, ""},
		{"fragment", "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x", ErrInvalidDID, ""},
		{"bad pct", "did:web:example.com%3", ErrInvalidDID, ""},
		{"secp256k1 did:key", "did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme", ErrUnsupportedKey, "0xe7"},
		{"not base58btc", "did:key:u6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", ErrInvalidKey, ""},
		{"bad base58", "did:key:z0OIl", ErrInvalidKey, ""},
		{"short ed25519", "did:key:z" + b58(append([]byte{0xed, 0x01}, make([]byte, 31)...)), ErrInvalidKey, "31 bytes"},
		{"did:key version 2", "did:key:2:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", ErrInvalidDID, ""},
		{"did:jwk X25519 (spec example)", "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9", ErrUnsupportedKey, "X25519"},
		{"did:jwk secp256k1 (velocity sub)", "did:jwk:eyJjcnYiOiJzZWNwMjU2azEiLCJrdHkiOiJFQyIsIngiOiJrdDFNYWtYRTQ2dVlTNUVDOUhuUi1fVTdORnI2OXNMTV81MkRwVnRwV0NNIiwieSI6Ik5Sa3JMOWh6Qm9IWVJvZGhEWDZFdmZGRTJFZmp1Qk9lNGZWdEl5RnFPblUifQ", ErrUnsupportedKey, "secp256k1"},
		{"did:jwk not base64", "did:jwk:eyJ!", ErrInvalidDID, ""},
		{"did:jwk not json", "did:jwk:bm90IGpzb24", ErrInvalidDID, ""},
		// {"kty":"OKP","crv":"Ed25519","x":"Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY","d":"AAAA"}
		{"did:jwk private key", "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IkxtX000MmNCM0hrVWlPRFFzWFJjd2VNNlRCeWZ6RUhHTzlORDI3NEpjT1kiLCJkIjoiQUFBQSJ9", ErrInvalidKey, "private"},
		{"did:web without fetcher", "did:web:example.com", ErrNoFetcher, ""},
		{"too long", "did:key:z" + strings.Repeat("a", MaxDIDLength), ErrTooLarge, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, err := r.Resolve(context.Background(), c.did)
			if !errors.Is(err, c.want) {
				t.Fatalf("Resolve(%q) = %v, %v; want %v", c.did, doc, err, c.want)
			}
			if doc != nil {
				t.Errorf("document returned with error")
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not mention %q", err, c.msg)
			}
		})
	}
}

func TestWebURL(t *testing.T) {
	cases := []struct{ did, url, err string }{
		{"did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json", ""},
		{"did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json", ""},
		{"did:web:example.com%3A3000", "https://example.com:3000/.well-known/did.json", ""},
		{"did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json", ""},
		{"did:web:Example.COM", "https://example.com/.well-known/did.json", ""},
		{"did:web:example.com:a%20b", "https://example.com/a%20b/did.json", ""},
		{"did:web:registrar%3A3000:d:www.acmecorp-zrnkgupzazhhustuwbufc.com", "https://registrar:3000/d/www.acmecorp-zrnkgupzazhhustuwbufc.com/did.json", ""},
		{"did:web:example.com:..", "", "path segment"},
		{"did:web:example.com:%2e%2e", "", "path segment"},
		{"did:web:example.com:a%2Fb", "", "path segment"},
		{"did:web:example.com%3A0", "", "port"},
		{"did:web:example.com%3A99999", "", "port"},
		{"did:web:example.com%3A", "", "port"},
		{"did:web:exa%40mple.com", "", "not allowed"},
		{"did:web:.example.com", "", "malformed"},
		{"did:web:example..com", "", "malformed"},
		{"did:key:z6Mk", "", "not a did:web"},
	}
	for _, c := range cases {
		t.Run(c.did, func(t *testing.T) {
			got, err := WebURL(c.did)
			if c.err != "" {
				if err == nil || !errors.Is(err, ErrInvalidDID) || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("WebURL = %q, %v; want error containing %q", got, err, c.err)
				}
				return
			}
			if err != nil || got != c.url {
				t.Fatalf("WebURL = %q, %v; want %q", got, err, c.url)
			}
		})
	}
}

func TestResolveWeb(t *testing.T) {
	r := &MultiResolver{Web: fileFetcher(t)}
	ctx := context.Background()
	doc, err := r.Resolve(ctx, "did:web:example.com:issuers:alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := doc.Method("did:web:example.com:issuers:alice#k", AssertionMethod); err != nil {
		t.Error(err)
	}
	if _, err := r.Resolve(ctx, "did:web:wrong-id.example"); !errors.Is(err, ErrInvalidDocument) || !strings.Contains(err.Error(), "did:web:example.com") {
		t.Errorf("document with another id: err = %v", err)
	}
	if _, err := r.Resolve(ctx, "did:web:missing.example"); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing document: err = %v", err)
	}
	big := FetcherFunc(func(context.Context, string) ([]byte, error) {
		return bytes.Repeat([]byte(" "), MaxDocumentSize+1), nil
	})
	if _, err := ResolveWeb(ctx, big, "did:web:example.com"); !errors.Is(err, ErrTooLarge) {
		t.Errorf("oversized document: err = %v", err)
	}
	static := &MultiResolver{Static: map[string]*Document{"did:example:123": {ID: "did:example:123"}}}
	if d, err := static.Resolve(ctx, "did:example:123"); err != nil || d.ID != "did:example:123" {
		t.Errorf("static: %v, %v", d, err)
	}
}

func TestDocumentMethod(t *testing.T) {
	data, err := os.ReadFile("testdata/web/example.com/.well-known/did.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := ParseDocument(data)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, id, rel string
		wantErr       error
		wantKey       string // "ed25519" or "p256"
	}{
		{"relative ref, relative id", "#key-1", AssertionMethod, nil, "ed25519"},
		{"absolute id of relative method", "did:web:example.com#key-1", AssertionMethod, nil, "ed25519"},
		{"Ed25519VerificationKey2018 base58", "did:web:example.com#key-2018", AssertionMethod, nil, "ed25519"},
		{"embedded in assertionMethod", "did:web:example.com#embedded", AssertionMethod, nil, "p256"},
		{"JsonWebKey for authentication", "#auth-only", Authentication, nil, "p256"},
		{"authentication key not for assertions", "#auth-only", AssertionMethod, ErrNotAuthorized, ""},
		{"2018 key not for authentication", "#key-2018", Authentication, ErrNotAuthorized, ""},
		{"embedded is only for its relationship", "#embedded", Authentication, ErrNotAuthorized, ""},
		{"listed but undefined", "#ghost", AssertionMethod, ErrMethodNotFound, ""},
		{"absent", "#nope", AssertionMethod, ErrMethodNotFound, ""},
		{"method of another DID", "did:web:evil.example#key-1", AssertionMethod, ErrMethodNotFound, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := doc.Method(c.id, c.rel)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Method = %v, %v; want %v", m, err, c.wantErr)
				}
				if errors.Is(err, ErrNotAuthorized) && errors.Is(err, ErrMethodNotFound) {
					t.Fatal("both sentinels matched")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(m.ID, "did:web:example.com#") || m.Controller != "did:web:example.com" {
				t.Errorf("method id %q controller %q not absolute", m.ID, m.Controller)
			}
			k, err := m.PublicKey()
			if err != nil {
				t.Fatal(err)
			}
			switch c.wantKey {
			case "ed25519":
				want, _ := DecodeMultikey("z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
				if !want.(ed25519.PublicKey).Equal(k) {
					t.Errorf("key = %v", k)
				}
			case "p256":
				if _, ok := k.(*ecdsa.PublicKey); !ok {
					t.Errorf("key = %T", k)
				}
			}
		})
	}
	if _, err := doc.Method("#key-1", "signing"); err == nil {
		t.Error("unknown relationship accepted")
	}
}

func TestPublicKeyErrors(t *testing.T) {
	ed := "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	p256 := "zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169"
	edJWK := map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY"}
	cases := []struct {
		name string
		m    VerificationMethod
		want error
	}{
		{"no key", VerificationMethod{Type: TypeMultikey}, ErrInvalidKey},
		{"two forms", VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: ed, PublicKeyJwk: edJWK}, ErrInvalidKey},
		{"unknown type", VerificationMethod{Type: "EcdsaSecp256k1VerificationKey2019", PublicKeyMultibase: ed}, ErrUnsupportedKey},
		{"2020 type with P-256", VerificationMethod{Type: TypeEd25519VerificationKey2020, PublicKeyMultibase: p256}, ErrInvalidKey},
		{"2018 type with multibase", VerificationMethod{Type: TypeEd25519VerificationKey2018, PublicKeyMultibase: ed}, ErrInvalidKey},
		{"JsonWebKey with base58", VerificationMethod{Type: TypeJsonWebKey, PublicKeyBase58: "abc"}, ErrInvalidKey},
		{"bad base58", VerificationMethod{Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "0OIl"}, ErrInvalidKey},
		{"short base58", VerificationMethod{Type: TypeEd25519VerificationKey2018, PublicKeyBase58: "abc"}, ErrInvalidKey},
		{"oversized multibase", VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: "z" + strings.Repeat("1", 300)}, ErrTooLarge},
		{"non-minimal varint", VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: "z" + b58(append([]byte{0xed, 0x81, 0x00}, make([]byte, 32)...))}, ErrInvalidKey},
		{"P-256 point off curve", VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: "z" + b58(append([]byte{0x80, 0x24, 0x02}, bytes.Repeat([]byte{0xff}, 32)...))}, ErrInvalidKey},
		{"JWK no kty", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: map[string]any{"x": "AA"}}, ErrInvalidKey},
		{"JWK RSA too small", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: map[string]any{"kty": "RSA", "n": "3Q", "e": "AQAB"}}, ErrUnsupportedKey},
		{"JWK EC bad point", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: map[string]any{"kty": "EC", "crv": "P-256", "x": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI", "y": "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI"}}, ErrInvalidKey},
		{"JWK P-384", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: map[string]any{"kty": "EC", "crv": "P-384"}}, ErrUnsupportedKey},
		{"JWK padded base64", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: map[string]any{"kty": "OKP", "crv": "Ed25519", "x": "Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY="}}, ErrInvalidKey},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			k, err := c.m.PublicKey()
			if !errors.Is(err, c.want) {
				t.Fatalf("PublicKey = %v, %v; want %v", k, err, c.want)
			}
		})
	}
}

func TestMethodRefJSON(t *testing.T) {
	in := `["#a",{"id":"#b","type":"Multikey","controller":"did:x:y","publicKeyMultibase":"z6Mk"}]`
	var refs []MethodRef
	if err := json.Unmarshal([]byte(in), &refs); err != nil {
		t.Fatal(err)
	}
	if refs[0].Ref != "#a" || refs[0].Embedded != nil || refs[1].Embedded == nil || refs[1].ID() != "#b" {
		t.Fatalf("decoded %+v", refs)
	}
	out, err := json.Marshal(refs)
	if err != nil || string(out) != in {
		t.Errorf("re-encoded %s, %v", out, err)
	}
	for _, bad := range []string{`[1]`, `[""]`, `[null]`, `[["#a"]]`} {
		if err := json.Unmarshal([]byte(bad), &refs); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
}

func TestKeyURL(t *testing.T) {
	r := &MultiResolver{Web: fileFetcher(t)}
	ctx := context.Background()
	cases := []struct {
		name, url string
		want      error
		ctrl      string
	}{
		{"multikey document", "https://example.com/keys/1", nil, "https://example.com/issuers/1"},
		{"bare JWK", "https://example.com/keys/jwk", nil, ""},
		{"controller document with fragment", "https://example.com/issuers/1#key-1", nil, "https://example.com/issuers/1"},
		{"controller document, unknown fragment", "https://example.com/issuers/1#key-9", ErrMethodNotFound, ""},
		{"id differs from URL", "https://example.com/keys/wrong", ErrInvalidDocument, ""},
		{"missing", "https://example.com/keys/none", ErrNotFound, ""},
		{"http refused", "http://example.com/keys/1", ErrInvalidDID, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Dereference(ctx, r, c.url, AssertionMethod)
			if c.want != nil {
				if !errors.Is(err, c.want) {
					t.Fatalf("Dereference = %v, %v; want %v", m, err, c.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != c.url || m.Controller != c.ctrl {
				t.Errorf("method id %q controller %q", m.ID, m.Controller)
			}
			if _, err := m.PublicKey(); err != nil {
				t.Error(err)
			}
		})
	}
	if _, err := Dereference(ctx, &MultiResolver{}, "https://example.com/keys/1", AssertionMethod); !errors.Is(err, ErrNoFetcher) {
		t.Errorf("no fetcher: %v", err)
	}
	if _, err := Dereference(ctx, r, "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", AssertionMethod); !errors.Is(err, ErrInvalidDID) {
		t.Errorf("DID without fragment: %v", err)
	}
	if _, err := Dereference(ctx, r, "did:1edtech:x#k", AssertionMethod); !errors.Is(err, ErrUnsupportedMethod) {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := Dereference(ctx, r, "urn:uuid:1234", AssertionMethod); !errors.Is(err, ErrInvalidDID) {
		t.Errorf("urn: %v", err)
	}
}

func TestParseDocumentErrors(t *testing.T) {
	cases := map[string]string{
		"not json":            `{`,
		"id not a DID":        `{"id":"https://example.com"}`,
		"method without id":   `{"id":"did:x:y","verificationMethod":[{"type":"Multikey"}]}`,
		"method without type": `{"id":"did:x:y","verificationMethod":[{"id":"#a"}]}`,
		"embedded bad":        `{"id":"did:x:y","assertionMethod":[{"id":"#a"}]}`,
		"relationship number": `{"id":"did:x:y","assertionMethod":[3]}`,
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := ParseDocument([]byte(in)); !errors.Is(err, ErrInvalidDocument) {
				t.Errorf("err = %v, want ErrInvalidDocument", err)
			}
		})
	}
}
