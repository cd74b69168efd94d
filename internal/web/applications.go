package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Earning by application: a teacher applies from the catalogue with what
// the criteria ask for; a reviewer accepts (the badge is awarded with the
// submission as evidence), returns it with comments, or rejects it.

// maxApplicationUpload bounds a submission's files together.
const maxApplicationUpload = badge.MaxApplicationFiles*issuing.MaxEvidenceSize + 256<<10

type applyView struct {
	Issuer      *badge.Issuer
	Badge       *badge.Badge
	Emails      []string
	Application *badge.Application // set when resubmitting
}

// catalogueTarget reads {issuer} and {badge} of a catalogue URL.
func (s *server) catalogueTarget(r *http.Request) (*badge.Issuer, *badge.Badge, error) {
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("issuer"))
	if err != nil {
		return nil, nil, err
	}
	b, err := s.db.GetBadgeBySlug(r.Context(), iss.ID, r.PathValue("badge"))
	if err != nil {
		return nil, nil, err
	}
	return iss, b, nil
}

func (s *server) applyForm(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	iss, b, err := s.catalogueTarget(r)
	if err != nil {
		return err
	}
	emails, err := s.db.VerifiedEmails(r.Context(), u.ID)
	if err != nil {
		return err
	}
	f := newForm(nil)
	if len(emails) > 0 {
		f.Values.Set("email", emails[0])
	}
	return s.render(w, r, http.StatusOK, "apply", s.newPage(r, f, applyView{Issuer: iss, Badge: b, Emails: emails}))
}

// readSubmission reads the text, links (one per line) and files of a
// submission form, storing the files; refusals go on the form.
func (s *server) readSubmission(w http.ResponseWriter, r *http.Request) (url.Values, *form, issuing.Submission, error) {
	v, f, files, err := s.multipartForm(w, r, maxApplicationUpload)
	if err != nil {
		return nil, nil, issuing.Submission{}, err
	}
	lang := locale.Negotiate(r)
	sub := issuing.Submission{Text: v.Get("text")}
	for _, l := range strings.Split(v.Get("links"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			sub.Links = append(sub.Links, l)
		}
	}
	if files.form != nil {
		heads := files.form.File["files"]
		if len(heads) > badge.MaxApplicationFiles {
			f.Errors["files"] = locale.T(lang, "error.application.files_too_many")
			return v, f, sub, nil
		}
		for _, fh := range heads {
			if fh.Size == 0 {
				continue
			}
			data, err := readHeader(fh, issuing.MaxEvidenceSize)
			if err == nil {
				var ev badge.Evidence
				ev, err = s.svc.StoreEvidence(r.Context(), "files", fh.Filename, data)
				sub.Files = append(sub.Files, ev)
			}
			if err != nil {
				if err := f.fail(lang, relabel(err, "files")); err != nil {
					return nil, nil, sub, err
				}
				break
			}
		}
	}
	return v, f, sub, nil
}

