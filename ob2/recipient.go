package ob2

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"strings"
)

// Recipient errors.
var (
	// ErrIdentityType: the badge identifies its recipient otherwise than by
	// e-mail (url, telephone), so an address cannot be compared.
	ErrIdentityType = errors.New("ob2: recipient is not identified by e-mail")
	// ErrIdentityHash: the identity hash is malformed or uses an algorithm
	// other than sha256 and md5.
	ErrIdentityHash = errors.New("ob2: unsupported identity hash")
)

// MatchRecipient reports whether the badge was issued to email: plaintext
// identities are compared ignoring case, hashed ones ("sha256$…",
// "md5$…", with the salt if any) by hashing the address. The address is
// trimmed and lower-cased first; since some issuers hashed the address as
// typed, the trimmed address is tried as well when it has capitals.
func MatchRecipient(identity IdentityObject, email string) (bool, error) {
	if t := strings.ToLower(identity.Type); t != "" && t != "email" {
		return false, fmt.Errorf("%w: %s", ErrIdentityType, clip(identity.Type))
	}
	trimmed := strings.TrimSpace(email)
	candidates := []string{strings.ToLower(trimmed)}
	if trimmed != candidates[0] {
		candidates = append(candidates, trimmed)
	}
	value := strings.TrimSpace(identity.Identity)
	if !identity.Hashed && !looksHashed(value) {
		// Plaintext, possibly written as a mailto: IRI.
		value = strings.TrimPrefix(strings.ToLower(value), "mailto:")
		return value != "" && value == candidates[0], nil
	}
	alg, want, ok := strings.Cut(value, "$")
	if !ok {
		return false, fmt.Errorf("%w: %q has no algorithm prefix", ErrIdentityHash, clip(value))
	}
	var h func() hash.Hash
	switch strings.ToLower(alg) {
	case "sha256":
		h = sha256.New
	case "md5":
		h = md5.New
	default:
		return false, fmt.Errorf("%w: algorithm %q", ErrIdentityHash, clip(alg))
	}
	wantBytes, err := hex.DecodeString(strings.ToLower(want))
	if err != nil || len(wantBytes) != h().Size() {
		return false, fmt.Errorf("%w: %q is not a %s digest", ErrIdentityHash, clip(value), alg)
	}
	for _, c := range candidates {
		d := h()
		d.Write([]byte(c + identity.Salt))
		if subtle.ConstantTimeCompare(d.Sum(nil), wantBytes) == 1 {
			return true, nil
		}
	}
	return false, nil
}

// HashIdentity returns the IdentityHash of email with salt ("sha256$…"),
// the form issuers publish.
func HashIdentity(email, salt string) string {
	sum := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email)) + salt))
	return "sha256$" + hex.EncodeToString(sum[:])
}
