package accounts

import (
	"context"
	"encoding/json"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// Claiming: an award made to an e-mail address goes into the portfolio of
// the account that holds that address, verified. The announcement's link
// proves the address, like a confirmation link: an account holding it
// unverified has it verified by following the link. An account that does
// not hold it is refused, whoever follows the link.

// Claim is a pending claim link as its page shows it.
type Claim struct {
	Award *badge.Award
	// Email is the address the award was made to.
	Email string
}

// ErrOtherAddress refuses a claim by an account that does not hold the
// award's address; the claim page explains and offers to add it.
var ErrOtherAddress = badge.Forbiddenf("claim.other_address", "this badge was sent to an address your account does not hold")

// PeekClaim reads a valid claim link without using it. A link whose award
// was deleted is as invalid as an unknown one.
func (s *Service) PeekClaim(ctx context.Context, secret string) (*Claim, error) {
	if !validSecret(secret) {
		return nil, errLinkInvalid
	}
	t, err := s.db.PeekToken(ctx, badge.TokenClaim, badge.HashSecret(secret))
	if err != nil {
		return nil, errLinkInvalid
	}
	return s.claimOf(ctx, t)
}

func (s *Service) claimOf(ctx context.Context, t *badge.Token) (*Claim, error) {
	var data ClaimData
	if err := json.Unmarshal([]byte(t.Data), &data); err != nil {
		return nil, badge.Internalf(err, "decode claim")
	}
	a, err := s.db.GetAward(ctx, data.AwardID)
	if badge.IsNotFound(err) {
		return nil, errLinkInvalid
	}
	if err != nil {
		return nil, err
	}
	return &Claim{Award: a, Email: badge.NormalizeEmail(t.Email)}, nil
}

// Declined reports whether the award of the claim was declined.
func (s *Service) Declined(ctx context.Context, awardID string) (bool, error) {
	at, err := s.db.AwardDeclinedAt(ctx, awardID)
	return at != nil, err
}

// ProveAddress checks that u may claim c: the account must hold the
// claim's address. Following the link proves it, so an unverified address
// becomes verified; verified reports whether that happened now. An
// account without the address gets a Forbidden error.
func (s *Service) ProveAddress(ctx context.Context, c *Claim, u *badge.User) (verified bool, err error) {
	emails, err := s.db.ListEmails(ctx, u.ID)
	if err != nil {
		return false, err
	}
	for _, e := range emails {
		if e.Address != c.Email {
			continue
		}
		if e.Verified() {
			return false, nil
		}
		if err := s.db.VerifyEmail(ctx, u.ID, c.Email); err != nil {
			if badge.ErrorKind(err) == badge.Conflict {
				// Another account confirmed it first: it is theirs.
				return false, ErrOtherAddress
			}
			return false, err
		}
		return true, nil
	}
	return false, ErrOtherAddress
}

// AcceptClaim puts the claim's award into u's portfolio (private) and
// uses the link. Accepting an award already in u's portfolio returns its
// item.
func (s *Service) AcceptClaim(ctx context.Context, secret string, u *badge.User) (*store.PortfolioItem, error) {
	c, err := s.useClaim(ctx, secret, u)
	if err != nil {
		return nil, err
	}
	return s.db.ClaimAward(ctx, c.Award.ID, u.ID)
}

// DeclineClaim records that u declines the claim's award and uses the
// link: the award stays out of the portfolio.
func (s *Service) DeclineClaim(ctx context.Context, secret string, u *badge.User) (*Claim, error) {
	c, err := s.useClaim(ctx, secret, u)
	if err != nil {
		return nil, err
	}
	return c, s.db.DeclineAward(ctx, c.Award.ID)
}

// useClaim checks the link and the account, then uses the link, in that
// order: a refused account leaves the link valid for the right one.
func (s *Service) useClaim(ctx context.Context, secret string, u *badge.User) (*Claim, error) {
	c, err := s.PeekClaim(ctx, secret)
	if err != nil {
		return nil, err
	}
	if err := s.checkOpen(ctx, c.Award, u); err != nil {
		return nil, err
	}
	if _, err := s.ProveAddress(ctx, c, u); err != nil {
		return nil, err
	}
	if _, err := s.db.UseToken(ctx, badge.TokenClaim, badge.HashSecret(secret)); err != nil {
		return nil, errLinkInvalid
	}
	return c, nil
}

// checkOpen refuses an award already decided: declined, or accepted by
// another account. One accepted by u is open (accepting is idempotent).
func (s *Service) checkOpen(ctx context.Context, a *badge.Award, u *badge.User) error {
	if a.ClaimedBy != "" && a.ClaimedBy != u.ID {
		return badge.Conflictf("", "claim.taken", "this badge was accepted by another account")
	}
	declined, err := s.Declined(ctx, a.ID)
	if err != nil {
		return err
	}
	if declined {
		return badge.Conflictf("", "claim.declined", "this badge was declined")
	}
	return nil
}

// AcceptAward puts an award made to one of u's verified addresses into
// u's portfolio, without the e-mail's link (the portfolio's "to accept"
// list).
func (s *Service) AcceptAward(ctx context.Context, u *badge.User, awardID string) (*store.PortfolioItem, error) {
	if _, err := s.ownAward(ctx, u, awardID); err != nil {
		return nil, err
	}
	return s.db.ClaimAward(ctx, awardID, u.ID)
}

// DeclineAward declines an award made to one of u's verified addresses.
func (s *Service) DeclineAward(ctx context.Context, u *badge.User, awardID string) error {
	a, err := s.ownAward(ctx, u, awardID)
	if err != nil {
		return err
	}
	if err := s.checkOpen(ctx, a, u); err != nil {
		return err
	}
	return s.db.DeclineAward(ctx, awardID)
}

// ownAward reads an award made to one of u's verified addresses; any
// other is NotFound, so that the answer does not tell which awards exist.
func (s *Service) ownAward(ctx context.Context, u *badge.User, awardID string) (*badge.Award, error) {
	if !badge.ValidID(awardID) {
		return nil, errNotYoursNotFound
	}
	a, err := s.db.GetAward(ctx, awardID)
	if badge.IsNotFound(err) {
		return nil, errNotYoursNotFound
	}
	if err != nil {
		return nil, err
	}
	verified, err := s.db.VerifiedEmails(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	for _, e := range verified {
		if a.Recipient.Email != "" && e == a.Recipient.Email {
			return a, nil
		}
	}
	return nil, errNotYoursNotFound
}

var errNotYoursNotFound = badge.NotFoundf("award.not_found", "no such award for this account")
