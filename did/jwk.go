package did

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// JWKDID returns the did:jwk of an Ed25519 or P-256 public key and the id
// of its verification method ("did:jwk:…#0").
func JWKDID(pub crypto.PublicKey) (did, methodID string, err error) {
	jwk, err := PublicKeyJWK(pub)
	if err != nil {
		return "", "", fmt.Errorf("did:jwk: %w", err)
	}
	// encoding/json sorts map keys, so one key always gives one DID.
	raw, err := json.Marshal(jwk)
	if err != nil {
		return "", "", fmt.Errorf("did:jwk: %w", err)
	}
	did = "did:jwk:" + base64.RawURLEncoding.EncodeToString(raw)
	return did, did + "#0", nil
}

// ResolveJWK expands a did:jwk into its DID document: one JsonWebKey2020
// method "#0" holding the JWK, referenced from the relationships its "use"
// member allows (signing ones unless use is "enc", keyAgreement unless use
// is "sig"), as the did:jwk specification describes. The JWK must be a
// public key this package can decode.
func ResolveJWK(did string) (*Document, error) {
	method, id, err := Parse(did)
	if err != nil {
		return nil, err
	}
	if method != "jwk" {
		return nil, fmt.Errorf("%w: %q is not a did:jwk", ErrInvalidDID, clip(did))
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil {
		return nil, fmt.Errorf("%w: did:jwk identifier is not base64url: %v", ErrInvalidDID, err)
	}
	var jwk map[string]any
	if err := json.Unmarshal(raw, &jwk); err != nil {
		return nil, fmt.Errorf("%w: did:jwk identifier is not a JSON object: %v", ErrInvalidDID, err)
	}
	if _, err := PublicKeyFromJWK(jwk); err != nil {
		return nil, fmt.Errorf("did:jwk: %w", err)
	}
	vmID := did + "#0"
	ref := []MethodRef{{Ref: vmID}}
	doc := &Document{
		Context: []any{ContextDIDv1, ContextJWS2020},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:           vmID,
			Type:         TypeJsonWebKey2020,
			Controller:   did,
			PublicKeyJwk: jwk,
		}},
	}
	use, _ := jwk["use"].(string)
	if use != "enc" {
		doc.AssertionMethod = ref
		doc.Authentication = ref
		doc.CapabilityInvocation = ref
		doc.CapabilityDelegation = ref
	}
	if use != "sig" {
		doc.KeyAgreement = ref
	}
	return doc, nil
}
