package badge

import (
	"strings"
	"time"
)

// Status is an award's revocation state, as published in the issuer's
// Bitstring Status Lists.
type Status string

// The statuses. Revocation is final; suspension may be lifted.
const (
	StatusActive    Status = "active"
	StatusRevoked   Status = "revoked"
	StatusSuspended Status = "suspended"
)

// Valid reports whether s is one of the three statuses.
func (s Status) Valid() bool {
	return s == StatusActive || s == StatusRevoked || s == StatusSuspended
}

// Recipient identifies who earned an award: by e-mail (published only as a
// salted hash) or by DID.
type Recipient struct {
	Email        string
	DID          string
	Name         string // for display, shown only where the recipient allows it
	Salt         string // one random salt per award, for the identity hash
	IdentityHash string // "sha256$" + hex(sha256(email + salt)), "" for a DID
}

// Evidence supports an award: a narrative, a link, an uploaded file, or a mix.
type Evidence struct {
	Narrative   string `json:"narrative,omitempty"`
	URL         string `json:"url,omitempty"`
	BlobKey     string `json:"blobKey,omitempty"`
	Name        string `json:"name,omitempty"`
	ContentType string `json:"contentType,omitempty"`
}

// Award is one badge awarded to one recipient: a signed OB 3.0 credential
// plus what the service needs to find, show and revoke it.
type Award struct {
	ID              string // UUID; part of the credential id, kept on re-issue
	BadgeID         string
	IssuerID        string
	Recipient       Recipient
	Narrative       string
	Evidence        []Evidence
	AwardedAt       time.Time // kept on re-issue
	ValidFrom       time.Time
	ValidUntil      *time.Time
	Language        string
	Credential      []byte // signed JSON, stored exactly as signed
	CredentialJWT   string // the same credential as VC-JWT, "" if none
	StatusIndex     int    // index in the issuer's status lists, never reused
	Status          Status
	StatusReason    string
	StatusChangedAt *time.Time
	// ClaimedBy is the account that accepted the award into its
	// portfolio, "" until then.
	ClaimedBy string
	ClaimedAt *time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Validate checks what the issuer provides for an award, before it is
// signed: Credential and StatusIndex are set later, by signing and storing.
func (a *Award) Validate() error {
	if a.ID != "" && !ValidID(a.ID) {
		return Invalidf("id", "award.id_invalid", "id must be a UUID")
	}
	if a.BadgeID == "" {
		return Invalidf("badge_id", "award.badge_required", "badge_id is required")
	}
	if a.IssuerID == "" {
		return Invalidf("issuer_id", "award.issuer_required", "issuer_id is required")
	}
	r := &a.Recipient
	switch {
	case r.Email == "" && r.DID == "":
		return Invalidf("recipient", "award.recipient_required", "a recipient e-mail address or DID is required")
	case r.Email != "" && r.DID != "":
		return Invalidf("recipient", "award.recipient_ambiguous", "give a recipient e-mail address or a DID, not both")
	case r.Email != "" && !ValidEmail(r.Email):
		return Invalidf("recipient_email", "award.recipient_email_invalid", "%q is not a valid e-mail address", r.Email)
	case r.DID != "" && !ValidDID(r.DID):
		return Invalidf("recipient_did", "award.recipient_did_invalid", "%q is not a valid DID", r.DID)
	}
	if err := optionalText("recipient_name", "award.recipient_name", r.Name, MaxNameLen); err != nil {
		return err
	}
	if r.IdentityHash != "" && (!strings.HasPrefix(r.IdentityHash, "sha256$") || len(r.IdentityHash) != 7+64) {
		return Invalidf("recipient", "award.identity_hash_invalid", "identity hash must be sha256$ and 64 hex digits")
	}
	if err := optionalText("narrative", "award.narrative", a.Narrative, MaxNarrativeLen); err != nil {
		return err
	}
	if len(a.Evidence) > MaxEvidence {
		return Invalidf("evidence", "award.evidence_too_many", "at most %d evidence items", MaxEvidence)
	}
	for _, e := range a.Evidence {
		if strings.TrimSpace(e.Narrative) == "" && e.URL == "" && e.BlobKey == "" {
			return Invalidf("evidence", "award.evidence_empty", "each evidence item needs a narrative, a URL or a file")
		}
		if err := optionalURL("evidence", "award.evidence_url", e.URL); err != nil {
			return err
		}
		if err := optionalText("evidence", "award.evidence_narrative", e.Narrative, MaxNarrativeLen); err != nil {
			return err
		}
		if err := optionalText("evidence", "award.evidence_name", e.Name, MaxNameLen); err != nil {
			return err
		}
	}
	if a.ValidUntil != nil && !a.ValidFrom.IsZero() && !a.ValidUntil.After(a.ValidFrom) {
		return Invalidf("valid_until", "award.valid_until_before_valid_from", "validUntil must be after validFrom")
	}
	if a.Language != "" && !validLanguage(a.Language) {
		return Invalidf("language", "award.language_invalid", "language must be fr or en")
	}
	if a.Status != "" && !a.Status.Valid() {
		return Invalidf("status", "award.status_invalid", "status must be active, revoked or suspended")
	}
	if err := optionalText("status_reason", "award.status_reason", a.StatusReason, MaxDescriptionLen); err != nil {
		return err
	}
	return nil
}
