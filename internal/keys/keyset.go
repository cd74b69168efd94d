package keys

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
)

var (
	// ErrInvalidKey: a key is malformed (wrong size, bad Multikey, not an
	// Ed25519 key, private half not matching the public one).
	ErrInvalidKey = errors.New("invalid issuer key")
	// ErrNoCurrentKey: the key set has no key that is not retired.
	ErrNoCurrentKey = errors.New("issuer has no current key")
	// ErrInvalidKeySet: the key set breaks an invariant (duplicate or
	// malformed id, more than one current key, retired before created).
	ErrInvalidKeySet = errors.New("invalid key set")
)

// keyIDPrefix starts every key id: "key-1", "key-2", …
const keyIDPrefix = "key-"

// Generate makes an Ed25519 key pair from r (crypto/rand.Reader in
// production; a fixed reader gives a fixed key in tests).
func Generate(r io.Reader) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := ed25519.GenerateKey(r)
	if err != nil {
		return nil, nil, fmt.Errorf("generate issuer key: %w", err)
	}
	return pub, priv, nil
}

// PublicKey is one entry of an issuer's key set: what the DID document
// lists and the store keeps next to the sealed private key.
type PublicKey struct {
	// ID is the key's id within the issuer, "key-N"; the verification
	// method id is the issuer's DID + "#" + ID.
	ID string `json:"id"`
	// Multikey is the Ed25519 public key as a Multikey ("z6Mk…").
	Multikey string `json:"publicKeyMultibase"`
	// Created is when the key was generated.
	Created time.Time `json:"created"`
	// Retired is when another key replaced it for signing; zero while the
	// key is current. A retired key stays in the DID document so that
	// credentials it signed still verify.
	Retired time.Time `json:"retired,omitzero"`
}

// NewPublicKey describes an Ed25519 public key under id, created at created.
func NewPublicKey(id string, pub ed25519.PublicKey, created time.Time) (PublicKey, error) {
	if _, err := keyNumber(id); err != nil {
		return PublicKey{}, err
	}
	mk, err := did.EncodeMultikey(pub)
	if err != nil {
		return PublicKey{}, fmt.Errorf("%w: %w", ErrInvalidKey, err)
	}
	return PublicKey{ID: id, Multikey: mk, Created: created.UTC()}, nil
}

// Ed25519 decodes the key.
func (k PublicKey) Ed25519() (ed25519.PublicKey, error) {
	pub, err := did.DecodeMultikey(k.Multikey)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w: %w", k.ID, ErrInvalidKey, err)
	}
	ed, ok := pub.(ed25519.PublicKey)
	if !ok {
		return nil, fmt.Errorf("key %s: %w: %T is not Ed25519", k.ID, ErrInvalidKey, pub)
	}
	return ed, nil
}

// IsRetired reports whether the key no longer signs.
func (k PublicKey) IsRetired() bool { return !k.Retired.IsZero() }

// MethodID is the verification method id of the key under the issuer's
// DID: "did:web:example.org:issuers:x#key-1". Proofs name it.
func (k PublicKey) MethodID(issuerDID string) string { return issuerDID + "#" + k.ID }

// keyNumber returns N of "key-N" (N ≥ 1, no leading zeros).
func keyNumber(id string) (int, error) {
	s, ok := strings.CutPrefix(id, keyIDPrefix)
	n, err := strconv.Atoi(s)
	if !ok || err != nil || n < 1 || strconv.Itoa(n) != s {
		return 0, fmt.Errorf("%w: key id %q is not of the form key-N", ErrInvalidKeySet, id)
	}
	return n, nil
}

// KeySet is an issuer's keys in the order they were created: at most one
// current key (the last one, when not retired) and the retired ones before
// it. Ids are never reused.
type KeySet struct {
	Keys []PublicKey `json:"keys"`
}

// Current returns the key that signs new credentials.
func (s *KeySet) Current() (PublicKey, error) {
	for i := len(s.Keys) - 1; i >= 0; i-- {
		if !s.Keys[i].IsRetired() {
			return s.Keys[i], nil
		}
	}
	return PublicKey{}, ErrNoCurrentKey
}

// Get returns the key with the given id ("key-1"), current or retired.
func (s *KeySet) Get(id string) (PublicKey, bool) {
	for _, k := range s.Keys {
		if k.ID == id {
			return k, true
		}
	}
	return PublicKey{}, false
}

// nextID is one more than the largest key number, so that ids are never
// reused even if keys were removed.
func (s *KeySet) nextID() string {
	max := 0
	for _, k := range s.Keys {
		if n, err := keyNumber(k.ID); err == nil && n > max {
			max = n
		}
	}
	return keyIDPrefix + strconv.Itoa(max+1)
}

// Add makes pub the current key at time now: the previous current key, if
// any, is retired at now and stays in the set. It returns the new entry.
func (s *KeySet) Add(pub ed25519.PublicKey, now time.Time) (PublicKey, error) {
	k, err := NewPublicKey(s.nextID(), pub, now)
	if err != nil {
		return PublicKey{}, err
	}
	for _, old := range s.Keys {
		if old.Multikey == k.Multikey {
			return PublicKey{}, fmt.Errorf("%w: key %s is already in the set as %s", ErrInvalidKeySet, k.Multikey, old.ID)
		}
	}
	for i := range s.Keys {
		if !s.Keys[i].IsRetired() {
			s.Keys[i].Retired = now.UTC()
		}
	}
	s.Keys = append(s.Keys, k)
	return k, nil
}

// Rotate generates a new key pair from r and makes it current (see Add).
// The caller seals the returned private key and stores both; until the
// store commits, the old key set is still the valid one.
func (s *KeySet) Rotate(r io.Reader, now time.Time) (PublicKey, ed25519.PrivateKey, error) {
	pub, priv, err := Generate(r)
	if err != nil {
		return PublicKey{}, nil, err
	}
	k, err := s.Add(pub, now)
	if err != nil {
		return PublicKey{}, nil, err
	}
	return k, priv, nil
}

// Validate checks a key set read back from storage: well-formed unique ids,
// Ed25519 Multikeys, at most one current key and it the last, retirement
// not before creation.
func (s *KeySet) Validate() error {
	seen := make(map[string]bool, len(s.Keys))
	for i, k := range s.Keys {
		if _, err := keyNumber(k.ID); err != nil {
			return err
		}
		if seen[k.ID] {
			return fmt.Errorf("%w: duplicate key id %s", ErrInvalidKeySet, k.ID)
		}
		seen[k.ID] = true
		if _, err := k.Ed25519(); err != nil {
			return err
		}
		if k.IsRetired() && k.Retired.Before(k.Created) {
			return fmt.Errorf("%w: key %s retired before it was created", ErrInvalidKeySet, k.ID)
		}
		if !k.IsRetired() && i != len(s.Keys)-1 {
			return fmt.Errorf("%w: key %s is current but not the newest key", ErrInvalidKeySet, k.ID)
		}
	}
	return nil
}
