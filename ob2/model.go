// Package ob2 reads Open Badges 2.0 badges (and 1.0 ones) issued elsewhere
// and verifies them: hosted assertions against the issuer's server, signed
// ones (JWS, RS256) against the issuer's published key, both against the
// issuer's revocation.
//
// It is a standards package: no storage, no HTTP serving. Documents that
// live elsewhere (hosted assertions, badge classes, issuer profiles, keys,
// revocation lists) come through a Fetcher, so that the same code runs
// online, offline and in tests.
//
// Parsing is lenient in the ways real platforms publish: a badge or issuer
// given as an IRI or embedded, an image as a string or an object, "verify"
// (1.0) for "verification", "@id"/"@type" for "id"/"type", compact IRIs
// for types, single values for arrays and the other way round, dates as
// ISO 8601 or Unix timestamps. It is strict where trust is at stake: which
// key may sign, which origin may host.
package ob2

import (
	"encoding/json"
	"time"
)

// Context is the Open Badges 2.0 JSON-LD context.
const Context = "https://w3id.org/openbadges/v2"

// Version is the generation of Open Badges a document belongs to.
type Version int

// Versions read by this package.
const (
	// V1 covers 0.5, 1.0 and 1.1 assertions: "verify", "uid", badge by URL.
	V1 Version = 1
	// V2 is Open Badges 2.0.
	V2 Version = 2
)

func (v Version) String() string {
	switch v {
	case V1:
		return "1.0"
	case V2:
		return "2.0"
	}
	return "unknown"
}

// Verification types, after aliases are resolved ("hosted" → HostedBadge).
const (
	HostedBadge = "HostedBadge"
	SignedBadge = "SignedBadge"
)

// Assertion is one awarded badge.
type Assertion struct {
	Version Version
	Context []string
	ID      string
	Type    []string
	// UID is the legacy (1.0) identifier, unique per issuer origin.
	UID       string
	Recipient IdentityObject
	// Badge is the badge class: embedded (Embedded true) or only its IRI.
	Badge        BadgeClass
	Verification VerificationObject
	// IssuedOn is zero when absent or unreadable (IssuedOnRaw keeps the text).
	IssuedOn    time.Time
	IssuedOnRaw string
	// Expires is zero when the badge does not expire.
	Expires          time.Time
	ExpiresRaw       string
	Image            Image
	Evidence         []Evidence
	Narrative        string
	Revoked          bool
	RevocationReason string

	// Raw is the assertion JSON as parsed.
	Raw json.RawMessage
}

// BadgeClass describes the achievement.
type BadgeClass struct {
	// Embedded is false when only the IRI was given.
	Embedded    bool
	ID          string
	Type        []string
	Name        string
	Description string
	Image       Image
	Criteria    Criteria
	// Issuer is the issuer profile: embedded or only its IRI.
	Issuer    Profile
	Alignment []Alignment
	Tags      []string
	Raw       json.RawMessage
}

// Profile is an issuer (or any party).
type Profile struct {
	Embedded    bool
	ID          string
	Type        []string
	Name        string
	URL         string
	Email       string
	Telephone   string
	Description string
	Image       Image
	// PublicKeys lists the keys the issuer signs with: embedded keys carry
	// their PEM, referenced ones only their ID.
	PublicKeys []CryptographicKey
	// Verification is the issuer's hosted verification policy; nil means
	// the default (same origin as the profile's id).
	Verification   *VerificationObject
	RevocationList string
	Raw            json.RawMessage
}

// IdentityObject identifies the recipient.
type IdentityObject struct {
	// Type is the identifying property: email, url or telephone.
	Type     string
	Hashed   bool
	Salt     string
	Identity string
}

// VerificationObject says how to verify an assertion (in an Assertion) or
// which assertions an issuer vouches for (in a Profile).
type VerificationObject struct {
	// Type is HostedBadge, SignedBadge, VerificationObject or what was given.
	Type string
	// URL is the 1.0 "verify.url": the hosted assertion or the public key.
	URL string
	// Creator is the IRI of the signing key (signed badges).
	Creator string
	// VerificationProperty names the property checked; only "id" exists.
	VerificationProperty string
	StartsWith           []string
	AllowedOrigins       []string
}

// Evidence is the work behind an award.
type Evidence struct {
	ID          string
	Name        string
	Description string
	Narrative   string
	Genre       string
	Audience    string
}

// Criteria says how the badge is earned.
type Criteria struct {
	ID        string
	Narrative string
}

// Alignment ties a badge to a standard or framework.
type Alignment struct {
	TargetName        string
	TargetURL         string
	TargetDescription string
	TargetFramework   string
	TargetCode        string
}

// Image is an image IRI (or data: URI) with its optional caption.
type Image struct {
	ID      string
	Caption string
}

// CryptographicKey is a public key an issuer publishes.
type CryptographicKey struct {
	ID           string
	Owner        string
	PublicKeyPEM string
}

// RevocationList lists an issuer's revoked signed assertions.
type RevocationList struct {
	ID      string
	Issuer  string
	Revoked []RevokedAssertion
}

// RevokedAssertion is one entry of a revocation list.
type RevokedAssertion struct {
	ID     string
	UID    string
	Reason string
}

// Lookup reports whether the assertion (by id, or by legacy uid) is in the
// list, with the issuer's reason.
func (l *RevocationList) Lookup(id, uid string) (bool, string) {
	for _, r := range l.Revoked {
		if (id != "" && r.ID == id) || (uid != "" && r.UID == uid) {
			return true, r.Reason
		}
	}
	return false, ""
}
