package issuing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/pathways"
	"github.com/sceau/sceau/internal/store"
)

// Pathways: progress is computed from what a recipient holds and counts
// (awards made here, accepted, active and unexpired; imported badges whose
// last verification said valid and that have not expired). When a
// pathway with a completion badge is complete, CheckPathways awards that
// badge to the recipient's primary confirmed address, citing the badges it
// rests on as evidence, and records the completion. A completion whose
// badges later stop counting is listed for the issuer's review
// (store.FlaggedCompletions): the check reads the awards' and imports'
// current state, so revocation needs no hook.

// PathwaysJobKind is the job that runs CheckPathways for one account;
// its payload is {"user_id": "…"}.
const PathwaysJobKind = "pathways.check"

// PathwaysJob is the payload of a PathwaysJobKind job.
type PathwaysJob struct {
	UserID string `json:"user_id"`
}

// RunPathwaysJob runs a PathwaysJobKind job.
func (s *Service) RunPathwaysJob(ctx context.Context, payload []byte) error {
	var j PathwaysJob
	if err := json.Unmarshal(payload, &j); err != nil || j.UserID == "" {
		return fmt.Errorf("pathways job: bad payload %q", payload)
	}
	_, err := s.CheckPathways(ctx, j.UserID)
	return err
}

// Progress is one pathway as it stands for a recipient.
type Progress struct {
	Pathway *pathways.Pathway
	Result  *pathways.Result
	// Completion is the recorded completion, nil when none.
	Completion *store.Completion
}

// holdings reads what the account holds: keys of everything it holds
// (to find the pathways that concern it) and what counts.
func (s *Service) holdings(ctx context.Context, userID string) (all []string, counting map[string]*pathways.Held, err error) {
	hs, err := s.db.Holdings(ctx, userID)
	if err != nil {
		return nil, nil, err
	}
	now := s.now()
	counting = map[string]*pathways.Held{}
	seen := map[string]bool{}
	add := func(key string, h *pathways.Held, counts bool) {
		if !seen[key] {
			seen[key] = true
			all = append(all, key)
		}
		if counts {
			if _, ok := counting[key]; !ok {
				counting[key] = h
			}
		}
	}
	for _, h := range hs {
		unexpired := h.ValidUntil == nil || now.Before(*h.ValidUntil)
		switch h.Kind {
		case "award":
			held := &pathways.Held{Kind: "award", ID: h.ID, URL: s.urls.award(h.ID), Name: h.Name}
			counts := h.Status == badge.StatusActive && unexpired
			add(pathways.BadgeKey(h.BadgeID), held, counts)
			if h.SourceBadgeID != "" {
				add(pathways.BadgeKey(h.SourceBadgeID), held, counts)
			}
		case "import":
			ref, err := pathways.AchievementRef(h.Credential)
			if err != nil {
				continue
			}
			held := &pathways.Held{Kind: "import", ID: h.ID, URL: h.Key, Name: h.Name}
			add(pathways.ExternalKey(ref), held, ImportCounts(h.State, h.ValidUntil, now))
		}
	}
	return all, counting, nil
}

// PathwayProgress returns the recipient's progress on every pathway one
// of their badges counts toward (or would, were it not revoked or
// expired), by name.
func (s *Service) PathwayProgress(ctx context.Context, userID string) ([]*Progress, error) {
	all, counting, err := s.holdings(ctx, userID)
	if err != nil {
		return nil, err
	}
	ps, err := s.db.PathwaysRequiring(ctx, all)
	if err != nil {
		return nil, err
	}
	out := make([]*Progress, 0, len(ps))
	for _, p := range ps {
		pr := &Progress{Pathway: p, Result: pathways.Evaluate(p.Root, counting)}
		c, err := s.db.GetCompletion(ctx, p.ID, userID)
		switch {
		case err == nil:
			pr.Completion = c
		case !badge.IsNotFound(err):
			return nil, err
		}
		out = append(out, pr)
	}
	return out, nil
}

// EvaluatePathway returns the recipient's progress on one pathway.
func (s *Service) EvaluatePathway(ctx context.Context, p *pathways.Pathway, userID string) (*pathways.Result, error) {
	_, counting, err := s.holdings(ctx, userID)
	if err != nil {
		return nil, err
	}
	return pathways.Evaluate(p.Root, counting), nil
}

// ErrNoAddress means a completion could not be awarded: the account has
// no confirmed address.
var ErrNoAddress = errors.New("issuing: the account has no confirmed address")

