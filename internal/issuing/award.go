package issuing

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
	"github.com/sceau/sceau/vcjwt"
)

// AwardInput is what an issuer gives to award a badge to one recipient.
// Exactly one of Email and DID identifies the recipient.
type AwardInput struct {
	// ID, when set, is the award's id (a UUID): a batch derives it from
	// the batch and row, so that a batch run again never awards twice.
	ID         string
	Row        int // the CSV row the input came from, 0 otherwise
	BadgeID    string
	Email      string
	DID        string
	Name       string // recipient's display name; not put in the credential
	Narrative  string
	Evidence   []badge.Evidence
	AwardedAt  time.Time  // zero: now
	ValidFrom  time.Time  // zero: AwardedAt
	ValidUntil *time.Time // nil: the badge's validity, if any
	Language   string     // "": the badge's language
}

// Award signs and stores one award.
func (s *Service) Award(ctx context.Context, in AwardInput) (*badge.Award, error) {
	out, err := s.AwardMany(ctx, []AwardInput{in})
	if err != nil {
		return nil, err
	}
	return out[0], nil
}

// AwardMany signs and stores awards. Every input is checked before any is
// stored (the error names the first invalid one by position, from 1); then
// they are stored in transactions of store.AwardBatchSize in which each
// award gets its status index and is signed, so that an award is stored
// complete or not at all. On error the awards returned are those stored.
func (s *Service) AwardMany(ctx context.Context, ins []AwardInput) ([]*badge.Award, error) {
	c := &awardContext{s: s, badges: map[string]*badgeInfo{}, issuers: map[string]*issuerInfo{}}
	awards := make([]*badge.Award, len(ins))
	for i, in := range ins {
		a, err := c.prepare(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("award %d: %w", i+1, err)
		}
		awards[i] = a
	}
	var after store.AfterAward
	if s.announce != nil {
		after = func(ctx context.Context, tx *sql.Tx, a *badge.Award) error {
			bi := c.badges[a.BadgeID]
			return s.announce(ctx, tx, a, bi.b.Name, c.issuers[bi.issID].iss.Name)
		}
	}
	n, err := s.db.CreateAwardsThen(ctx, awards, c.sign, after)
	if err != nil {
		return awards[:n], err
	}
	return awards, nil
}

// awardContext keeps what a batch of awards shares: badges, issuers, keys.
type awardContext struct {
	s       *Service
	badges  map[string]*badgeInfo
	issuers map[string]*issuerInfo
}

type badgeInfo struct {
	b     *badge.Badge
	issID string
	ach   *ob3.Achievement
}

type issuerInfo struct {
	iss     *badge.Issuer
	did     string
	profile *ob3.Profile
	key     *signingKey
}

func (c *awardContext) issuer(ctx context.Context, id string) (*issuerInfo, error) {
	if ii, ok := c.issuers[id]; ok {
		return ii, nil
	}
	iss, err := c.s.db.GetIssuer(ctx, id)
	if err != nil {
		return nil, err
	}
	ii, err := c.s.issuerInfo(ctx, iss)
	if err != nil {
		return nil, err
	}
	c.issuers[id] = ii
	return ii, nil
}

func (s *Service) issuerInfo(ctx context.Context, iss *badge.Issuer) (*issuerInfo, error) {
	didID, err := s.urls.issuerDID(iss.Slug)
	if err != nil {
		return nil, badge.Internalf(err, "issuer DID")
	}
	key, err := s.currentKey(ctx, iss)
	if err != nil {
		return nil, err
	}
	return &issuerInfo{iss: iss, did: didID, profile: s.profile(iss, didID), key: key}, nil
}

func (c *awardContext) badge(ctx context.Context, id string) (*badgeInfo, error) {
	if bi, ok := c.badges[id]; ok {
		return bi, nil
	}
	b, err := c.s.db.GetBadge(ctx, id)
	if err != nil {
		return nil, err
	}
	ii, err := c.issuer(ctx, b.IssuerID)
	if err != nil {
		return nil, err
	}
	var creator *badge.Issuer
	if b.CreatorIssuerID != "" {
		if creator, err = c.s.db.GetIssuer(ctx, b.CreatorIssuerID); err != nil {
			return nil, fmt.Errorf("creator of badge %s: %w", b.Slug, err)
		}
	}
	bi := &badgeInfo{b: b, issID: b.IssuerID, ach: c.s.achievement(ii.iss, b, creator)}
	// Endorsements the issuer accepted travel inside new credentials, so
	// that every verifier checks them with the badge.
	if err := c.s.EndorseAchievement(ctx, bi.ach, b); err != nil {
		return nil, err
	}
	c.badges[id] = bi
	return bi, nil
}

