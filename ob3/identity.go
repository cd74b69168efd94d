package ob3

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
)

// Identity object constants.
const (
	TypeIdentityObject = "IdentityObject"
	IdentityTypeEmail  = "emailAddress"
	identityHashSHA256 = "sha256$"
	identityHashMD5    = "md5$"
	saltBytes          = 16
)

// NormalizeEmail is the form of an e-mail address that Sceau hashes:
// surrounding white space removed and lower-cased.
//
// The OB 3.0 IdentityHash definition hashes the UTF-8 bytes of
// identifier + salt and says nothing of case, so two issuers may hash
// "Marie@Exemple.ca" differently. Lower-casing the whole address (the
// domain is case-insensitive; mail systems treat the local part so in
// practice) makes the hash reproducible from whatever case a recipient
// types; IdentityObject.Matches also tries the address as given, for badges
// of issuers who did not normalize.
func NormalizeEmail(email string) string {
	return strings.ToLower(strings.TrimSpace(email))
}

// IdentityHash returns "sha256$" + lowercase hex(SHA-256(NormalizeEmail(email) + salt)),
// the identityHash of a hashed emailAddress IdentityObject.
func IdentityHash(email, salt string) string {
	return hashWith(identityHashSHA256, NormalizeEmail(email), salt)
}

func hashWith(prefix, value, salt string) string {
	switch prefix {
	case identityHashSHA256:
		sum := sha256.Sum256([]byte(value + salt))
		return prefix + hex.EncodeToString(sum[:])
	case identityHashMD5:
		sum := md5.Sum([]byte(value + salt))
		return prefix + hex.EncodeToString(sum[:])
	}
	return ""
}

// NewSalt returns a fresh salt: 16 bytes from r, hex-encoded (32
// characters). One salt per award, so that the same recipient's badges
// cannot be linked by their hash.
func NewSalt(r io.Reader) (string, error) {
	var b [saltBytes]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// NewEmailIdentity returns a hashed emailAddress IdentityObject for the
// address, with the given salt.
func NewEmailIdentity(email, salt string) IdentityObject {
	return IdentityObject{
		Type:         TypeIdentityObject,
		Hashed:       true,
		IdentityHash: IdentityHash(email, salt),
		IdentityType: IdentityTypeEmail,
		Salt:         salt,
	}
}

// Matches reports whether the identity object designates this e-mail
// address: identityType emailAddress, and either a hashed value
// ("sha256$" or, for badges migrated from OB 2.0, "md5$"; hex digits of
// either case) equal to the hash of the address with the object's salt, or
// a plaintext value equal to the address ignoring case.
func (o IdentityObject) Matches(email string) bool {
	return o.MatchesValue(IdentityTypeEmail, email)
}

// MatchesValue is Matches for any identityType (the spec's "known
// identifier" check). E-mail addresses compare without regard to case;
// other identifiers compare exactly.
func (o IdentityObject) MatchesValue(identityType, value string) bool {
	if o.IdentityType != identityType || value == "" {
		return false
	}
	isEmail := identityType == IdentityTypeEmail
	candidates := []string{value}
	if isEmail {
		// The normalized form first (what Sceau issues), then the address
		// as given, for issuers that hashed it without lower-casing.
		candidates = []string{NormalizeEmail(value), strings.TrimSpace(value)}
	}
	if !o.Hashed {
		if isEmail {
			return strings.EqualFold(strings.TrimSpace(o.IdentityHash), strings.TrimSpace(value))
		}
		return o.IdentityHash == value
	}
	h := o.IdentityHash
	var prefix string
	switch {
	case hasPrefixFold(h, identityHashSHA256):
		prefix = identityHashSHA256
	case hasPrefixFold(h, identityHashMD5):
		prefix = identityHashMD5
	default:
		return false
	}
	want := strings.ToLower(h[len(prefix):])
	for _, c := range candidates {
		got := hashWith(prefix, c, o.Salt)[len(prefix):]
		if subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1 {
			return true
		}
	}
	return false
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
