package web

import (
	"bytes"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Workspace pages: /workspace/{org}/… where org is the issuer's slug.
// Every handler first resolves the organisation and checks the user's
// role with member(); a non-member gets the same Forbidden whether or not
// the organisation exists.

// orgContext is the organisation a workspace request is about.
type orgContext struct {
	Issuer *badge.Issuer
	Role   badge.Role
	User   *badge.User
}

// Can reports whether the member's role allows need (for templates).
func (o *orgContext) Can(need string) bool { return o.Role.Allows(badge.Role(need)) }

// member resolves {org} and checks that the signed-in user's role allows
// need.
func (s *server) member(r *http.Request, need badge.Role) (*orgContext, error) {
	u, err := signedIn(r)
	if err != nil {
		return nil, err
	}
	forbidden := badge.Forbiddenf("workspace.not_member", "not a member of this organisation")
	slug := r.PathValue("org")
	if !badge.ValidSlug(slug) {
		return nil, forbidden
	}
	iss, err := s.db.GetIssuerBySlug(r.Context(), slug)
	if badge.IsNotFound(err) {
		return nil, forbidden
	}
	if err != nil {
		return nil, err
	}
	role, err := s.accounts.Role(r.Context(), iss.ID, u.ID)
	if err != nil {
		return nil, err
	}
	if need != "" && !role.Allows(need) {
		return nil, badge.Forbiddenf("workspace.role", "the role %s does not allow this", role)
	}
	return &orgContext{Issuer: iss, Role: role, User: u}, nil
}

// workspaceView lists the user's organisations.
type workspaceView struct {
	Orgs []store.Organisation
}

func (s *server) workspace(w http.ResponseWriter, r *http.Request) error {
	return s.workspacePage(w, r, newForm(url.Values{"language": {locale.Negotiate(r)}}))
}

func (s *server) workspacePage(w http.ResponseWriter, r *http.Request, f *form) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	orgs, err := s.db.ListOrganisations(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "workspace", s.newPage(r, f, workspaceView{Orgs: orgs}))
}

// issuerFromForm reads the issuer profile fields.
func issuerFromForm(v url.Values, i *badge.Issuer) {
	i.Name = strings.TrimSpace(v.Get("name"))
	i.Description = strings.TrimSpace(v.Get("description"))
	i.URL = strings.TrimSpace(v.Get("url"))
	i.Email = strings.TrimSpace(v.Get("email"))
	i.Language = v.Get("language")
}

// createOrg creates an organisation (an issuer, with its key) owned by the
// user.
func (s *server) createOrg(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	i := &badge.Issuer{Slug: strings.TrimSpace(v.Get("slug"))}
	issuerFromForm(v, i)
	if i.Slug == "" {
		i.Slug = badge.Slugify(i.Name)
	}
	if err := s.svc.CreateOrganisation(r.Context(), i, u.ID); err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.workspacePage(w, r, f)
	}
	s.flash(r, "flash.org_created", i.Name)
	return redirect(w, r, "/workspace/"+i.Slug)
}

// orgView is the organisation's dashboard.
type orgView struct {
	Org     *orgContext
	Badges  []*badge.Badge
	Counts  map[string]int
	Total   int
	Recent  []awardRow
	Pending int
}

func (s *server) org(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, "")
	if err != nil {
		return err
	}
	ctx := r.Context()
	badges, err := s.db.ListBadges(ctx, o.Issuer.ID)
	if err != nil {
		return err
	}
	total, err := s.db.AwardsIssued(ctx, o.Issuer.ID)
	if err != nil {
		return err
	}
	recent, err := s.db.ListAwards(ctx, store.AwardFilter{IssuerID: o.Issuer.ID, Limit: 10})
	if err != nil {
		return err
	}
	v := orgView{Org: o, Badges: badges, Total: total, Recent: s.awardRows(r, recent, badges)}
	return s.render(w, r, http.StatusOK, "org", s.newPage(r, nil, v))
}

