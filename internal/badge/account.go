package badge

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/ob3"
)

// User is a person's account: an issuer's staff member, an applicant, a
// recipient. Handle names the public portfolio (/@handle).
type User struct {
	ID           string
	Handle       string
	Name         string
	PasswordHash string // argon2id, PHC string form; never shown
	Language     string
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Email is one of an account's addresses. Badges awarded to any verified
// address reach the account.
type Email struct {
	Address    string // lower-cased
	UserID     string
	Primary    bool
	VerifiedAt *time.Time
	CreatedAt  time.Time
}

// Verified reports whether the address was confirmed.
func (e *Email) Verified() bool { return e.VerifiedAt != nil }

// Role is what a member may do in an organisation.
type Role string

// The roles. An owner may do everything; the others one thing each.
const (
	RoleOwner    Role = "owner"    // members, issuer profile, keys
	RoleEditor   Role = "editor"   // badge definitions
	RoleReviewer Role = "reviewer" // judges applications
	RoleAwarder  Role = "awarder"  // awards and revokes
)

// Roles lists the roles in the order forms show them.
var Roles = []Role{RoleOwner, RoleEditor, RoleReviewer, RoleAwarder}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// Allows reports whether a member with role r may act as need: owners may
// do anything, others only their own part.
func (r Role) Allows(need Role) bool { return r == RoleOwner || r == need }

// Membership ties a user to an organisation (an issuer) with a role.
type Membership struct {
	IssuerID  string
	UserID    string
	Role      Role
	CreatedAt time.Time
}

// TokenKind says what a one-time token is for.
type TokenKind string

// The one-time tokens e-mails carry.
const (
	TokenConfirmEmail  TokenKind = "confirm_email"
	TokenResetPassword TokenKind = "reset_password"
	TokenInvitation    TokenKind = "invitation"
	// TokenClaim is the link of an award's announcement: following it
	// lets the recipient accept the award into a portfolio. Data holds
	// {"award": id}.
	TokenClaim TokenKind = "claim"
)

// Token is a one-time token as stored: Hash is the SHA-256 of the secret
// sent by e-mail; Data carries what the kind needs (JSON).
type Token struct {
	Hash      string
	Kind      TokenKind
	UserID    string
	Email     string
	Data      string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// Password length bounds: long enough to resist guessing (NIST SP 800-63B
// asks at least 8; we ask 10), short enough that hashing stays cheap and
// a megabyte "password" cannot be used to burn CPU.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
	MinHandleLen   = 3
)

// CheckPassword checks a new password's length, in characters.
func CheckPassword(field, pw string) error {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPasswordLen:
		return Invalidf(field, "password.too_short", "the password must have at least %d characters", MinPasswordLen)
	case len(pw) > MaxPasswordLen*4 || n > MaxPasswordLen:
		return Invalidf(field, "password.too_long", "the password must have at most %d characters", MaxPasswordLen)
	}
	return nil
}

// NormalizeEmail trims and lower-cases an address: addresses are compared
// case-insensitively everywhere in Sceau, as recipients type them. It is
// the credential's own normalisation (ob3.NormalizeEmail), so that an
// address stored here always matches the identity hash issued for it.
func NormalizeEmail(s string) string { return ob3.NormalizeEmail(s) }

// Validate checks the account's invariants.
func (u *User) Validate() error {
	if err := requireText("name", "user.name", u.Name, MaxNameLen); err != nil {
		return err
	}
	if len(u.Handle) < MinHandleLen {
		return Invalidf("handle", "user.handle_too_short", "the handle must have at least %d characters", MinHandleLen)
	}
	if err := checkSlug("handle", "user.handle", u.Handle); err != nil {
		return err
	}
	if !validLanguage(u.Language) {
		return Invalidf("language", "user.language_invalid", "language must be one of %s", strings.Join(Languages, ", "))
	}
	if u.PasswordHash == "" {
		return Invalidf("password", "user.password_required", "a password is required")
	}
	return nil
}

// CheckEmail checks an address typed by a user.
func CheckEmail(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return Invalidf(field, "email.required", "an e-mail address is required")
	}
	if len(s) > MaxEmailLen || !ValidEmail(NormalizeEmail(s)) {
		return Invalidf(field, "email.invalid", "%q is not an e-mail address", s)
	}
	return nil
}
