package did

import (
	"crypto"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
)

// Contexts written into generated DID documents.
const (
	ContextDIDv1    = "https://www.w3.org/ns/did/v1"
	ContextMultikey = "https://w3id.org/security/multikey/v1"
	ContextJWS2020  = "https://w3id.org/security/suites/jws-2020/v1"
)

// GenerateKey makes an Ed25519 key pair from rand (crypto/rand.Reader in
// production, a fixed reader in tests).
func GenerateKey(rand io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(rand)
	if err != nil {
		return nil, nil, fmt.Errorf("generate Ed25519 key: %w", err)
	}
	return pub, priv, nil
}

// KeyDID returns the did:key of an Ed25519 or P-256 public key and the id of
// its verification method ("did:key:z…#z…"), the kid to sign with.
func KeyDID(pub crypto.PublicKey) (did, methodID string, err error) {
	mb, err := EncodeMultikey(pub)
	if err != nil {
		return "", "", fmt.Errorf("did:key: %w", err)
	}
	did = "did:key:" + mb
	return did, did + "#" + mb, nil
}

// ResolveKey expands a did:key (Ed25519 "z6Mk…" or P-256 "zDn…") into the
// DID document the did:key method defines, with one Multikey verification
// method "did:key:z…#z…" referenced from authentication, assertionMethod,
// capabilityInvocation and capabilityDelegation. No X25519 key agreement
// method is derived (the method's enableEncryptionKeyDerivation option is
// off), since Sceau never encrypts to a did:key.
func ResolveKey(did string) (*Document, error) {
	method, id, err := Parse(did)
	if err != nil {
		return nil, err
	}
	if method != "key" {
		return nil, fmt.Errorf("%w: %q is not a did:key", ErrInvalidDID, clip(did))
	}
	// The optional version component ("did:key:1:z…") only ever had value 1.
	if v, rest, ok := strings.Cut(id, ":"); ok {
		if v != "1" {
			return nil, fmt.Errorf("%w: did:key version %q", ErrInvalidDID, clip(v))
		}
		id = rest
	}
	if _, err := DecodeMultikey(id); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidDID, clip(did), err)
	}
	vmID := did + "#" + id
	ref := []MethodRef{{Ref: vmID}}
	return &Document{
		Context: []any{ContextDIDv1, ContextMultikey},
		ID:      did,
		VerificationMethod: []VerificationMethod{{
			ID:                 vmID,
			Type:               TypeMultikey,
			Controller:         did,
			PublicKeyMultibase: id,
		}},
		Authentication:       ref,
		AssertionMethod:      ref,
		CapabilityInvocation: ref,
		CapabilityDelegation: ref,
	}, nil
}