func (s *server) orgProfileForm(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	i := o.Issuer
	f := newForm(url.Values{"name": {i.Name}, "description": {i.Description}, "url": {i.URL}, "email": {i.Email}, "language": {i.Language}})
	return s.render(w, r, http.StatusOK, "org_profile", s.newPage(r, f, o))
}

// updateOrgProfile changes the issuer profile. Credentials already signed
// keep the profile they were signed with; the published profile and new
// credentials show the new one.
func (s *server) updateOrgProfile(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	v, f, files, err := s.multipartForm(w, r, blob.MaxImageSize+64<<10)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	i := *o.Issuer
	issuerFromForm(v, &i)
	if data, ok, err := files.read("image", blob.MaxImageSize); err != nil {
		f.Errors["image"] = errorText(lang, asBadgeError(err))
	} else if ok {
		if i.ImageKey, _, err = s.svc.StoreImage(r.Context(), "image", data); err != nil {
			if err := f.fail(lang, err); err != nil {
				return err
			}
		}
	}
	if !f.HasErrors() {
		if err := s.db.UpdateIssuer(r.Context(), &i); err != nil {
			if err := f.fail(lang, err); err != nil {
				return err
			}
		}
	}
	if f.HasErrors() {
		return s.render(w, r, formStatus(f), "org_profile", s.newPage(r, f, o))
	}
	s.defs.issuers.forget(i.ID)
	s.flash(r, "flash.saved")
	return redirect(w, r, "/workspace/"+i.Slug)
}

// membersView is the members page.
type membersView struct {
	Org     *orgContext
	Members []*store.Member
	Roles   []badge.Role
}

func (s *server) members(w http.ResponseWriter, r *http.Request) error {
	return s.membersPage(w, r, newForm(url.Values{"role": {string(badge.RoleAwarder)}}))
}

func (s *server) membersPage(w http.ResponseWriter, r *http.Request, f *form) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	ms, err := s.db.ListMembers(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "members", s.newPage(r, f, membersView{Org: o, Members: ms, Roles: badge.Roles}))
}

func (s *server) invite(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	lang := v.Get("language")
	if !locale.Supported(lang) {
		lang = locale.Negotiate(r)
	}
	if err := s.accounts.Invite(r.Context(), o.Issuer, o.User, v.Get("email"), badge.Role(v.Get("role")), lang); err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.membersPage(w, r, f)
	}
	s.flash(r, "flash.invited", badge.NormalizeEmail(v.Get("email")))
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/members")
}

func (s *server) removeMember(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleOwner)
	if err != nil {
		return err
	}
	if err := s.db.RemoveMember(r.Context(), o.Issuer.ID, r.PathValue("user")); err != nil {
		return err
	}
	s.flash(r, "flash.saved")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/members")
}

// badgeFormView is the badge definition form.
type badgeFormView struct {
	Org      *orgContext
	Badge    *badge.Badge // nil when creating
	Types    []string
	ImageURL string
}

func (s *server) newBadgeForm(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"language": {o.Issuer.Language}})
	return s.render(w, r, http.StatusOK, "badge_form", s.newPage(r, f, badgeFormView{Org: o, Types: badge.AchievementTypes}))
}

func (s *server) editBadgeForm(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	b, err := s.orgBadge(r, o)
	if err != nil {
		return err
	}
	v := url.Values{"name": {b.Name}, "slug": {b.Slug}, "description": {b.Description}, "criteria": {b.CriteriaNarrative},
		"criteria_url": {b.CriteriaURL}, "achievement_type": {b.AchievementType}, "tags": {strings.Join(b.Tags, ", ")},
		"language": {b.Language}, "validity_days": {strconv.Itoa(b.ValidityDays)}, "alignments": {alignmentsText(b.Alignments)}}
	if b.ValidityDays == 0 {
		v.Set("validity_days", "")
	}
	if b.ApplicationsOpen {
		v.Set("applications_open", "on")
	}
	return s.render(w, r, http.StatusOK, "badge_form", s.newPage(r, newForm(v),
		badgeFormView{Org: o, Badge: b, Types: badge.AchievementTypes, ImageURL: s.badgeImageURL(o.Issuer, b)}))
}

