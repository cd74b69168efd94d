// Package vcjwt signs and verifies verifiable credentials secured as JSON
// Web Tokens: the Open Badges 3.0 VC-JWT form (the credential in a "vc"
// claim, with iss, jti, nbf, exp and sub mirroring it) and the VC 2.0
// VC-JOSE-COSE form (the payload is the credential, typ "vc+jwt").
//
// Verification accepts EdDSA, ES256 and RS256 only, takes the key from the
// kid header (a DID URL or an HTTPS key URL, dereferenced through a
// did.Resolver) or from a jwk header bound to the issuer's DID, and refuses
// keys whose controller is not the issuer.
package vcjwt

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sceau/sceau/did"
)

// MaxTokenSize bounds a token, in bytes. Credentials with embedded images
// (data: URLs) reach a few hundred KB; nothing legitimate comes near 2 MiB.
const MaxTokenSize = 2 << 20

// Form is the payload layout of a VC-JWT.
type Form int

const (
	// FormVCClaim is the Open Badges 3.0 / VC-JWT 1.1 form: the credential
	// is the "vc" claim and registered claims repeat its properties.
	FormVCClaim Form = iota
	// FormVCJOSE is the VC-JOSE-COSE form: the payload is the credential
	// itself, header typ "vc+jwt" and cty "vc".
	FormVCJOSE
)

func (f Form) String() string {
	switch f {
	case FormVCClaim:
		return "vc-claim"
	case FormVCJOSE:
		return "vc-jose"
	}
	return fmt.Sprintf("Form(%d)", int(f))
}

// Errors the verifier maps to check codes. Returned errors wrap one of them
// (or an error of package did, when resolving the key failed).
var (
	// ErrMalformed: not a compact JWS, bad base64url or JSON, no credential.
	ErrMalformed = errors.New("malformed VC-JWT")
	// ErrTooLarge: the token exceeds MaxTokenSize.
	ErrTooLarge = errors.New("VC-JWT too large")
	// ErrAlgRefused: alg is none, not one of EdDSA, ES256, RS256, or does
	// not match the key.
	ErrAlgRefused = errors.New("signature algorithm refused")
	// ErrCritRefused: the header lists critical extensions ("crit"), none
	// of which this verifier understands.
	ErrCritRefused = errors.New("critical header extension refused")
	// ErrNoKey: the header names no usable key (no kid, no jwk).
	ErrNoKey = errors.New("no verification key")
	// ErrKeyNotBound: the key is not controlled by the issuer.
	ErrKeyNotBound = errors.New("key not bound to issuer")
	// ErrBadSignature: the signature does not verify with the key.
	ErrBadSignature = errors.New("signature does not verify")
	// ErrClaimMismatch: a JWT claim disagrees with the credential; the
	// error is a *ClaimMismatchError naming the claim.
	ErrClaimMismatch = errors.New("JWT claim does not match credential")
	// ErrExpired: the exp claim is in the past.
	ErrExpired = errors.New("VC-JWT expired")
	// ErrNotYetValid: the nbf claim is in the future.
	ErrNotYetValid = errors.New("VC-JWT not yet valid")
)

// ClaimMismatchError reports a registered claim that disagrees with the
// credential property it must mirror.
type ClaimMismatchError struct {
	Claim      string // "iss", "jti", "nbf", "exp", "sub"
	Property   string // the credential property, e.g. "issuer.id"
	Token      string // the claim value, as text
	Credential string // the credential value, as text ("" when absent)
}

func (e *ClaimMismatchError) Error() string {
	if e.Credential == "" {
		return fmt.Sprintf("JWT claim %s = %q but the credential has no %s", e.Claim, e.Token, e.Property)
	}
	return fmt.Sprintf("JWT claim %s = %q does not match credential %s = %q", e.Claim, e.Token, e.Property, e.Credential)
}

// Is makes errors.Is(err, ErrClaimMismatch) true.
func (e *ClaimMismatchError) Is(target error) bool { return target == ErrClaimMismatch }

// Header is the protected JOSE header.
type Header struct {
	Alg string         `json:"alg"`
	Kid string         `json:"kid,omitempty"`
	Typ string         `json:"typ,omitempty"`
	Cty string         `json:"cty,omitempty"`
	JWK map[string]any `json:"jwk,omitempty"`
	// Crit lists critical extensions; Verify refuses any.
	Crit []string `json:"crit,omitempty"`
	// Raw holds every member as found, for reports.
	Raw map[string]json.RawMessage `json:"-"`
}

// Claims are the registered claims found in the payload. Dates are seconds
// since the epoch; nil when absent.
type Claims struct {
	Iss string `json:"iss,omitempty"`
	Jti string `json:"jti,omitempty"`
	Sub string `json:"sub,omitempty"`
	Nbf *int64 `json:"nbf,omitempty"`
	Exp *int64 `json:"exp,omitempty"`
	Iat *int64 `json:"iat,omitempty"`
}

// Token is a parsed, unverified VC-JWT.
type Token struct {
	Form       Form
	Header     Header
	Claims     Claims
	Credential json.RawMessage // the "vc" claim, or the whole payload
	Payload    json.RawMessage

	signingInput string
	signature    []byte
}

// Result is a verified VC-JWT and the verification method that signed it.
type Result struct {
	Token
	// Method is the verification method whose key verified the signature
	// (for a jwk header: a synthesized method with the issuer as controller).
	Method *did.VerificationMethod
}

// acceptedTypes are the typ header values of credential JWTs; any other
// typ (an access token, a presentation) is refused so that a token minted
// for another purpose cannot pass as a credential.
var acceptedTypes = map[string]bool{
	"":                      true,
	"jwt":                   true,
	"vc+jwt":                true,
	"application/vc+jwt":    true,
	"vc+ld+jwt":             true,
	"vc-ld+jwt":             true,
	"application/vc+ld+jwt": true,
	"application/vc-ld+jwt": true,
}

func typeAccepted(typ string) bool { return acceptedTypes[strings.ToLower(typ)] }
