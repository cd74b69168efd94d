package issuing

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
)

// Delegated issuing: organisation A authorises organisation B to award one
// of A's badge definitions. B awards it through its own copy of the
// definition (made with the grant, A as creator), so the credential is
// B's: issued and signed by B, revoked in B's status list, with A as the
// achievement's creator.
//
// How a verifier checks the authorisation: A publishes, at
// /issuers/{a}/authorisations, a credential signed with A's key listing
// every authorisation it gave (delegate's DID, the copy's achievement id,
// "from" when, "until" when). It is a signed document rather than lines of A's
// Profile because the profile is not signed: a list anyone serving the
// profile could edit would prove nothing, while this one verifies against
// A's DID like A's badges. The creator profile inside B's credential points
// at it with an otherIdentifier of identifierType
// "ext:IssuingAuthorisations" (a schema-valid extension value), and A's
// published Profile should carry the same entry (see IssuingAuthorisationsEntry).
// Withdrawals are dated, never deleted, so a badge awarded while the
// authorisation held still verifies as authorised afterwards.

// AuthorisationsIdentifierType marks the otherIdentifier entry that names
// an issuer's signed list of issuing authorisations.
const AuthorisationsIdentifierType = "ext:IssuingAuthorisations"

// AuthorisationsType is the type of the signed list.
const AuthorisationsType = "IssuingAuthorisationList"

func (u urls) authorisations(slug string) string { return u.issuer(slug) + "/authorisations" }

// IssuingAuthorisationsEntry is the otherIdentifier entry naming the
// issuer's signed authorisations, for its published Profile.
func (s *Service) IssuingAuthorisationsEntry(slug string) ob3.IdentifierEntry {
	return ob3.IdentifierEntry{Type: "IdentifierEntry", Identifier: s.urls.authorisations(slug), IdentifierType: AuthorisationsIdentifierType}
}