// orgBadge reads {badge} of the organisation.
func (s *server) orgBadge(r *http.Request, o *orgContext) (*badge.Badge, error) {
	slug := r.PathValue("badge")
	if !badge.ValidSlug(slug) {
		return nil, badge.NotFoundf("badge.not_found", "no badge %q", slug)
	}
	return s.db.GetBadgeBySlug(r.Context(), o.Issuer.ID, slug)
}

func (s *server) badgeImageURL(iss *badge.Issuer, b *badge.Badge) string {
	if b.ImageKey == "" {
		return ""
	}
	return "/issuers/" + iss.Slug + "/badges/" + b.Slug + "/image"
}

// saveBadge creates ({badge} absent) or updates a badge definition.
func (s *server) saveBadge(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	var b *badge.Badge
	creating := r.PathValue("badge") == ""
	if creating {
		b = &badge.Badge{IssuerID: o.Issuer.ID}
	} else if b, err = s.orgBadge(r, o); err != nil {
		return err
	}
	v, f, files, err := s.multipartForm(w, r, blob.MaxImageSize+256<<10)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	b.Name = strings.TrimSpace(v.Get("name"))
	b.Description = strings.TrimSpace(v.Get("description"))
	b.CriteriaNarrative = strings.TrimSpace(v.Get("criteria"))
	b.CriteriaURL = strings.TrimSpace(v.Get("criteria_url"))
	b.AchievementType = v.Get("achievement_type")
	b.Language = v.Get("language")
	b.ApplicationsOpen = v.Get("applications_open") != ""
	b.Tags = splitTags(v.Get("tags"))
	if creating {
		b.Slug = strings.TrimSpace(v.Get("slug"))
		if b.Slug == "" {
			b.Slug = badge.Slugify(b.Name)
		}
	}
	b.ValidityDays = 0
	if d := strings.TrimSpace(v.Get("validity_days")); d != "" {
		n, err := strconv.Atoi(d)
		if err != nil || n < 0 {
			f.Errors["validity_days"] = locale.T(lang, "error.validity_days")
		}
		b.ValidityDays = n
	}
	if al, err := parseAlignments(v.Get("alignments")); err != nil {
		f.fail(lang, err)
	} else {
		b.Alignments = al
	}
	// The image is checked and stored before the definition; an image
	// stored for a form refused later is harmless (content-addressed,
	// shared, and never shown).
	if data, ok, err := files.read("image", blob.MaxImageSize); err != nil {
		f.Errors["image"] = errorText(lang, asBadgeError(err))
	} else if ok {
		if b.ImageKey, b.ImageType, err = s.svc.StoreImage(r.Context(), "image", data); err != nil {
			if err := f.fail(lang, err); err != nil {
				return err
			}
		}
	} else if creating {
		f.Errors["image"] = locale.T(lang, "error.badge.image_required")
	}
	if !f.HasErrors() {
		if creating {
			err = s.svc.CreateBadge(r.Context(), b)
		} else {
			err = s.db.UpdateBadge(r.Context(), b)
		}
		if err != nil {
			if err := f.fail(lang, err); err != nil {
				return err
			}
		}
	}
	if f.HasErrors() {
		view := badgeFormView{Org: o, Types: badge.AchievementTypes}
		if !creating {
			view.Badge, view.ImageURL = b, s.badgeImageURL(o.Issuer, b)
		}
		return s.render(w, r, formStatus(f), "badge_form", s.newPage(r, f, view))
	}
	s.defs.badges.forget(b.ID)
	s.flash(r, "flash.saved")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug)
}

