package keys

import (
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Sealed data format, version 1:
//
//	0x01 || nonce (12 bytes) || AES-256-GCM ciphertext and tag (16 bytes)
//
// The GCM key is HKDF-SHA256(master key, info "sceau seal v1"); the GCM
// additional data is the version byte followed by the caller's additional
// data. A later version (another cipher, another derivation) gets another
// first byte, and Open keeps reading the old ones.
const (
	sealV1       = 0x01
	nonceSize    = 12
	tagSize      = 16
	sealOverhead = 1 + nonceSize + tagSize
	// MaxSealSize bounds what Seal and Open accept: sealed values are keys
	// and small secrets, not files.
	MaxSealSize = 1 << 20
)

var (
	// ErrDecrypt: authentication failed: the master key is not the one the
	// data was sealed with, the data was altered, or it belongs to another
	// row (other additional data).
	ErrDecrypt = errors.New("cannot decrypt: wrong master key or altered data")
	// ErrSealedFormat: the sealed value is truncated, too large, or of an
	// unknown format version.
	ErrSealedFormat = errors.New("malformed sealed value")
)

// Seal encrypts plaintext with AES-256-GCM under a key derived from the
// master key, binding it to additionalData: the same additionalData must be
// given to Open. Callers put there what identifies the row (issuer and key
// id), so that a ciphertext copied into another row does not open.
func (m *MasterKey) Seal(plaintext, additionalData []byte) ([]byte, error) {
	if len(plaintext) > MaxSealSize {
		return nil, fmt.Errorf("seal: %w: %d bytes exceeds %d", ErrSealedFormat, len(plaintext), MaxSealSize)
	}
	out := make([]byte, 1+nonceSize, sealOverhead+len(plaintext))
	out[0] = sealV1
	if _, err := io.ReadFull(m.rand, out[1:1+nonceSize]); err != nil {
		return nil, fmt.Errorf("seal: read nonce: %w", err)
	}
	return m.s().aead.Seal(out, out[1:1+nonceSize], plaintext, v1AD(additionalData)), nil
}

// Open decrypts what Seal produced with the same additionalData. It fails
// with ErrDecrypt when the key, the data or additionalData differ, and with
// ErrSealedFormat when sealed is not a sealed value.
func (m *MasterKey) Open(sealed, additionalData []byte) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, fmt.Errorf("open: %w: empty", ErrSealedFormat)
	}
	if len(sealed) > MaxSealSize+sealOverhead {
		return nil, fmt.Errorf("open: %w: %d bytes", ErrSealedFormat, len(sealed))
	}
	switch sealed[0] {
	case sealV1:
		if len(sealed) < sealOverhead {
			return nil, fmt.Errorf("open: %w: %d bytes is shorter than the %d-byte minimum", ErrSealedFormat, len(sealed), sealOverhead)
		}
		pt, err := m.s().aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], v1AD(additionalData))
		if err != nil {
			return nil, fmt.Errorf("open: %w", ErrDecrypt)
		}
		return pt, nil
	default:
		return nil, fmt.Errorf("open: %w: unknown version byte 0x%02x", ErrSealedFormat, sealed[0])
	}
}

func v1AD(ad []byte) []byte {
	return append([]byte{sealV1}, ad...)
}

// privateKeyAD binds a sealed issuer key to its issuer and key id. Each
// part is length-prefixed so that ("ab","c") and ("a","bc") differ.
func privateKeyAD(issuerID, keyID string) []byte {
	const label = "sceau issuer private key v1"
	b := make([]byte, 0, len(label)+len(issuerID)+len(keyID)+3*binary.MaxVarintLen64)
	for _, s := range []string{label, issuerID, keyID} {
		b = binary.AppendUvarint(b, uint64(len(s)))
		b = append(b, s...)
	}
	return b
}

// SealPrivateKey encrypts an issuer's private key for storage. issuerID is
// the issuer's stable database id (not its DID, which follows the base URL)
// and keyID the key's id in its key set ("key-2"). Only the 32-byte seed is
// stored.
func (m *MasterKey) SealPrivateKey(issuerID, keyID string, priv ed25519.PrivateKey) ([]byte, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("seal private key %s/%s: %w: %d bytes", issuerID, keyID, ErrInvalidKey, len(priv))
	}
	if issuerID == "" || keyID == "" {
		return nil, fmt.Errorf("seal private key: empty issuer or key id")
	}
	sealed, err := m.Seal(priv.Seed(), privateKeyAD(issuerID, keyID))
	if err != nil {
		return nil, fmt.Errorf("seal private key %s/%s: %w", issuerID, keyID, err)
	}
	return sealed, nil
}

// OpenPrivateKey decrypts a key sealed by SealPrivateKey for the same
// issuerID and pub.ID, and checks that it is the private half of pub.
func (m *MasterKey) OpenPrivateKey(issuerID string, pub PublicKey, sealed []byte) (ed25519.PrivateKey, error) {
	seed, err := m.Open(sealed, privateKeyAD(issuerID, pub.ID))
	if err != nil {
		return nil, fmt.Errorf("open private key %s/%s: %w", issuerID, pub.ID, err)
	}
	defer clear(seed)
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("open private key %s/%s: %w: seed of %d bytes", issuerID, pub.ID, ErrInvalidKey, len(seed))
	}
	priv := ed25519.NewKeyFromSeed(seed)
	want, err := pub.Ed25519()
	if err != nil {
		return nil, fmt.Errorf("open private key %s/%s: %w", issuerID, pub.ID, err)
	}
	if !want.Equal(priv.Public()) {
		return nil, fmt.Errorf("open private key %s/%s: %w: does not match the public key %s", issuerID, pub.ID, ErrInvalidKey, pub.Multikey)
	}
	return priv, nil
}
