package issuing

import (
	"context"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
)

// DecisionNotice tells an applicant about a decision on their
// application (an e-mail, in the cmd wiring). comments are the reviewer's.
type DecisionNotice func(ctx context.Context, a *badge.Application, b *badge.Badge, comments string) error

// Submission is what an applicant sends: a text, links, uploaded files
// (already stored with StoreEvidence).
type Submission struct {
	Text  string
	Links []string
	Files []badge.Evidence
}

// Apply records an application for a badge open to applications. The
// badge will be awarded to email, which must be one of the applicant's
// verified addresses (the caller checks it).
func (s *Service) Apply(ctx context.Context, b *badge.Badge, u *badge.User, email string, sub Submission) (*badge.Application, error) {
	if !b.ApplicationsOpen {
		return nil, badge.Conflictf("", "application.closed", "this badge is not open to applications")
	}
	a := &badge.Application{BadgeID: b.ID, IssuerID: b.IssuerID, UserID: u.ID, Email: email, State: badge.ApplicationSubmitted,
		Text: strings.TrimSpace(sub.Text), Links: sub.Links, Files: sub.Files,
		History: []badge.ApplicationEvent{{At: s.now().UTC(), State: badge.ApplicationSubmitted, By: u.ID}}}
	if err := s.db.CreateApplication(ctx, a); err != nil {
		return nil, err
	}
	return a, nil
}

// Resubmit sends a returned application again with a new submission.
// Files already sent are kept unless the submission replaces them.
func (s *Service) Resubmit(ctx context.Context, a *badge.Application, u *badge.User, sub Submission) error {
	if a.UserID != u.ID {
		return badge.NotFoundf("application.not_found", "no such application")
	}
	if a.State != badge.ApplicationReturned {
		return badge.Conflictf("", "application.not_returned", "only an application returned for changes can be sent again")
	}
	a.Text, a.Links = strings.TrimSpace(sub.Text), sub.Links
	a.Files = append(a.Files, sub.Files...)
	a.State = badge.ApplicationSubmitted
	a.History = append(a.History, badge.ApplicationEvent{At: s.now().UTC(), State: badge.ApplicationSubmitted, By: u.ID})
	return s.db.UpdateApplication(ctx, a, badge.ApplicationReturned)
}

// Decide records a reviewer's decision on a submitted application.
// Accepting awards the badge to the application's address, with the
// submission as the award's evidence (text as narrative, links and files
// as evidence items), in the badge's language. Returning needs comments.
func (s *Service) Decide(ctx context.Context, a *badge.Application, reviewer *badge.User, decision badge.ApplicationState, comments string) error {
	comments = strings.TrimSpace(comments)
	switch decision {
	case badge.ApplicationAccepted, badge.ApplicationRejected:
	case badge.ApplicationReturned:
		if comments == "" {
			return badge.Invalidf("comments", "application.comments_required", "say what must change")
		}
	default:
		return badge.Invalidf("decision", "application.decision_invalid", "unknown decision %q", decision)
	}
	if a.State != badge.ApplicationSubmitted {
		return badge.Conflictf("", "application.not_submitted", "this application is not waiting for a decision")
	}
	b, err := s.db.GetBadge(ctx, a.BadgeID)
	if err != nil {
		return err
	}
	if decision == badge.ApplicationAccepted {
		in := AwardInput{BadgeID: b.ID, Email: a.Email, Narrative: a.Text}
		for _, l := range a.Links {
			in.Evidence = append(in.Evidence, badge.Evidence{URL: l})
		}
		in.Evidence = append(in.Evidence, a.Files...)
		if name, err := s.db.GetUser(ctx, a.UserID); err == nil {
			in.Name = name.Name
		}
		// Award first: an accepted application always has its award. If
		// recording the decision then fails, the reviewer sees the
		// application still waiting, and the award in the list.
		award, err := s.Award(ctx, in)
		if err != nil {
			return err
		}
		a.AwardID = award.ID
	}
	a.State = decision
	a.History = append(a.History, badge.ApplicationEvent{At: s.now().UTC(), State: decision, By: reviewer.ID, Comments: comments})
	if err := s.db.UpdateApplication(ctx, a, badge.ApplicationSubmitted); err != nil {
		return err
	}
	if s.decided != nil {
		return s.decided(ctx, a, b, comments)
	}
	return nil
}

// Applications lists an organisation's queue or a user's applications.
func (s *Service) Applications(ctx context.Context, f store.ApplicationFilter) ([]*badge.Application, error) {
	return s.db.ListApplications(ctx, f)
}