// splitTags reads a comma-separated list, dropping empty items.
func splitTags(s string) []string {
	var out []string
	for _, t := range strings.Split(s, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

// Alignments are typed one per line: name | url | code | framework.
func parseAlignments(s string) ([]badge.Alignment, error) {
	var out []badge.Alignment
	for n, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		parts := strings.Split(line, "|")
		for i := range parts {
			parts[i] = strings.TrimSpace(parts[i])
		}
		if len(parts) < 2 || parts[0] == "" || !badge.ValidURL(parts[1]) {
			return nil, badge.Invalidf("alignments", "badge.alignment_line", "line %d: write name | https://… | code | framework", n+1)
		}
		a := badge.Alignment{Name: parts[0], URL: parts[1]}
		if len(parts) > 2 {
			a.Code = parts[2]
		}
		if len(parts) > 3 {
			a.Framework = parts[3]
		}
		out = append(out, a)
	}
	return out, nil
}

func alignmentsText(al []badge.Alignment) string {
	var lines []string
	for _, a := range al {
		parts := []string{a.Name, a.URL}
		if a.Code != "" || a.Framework != "" {
			parts = append(parts, a.Code)
		}
		if a.Framework != "" {
			parts = append(parts, a.Framework)
		}
		lines = append(lines, strings.Join(parts, " | "))
	}
	return strings.Join(lines, "\n")
}

// awardFormView is the form awarding one badge.
type awardFormView struct {
	Org   *orgContext
	Badge *badge.Badge
}

func (s *server) awardForm(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	b, err := s.orgBadge(r, o)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"language": {b.Language}})
	return s.render(w, r, http.StatusOK, "award_form", s.newPage(r, f, awardFormView{Org: o, Badge: b}))
}

// maxEvidenceFile bounds an uploaded evidence file (an end-of-training PDF).
const maxEvidenceFile = 20 << 20

// awardOne awards the badge to one recipient, with optional narrative and
// evidence (a URL, a file or both).
func (s *server) awardOne(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	b, err := s.orgBadge(r, o)
	if err != nil {
		return err
	}
	v, f, files, err := s.multipartForm(w, r, maxEvidenceFile+256<<10)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	in := issuing.AwardInput{BadgeID: b.ID, Name: strings.TrimSpace(v.Get("name")), Narrative: strings.TrimSpace(v.Get("narrative")),
		Language: v.Get("language")}
	recipient := strings.TrimSpace(v.Get("recipient"))
	if strings.HasPrefix(recipient, "did:") {
		in.DID = recipient
	} else if err := badge.CheckEmail("recipient", recipient); err != nil {
		f.fail(lang, err)
	} else {
		in.Email = badge.NormalizeEmail(recipient)
	}
	if u := strings.TrimSpace(v.Get("evidence_url")); u != "" {
		in.Evidence = append(in.Evidence, badge.Evidence{URL: u, Name: strings.TrimSpace(v.Get("evidence_name"))})
	}
	if data, ok, err := files.read("evidence_file", maxEvidenceFile); err != nil {
		f.Errors["evidence_file"] = errorText(lang, asBadgeError(err))
	} else if ok && !f.HasErrors() {
		ev, err := s.svc.StoreEvidence(r.Context(), "evidence_file", files.name("evidence_file"), data)
		if err != nil {
			if err := f.fail(lang, err); err != nil {
				return err
			}
		} else {
			in.Evidence = append(in.Evidence, ev)
		}
	}
	if !f.HasErrors() {
		a, err := s.svc.Award(r.Context(), in)
		if err == nil {
			s.flash(r, "flash.awarded", recipient)
			return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/awards?highlight="+a.ID)
		}
		if err := f.fail(lang, unwrapAwardError(err)); err != nil {
			return err
		}
	}
	return s.render(w, r, formStatus(f), "award_form", s.newPage(r, f, awardFormView{Org: o, Badge: b}))
}

// unwrapAwardError maps the fields of an award input error to the form's
// (the service names them after the credential's: email, did).
func unwrapAwardError(err error) error {
	var be *badge.Error
	if errors.As(err, &be) && (be.Field == "email" || be.Field == "did" || be.Field == "recipient_email" || be.Field == "recipient_did") {
		c := *be
		c.Field = "recipient"
		return &c
	}
	return err
}

// awardRow is one line of the awards list.
type awardRow struct {
	ID, Recipient, Name, BadgeName, Awarded, State, Reason string
}