func (s *server) apply(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	iss, b, err := s.catalogueTarget(r)
	if err != nil {
		return err
	}
	emails, err := s.db.VerifiedEmails(r.Context(), u.ID)
	if err != nil {
		return err
	}
	v, f, sub, err := s.readSubmission(w, r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	email := badge.NormalizeEmail(v.Get("email"))
	if !contains(emails, email) {
		f.Errors["email"] = locale.T(lang, "error.application.email_unverified")
	}
	if !f.HasErrors() {
		a, err := s.svc.Apply(r.Context(), b, u, email, sub)
		if err == nil {
			s.flash(r, "flash.applied")
			return redirect(w, r, "/applications/"+a.ID)
		}
		if err := f.fail(lang, err); err != nil {
			return err
		}
	}
	return s.render(w, r, formStatus(f), "apply", s.newPage(r, f, applyView{Issuer: iss, Badge: b, Emails: emails}))
}

// applicationRow is one application in a list.
type applicationRow struct {
	App       *badge.Application
	BadgeName string
	Issuer    string
	Updated   string
	Applicant string
}

func (s *server) applicationRows(r *http.Request, apps []*badge.Application, withApplicant bool) ([]applicationRow, error) {
	lang := locale.Negotiate(r)
	rows := make([]applicationRow, 0, len(apps))
	for _, a := range apps {
		b, err := s.defs.badges.get(r.Context(), a.BadgeID, s.db.GetBadge)
		if err != nil {
			return nil, err
		}
		iss, err := s.defs.issuers.get(r.Context(), a.IssuerID, s.db.GetIssuer)
		if err != nil {
			return nil, err
		}
		row := applicationRow{App: a, BadgeName: b.Name, Issuer: iss.Name, Updated: formatDate(lang, a.Updated)}
		if withApplicant {
			if u, err := s.db.GetUser(r.Context(), a.UserID); err == nil {
				row.Applicant = u.Name
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// myApplications lists the signed-in user's applications.
func (s *server) myApplications(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	apps, err := s.svc.Applications(r.Context(), store.ApplicationFilter{UserID: u.ID})
	if err != nil {
		return err
	}
	rows, err := s.applicationRows(r, apps, false)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "applications", s.newPage(r, nil, rows))
}

type applicationView struct {
	Row      applicationRow
	Badge    *badge.Badge
	Issuer   *badge.Issuer
	Org      *orgContext // set for a reviewer
	FilesURL string
	Events   []eventView
}

type eventView struct {
	When, State, By, Comments string
}

// ownApplication reads {id}, an application of the signed-in user; any
// other is not found (its existence is not revealed).
func (s *server) ownApplication(r *http.Request) (*badge.User, *badge.Application, error) {
	u, err := signedIn(r)
	if err != nil {
		return nil, nil, err
	}
	id := r.PathValue("id")
	if !badge.ValidID(id) {
		return nil, nil, badge.NotFoundf("application.not_found", "no such application")
	}
	a, err := s.db.GetApplication(r.Context(), id)
	if err != nil {
		return nil, nil, err
	}
	if a.UserID != u.ID {
		return nil, nil, badge.NotFoundf("application.not_found", "no such application")
	}
	return u, a, nil
}

func (s *server) applicationView(r *http.Request, a *badge.Application, o *orgContext, filesURL string) (applicationView, error) {
	rows, err := s.applicationRows(r, []*badge.Application{a}, o != nil)
	if err != nil {
		return applicationView{}, err
	}
	b, err := s.db.GetBadge(r.Context(), a.BadgeID)
	if err != nil {
		return applicationView{}, err
	}
	iss, err := s.defs.issuers.get(r.Context(), a.IssuerID, s.db.GetIssuer)
	if err != nil {
		return applicationView{}, err
	}
	lang := locale.Negotiate(r)
	v := applicationView{Row: rows[0], Badge: b, Issuer: iss, Org: o, FilesURL: filesURL}
	for _, e := range a.History {
		ev := eventView{When: formatDate(lang, e.At), State: string(e.State), Comments: e.Comments}
		if u, err := s.db.GetUser(r.Context(), e.By); err == nil {
			ev.By = u.Name
		}
		v.Events = append(v.Events, ev)
	}
	return v, nil
}

func (s *server) myApplication(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	return s.applicationPage(w, r, a, newForm(url.Values{"text": {a.Text}, "links": {strings.Join(a.Links, "\n")}}))
}

func (s *server) applicationPage(w http.ResponseWriter, r *http.Request, a *badge.Application, f *form) error {
	v, err := s.applicationView(r, a, nil, "/applications/"+a.ID+"/files/")
	if err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "application", s.newPage(r, f, v))
}

// resubmit sends a returned application again.
func (s *server) resubmit(w http.ResponseWriter, r *http.Request) error {
	u, a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	_, f, sub, err := s.readSubmission(w, r)
	if err != nil {
		return err
	}
	if !f.HasErrors() {
		err := s.svc.Resubmit(r.Context(), a, u, sub)
		if err == nil {
			s.flash(r, "flash.applied")
			return redirect(w, r, "/applications/"+a.ID)
		}
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
	}
	return s.applicationPage(w, r, a, f)
}

// applicationFile serves a submitted file to its applicant or to the
// organisation's reviewers; files are private until the badge is
// awarded (then they are the award's public evidence).
func (s *server) applicationFile(w http.ResponseWriter, r *http.Request, a *badge.Application) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(a.Files) {
		return badge.NotFoundf("application.file_not_found", "no such file")
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return s.serveBlob(w, r, a.Files[n-1].BlobKey)
}

func (s *server) myApplicationFile(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.ownApplication(r)
	if err != nil {
		return err
	}
	return s.applicationFile(w, r, a)
}

// reviewQueue lists the organisation's applications, those waiting first.
func (s *server) reviewQueue(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleReviewer)
	if err != nil {
		return err
	}
	state := badge.ApplicationState(r.URL.Query().Get("state"))
	switch state {
	case "", badge.ApplicationSubmitted, badge.ApplicationReturned, badge.ApplicationAccepted, badge.ApplicationRejected:
	default:
		state = ""
	}
	if state == "" {
		state = badge.ApplicationSubmitted
	}
	apps, err := s.svc.Applications(r.Context(), store.ApplicationFilter{IssuerID: o.Issuer.ID, State: state})
	if err != nil {
		return err
	}
	rows, err := s.applicationRows(r, apps, true)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "review_queue", s.newPage(r, nil, struct {
		Org   *orgContext
		Rows  []applicationRow
		State string
	}{o, rows, string(state)}))
}

// orgApplication reads {id}, an application to the organisation.
func (s *server) orgApplication(r *http.Request, o *orgContext) (*badge.Application, error) {
	id := r.PathValue("id")
	if !badge.ValidID(id) {
		return nil, badge.NotFoundf("application.not_found", "no such application")
	}
	a, err := s.db.GetApplication(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if a.IssuerID != o.Issuer.ID {
		return nil, badge.NotFoundf("application.not_found", "no such application")
	}
	return a, nil
}

func (s *server) review(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleReviewer)
	if err != nil {
		return err
	}
	a, err := s.orgApplication(r, o)
	if err != nil {
		return err
	}
	return s.reviewPage(w, r, o, a, newForm(nil))
}

func (s *server) reviewPage(w http.ResponseWriter, r *http.Request, o *orgContext, a *badge.Application, f *form) error {
	v, err := s.applicationView(r, a, o, "/workspace/"+o.Issuer.Slug+"/applications/"+a.ID+"/files/")
	if err != nil {
		return err
	}
	return s.render(w, r, formStatus(f), "review", s.newPage(r, f, v))
}

func (s *server) decide(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleReviewer)
	if err != nil {
		return err
	}
	a, err := s.orgApplication(r, o)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	decision := badge.ApplicationState(v.Get("decision"))
	if err := s.svc.Decide(r.Context(), a, o.User, decision, v.Get("comments")); err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.reviewPage(w, r, o, a, f)
	}
	s.flash(r, "flash.decided."+string(decision))
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/applications")
}

func (s *server) reviewFile(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleReviewer)
	if err != nil {
		return err
	}
	a, err := s.orgApplication(r, o)
	if err != nil {
		return err
	}
	return s.applicationFile(w, r, a)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// relabel puts a user error on another form field.
func relabel(err error, field string) error {
	if be := asBadgeError(err); be.Kind != badge.Internal {
		c := *be
		c.Field = field
		return &c
	}
	return err
}
