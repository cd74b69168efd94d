package issuing

import (
	"context"
	"crypto/ed25519"
	"fmt"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/proof"
)

// VCDIDMethod is the DID under which the VC API signs for an issuer.
type VCDIDMethod string

const (
	// VCDIDKey signs as the did:key of the issuer's key: every verifier
	// resolves it offline, over HTTP or HTTPS alike. A rotation gives the
	// issuer a new did:key; credentials signed under the old one still
	// verify, since a did:key needs nothing but itself.
	VCDIDKey VCDIDMethod = "key"
	// VCDIDWeb signs as the issuer's did:web (key-N methods), whose
	// document this server publishes: resolvable by others only when the
	// base URL is HTTPS.
	VCDIDWeb VCDIDMethod = "web"
)

// VCSigner signs arbitrary credentials (VC API) as one issuer with one of
// its keys, with eddsa-rdfc-2022.
type VCSigner struct {
	// DID is the issuer id credentials signed by this signer must carry.
	DID string
	// VerificationMethod is the proofs' verificationMethod.
	VerificationMethod string
	// KeyID is the store's id of the key ("key-2").
	KeyID string

	signer proof.Signer
}

// Sign adds an eddsa-rdfc-2022 assertionMethod proof to a JSON credential.
// Errors from JSON-LD (an undefined term, a redefined protected term)
// wrap proof.ErrNotCanonicalizable: the credential, not the server, is
// at fault.
func (v *VCSigner) Sign(unsigned []byte, opts proof.SignOptions) ([]byte, error) {
	return v.signer.Sign(unsigned, opts)
}

// VCSigner returns a signer for the issuer with the given slug, under
// method. keyID "" means the current key; another key id is accepted only
// with VCDIDKey, where a retired key still is the identity of the
// credentials it signed (their status lists must be signed by that same
// did:key), while a did:web issuer always signs with its current key.
func (s *Service) VCSigner(ctx context.Context, slug string, method VCDIDMethod, keyID string) (*VCSigner, error) {
	if method != VCDIDKey && method != VCDIDWeb {
		return nil, badge.Internalf(fmt.Errorf("unknown DID method %q", method), "VC API signer")
	}
	if keyID != "" && method != VCDIDKey {
		return nil, badge.Internalf(fmt.Errorf("key %s asked for a did:web signer", keyID), "VC API signer")
	}
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	stored, err := s.db.ListIssuerKeys(ctx, iss.ID)
	if err != nil {
		return nil, err
	}
	var k *badge.IssuerKey
	for _, sk := range stored {
		switch {
		case keyID == "" && sk.Active():
			k = sk // oldest first: the last active key is the newest
		case keyID != "" && sk.KeyID == keyID:
			k = sk
		}
	}
	if k == nil {
		if keyID != "" {
			return nil, badge.NotFoundf("issuer.key_not_found", "issuer %s has no key %s", slug, keyID)
		}
		return nil, badge.Conflictf("", "issuer.no_key", "issuer %s has no signing key", slug)
	}
	pk := keys.PublicKey{ID: k.KeyID, Multikey: k.PublicKeyMultibase, Created: k.CreatedAt}
	priv, err := s.openKey(iss, k, pk)
	if err != nil {
		return nil, err
	}
	v := &VCSigner{KeyID: k.KeyID}
	switch method {
	case VCDIDKey:
		v.DID, v.VerificationMethod, err = did.KeyDID(priv.Public())
		if err != nil {
			return nil, badge.Internalf(err, "did:key of issuer %s", slug)
		}
	case VCDIDWeb:
		if v.DID, err = s.urls.issuerDID(slug); err != nil {
			return nil, badge.Internalf(err, "issuer DID")
		}
		v.VerificationMethod = pk.MethodID(v.DID)
	}
	v.signer = proof.Signer{Key: priv, VerificationMethod: v.VerificationMethod, Now: s.now}
	return v, nil
}

// openKey returns the issuer's private key k, from the cache when it was
// opened before.
func (s *Service) openKey(iss *badge.Issuer, k *badge.IssuerKey, pk keys.PublicKey) (ed25519.PrivateKey, error) {
	ref := keyRef{iss.ID, k.KeyID}
	s.keyMu.Lock()
	priv, ok := s.keyCache[ref]
	s.keyMu.Unlock()
	if ok {
		return priv, nil
	}
	priv, err := s.master.OpenPrivateKey(iss.ID, pk, k.EncryptedPrivateKey)
	if err != nil {
		return nil, badge.Internalf(err, "open key %s of issuer %s", k.KeyID, iss.Slug)
	}
	s.keyMu.Lock()
	s.keyCache[ref] = priv
	s.keyMu.Unlock()
	return priv, nil
}
