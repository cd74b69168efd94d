package issuing

import (
	"context"
	"fmt"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

// Endorsements: an organisation on this server endorses another issuer or
// one of its badge definitions with an Open Badges 3.0
// EndorsementCredential signed with the endorser's key. The endorsed
// issuer accepts it before it is shown or put in new credentials, where a
// verifier checks it like any credential. Each endorsement has an entry in
// the endorser's revocation list (an index from the counter awards use):
// when the endorser withdraws it, its bit is set, so a verifier of any
// badge that embeds it reads it revoked; it is no longer shown nor put in
// new credentials.

// EndorsementWithdrawnReason is the reason the endorser's 1EdTech
// revocation list gives for a withdrawn endorsement.
const EndorsementWithdrawnReason = "Withdrawn by the endorser."

// endorsement is the public URL of an endorsement credential.
func (u urls) endorsement(id string) string { return u.base + "/endorsements/" + seg(id) }

// EndorseInput is what an endorser gives.
type EndorseInput struct {
	EndorserID string
	IssuerID   string // the endorsed issuer
	BadgeID    string // optional: one of its badge definitions
	Comment    string
	By         string // the member who endorses
}

// Endorse signs and stores an endorsement, pending the endorsed issuer's
// acceptance.
func (s *Service) Endorse(ctx context.Context, in EndorseInput) (*store.Endorsement, error) {
	e := &store.Endorsement{EndorserID: in.EndorserID, IssuerID: in.IssuerID, BadgeID: in.BadgeID,
		Comment: strings.TrimSpace(in.Comment), CreatedBy: in.By}
	if err := store.CheckEndorsement(e); err != nil {
		return nil, err
	}
	endorser, err := s.db.GetIssuer(ctx, in.EndorserID)
	if err != nil {
		return nil, err
	}
	target, err := s.db.GetIssuer(ctx, in.IssuerID)
	if err != nil {
		return nil, err
	}
	subjectID, err := s.urls.issuerDID(target.Slug)
	if err != nil {
		return nil, badge.Internalf(err, "issuer DID")
	}
	name := target.Name
	if in.BadgeID != "" {
		b, err := s.db.GetBadge(ctx, in.BadgeID)
		if err != nil {
			return nil, err
		}
		if b.IssuerID != target.ID {
			return nil, badge.Invalidf("badge", "endorsement.badge_issuer", "the badge is not the endorsed issuer's")
		}
		subjectID, name = s.urls.achievement(target.Slug, b.Slug), b.Name
	}
	if e.ID, err = s.db.NewEndorsementID(); err != nil {
		return nil, err
	}
	ii, err := s.issuerInfo(ctx, endorser)
	if err != nil {
		return nil, err
	}
	cred := &ob3.Credential{
		Context:   ob3.Contexts(ob3.ContextVC2, ob3.ContextOB),
		ID:        s.urls.endorsement(e.ID),
		Type:      []string{ob3.TypeVerifiableCredential, ob3.TypeEndorsementCredential},
		Name:      fmt.Sprintf("%s — %s", endorser.Name, name),
		Issuer:    ii.profile,
		ValidFrom: ob3.NewDateTime(s.now().UTC()),
		CredentialSubject: &ob3.AchievementSubject{
			ID: subjectID, Type: []string{"EndorsementSubject"}, EndorsementComment: e.Comment,
		},
	}
	// The store reserves the status index inside its transaction, then
	// this signs with it: a withdrawal is a revocation, never a
	// suspension, so only the revocation list is named.
	err = s.db.CreateEndorsement(ctx, e, func(e *store.Endorsement) error {
		cred.CredentialStatus = []ob3.CredentialStatus{s.statusEntry(endorser.Slug, status.PurposeRevocation, *e.StatusIndex)}
		var err error
		e.Credential, err = s.signDocument(cred, ii)
		return err
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// WithdrawEndorsement takes back one of the endorser's endorsements: its
// bit is set in the endorser's revocation list at once (the list is
// rebuilt from the store on the next request), and it is no longer shown
// nor put in new credentials. Credentials signed before keep their copy,
// which now verifies as revoked; the badges themselves stay valid.
func (s *Service) WithdrawEndorsement(ctx context.Context, endorserID, id, by string) error {
	return s.db.WithdrawEndorsement(ctx, endorserID, id, by)
}

// signDocument signs an ob3 credential with the issuer's current key
// (eddsa-rdfc-2022).
func (s *Service) signDocument(cred *ob3.Credential, ii *issuerInfo) ([]byte, error) {
	unsigned, err := ob3.Marshal(cred)
	if err != nil {
		return nil, badge.Internalf(err, "encode credential")
	}
	signer := proof.Signer{Key: ii.key.priv, VerificationMethod: ii.key.methodID, Now: s.now}
	signed, err := signer.Sign(unsigned, proof.SignOptions{})
	if err != nil {
		return nil, badge.Internalf(err, "sign credential")
	}
	return signed, nil
}

// AcceptEndorsement and DeclineEndorsement decide a pending endorsement of
// the issuer.
func (s *Service) AcceptEndorsement(ctx context.Context, issuerID, id string) error {
	return s.db.DecideEndorsement(ctx, issuerID, id, true)
}

// DeclineEndorsement declines a pending endorsement of the issuer.
func (s *Service) DeclineEndorsement(ctx context.Context, issuerID, id string) error {
	return s.db.DecideEndorsement(ctx, issuerID, id, false)
}

// EndorsementCredential returns an accepted endorsement's signed
// credential, as served at its id URL; pending and declined ones are
// NotFound to the public. A withdrawn one is still served: it is the
// credential badges already carry, and its status says it is withdrawn.
func (s *Service) EndorsementCredential(ctx context.Context, id string) ([]byte, error) {
	e, err := s.db.GetEndorsement(ctx, id)
	if err != nil {
		return nil, err
	}
	if e.State != store.EndorsementAccepted {
		return nil, badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	return e.Credential, nil
}

// AcceptedEndorsements returns the accepted endorsements of a badge
// definition (or of the issuer, badgeID ""), parsed, for a credential's
// endorsement array.
func (s *Service) AcceptedEndorsements(ctx context.Context, issuerID, badgeID string) ([]ob3.Credential, error) {
	es, err := s.db.AcceptedEndorsements(ctx, issuerID, badgeID)
	if err != nil {
		return nil, err
	}
	var out []ob3.Credential
	for _, e := range es {
		c, err := ob3.Parse(e.Credential)
		if err != nil {
			return nil, badge.Internalf(err, "stored endorsement %s", e.ID)
		}
		out = append(out, *c)
	}
	return out, nil
}

// EndorseAchievement puts the accepted endorsements of badge b (the
// definition awarded) into ach's endorsement array, so that verifiers
// check them with the credential. Awards call it when building the
// achievement (see DelegatedAward; award.go's awardContext.badge should
// call it too).
func (s *Service) EndorseAchievement(ctx context.Context, ach *ob3.Achievement, b *badge.Badge) error {
	es, err := s.AcceptedEndorsements(ctx, b.IssuerID, b.ID)
	if err != nil {
		return err
	}
	ach.Endorsement = append(ach.Endorsement, es...)
	return nil
}