// CheckPathways awards the completion badges of the pathways the
// account's counting badges complete, once per pathway and account, and
// returns the awards made. Call it after a claim, an import and an
// accepted application (or queue a PathwaysJobKind job).
func (s *Service) CheckPathways(ctx context.Context, userID string) ([]*badge.Award, error) {
	progress, err := s.PathwayProgress(ctx, userID)
	if err != nil {
		return nil, err
	}
	var made []*badge.Award
	for _, pr := range progress {
		p := pr.Pathway
		if !pr.Result.Done || p.CompletionBadgeID == "" || pr.Completion != nil {
			continue
		}
		a, err := s.complete(ctx, p, userID, pr.Result.Basis())
		if errors.Is(err, ErrNoAddress) || badge.ErrorCode(err) == "pathway.already_completed" {
			continue
		}
		if err != nil {
			return made, fmt.Errorf("complete pathway %s: %w", p.Slug, err)
		}
		made = append(made, a)
	}
	return made, nil
}

// complete records the completion first (so two checks at once award
// once), then awards the badge and ties it to the completion.
func (s *Service) complete(ctx context.Context, p *pathways.Pathway, userID string, basis []*pathways.Held) (*badge.Award, error) {
	emails, err := s.db.ListEmails(ctx, userID)
	if err != nil {
		return nil, err
	}
	to := ""
	for _, e := range emails {
		if e.Verified() {
			to = e.Address // primary first
			break
		}
	}
	if to == "" {
		return nil, ErrNoAddress
	}
	c := &store.Completion{PathwayID: p.ID, UserID: userID}
	var evidence []badge.Evidence
	for _, h := range basis {
		c.Basis = append(c.Basis, store.CompletionBasis{Kind: h.Kind, RefID: h.ID, URL: h.URL, Name: h.Name})
		if len(evidence) >= badge.MaxEvidence {
			continue
		}
		ev := badge.Evidence{Name: truncate(h.Name, badge.MaxNameLen)}
		if badge.ValidURL(h.URL) {
			ev.URL = h.URL
		} else {
			ev.Narrative = h.URL // a credential id that is not a web address (urn:uuid:…)
		}
		if ev.URL == "" && ev.Narrative == "" {
			ev.Narrative = h.Name
		}
		evidence = append(evidence, ev)
	}
	if err := s.db.CreateCompletion(ctx, c); err != nil {
		return nil, err
	}
	narrative := "Completed the pathway: " + p.Name
	if p.Language == "fr" {
		narrative = "A complété le parcours : " + p.Name
	}
	a, err := s.Award(ctx, AwardInput{BadgeID: p.CompletionBadgeID, Email: to, Narrative: narrative, Evidence: evidence})
	if err != nil {
		_ = s.db.DeleteCompletion(ctx, c.ID)
		return nil, err
	}
	if err := s.db.SetCompletionAward(ctx, c.ID, a.ID); err != nil {
		return nil, err
	}
	return a, nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n])
}

// ReviewCompletion records the issuer's decision on a flagged completion:
// keep it, or revoke its completion badge.
func (s *Service) ReviewCompletion(ctx context.Context, issuerID, completionID, decision, reviewerID, reason string) error {
	c, err := s.db.GetCompletionByID(ctx, issuerID, completionID)
	if err != nil {
		return err
	}
	if decision == store.ReviewRevoked && c.AwardID != "" {
		if strings.TrimSpace(reason) == "" {
			reason = "A badge the pathway's completion rests on is no longer valid."
		}
		err := s.Revoke(ctx, c.AwardID, reason)
		if err != nil && badge.ErrorCode(err) != "award.already_revoked" {
			return err
		}
	}
	return s.db.ReviewCompletion(ctx, issuerID, completionID, decision, reviewerID)
}

// PathwayBadgeURL is the achievement id of a badge definition on this
// server, for pages that link pathway leaves to the catalogue.
func (s *Service) PathwayBadgeURL(issuerSlug, badgeSlug string) string {
	return s.urls.achievement(issuerSlug, badgeSlug)
}

// DeletePathway deletes one of the owner's pathways. Recipients no longer
// see it among their progress, and its completions are forgotten (none
// awaits review any more), but the completion badges already awarded stay:
// they are signed credentials, valid on their own, which the issuer can
// still revoke one by one. It returns how many of those badges stay.
func (s *Service) DeletePathway(ctx context.Context, ownerID, id string) (kept int, err error) {
	if _, kept, err = s.db.PathwayCompletions(ctx, id); err != nil {
		return 0, err
	}
	if err := s.db.DeletePathway(ctx, ownerID, id); err != nil {
		return 0, fmt.Errorf("delete pathway %s: %w", id, err)
	}
	return kept, nil
}
