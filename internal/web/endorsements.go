package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Endorsements: an organisation's owner endorses another issuer, or one
// of its badges, with a comment (signed by the endorser at once); the
// endorsed issuer's owner accepts or declines; accepted endorsements are
// public (their credential at /endorsements/{id}, its verification at
// /endorsements/{id}/verify, lists on the badge's and issuer's pages).
// The endorser's owner may withdraw an endorsement, after a confirmation
// page: its bit is set in the endorser's revocation list.

type endorsementsView struct {
	Org      *orgContext
	Received []*store.Endorsement
	Given    []*store.Endorsement
}

func (s *server) endorsements(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	return s.endorsementsPage(w, r, o, newForm(nil))
}

func (s *server) endorsementsPage(w http.ResponseWriter, r *http.Request, o *orgContext, f *form) error {
	received, err := s.db.EndorsementsReceived(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	given, err := s.db.EndorsementsGiven(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "endorsements", s.newPage(r, f, endorsementsView{Org: o, Received: received, Given: given}))
}

// endorse signs an endorsement of "issuer" or "issuer/badge".
func (s *server) endorse(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	in := issuing.EndorseInput{EndorserID: o.Issuer.ID, Comment: v.Get("comment"), By: o.User.ID}
	issSlug, badgeSlug, _ := strings.Cut(strings.TrimSpace(v.Get("target")), "/")
	iss, err := s.db.GetIssuerBySlug(r.Context(), issSlug)
	if err == nil {
		in.IssuerID = iss.ID
		if badgeSlug != "" {
			var b *badge.Badge
			if b, err = s.db.GetBadgeBySlug(r.Context(), iss.ID, badgeSlug); err == nil {
				in.BadgeID = b.ID
			}
		}
	}
	if badge.IsNotFound(err) || (err == nil && !badge.ValidSlug(issSlug)) {
		err = badge.Invalidf("target", "endorsement.target_not_found", "no organisation or badge has the address %q", v.Get("target"))
	}
	if err == nil {
		_, err = s.svc.Endorse(r.Context(), in)
	}
	if be := asTargetError(err); be != nil {
		err = be
	}
	if err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.endorsementsPage(w, r, o, f)
	}
	s.flash(r, "flash.endorsement_sent")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/endorsements")
}

func (s *server) decideEndorsement(accept bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		o, err := s.member(r, badge.RoleOwner)
		if err != nil {
			return err
		}
		if accept {
			err = s.svc.AcceptEndorsement(r.Context(), o.Issuer.ID, r.PathValue("id"))
		} else {
			err = s.svc.DeclineEndorsement(r.Context(), o.Issuer.ID, r.PathValue("id"))
		}
		if err != nil {
			return err
		}
		if accept {
			s.flash(r, "flash.endorsement_accepted")
		} else {
			s.flash(r, "flash.endorsement_declined")
		}
		return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/endorsements")
	}
}

// endorsementWithdrawView is the confirmation page of a withdrawal.
type endorsementWithdrawView struct {
	Org         *orgContext
	Endorsement *store.Endorsement
}

// givenEndorsement reads {id}, one of the organisation's endorsements of
// others, not yet withdrawn.
func (s *server) givenEndorsement(r *http.Request, o *orgContext) (*store.Endorsement, error) {
	if !badge.ValidID(r.PathValue("id")) {
		return nil, badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	e, err := s.db.GetEndorsement(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	if e.EndorserID != o.Issuer.ID {
		return nil, badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	if e.WithdrawnAt != nil {
		return nil, badge.Conflictf("", "endorsement.already_withdrawn", "this endorsement is already withdrawn")
	}
	return e, nil
}

// withdrawEndorsementForm asks the endorser's owner to confirm.
func (s *server) withdrawEndorsementForm(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	e, err := s.givenEndorsement(r, o)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "endorsement_withdraw", s.newPage(r, nil, endorsementWithdrawView{Org: o, Endorsement: e}))
}

// withdrawEndorsement withdraws an endorsement the organisation gave.
func (s *server) withdrawEndorsement(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	e, err := s.givenEndorsement(r, o)
	if err != nil {
		return err
	}
	if err := s.svc.WithdrawEndorsement(r.Context(), o.Issuer.ID, e.ID, o.User.ID); err != nil {
		return err
	}
	// This node shows the change at once; others within definitionTTL.
	s.defs.endorsements.forget(e.BadgeID)
	s.flash(r, "flash.endorsement_withdrawn")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/endorsements")
}

// verifyEndorsement verifies a published endorsement's credential now,
// as /verify would, and shows the report: what the issuer's page links
// each endorsement to. A withdrawn one reads revoked.
func (s *server) verifyEndorsement(w http.ResponseWriter, r *http.Request) error {
	if !badge.ValidID(r.PathValue("id")) {
		return badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	body, err := s.svc.EndorsementCredential(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	rep := s.verifyBytes(r.Context(), body, "")
	// The answer is true at one instant: a withdrawal must show at once.
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "verify_result", s.newPage(r, nil, buildReportView(locale.Negotiate(r), rep, s.now())))
}

// endorsementCredential serves an accepted endorsement's credential.
func (s *server) endorsementCredential(w http.ResponseWriter, r *http.Request) error {
	if !badge.ValidID(r.PathValue("id")) {
		return badge.NotFoundf("endorsement.not_found", "endorsement not found")
	}
	body, err := s.svc.EndorsementCredential(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/vc+ld+json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	_, err = w.Write(body)
	return err
}

// publicEndorsementsView lists the accepted endorsements of an issuer or
// of one of its badges.
type publicEndorsementsView struct {
	Issuer       *badge.Issuer
	Badge        *badge.Badge // nil: the issuer's own
	Endorsements []*store.Endorsement
}

// AcceptedEndorsementsOf is what a badge or issuer page shows: the lead
// can call it from catalogueBadge, the award page and the issuer page.
func (s *server) acceptedEndorsementsOf(r *http.Request, issuerID, badgeID string) ([]*store.Endorsement, error) {
	return s.db.AcceptedEndorsements(r.Context(), issuerID, badgeID)
}

func (s *server) badgeEndorsements(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("issuer"))
	if err != nil {
		return err
	}
	v := publicEndorsementsView{Issuer: iss}
	badgeID := ""
	if slug := r.PathValue("badge"); slug != "" {
		if v.Badge, err = s.db.GetBadgeBySlug(r.Context(), iss.ID, slug); err != nil {
			return err
		}
		badgeID = v.Badge.ID
	}
	if v.Endorsements, err = s.acceptedEndorsementsOf(r, iss.ID, badgeID); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "endorsement_list", s.newPage(r, nil, v))
}

// asTargetError moves an error about the endorsed issuer or badge onto
// the form's one field naming them.
func asTargetError(err error) error {
	var be *badge.Error
	if errors.As(err, &be) && (be.Field == "issuer" || be.Field == "badge") {
		c := *be
		c.Field = "target"
		return &c
	}
	return nil
}
