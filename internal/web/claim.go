package web

import (
	"net/http"
	"net/url"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
)

// The claim link of an award's announcement (BASE/claim/{secret}) shows
// the badge and lets the holder of the address accept it into a portfolio
// or decline it. Signing in (or up) comes first; the account must hold
// the award's address, and following the link proves it.

// claimView is what the claim page shows.
type claimView struct {
	// State: "invalid" (link unknown, used or expired), "declined",
	// "taken" (accepted by another account), "mine" (already in this
	// account's portfolio), "signin" (nobody signed in), "other" (the
	// account lacks the address), "open" (accept or decline).
	State    string
	Secret   string
	Email    string
	Verified bool // the address was verified by following this link
	Badge    *itemView
}

func (s *server) claimPage(w http.ResponseWriter, r *http.Request) error {
	secret := r.PathValue("secret")
	v, status, err := s.claimState(r, secret)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "claim", s.newPage(r, nil, v))
}

// claimState works out what the claim page says, with the status to
// answer; it verifies the address of a signed-in holder of the link.
func (s *server) claimState(r *http.Request, secret string) (*claimView, int, error) {
	ctx := r.Context()
	v := &claimView{Secret: secret}
	c, err := s.accounts.PeekClaim(ctx, secret)
	if badge.IsNotFound(err) {
		v.State = "invalid"
		return v, http.StatusNotFound, nil
	}
	if err != nil {
		return nil, 0, err
	}
	v.Email = c.Email
	if v.Badge, err = s.awardItem(r, c.Award); err != nil {
		return nil, 0, err
	}
	u := userOf(r)
	declined, err := s.accounts.Declined(ctx, c.Award.ID)
	if err != nil {
		return nil, 0, err
	}
	switch {
	case declined:
		v.State = "declined"
		return v, http.StatusGone, nil
	case c.Award.ClaimedBy != "" && (u == nil || c.Award.ClaimedBy != u.ID):
		v.State = "taken"
		return v, http.StatusConflict, nil
	case u == nil:
		v.State = "signin"
		return v, http.StatusOK, nil
	}
	verified, err := s.accounts.ProveAddress(ctx, c, u)
	if badge.ErrorKind(err) == badge.Forbidden {
		v.State = "other"
		return v, http.StatusForbidden, nil
	}
	if err != nil {
		return nil, 0, err
	}
	v.Verified = verified
	v.State = "open"
	if c.Award.ClaimedBy == u.ID {
		v.State = "mine"
	}
	return v, http.StatusOK, nil
}

// claimDecision runs accept or decline for the signed-in user; a visitor
// who is not signed in is sent to sign in and back to the claim page.
func (s *server) claimDecision(accept bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		secret := r.PathValue("secret")
		u := userOf(r)
		if u == nil {
			return redirect(w, r, "/signin?next="+url.QueryEscape("/claim/"+secret))
		}
		var err error
		if accept {
			it, aerr := s.accounts.AcceptClaim(r.Context(), secret, u)
			if aerr == nil {
				// A badge accepted may complete a pathway.
				s.checkPathways(r.Context(), u.ID)
				s.flash(r, "flash.claim.accepted")
				return redirect(w, r, "/portfolio#item-"+it.ID)
			}
			err = aerr
		} else if _, err = s.accounts.DeclineClaim(r.Context(), secret, u); err == nil {
			s.flash(r, "flash.claim.declined")
			return redirect(w, r, "/portfolio")
		}
		// A refusal shows the claim page again, which says why.
		switch badge.ErrorKind(err) {
		case badge.NotFound, badge.Forbidden, badge.Conflict:
			return s.claimPage(w, r)
		}
		return err
	}
}

// claimAddAddress adds the award's address to the signed-in account when
// it lacks it; the confirmation goes out as for any added address, and
// coming back through the claim link then proves it.
func (s *server) claimAddAddress(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	secret := r.PathValue("secret")
	c, err := s.accounts.PeekClaim(r.Context(), secret)
	if err != nil {
		return s.claimPage(w, r)
	}
	if err := s.accounts.AddEmail(r.Context(), u, c.Email); err != nil {
		if badge.ErrorKind(err) == badge.Conflict {
			// Taken by another account: the page keeps saying so.
			s.sessions.Put(r.Context(), "flash", errorText(locale.Negotiate(r), asBadgeError(err)))
			return redirect(w, r, "/claim/"+secret)
		}
		return err
	}
	return redirect(w, r, "/claim/"+secret)
}
