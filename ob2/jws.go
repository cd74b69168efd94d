package ob2

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// Signed-badge errors.
var (
	// ErrAlgorithm: the JWS is not RS256. OB 2.0 recommends RSA-SHA256;
	// "none" and the HMAC algorithms prove nothing about an issuer (a
	// shared secret is not a public key) and are refused.
	ErrAlgorithm = errors.New("ob2: JWS algorithm not accepted")
	// ErrSignature: the signature does not verify with the key.
	ErrSignature = errors.New("ob2: JWS signature does not verify")
	// ErrKey: the public key cannot be used (not PEM, not RSA, too short).
	ErrKey = errors.New("ob2: unusable public key")
)

// MinRSABits is the smallest RSA modulus accepted for a signing key.
const MinRSABits = 2048

// Signed is a compact JWS whose payload is an assertion. ParseSigned reads
// it without verifying anything; Verify checks the signature.
type Signed struct {
	Token     string
	Alg       string
	KeyID     string
	Payload   []byte
	Assertion *Assertion

	signingInput string
	signature    []byte
}

// ParseSigned reads a compact JWS (header.payload.signature) carrying an
// assertion.
func ParseSigned(token string) (*Signed, error) {
	token = strings.TrimSpace(token)
	if len(token) > MaxDocumentSize*4/3+1024 {
		return nil, fmt.Errorf("signed assertion: %w", ErrTooLarge)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("signed assertion: %w: a compact JWS has 3 parts, found %d", ErrMalformed, len(parts))
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return nil, fmt.Errorf("signed assertion: %w: header is not base64url: %v", ErrMalformed, err)
	}
	var header struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		// crit would name extensions a verifier must understand; none are.
		Crit []string `json:"crit"`
		B64  *bool    `json:"b64"`
	}
	if err := checkDepth(rawHeader); err != nil {
		return nil, fmt.Errorf("signed assertion: header: %w", err)
	}
	if err := json.Unmarshal(rawHeader, &header); err != nil {
		return nil, fmt.Errorf("signed assertion: %w: header is not JSON: %v", ErrMalformed, err)
	}
	if len(header.Crit) > 0 || header.B64 != nil {
		return nil, fmt.Errorf("signed assertion: %w: unsupported critical header parameters", ErrMalformed)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, fmt.Errorf("signed assertion: %w: payload is not base64url: %v", ErrMalformed, err)
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return nil, fmt.Errorf("signed assertion: %w: signature is not base64url: %v", ErrMalformed, err)
	}
	a, err := Parse(payload)
	if err != nil {
		return nil, fmt.Errorf("signed assertion payload: %w", err)
	}
	return &Signed{
		Token: token, Alg: header.Alg, KeyID: header.Kid, Payload: payload, Assertion: a,
		signingInput: parts[0] + "." + parts[1], signature: sig,
	}, nil
}

// CheckAlgorithm refuses anything but RS256.
func (s *Signed) CheckAlgorithm() error {
	if s.Alg != "RS256" {
		return fmt.Errorf("%w: %q (only RS256)", ErrAlgorithm, clip(s.Alg))
	}
	return nil
}

// Verify checks the signature with a PEM public key (SubjectPublicKeyInfo
// or PKCS #1).
func (s *Signed) Verify(publicKeyPEM string) error {
	if err := s.CheckAlgorithm(); err != nil {
		return err
	}
	pub, err := ParsePublicKeyPEM(publicKeyPEM)
	if err != nil {
		return err
	}
	digest := sha256.Sum256([]byte(s.signingInput))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], s.signature); err != nil {
		return ErrSignature
	}
	return nil
}

// ParsePublicKeyPEM reads an RSA public key of at least MinRSABits.
func ParsePublicKeyPEM(text string) (*rsa.PublicKey, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(text)))
	if block == nil {
		return nil, fmt.Errorf("%w: not PEM", ErrKey)
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	default:
		return nil, fmt.Errorf("%w: PEM block %q", ErrKey, clip(block.Type))
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrKey, err)
	}
	pub, ok := key.(*rsa.PublicKey)
	if !ok {
		return nil, fmt.Errorf("%w: not an RSA key (%T)", ErrKey, key)
	}
	if pub.N.BitLen() < MinRSABits {
		return nil, fmt.Errorf("%w: RSA key of %d bits (at least %d)", ErrKey, pub.N.BitLen(), MinRSABits)
	}
	return pub, nil
}

// isCompactJWS checks the shape header.payload.signature in base64url.
func isCompactJWS(t string) bool {
	if strings.Count(t, ".") != 2 || len(t) < 5 {
		return false
	}
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
