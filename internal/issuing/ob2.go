package issuing

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/sceau/sceau/internal/badge"
)

// Open Badges 2.0 hosted form of each award, for displayers and backpacks
// that read only OB 2.0. These documents are unsigned: hosted verification
// trusts the HTTPS origin serving them, as the OB 2.0 specification says.
// The OB 3.0 credential stays the award's authoritative form.

// OB2Context is the OB 2.0 JSON-LD context.
const OB2Context = "https://w3id.org/openbadges/v2"

// ob2Assertion is an award's hosted OB 2.0 Assertion URL.
func (u urls) ob2Assertion(awardID string) string { return u.base + "/ob2/assertions/" + seg(awardID) }

// ob2BadgeClass is a badge definition's OB 2.0 BadgeClass URL.
func (u urls) ob2BadgeClass(issuerSlug, badgeSlug string) string {
	return u.base + "/ob2/badges/" + seg(issuerSlug) + "/" + seg(badgeSlug)
}

// ob2Issuer is an issuer's OB 2.0 Profile URL.
func (u urls) ob2Issuer(slug string) string { return u.base + "/ob2/issuers/" + seg(slug) }

type ob2Identity struct {
	Type     string `json:"type"`
	Hashed   bool   `json:"hashed"`
	Salt     string `json:"salt,omitempty"`
	Identity string `json:"identity"`
}

