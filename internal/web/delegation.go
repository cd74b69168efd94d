package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Delegated issuing: A's owner authorises another organisation, by its
// address, to award some of A's badges (and withdraws); B's awarders see
// the badges they may award for others and award them; A's signed list of
// authorisations is public at /issuers/{slug}/authorisations.

type delegationsView struct {
	Org      *orgContext
	Badges   []*badge.Badge // A's own definitions, for the grant form
	Given    []*store.Delegation
	Received []*store.Delegation
}

func (s *server) delegations(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, "")
	if err != nil {
		return err
	}
	return s.delegationsPage(w, r, o, newForm(nil))
}

func (s *server) delegationsPage(w http.ResponseWriter, r *http.Request, o *orgContext, f *form) error {
	ctx := r.Context()
	v := delegationsView{Org: o}
	var err error
	if o.Can(string(badge.RoleOwner)) {
		all, err := s.db.ListBadges(ctx, o.Issuer.ID)
		if err != nil {
			return err
		}
		for _, b := range all {
			if b.CreatorIssuerID == "" {
				v.Badges = append(v.Badges, b)
			}
		}
		if v.Given, err = s.db.DelegationsGiven(ctx, o.Issuer.ID); err != nil {
			return err
		}
	}
	if v.Received, err = s.db.DelegationsReceived(ctx, o.Issuer.ID); err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "delegations", s.newPage(r, f, v))
}

// grantDelegation authorises another organisation for one badge.
func (s *server) grantDelegation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	b, err := s.db.GetBadgeBySlug(r.Context(), o.Issuer.ID, v.Get("badge"))
	if badge.IsNotFound(err) {
		err = badge.Invalidf("badge", "delegation.badge_required", "choose one of your badges")
	}
	if err == nil {
		_, err = s.svc.GrantDelegation(r.Context(), o.Issuer.ID, b.ID, strings.TrimSpace(v.Get("delegate")), o.User.ID)
	}
	if err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.delegationsPage(w, r, o, f)
	}
	s.flash(r, "flash.delegation_granted")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/delegations")
}

func (s *server) withdrawDelegation(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	if err := s.svc.WithdrawDelegation(r.Context(), o.Issuer.ID, r.PathValue("id"), o.User.ID); err != nil {
		return err
	}
	s.flash(r, "flash.delegation_withdrawn")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/delegations")
}

type delegatedAwardView struct {
	Org        *orgContext
	Delegation *store.Delegation
}

// receivedDelegation reads {id}, an authorisation given to the
// organisation, still active.
func (s *server) receivedDelegation(r *http.Request, o *orgContext) (*store.Delegation, error) {
	d, err := s.db.GetDelegation(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if d.DelegateID != o.Issuer.ID {
		return nil, badge.NotFoundf("delegation.not_found", "authorisation not found")
	}
	if !d.Active(s.now()) {
		return nil, badge.Forbiddenf("delegation.withdrawn", "the authorisation to award this badge was withdrawn")
	}
	return d, nil
}

func (s *server) delegatedAwardForm(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	d, err := s.receivedDelegation(r, o)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"language": {o.Issuer.Language}})
	return s.render(w, r, http.StatusOK, "delegation_award", s.newPage(r, f, delegatedAwardView{Org: o, Delegation: d}))
}

func (s *server) delegatedAward(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	d, err := s.receivedDelegation(r, o)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	in := issuing.AwardInput{Name: strings.TrimSpace(v.Get("name")), Narrative: strings.TrimSpace(v.Get("narrative")), Language: v.Get("language")}
	if rcpt := strings.TrimSpace(v.Get("recipient")); strings.HasPrefix(rcpt, "did:") {
		in.DID = rcpt
	} else {
		in.Email = rcpt
	}
	if u := strings.TrimSpace(v.Get("evidence_url")); u != "" {
		in.Evidence = []badge.Evidence{{URL: u, Name: strings.TrimSpace(v.Get("evidence_name"))}}
	}
	a, err := s.svc.AwardDelegated(r.Context(), o.Issuer.ID, d.ID, in)
	if err != nil {
		if err := f.fail(locale.Negotiate(r), unwrapAwardError(err)); err != nil {
			return err
		}
		return s.render(w, r, formStatus(f), "delegation_award", s.newPage(r, f, delegatedAwardView{Org: o, Delegation: d}))
	}
	s.flash(r, "flash.delegated_awarded", d.BadgeName)
	return redirect(w, r, "/awards/"+a.ID)
}

// authorisations serves the issuer's signed list of authorisations.
func (s *server) authorisations(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	if !badge.ValidSlug(slug) {
		return badge.NotFoundf("issuer.not_found", "issuer not found")
	}
	doc, err := s.svc.Authorisations(r.Context(), slug)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vc+ld+json")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err = w.Write(doc)
	return err
}