// achievement is the badge definition as OB 3.0 Achievement.
func (s *Service) achievement(iss *badge.Issuer, b *badge.Badge, creator *badge.Issuer) *ob3.Achievement {
	a := &ob3.Achievement{
		ID:              s.urls.achievement(iss.Slug, b.Slug),
		Type:            []string{"Achievement"},
		AchievementType: b.AchievementType,
		Name:            b.Name,
		Description:     b.Description,
		Criteria:        &ob3.Criteria{ID: b.CriteriaURL, Narrative: b.CriteriaNarrative},
		InLanguage:      b.Language,
		Tag:             b.Tags,
	}
	if b.ImageKey != "" {
		a.Image = &ob3.Image{ID: s.urls.achievementImage(iss.Slug, b.Slug), Type: "Image"}
	}
	for _, al := range b.Alignments {
		a.Alignment = append(a.Alignment, ob3.Alignment{
			Type: []string{"Alignment"}, TargetName: al.Name, TargetURL: al.URL,
			TargetDescription: al.Description, TargetCode: al.Code, TargetFramework: al.Framework,
		})
	}
	for _, rd := range b.ResultDescriptions {
		a.ResultDescription = append(a.ResultDescription, ob3.ResultDescription{
			ID: rd.ID, Type: []string{"ResultDescription"}, Name: rd.Name, ResultType: rd.ResultType,
			AllowedValue: rd.AllowedValues, RequiredValue: rd.RequiredValue, ValueMin: rd.ValueMin, ValueMax: rd.ValueMax,
		})
	}
	if creator != nil {
		if didID, err := s.urls.issuerDID(creator.Slug); err == nil {
			a.Creator = s.profile(creator, didID)
		}
	}
	return a
}

// prepare turns an input into an award ready for the store: recipient
// identity hashed with a fresh salt, validity from the badge.
func (c *awardContext) prepare(ctx context.Context, in AwardInput) (*badge.Award, error) {
	if in.BadgeID == "" {
		return nil, badge.Invalidf("badge_id", "award.badge_required", "badge_id is required")
	}
	bi, err := c.badge(ctx, in.BadgeID)
	if err != nil {
		return nil, err
	}
	// A badge awarded on another organisation's behalf needs its
	// authorisation, whichever form awards it.
	if err := c.s.DelegationAllows(ctx, bi.b, c.s.now()); err != nil {
		return nil, err
	}
	a := &badge.Award{
		ID:      in.ID,
		BadgeID: in.BadgeID, IssuerID: bi.issID,
		Recipient: badge.Recipient{Email: in.Email, DID: in.DID, Name: in.Name},
		Narrative: in.Narrative, Evidence: in.Evidence,
		AwardedAt: in.AwardedAt, ValidFrom: in.ValidFrom, ValidUntil: in.ValidUntil,
		Language: in.Language,
	}
	if a.Language == "" {
		a.Language = bi.b.Language
	}
	if a.Recipient.Email != "" {
		a.Recipient.Email = ob3.NormalizeEmail(a.Recipient.Email)
		salt, err := ob3.NewSalt(c.s.rand)
		if err != nil {
			return nil, badge.Internalf(err, "salt")
		}
		a.Recipient.Salt = salt
		a.Recipient.IdentityHash = ob3.IdentityHash(a.Recipient.Email, salt)
	}
	if a.AwardedAt.IsZero() {
		a.AwardedAt = c.s.now()
	}
	if a.ValidUntil == nil && bi.b.ValidityDays > 0 {
		from := a.ValidFrom
		if from.IsZero() {
			from = a.AwardedAt
		}
		until := from.AddDate(0, 0, bi.b.ValidityDays)
		a.ValidUntil = &until
	}
	if err := a.Validate(); err != nil {
		return nil, err
	}
	return a, nil
}

// sign is the store's SignFunc: it runs inside the transaction, after the
// award's id and status index are set.
func (c *awardContext) sign(a *badge.Award) error {
	bi, ok := c.badges[a.BadgeID]
	if !ok {
		return badge.Internalf(errors.New("badge not prepared"), "badge %s", a.BadgeID)
	}
	ii := c.issuers[bi.issID]
	return c.s.signAward(a, ii, bi.ach)
}

// signAward builds the award's credential, signs it (eddsa-rdfc-2022) and
// makes the VC-JWT of the same credential.
func (s *Service) signAward(a *badge.Award, ii *issuerInfo, ach *ob3.Achievement) error {
	cred := s.credential(a, ii, ach)
	unsigned, err := ob3.Marshal(cred)
	if err != nil {
		return badge.Internalf(err, "encode credential")
	}
	signer := proof.Signer{Key: ii.key.priv, VerificationMethod: ii.key.methodID, Now: s.now}
	signed, err := signer.Sign(unsigned, proof.SignOptions{})
	if err != nil {
		return badge.Internalf(err, "sign credential")
	}
	token, err := vcjwt.Sign(unsigned, ii.key.priv, ii.key.methodID, vcjwt.SignOptions{})
	if err != nil {
		return badge.Internalf(err, "sign VC-JWT")
	}
	a.Credential, a.CredentialJWT = signed, token
	return nil
}