// GrantDelegation authorises the organisation with delegateSlug to award
// badge badgeID of issuer issuerID. A badge that is itself a copy cannot
// be delegated further.
func (s *Service) GrantDelegation(ctx context.Context, issuerID, badgeID, delegateSlug, by string) (*store.Delegation, error) {
	a, err := s.db.GetIssuer(ctx, issuerID)
	if err != nil {
		return nil, err
	}
	if !badge.ValidSlug(delegateSlug) {
		return nil, badge.Invalidf("delegate", "delegation.delegate_not_found", "no organisation has the address %q", delegateSlug)
	}
	b, err := s.db.GetIssuerBySlug(ctx, delegateSlug)
	if badge.IsNotFound(err) {
		return nil, badge.Invalidf("delegate", "delegation.delegate_not_found", "no organisation has the address %q", delegateSlug)
	}
	if err != nil {
		return nil, err
	}
	if b.ID == a.ID {
		return nil, badge.Invalidf("delegate", "delegation.self", "an organisation does not authorise itself")
	}
	src, err := s.db.GetBadge(ctx, badgeID)
	if err != nil {
		return nil, err
	}
	if src.IssuerID != a.ID {
		return nil, badge.Invalidf("badge", "delegation.not_owner", "only the badge's issuer authorises others to award it")
	}
	if src.CreatorIssuerID != "" {
		return nil, badge.Invalidf("badge", "delegation.copy", "a badge awarded on behalf of another issuer cannot be delegated again")
	}
	d := &store.Delegation{IssuerID: a.ID, DelegateID: b.ID, BadgeID: src.ID, GrantedBy: by}
	// A delegate authorised again keeps its copy: one achievement id for
	// all its awards of the badge.
	previous, err := s.db.DelegationsGiven(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	for _, p := range previous {
		if p.DelegateID == b.ID && p.BadgeID == src.ID {
			if p.WithdrawnAt == nil {
				return nil, badge.Conflictf("delegate", "delegation.exists", "this organisation is already authorised to award this badge")
			}
			if err := s.db.ReuseDelegation(ctx, d, p.DelegateBadgeID); err != nil {
				return nil, err
			}
			return s.db.GetDelegation(ctx, d.ID)
		}
	}
	cp := copyBadge(src, b.ID, a.ID)
	cp.Slug, err = s.freeBadgeSlug(ctx, b.ID, a.Slug+"-"+src.Slug)
	if err != nil {
		return nil, err
	}
	if err := s.db.CreateDelegation(ctx, d, cp); err != nil {
		return nil, err
	}
	return s.db.GetDelegation(ctx, d.ID)
}

// copyBadge is the delegate's copy of src: the same definition, issued by
// delegateID, with the authorising issuer as creator.
func copyBadge(src *badge.Badge, delegateID, creatorID string) *badge.Badge {
	c := *src
	c.ID, c.IssuerID, c.CreatorIssuerID, c.ApplicationsOpen = "", delegateID, creatorID, false
	return &c
}

// syncCopy brings the copy's text and image up to date with the source,
// so each award carries A's current definition.
func (s *Service) syncCopy(ctx context.Context, cp, src *badge.Badge) error {
	want := copyBadge(src, cp.IssuerID, cp.CreatorIssuerID)
	want.ID, want.Slug, want.CreatedAt, want.UpdatedAt = cp.ID, cp.Slug, cp.CreatedAt, cp.UpdatedAt
	a, _ := json.Marshal(want)
	b, _ := json.Marshal(cp)
	if string(a) == string(b) {
		return nil
	}
	if err := s.db.UpdateBadge(ctx, want); err != nil {
		return fmt.Errorf("update copy of badge %s: %w", src.Slug, err)
	}
	*cp = *want
	return nil
}

// freeBadgeSlug returns base (cut to the slug length) or base-2, base-3…
// whichever the issuer does not use yet.
func (s *Service) freeBadgeSlug(ctx context.Context, issuerID, base string) (string, error) {
	base = badge.Slugify(base)
	if len(base) > badge.MaxSlugLen-4 {
		base = base[:badge.MaxSlugLen-4]
	}
	for i := 1; i < 100; i++ {
		slug := base
		if i > 1 {
			slug = base + "-" + strconv.Itoa(i)
		}
		_, err := s.db.GetBadgeBySlug(ctx, issuerID, slug)
		if badge.IsNotFound(err) {
			return slug, nil
		}
		if err != nil {
			return "", err
		}
	}
	return "", badge.Conflictf("slug", "badge.slug_taken", "no free address for the copy of %s", base)
}

// WithdrawDelegation ends one of the issuer's authorisations: the
// delegate can no longer award the badge; what it awarded stays valid.
func (s *Service) WithdrawDelegation(ctx context.Context, issuerID, id, by string) error {
	return s.db.WithdrawDelegation(ctx, issuerID, id, by)
}

// DelegationAllows refuses an award of b at t when b is a delegate's copy
// whose authorisations do not hold at t. Definitions that are not copies
// are always allowed. Every award path should call it (AwardDelegated
// does; award.go's prepare should too, or B could award a withdrawn
// badge from its ordinary award form).
func (s *Service) DelegationAllows(ctx context.Context, b *badge.Badge, t time.Time) error {
	if b.CreatorIssuerID == "" {
		return nil
	}
	ds, err := s.db.DelegationsOfCopy(ctx, b.ID)
	if err != nil {
		return err
	}
	if len(ds) == 0 {
		return nil
	}
	for _, d := range ds {
		if d.Active(t) {
			return nil
		}
	}
	return badge.Forbiddenf("delegation.withdrawn", "the authorisation to award this badge was withdrawn")
}

// AwardDelegated awards, as delegate delegateID, the badge of the
// authorisation delegationID: the delegate's copy, brought up to date with
// the authorising issuer's definition, signed by the delegate, its creator
// profile naming the authorising issuer's signed authorisations, with the
// accepted endorsements of the original definition.
func (s *Service) AwardDelegated(ctx context.Context, delegateID, delegationID string, in AwardInput) (*badge.Award, error) {
	d, err := s.db.GetDelegation(ctx, delegationID)
	if err != nil {
		return nil, err
	}
	if d.DelegateID != delegateID {
		return nil, badge.NotFoundf("delegation.not_found", "authorisation not found")
	}
	if !d.Active(s.now()) {
		return nil, badge.Forbiddenf("delegation.withdrawn", "the authorisation to award this badge was withdrawn")
	}
	src, err := s.db.GetBadge(ctx, d.BadgeID)
	if err != nil {
		return nil, err
	}
	cp, err := s.db.GetBadge(ctx, d.DelegateBadgeID)
	if err != nil {
		return nil, err
	}
	if err := s.syncCopy(ctx, cp, src); err != nil {
		return nil, err
	}
	in.BadgeID = cp.ID
	c := &awardContext{s: s, badges: map[string]*badgeInfo{}, issuers: map[string]*issuerInfo{}}
	a, err := c.prepare(ctx, in)
	if err != nil {
		return nil, err
	}
	bi := c.badges[cp.ID]
	if bi.ach.Creator != nil {
		// A copy of the profile: the cached one is shared.
		creator := *bi.ach.Creator
		creator.OtherIdentifier = append(append([]ob3.IdentifierEntry{}, creator.OtherIdentifier...), s.IssuingAuthorisationsEntry(d.IssuerSlug))
		bi.ach.Creator = &creator
	}
	if err := s.EndorseAchievement(ctx, bi.ach, src); err != nil {
		return nil, err
	}
	var after store.AfterAward
	if s.announce != nil {
		after = func(ctx context.Context, tx *sql.Tx, a *badge.Award) error {
			return s.announce(ctx, tx, a, cp.Name, c.issuers[bi.issID].iss.Name)
		}
	}
	if _, err := s.db.CreateAwardsThen(ctx, []*badge.Award{a}, c.sign, after); err != nil {
		return nil, err
	}
	return a, nil
}

// authorisationEntry is one line of the signed list.
type authorisationEntry struct {
	Type         string `json:"type"`
	Delegate     string `json:"delegate"`
	DelegateName string `json:"delegateName,omitempty"`
	Achievement  string `json:"achievement"`
	Source       string `json:"source"`
	From         string `json:"from"`
	Until        string `json:"until,omitempty"`
}

// Authorisations returns the signed list of the issuer's authorisations,
// active and withdrawn, served at /issuers/{slug}/authorisations.
func (s *Service) Authorisations(ctx context.Context, slug string) ([]byte, error) {
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	ds, err := s.db.DelegationsGiven(ctx, iss.ID)
	if err != nil {
		return nil, err
	}
	ii, err := s.issuerInfo(ctx, iss)
	if err != nil {
		return nil, err
	}
	entries := []authorisationEntry{}
	latest := iss.CreatedAt
	for _, d := range ds {
		delegateDID, err := s.urls.issuerDID(d.DelegateSlug)
		if err != nil {
			return nil, badge.Internalf(err, "delegate DID")
		}
		e := authorisationEntry{Type: "IssuingAuthorisation", Delegate: delegateDID, DelegateName: d.DelegateName,
			Achievement: s.urls.achievement(d.DelegateSlug, d.DelegateBadgeSlug), Source: s.urls.achievement(iss.Slug, d.BadgeSlug),
			From: proof.FormatDateTime(d.GrantedAt)}
		if d.GrantedAt.After(latest) {
			latest = d.GrantedAt
		}
		if d.WithdrawnAt != nil {
			e.Until = proof.FormatDateTime(*d.WithdrawnAt)
			if d.WithdrawnAt.After(latest) {
				latest = *d.WithdrawnAt
			}
		}
		entries = append(entries, e)
	}
	// The list's own terms are defined inline, under the server's
	// namespace, so that every member is covered by the signature.
	ns := s.urls.base + "/ns/authorisations#"
	term := func(name string, id bool) map[string]any {
		t := map[string]any{"@id": ns + name}
		if id {
			t["@type"] = "@id"
		}
		return t
	}
	doc := map[string]any{
		"@context": []any{ob3.ContextVC2, map[string]any{
			AuthorisationsType:     ns + AuthorisationsType,
			"IssuingAuthorisation": ns + "IssuingAuthorisation",
			"authorisation":        term("authorisation", false),
			"delegate":             term("delegate", true),
			"delegateName":         term("delegateName", false),
			"achievement":          term("achievement", true),
			"source":               term("source", true),
			"from":                 map[string]any{"@id": ns + "from", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
			"until":                map[string]any{"@id": ns + "until", "@type": "http://www.w3.org/2001/XMLSchema#dateTime"},
		}},
		"id":        s.urls.authorisations(iss.Slug),
		"type":      []string{ob3.TypeVerifiableCredential, AuthorisationsType},
		"name":      "Issuing authorisations — " + iss.Name,
		"issuer":    map[string]any{"id": ii.did, "name": iss.Name},
		"validFrom": proof.FormatDateTime(latest),
		"credentialSubject": map[string]any{
			"id":            ii.did,
			"authorisation": entries,
		},
	}
	unsigned, err := json.Marshal(doc)
	if err != nil {
		return nil, badge.Internalf(err, "encode authorisations")
	}
	signer := proof.Signer{Key: ii.key.priv, VerificationMethod: ii.key.methodID, Now: s.now}
	signed, err := signer.Sign(unsigned, proof.SignOptions{})
	if err != nil {
		return nil, badge.Internalf(err, "sign authorisations")
	}
	return signed, nil
}