type ob2Evidence struct {
	Type      string `json:"type"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

type ob2AssertionDoc struct {
	Context          string            `json:"@context"`
	Type             string            `json:"type"`
	ID               string            `json:"id"`
	Recipient        ob2Identity       `json:"recipient"`
	Badge            string            `json:"badge"`
	Verification     map[string]string `json:"verification"`
	IssuedOn         string            `json:"issuedOn"`
	Expires          string            `json:"expires,omitempty"`
	Evidence         []ob2Evidence     `json:"evidence,omitempty"`
	Narrative        string            `json:"narrative,omitempty"`
	Revoked          bool              `json:"revoked,omitempty"`
	RevocationReason string            `json:"revocationReason,omitempty"`
}

type ob2Criteria struct {
	ID        string `json:"id,omitempty"`
	Narrative string `json:"narrative,omitempty"`
}

type ob2Alignment struct {
	TargetName        string `json:"targetName"`
	TargetURL         string `json:"targetUrl"`
	TargetDescription string `json:"targetDescription,omitempty"`
	TargetFramework   string `json:"targetFramework,omitempty"`
	TargetCode        string `json:"targetCode,omitempty"`
}

type ob2BadgeClassDoc struct {
	Context     string         `json:"@context"`
	Type        string         `json:"type"`
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Image       string         `json:"image,omitempty"`
	Criteria    ob2Criteria    `json:"criteria"`
	Issuer      string         `json:"issuer"`
	Tags        []string       `json:"tags,omitempty"`
	Alignment   []ob2Alignment `json:"alignment,omitempty"`
}

type ob2IssuerDoc struct {
	Context     string `json:"@context"`
	Type        string `json:"type"`
	ID          string `json:"id"`
	Name        string `json:"name"`
	URL         string `json:"url"`
	Email       string `json:"email,omitempty"`
	Description string `json:"description,omitempty"`
	Image       string `json:"image,omitempty"`
}

func ob2Time(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// OB2Assertion returns the award's hosted OB 2.0 Assertion and whether it
// must be reported as revoked (HTTP 410 with the body). OB 2.0 knows no
// suspension, so a suspended award is reported revoked, with the
// suspension's reason, until it is reinstated: a displayer reading only
// OB 2.0 must not show it as valid meanwhile.
func (s *Service) OB2Assertion(ctx context.Context, awardID string) ([]byte, bool, error) {
	if !badge.ValidID(awardID) {
		return nil, false, badge.NotFoundf("award.not_found", "award %q not found", awardID)
	}
	a, err := s.db.GetAward(ctx, awardID)
	if err != nil {
		return nil, false, err
	}
	b, err := s.db.GetBadge(ctx, a.BadgeID)
	if err != nil {
		return nil, false, fmt.Errorf("badge of award %s: %w", a.ID, err)
	}
	iss, err := s.db.GetIssuer(ctx, b.IssuerID)
	if err != nil {
		return nil, false, fmt.Errorf("issuer of award %s: %w", a.ID, err)
	}
	doc := ob2AssertionDoc{
		Context: OB2Context, Type: "Assertion", ID: s.urls.ob2Assertion(a.ID),
		Badge:        s.urls.ob2BadgeClass(iss.Slug, b.Slug),
		Verification: map[string]string{"type": "hosted"},
		IssuedOn:     ob2Time(a.AwardedAt),
		Narrative:    a.Narrative,
	}
	if a.Recipient.DID != "" {
		// OB 2.0 has no DID identity type; a DID is a URI, given as is,
		// as it is in the OB 3.0 credential.
		doc.Recipient = ob2Identity{Type: "url", Identity: a.Recipient.DID}
	} else {
		// The same salted hash as the OB 3.0 credential, so the address is
		// never published.
		doc.Recipient = ob2Identity{Type: "email", Hashed: true, Salt: a.Recipient.Salt, Identity: a.Recipient.IdentityHash}
	}
	if a.ValidUntil != nil {
		doc.Expires = ob2Time(*a.ValidUntil)
	}
	for i, e := range a.Evidence {
		ev := ob2Evidence{Type: "Evidence", ID: e.URL, Name: e.Name, Narrative: e.Narrative}
		if e.BlobKey != "" {
			ev.ID = s.urls.evidenceFile(a.ID, i+1)
		}
		doc.Evidence = append(doc.Evidence, ev)
	}
	revoked := a.Status == badge.StatusRevoked || a.Status == badge.StatusSuspended
	if revoked {
		doc.Revoked, doc.RevocationReason = true, a.StatusReason
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, false, badge.Internalf(err, "encode OB 2.0 assertion")
	}
	return out, revoked, nil
}

// OB2BadgeClass returns the badge definition as an OB 2.0 BadgeClass.
func (s *Service) OB2BadgeClass(ctx context.Context, issuerSlug, badgeSlug string) ([]byte, error) {
	iss, err := s.db.GetIssuerBySlug(ctx, issuerSlug)
	if err != nil {
		return nil, err
	}
	b, err := s.db.GetBadgeBySlug(ctx, iss.ID, badgeSlug)
	if err != nil {
		return nil, err
	}
	doc := ob2BadgeClassDoc{
		Context: OB2Context, Type: "BadgeClass", ID: s.urls.ob2BadgeClass(iss.Slug, b.Slug),
		Name: b.Name, Description: b.Description,
		Criteria: ob2Criteria{ID: b.CriteriaURL, Narrative: b.CriteriaNarrative},
		Issuer:   s.urls.ob2Issuer(iss.Slug),
		Tags:     b.Tags,
	}
	if b.ImageKey != "" {
		doc.Image = s.urls.achievementImage(iss.Slug, b.Slug)
	}
	for _, al := range b.Alignments {
		doc.Alignment = append(doc.Alignment, ob2Alignment{
			TargetName: al.Name, TargetURL: al.URL, TargetDescription: al.Description,
			TargetFramework: al.Framework, TargetCode: al.Code,
		})
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, badge.Internalf(err, "encode OB 2.0 badge class")
	}
	return out, nil
}

// OB2Issuer returns the issuer as an OB 2.0 Issuer Profile.
func (s *Service) OB2Issuer(ctx context.Context, issuerSlug string) ([]byte, error) {
	iss, err := s.db.GetIssuerBySlug(ctx, issuerSlug)
	if err != nil {
		return nil, err
	}
	doc := ob2IssuerDoc{
		Context: OB2Context, Type: "Issuer", ID: s.urls.ob2Issuer(iss.Slug),
		Name: iss.Name, URL: iss.URL, Email: iss.Email, Description: iss.Description,
	}
	if iss.ImageKey != "" {
		doc.Image = s.urls.issuerImage(iss.Slug)
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return nil, badge.Internalf(err, "encode OB 2.0 issuer")
	}
	return out, nil
}