// awardState is what the list shows: revoked, suspended, expired, claimed
// or sent.
func awardState(a *badge.Award, now time.Time) string {
	switch {
	case a.Status == badge.StatusRevoked:
		return "revoked"
	case a.Status == badge.StatusSuspended:
		return "suspended"
	case a.ValidUntil != nil && a.ValidUntil.Before(now):
		return "expired"
	case a.ClaimedAt != nil:
		return "claimed"
	default:
		return "sent"
	}
}

func (s *server) awardRows(r *http.Request, awards []*badge.Award, badges []*badge.Badge) []awardRow {
	lang := locale.Negotiate(r)
	names := map[string]string{}
	for _, b := range badges {
		names[b.ID] = b.Name
	}
	now := s.now()
	rows := make([]awardRow, 0, len(awards))
	for _, a := range awards {
		rec := a.Recipient.Email
		if rec == "" {
			rec = a.Recipient.DID
		}
		rows = append(rows, awardRow{ID: a.ID, Recipient: rec, Name: a.Recipient.Name, BadgeName: names[a.BadgeID],
			Awarded: formatDate(lang, a.AwardedAt), State: awardState(a, now), Reason: a.StatusReason})
	}
	return rows
}

// awardsView is the awards list with its filters.
type awardsView struct {
	Org        *orgContext
	Badges     []*badge.Badge
	Rows       []awardRow
	Total      int
	Query      url.Values
	Prev, Next string
	Highlight  string
}

const awardsPerPage = 50

func (s *server) awards(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, "")
	if err != nil {
		return err
	}
	ctx := r.Context()
	q := r.URL.Query()
	filter := store.AwardFilter{IssuerID: o.Issuer.ID, Search: strings.TrimSpace(q.Get("q")), Limit: awardsPerPage}
	if len(filter.Search) > 200 {
		filter.Search = filter.Search[:200]
	}
	switch st := q.Get("status"); st {
	case "active", "revoked", "suspended":
		filter.Status = badge.Status(st)
	}
	badges, err := s.db.ListBadges(ctx, o.Issuer.ID)
	if err != nil {
		return err
	}
	if slug := q.Get("badge"); slug != "" {
		for _, b := range badges {
			if b.Slug == slug {
				filter.BadgeID = b.ID
			}
		}
	}
	// Pages go by position (a cursor), never by offset: the last of a
	// hundred thousand awards is as quick to reach as the first.
	for key, dst := range map[string]**store.Cursor{"after": &filter.After, "before": &filter.Before} {
		if c := q.Get(key); c != "" {
			cur, err := store.ParseCursor(c)
			if err != nil {
				return err
			}
			*dst = cur
		}
	}
	// Without a filter the total is the issuer's counter: one row read,
	// not a count of every award.
	var total int
	switch {
	case filter.Search == "" && filter.Status == "" && filter.BadgeID == "":
		total, err = s.db.AwardsIssued(ctx, o.Issuer.ID)
	case filter.Search == "" && filter.Status == "":
		total, err = s.db.BadgeAwardCount(ctx, filter.BadgeID)
	default:
		total, err = s.db.CountAwards(ctx, filter)
	}
	if err != nil {
		return err
	}
	// One award more than a page tells whether the list goes on beyond
	// it: past the oldest (or, before a cursor, past the newest) shown.
	filter.Limit = awardsPerPage + 1
	list, err := s.db.ListAwards(ctx, filter)
	if err != nil {
		return err
	}
	more := len(list) > awardsPerPage
	if more && filter.Before != nil {
		list = list[1:]
	} else if more {
		list = list[:awardsPerPage]
	}
	v := awardsView{Org: o, Badges: badges, Rows: s.awardRows(r, list, badges), Total: total, Query: q, Highlight: q.Get("highlight")}
	link := func(key string, a *badge.Award) string {
		c := url.Values{}
		for k, vs := range q {
			c[k] = vs
		}
		c.Del("after")
		c.Del("before")
		c.Del("highlight")
		c.Set(key, store.AwardCursor(a).String())
		return "?" + c.Encode()
	}
	if len(list) > 0 {
		// A page reached by a cursor has neighbours on the side it came
		// from; on the other side, the extra award said.
		first, last := list[0], list[len(list)-1]
		if filter.After != nil || filter.Before != nil && more {
			v.Prev = link("before", first)
		}
		if filter.Before != nil || more {
			v.Next = link("after", last)
		}
	}
	return s.render(w, r, http.StatusOK, "awards", s.newPage(r, nil, v))
}

