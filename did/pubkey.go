package did

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"

	"github.com/mr-tron/base58"
)

// Verification method types whose key PublicKey decodes.
const (
	TypeMultikey                   = "Multikey"
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020"
	TypeEd25519VerificationKey2018 = "Ed25519VerificationKey2018"
	TypeJsonWebKey                 = "JsonWebKey"
	TypeJsonWebKey2020             = "JsonWebKey2020"
	TypeEcdsaSecp256r1Key2019      = "EcdsaSecp256r1VerificationKey2019"
)

// RSA key sizes accepted from JWKs: below 2048 bits is too weak to trust,
// above 8192 only costs verification time.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// PublicKey decodes the method's public key: an ed25519.PublicKey, an
// *ecdsa.PublicKey (P-256) or an *rsa.PublicKey (JWK only). The key comes
// from publicKeyMultibase (Multikey, Ed25519VerificationKey2020),
// publicKeyBase58 (Ed25519VerificationKey2018) or publicKeyJwk (JsonWebKey,
// JsonWebKey2020, Multikey, EcdsaSecp256r1VerificationKey2019). A method with
// more than one form of key material is refused as ambiguous.
func (m *VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	forms := 0
	for _, present := range []bool{m.PublicKeyMultibase != "", m.PublicKeyBase58 != "", m.PublicKeyJwk != nil} {
		if present {
			forms++
		}
	}
	if forms == 0 {
		return nil, fmt.Errorf("%w: method %q has no public key", ErrInvalidKey, clip(m.ID))
	}
	if forms > 1 {
		return nil, fmt.Errorf("%w: method %q has more than one form of public key", ErrInvalidKey, clip(m.ID))
	}
	switch m.Type {
	case TypeMultikey, TypeEd25519VerificationKey2020, TypeEd25519VerificationKey2018,
		TypeJsonWebKey, TypeJsonWebKey2020, TypeEcdsaSecp256r1Key2019:
	default:
		return nil, fmt.Errorf("%w: verification method type %q", ErrUnsupportedKey, clip(m.Type))
	}
	var (
		pub crypto.PublicKey
		err error
	)
	switch {
	case m.PublicKeyMultibase != "":
		if m.Type != TypeMultikey && m.Type != TypeEd25519VerificationKey2020 {
			return nil, fmt.Errorf("%w: %s method with publicKeyMultibase", ErrInvalidKey, m.Type)
		}
		pub, err = DecodeMultikey(m.PublicKeyMultibase)
	case m.PublicKeyBase58 != "":
		if m.Type != TypeEd25519VerificationKey2018 {
			return nil, fmt.Errorf("%w: %s method with publicKeyBase58", ErrInvalidKey, m.Type)
		}
		pub, err = decodeBase58Ed25519(m.PublicKeyBase58)
	default:
		if m.Type == TypeEd25519VerificationKey2020 || m.Type == TypeEd25519VerificationKey2018 {
			return nil, fmt.Errorf("%w: %s method with publicKeyJwk", ErrInvalidKey, m.Type)
		}
		pub, err = PublicKeyFromJWK(m.PublicKeyJwk)
	}
	if err != nil {
		return nil, fmt.Errorf("method %q: %w", clip(m.ID), err)
	}
	if m.Type == TypeEd25519VerificationKey2020 || m.Type == TypeEd25519VerificationKey2018 {
		if _, ok := pub.(ed25519.PublicKey); !ok {
			return nil, fmt.Errorf("%w: %s method %q holds a %T", ErrInvalidKey, m.Type, clip(m.ID), pub)
		}
	}
	if m.Type == TypeEcdsaSecp256r1Key2019 {
		if _, ok := pub.(*ecdsa.PublicKey); !ok {
			return nil, fmt.Errorf("%w: %s method %q holds a %T", ErrInvalidKey, m.Type, clip(m.ID), pub)
		}
	}
	return pub, nil
}