// credential is the OB 3.0 credential of an award, without proof.
func (s *Service) credential(a *badge.Award, ii *issuerInfo, ach *ob3.Achievement) *ob3.Credential {
	subj := &ob3.AchievementSubject{
		Type:        []string{"AchievementSubject"},
		Achievement: ach,
		Narrative:   a.Narrative,
	}
	if a.Recipient.DID != "" {
		subj.ID = a.Recipient.DID
	} else {
		subj.Identifier = []ob3.IdentityObject{ob3.NewEmailIdentity(a.Recipient.Email, a.Recipient.Salt)}
	}
	c := &ob3.Credential{
		Context:           ob3.Contexts(ob3.ContextVC2, ob3.ContextOB),
		ID:                s.urls.award(a.ID),
		Type:              []string{ob3.TypeVerifiableCredential, ob3.TypeOpenBadgeCredential},
		Name:              ach.Name,
		Issuer:            ii.profile,
		ValidFrom:         ob3.NewDateTime(a.ValidFrom),
		AwardedDate:       ob3.NewDateTime(a.AwardedAt),
		CredentialSubject: subj,
	}
	if a.ValidUntil != nil {
		c.ValidUntil = ob3.NewDateTime(*a.ValidUntil)
	}
	for i, e := range a.Evidence {
		ev := ob3.Evidence{Type: []string{"Evidence"}, Name: e.Name, Narrative: e.Narrative, ID: e.URL}
		if e.BlobKey != "" {
			ev.ID = s.urls.evidenceFile(a.ID, i+1)
		}
		c.Evidence = append(c.Evidence, ev)
	}
	c.CredentialStatus = append(c.CredentialStatus, s.statusEntry(ii.iss.Slug, status.PurposeRevocation, a.StatusIndex))
	if s.suspension {
		c.CredentialStatus = append(c.CredentialStatus, s.statusEntry(ii.iss.Slug, status.PurposeSuspension, a.StatusIndex))
	}
	return c
}

// Reissue signs an award's credential again (with the issuer's current
// key, the badge's current definition), keeping its id and awardedDate.
func (s *Service) Reissue(ctx context.Context, awardID string) (*badge.Award, error) {
	a, err := s.db.GetAward(ctx, awardID)
	if err != nil {
		return nil, err
	}
	c := &awardContext{s: s, badges: map[string]*badgeInfo{}, issuers: map[string]*issuerInfo{}}
	bi, err := c.badge(ctx, a.BadgeID)
	if err != nil {
		return nil, fmt.Errorf("reissue award %s: %w", awardID, err)
	}
	if err := s.signAward(a, c.issuers[bi.issID], bi.ach); err != nil {
		return nil, fmt.Errorf("reissue award %s: %w", awardID, err)
	}
	if err := s.db.ReplaceAwardCredential(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Baked returns image ("png" or "svg") with the award's signed credential
// baked in. A nil image means the badge's own image, read from the blob
// store.
func (s *Service) Baked(ctx context.Context, awardID, format string, image []byte) ([]byte, error) {
	if format != "png" && format != "svg" {
		return nil, badge.Invalidf("format", "bake.format_invalid", "format must be png or svg")
	}
	a, err := s.db.GetAward(ctx, awardID)
	if err != nil {
		return nil, err
	}
	if image == nil {
		if image, err = s.badgeImage(ctx, a.BadgeID); err != nil {
			return nil, err
		}
	}
	var out []byte
	if format == "png" {
		out, err = bake.BakePNG(image, a.Credential, bake.FormatOB3)
	} else {
		out, err = bake.BakeSVG(image, a.Credential, bake.FormatOB3)
	}
	if err != nil {
		return nil, badge.Invalidf("image", "bake.image_invalid", "cannot bake into this %s image: %v", format, err)
	}
	return out, nil
}

func (s *Service) badgeImage(ctx context.Context, badgeID string) ([]byte, error) {
	b, err := s.db.GetBadge(ctx, badgeID)
	if err != nil {
		return nil, err
	}
	if b.ImageKey == "" || s.blobs == nil {
		return nil, badge.NotFoundf("badge.no_image", "badge %s has no image", b.Slug)
	}
	r, _, err := s.blobs.Get(ctx, b.ImageKey)
	if err != nil {
		return nil, badge.Internalf(err, "read image of badge %s", b.Slug)
	}
	defer r.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, io.LimitReader(r, bake.MaxImageSize+1)); err != nil {
		return nil, badge.Internalf(err, "read image of badge %s", b.Slug)
	}
	return buf.Bytes(), nil
}