// orgAward reads {id}, an award of the organisation.
func (s *server) orgAward(r *http.Request, o *orgContext) (*badge.Award, error) {
	a, err := s.getAward(r)
	if err != nil {
		return nil, err
	}
	if a.IssuerID != o.Issuer.ID {
		return nil, badge.NotFoundf("award.not_found", "award not found")
	}
	return a, nil
}

func (s *server) revokeAward(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	a, err := s.orgAward(r, o)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	reason := strings.TrimSpace(v.Get("reason"))
	if reason == "" {
		return badge.Invalidf("reason", "award.reason_required", "a reason is required to revoke")
	}
	if err := s.svc.Revoke(r.Context(), a.ID, reason); err != nil {
		return err
	}
	s.flash(r, "flash.revoked")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/awards?highlight="+a.ID)
}

// uploads are the files of a multipart form.
type uploads struct{ form *multipart.Form }

// read returns the named file's content, bounded by max; ok is false when
// no file was sent.
func (u uploads) read(field string, limit int64) ([]byte, bool, error) {
	if u.form == nil || len(u.form.File[field]) == 0 || u.form.File[field][0].Size == 0 {
		return nil, false, nil
	}
	data, err := readHeader(u.form.File[field][0], limit)
	if err != nil {
		return nil, false, relabel(err, field)
	}
	return data, true, nil
}

// readHeader reads one uploaded file, bounded by limit.
func readHeader(fh *multipart.FileHeader, limit int64) ([]byte, error) {
	if fh.Size > limit {
		return nil, badge.Invalidf("", "upload.too_large", "the file is larger than %d MiB", limit>>20)
	}
	f, err := fh.Open()
	if err != nil {
		return nil, badge.Internalf(err, "open upload")
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, badge.Internalf(err, "read upload")
	}
	if int64(len(data)) > limit {
		return nil, badge.Invalidf("", "upload.too_large", "the file is larger than %d MiB", limit>>20)
	}
	return data, nil
}

// name returns the uploaded file's base name.
func (u uploads) name(field string) string {
	if u.form == nil || len(u.form.File[field]) == 0 {
		return ""
	}
	return u.form.File[field][0].Filename
}

// multipartForm reads a form that may carry files, bounded by limit in
// all; parts spill to temporary files past 1 MiB and are removed when the
// request ends.
func (s *server) multipartForm(w http.ResponseWriter, r *http.Request, limit int64) (url.Values, *form, uploads, error) {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, nil, uploads{}, err
		}
		if errors.Is(err, http.ErrNotMultipart) {
			if err := r.ParseForm(); err != nil {
				return nil, nil, uploads{}, badge.Invalidf("", "form.unreadable", "the form could not be read")
			}
			return r.PostForm, newForm(r.PostForm), uploads{}, nil
		}
		return nil, nil, uploads{}, badge.Invalidf("", "form.unreadable", "the form could not be read")
	}
	return r.PostForm, newForm(r.PostForm), uploads{form: r.MultipartForm}, nil
}

// asBadgeError returns err as a *badge.Error (an Internal one if it is
// not), for errorText.
func asBadgeError(err error) *badge.Error {
	var be *badge.Error
	if errors.As(err, &be) {
		return be
	}
	return badge.Internalf(err, "upload")
}

// resendAward queues the award's announcement again.
func (s *server) resendAward(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	a, err := s.orgAward(r, o)
	if err != nil {
		return err
	}
	if err := s.svc.Resend(r.Context(), a.ID); err != nil {
		return err
	}
	s.flash(r, "flash.resent", a.Recipient.Email)
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/awards?highlight="+a.ID)
}

// bytesReader reads an upload already in memory.
func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