func decodeBase58Ed25519(s string) (ed25519.PublicKey, error) {
	if len(s) > maxMultibaseLength {
		return nil, fmt.Errorf("%w: publicKeyBase58 of %d bytes", ErrTooLarge, len(s))
	}
	raw, err := base58.Decode(s)
	if err != nil {
		return nil, fmt.Errorf("%w: bad base58 in publicKeyBase58", ErrInvalidKey)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: Ed25519 public key of %d bytes, want %d", ErrInvalidKey, len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// privateJWKMembers are the JWK members that carry private key material
// (RFC 7518 §6.2.2, §6.3.2, RFC 8037 §2).
var privateJWKMembers = []string{"d", "p", "q", "dp", "dq", "qi", "oth", "k"}

// PublicKeyFromJWK decodes a public JWK (RFC 7517): OKP Ed25519, EC P-256 or
// RSA (2048 to 8192 bits). A JWK holding private key members is refused.
func PublicKeyFromJWK(jwk map[string]any) (crypto.PublicKey, error) {
	for _, k := range privateJWKMembers {
		if _, ok := jwk[k]; ok {
			return nil, fmt.Errorf("%w: JWK has private member %q", ErrInvalidKey, k)
		}
	}
	kty, _ := jwk["kty"].(string)
	crv, _ := jwk["crv"].(string)
	switch kty {
	case "OKP":
		if crv != "Ed25519" {
			return nil, fmt.Errorf("%w: JWK kty OKP crv %q", ErrUnsupportedKey, clip(crv))
		}
		x, err := jwkBytes(jwk, "x", ed25519.PublicKeySize)
		if err != nil {
			return nil, err
		}
		return ed25519.PublicKey(x), nil
	case "EC":
		if crv != "P-256" {
			return nil, fmt.Errorf("%w: JWK kty EC crv %q", ErrUnsupportedKey, clip(crv))
		}
		x, err := jwkBytes(jwk, "x", 32)
		if err != nil {
			return nil, err
		}
		y, err := jwkBytes(jwk, "y", 32)
		if err != nil {
			return nil, err
		}
		raw := append(append([]byte{0x04}, x...), y...)
		pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), raw)
		if err != nil {
			return nil, fmt.Errorf("%w: JWK P-256 point: %v", ErrInvalidKey, err)
		}
		return pub, nil
	case "RSA":
		n, err := jwkBytes(jwk, "n", 0)
		if err != nil {
			return nil, err
		}
		e, err := jwkBytes(jwk, "e", 0)
		if err != nil {
			return nil, err
		}
		if len(n) == 0 || n[0] == 0 || len(e) == 0 || len(e) > 4 || e[0] == 0 {
			return nil, fmt.Errorf("%w: JWK RSA n or e not minimal big-endian", ErrInvalidKey)
		}
		N := new(big.Int).SetBytes(n)
		if bits := N.BitLen(); bits < minRSABits || bits > maxRSABits {
			return nil, fmt.Errorf("%w: RSA key of %d bits (want %d to %d)", ErrUnsupportedKey, bits, minRSABits, maxRSABits)
		}
		E := 0
		for _, b := range e {
			E = E<<8 | int(b)
		}
		if E < 3 || E&1 == 0 {
			return nil, fmt.Errorf("%w: RSA exponent %d", ErrInvalidKey, E)
		}
		return &rsa.PublicKey{N: N, E: E}, nil
	case "":
		return nil, fmt.Errorf("%w: JWK has no kty", ErrInvalidKey)
	default:
		return nil, fmt.Errorf("%w: JWK kty %q", ErrUnsupportedKey, clip(kty))
	}
}

// jwkBytes decodes a base64url member; size 0 means any length.
func jwkBytes(jwk map[string]any, name string, size int) ([]byte, error) {
	s, ok := jwk[name].(string)
	if !ok || s == "" {
		return nil, fmt.Errorf("%w: JWK member %q missing or not a string", ErrInvalidKey, name)
	}
	if len(s) > 2048 {
		return nil, fmt.Errorf("%w: JWK member %q of %d bytes", ErrTooLarge, name, len(s))
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: JWK member %q is not base64url", ErrInvalidKey, name)
	}
	if size > 0 && len(b) != size {
		return nil, fmt.Errorf("%w: JWK member %q of %d bytes, want %d", ErrInvalidKey, name, len(b), size)
	}
	return b, nil
}

// PublicKeyJWK returns the public JWK of an Ed25519 or P-256 key, as
// written in did:jwk identifiers and jwk headers.
func PublicKeyJWK(pub crypto.PublicKey) (map[string]any, error) {
	enc := base64.RawURLEncoding.EncodeToString
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 public key of %d bytes", ErrInvalidKey, len(k))
		}
		return map[string]any{"kty": "OKP", "crv": "Ed25519", "x": enc(k)}, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("%w: ECDSA curve %s", ErrUnsupportedKey, k.Curve.Params().Name)
		}
		raw, err := k.Bytes()
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInvalidKey, err)
		}
		return map[string]any{"kty": "EC", "crv": "P-256", "x": enc(raw[1:33]), "y": enc(raw[33:])}, nil
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnsupportedKey, pub)
	}
}
