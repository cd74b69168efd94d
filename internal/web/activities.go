package web

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// The professional-development backpack: a teacher's activities besides
// badges (/portfolio/activities), and their attestation by a mentor or
// counsellor who follows a one-time link (/attest/{secret}) without an
// account.

// AttestationNotifier sends the e-mail asking an attester to confirm an
// activity; link is the one-time /attest/{secret} URL, lang the language
// the teacher wrote in.
type AttestationNotifier interface {
	AttestationRequest(ctx context.Context, to, attesterName, lang, teacherName, activityTitle, link string) error
}

// AttestationOptions configure attestations: IssuerSlug names the issuer
// of this server that signs confirmed attestations; Notifier sends the
// requests. Without both, requests are refused.
type AttestationOptions struct {
	IssuerSlug string
	Notifier   AttestationNotifier
}

func (s *server) attestationConfig() AttestationOptions { return s.attestations }

// attestationsOn says whether attestations can be asked for and signed:
// configured, and the signing issuer exists. The slug defaults to the demo
// issuer, which a server without demo data lacks; without this check the
// teacher could send requests that no confirmation can sign (the service
// then answers Conflict, attestation.unavailable, and the link stays
// usable).
func (s *server) attestationsOn(ctx context.Context) (bool, error) {
	cfg := s.attestationConfig()
	if cfg.IssuerSlug == "" || cfg.Notifier == nil {
		return false, nil
	}
	_, err := s.db.GetIssuerBySlug(ctx, cfg.IssuerSlug)
	if badge.IsNotFound(err) {
		s.log.Warn("attestations are off: the signing issuer does not exist (set --vc-issuer)", "issuer", cfg.IssuerSlug)
		return false, nil
	}
	return err == nil, err
}

// maxActivityUpload bounds an activity form with its files.
const maxActivityUpload = store.MaxActivityFiles*issuing.MaxEvidenceSize + 256<<10

type activityRow struct {
	A     *store.Activity
	Kind  string
	Date  string
	Hours string
}

type activityYear struct {
	Year  string
	Hours string
	Rows  []activityRow
}

type activitiesView struct {
	Years []activityYear
	Total string
	Kinds []string
}

type activityView struct {
	Row          activityRow
	Kinds        []string
	Attestations []*store.Attestation
	CanAttest    bool
}

// hoursText writes hundredths of an hour for the page's language.
func hoursText(lang string, centi int) string {
	s := strings.TrimSuffix(strings.TrimRight(strconv.FormatFloat(float64(centi)/100, 'f', 2, 64), "0"), ".")
	if lang == "fr" {
		s = strings.ReplaceAll(s, ".", ",")
	}
	return s
}

// parseHours reads "2.5" or "2,5" as hundredths of an hour; ok is false
// for anything that is not a finite number.
func parseHours(s string) (int, bool) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", ".")
	if s == "" || len(s) > 12 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	// Bounded before the conversion to int, which is undefined out of
	// range; the store checks the real bounds.
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e7 {
		return 0, false
	}
	return int(math.Round(f * 100)), true
}

func (s *server) activityRow(lang string, a *store.Activity) activityRow {
	return activityRow{A: a, Kind: locale.T(lang, "activity.kind."+a.Kind), Date: a.Date, Hours: hoursText(lang, a.HoursCenti)}
}

func (s *server) activitiesPage(w http.ResponseWriter, r *http.Request, f *form) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	list, err := s.db.ListActivities(r.Context(), u.ID)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	v := activitiesView{Kinds: store.ActivityKinds}
	years := map[string]*activityYear{}
	centi := map[string]int{}
	total := 0
	for _, a := range list {
		y := a.Date[:4]
		if years[y] == nil {
			years[y] = &activityYear{Year: y}
		}
		years[y].Rows = append(years[y].Rows, s.activityRow(lang, a))
		centi[y] += a.HoursCenti
		total += a.HoursCenti
	}
	for y, yv := range years {
		yv.Hours = hoursText(lang, centi[y])
		v.Years = append(v.Years, *yv)
	}
	sort.Slice(v.Years, func(i, j int) bool { return v.Years[i].Year > v.Years[j].Year })
	v.Total = hoursText(lang, total)
	if f == nil {
		f = newForm(nil)
		f.Values.Set("kind", "reading")
	}
	return s.render(w, r, formStatus(f), "activities", s.newPage(r, f, v))
}

func (s *server) activities(w http.ResponseWriter, r *http.Request) error {
	return s.activitiesPage(w, r, nil)
}

// readActivity reads an activity form into a (files are added to those
// it has), with refusals on the form.
func (s *server) readActivity(w http.ResponseWriter, r *http.Request, a *store.Activity) (*form, error) {
	v, f, files, err := s.multipartForm(w, r, maxActivityUpload)
	if err != nil {
		return nil, err
	}
	lang := locale.Negotiate(r)
	a.Kind, a.Title, a.Date, a.Reflection = v.Get("kind"), v.Get("title"), strings.TrimSpace(v.Get("date")), v.Get("reflection")
	a.Links = nil
	for _, l := range strings.Split(v.Get("links"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			a.Links = append(a.Links, l)
		}
	}
	if h, ok := parseHours(v.Get("hours")); ok {
		a.HoursCenti = h
	} else {
		f.Errors["hours"] = locale.T(lang, "error.activity.hours_invalid")
	}
	if files.form != nil {
		heads := files.form.File["files"]
		if len(a.Files)+len(heads) > store.MaxActivityFiles {
			f.Errors["files"] = locale.T(lang, "error.activity.files_too_many")
			return f, nil
		}
		for _, fh := range heads {
			if fh.Size == 0 {
				continue
			}
			data, err := readHeader(fh, issuing.MaxEvidenceSize)
			if err == nil {
				var ev badge.Evidence
				if ev, err = s.svc.StoreEvidence(r.Context(), "files", fh.Filename, data); err == nil {
					a.Files = append(a.Files, ev)
				}
			}
			if err != nil {
				if err := f.fail(lang, relabel(err, "files")); err != nil {
					return nil, err
				}
				break
			}
		}
	}
	return f, nil
}

func (s *server) createActivity(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	a := &store.Activity{UserID: u.ID}
	f, err := s.readActivity(w, r, a)
	if err != nil {
		return err
	}
	if !f.HasErrors() {
		if err = s.db.CreateActivity(r.Context(), a); err == nil {
			s.flash(r, "flash.activity.saved")
			return redirect(w, r, "/portfolio/activities#activity-"+a.ID)
		}
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
	}
	return s.activitiesPage(w, r, f)
}

// ownActivity reads the signed-in user's activity {id}.
func (s *server) ownActivity(r *http.Request) (*badge.User, *store.Activity, error) {
	u, err := signedIn(r)
	if err != nil {
		return nil, nil, err
	}
	a, err := s.db.GetActivity(r.Context(), u.ID, r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	return u, a, nil
}

func (s *server) activityPage(w http.ResponseWriter, r *http.Request, a *store.Activity, f *form) error {
	reqs, err := s.db.ListAttestations(r.Context(), a.UserID, a.ID)
	if err != nil {
		return err
	}
	on, err := s.attestationsOn(r.Context())
	if err != nil {
		return err
	}
	v := activityView{Row: s.activityRow(locale.Negotiate(r), a), Kinds: store.ActivityKinds, Attestations: reqs, CanAttest: on}
	if f == nil {
		f = newForm(nil)
		f.Values.Set("kind", a.Kind)
		f.Values.Set("title", a.Title)
		f.Values.Set("date", a.Date)
		f.Values.Set("hours", hoursText(locale.Negotiate(r), a.HoursCenti))
		f.Values.Set("reflection", a.Reflection)
		f.Values.Set("links", strings.Join(a.Links, "\n"))
	}
	return s.render(w, r, formStatus(f), "activity", s.newPage(r, f, v))
}

func (s *server) activity(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.ownActivity(r)
	if err != nil {
		return err
	}
	return s.activityPage(w, r, a, nil)
}

func (s *server) updateActivity(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.ownActivity(r)
	if err != nil {
		return err
	}
	f, err := s.readActivity(w, r, a)
	if err != nil {
		return err
	}
	if !f.HasErrors() {
		if err = s.db.UpdateActivity(r.Context(), a); err == nil {
			s.flash(r, "flash.activity.saved")
			return redirect(w, r, "/portfolio/activities#activity-"+a.ID)
		}
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
	}
	return s.activityPage(w, r, a, f)
}

func (s *server) deleteActivity(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := s.db.DeleteActivity(r.Context(), u.ID, r.PathValue("id")); err != nil {
		return err
	}
	s.flash(r, "flash.activity.deleted")
	return redirect(w, r, "/portfolio/activities")
}

// activityFile serves one of an activity's files (private: no cache).
func activityFile(s *server, w http.ResponseWriter, r *http.Request, a *store.Activity) error {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(a.Files) {
		return badge.NotFoundf("activity.file_not_found", "no such file")
	}
	w.Header().Set("Cache-Control", "private, no-store")
	return s.serveBlob(w, r, a.Files[n-1].BlobKey)
}

func (s *server) ownActivityFile(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.ownActivity(r)
	if err != nil {
		return err
	}
	return activityFile(s, w, r, a)
}

// requestAttestation e-mails a one-time link to the attester.
func (s *server) requestAttestation(w http.ResponseWriter, r *http.Request) error {
	u, a, err := s.ownActivity(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return badge.Invalidf("", "form.unreadable", "the form could not be read")
	}
	lang := locale.Negotiate(r)
	f := newForm(r.PostForm)
	cfg := s.attestationConfig()
	if on, err := s.attestationsOn(r.Context()); err != nil {
		return err
	} else if !on {
		f.Error = locale.T(lang, "error.attestation.unavailable")
		return s.activityPage(w, r, a, f)
	}
	_, secret, err := s.svc.RequestAttestation(r.Context(), u.ID, a.ID, f.Get("attester_name"), f.Get("attester_email"))
	if err != nil {
		if err := f.fail(lang, err); err != nil {
			return err
		}
		return s.activityPage(w, r, a, f)
	}
	if err := cfg.Notifier.AttestationRequest(r.Context(), badge.NormalizeEmail(f.Get("attester_email")), strings.TrimSpace(f.Get("attester_name")),
		lang, u.Name, a.Title, s.baseURL+"/attest/"+secret); err != nil {
		return badge.Internalf(err, "send attestation request")
	}
	s.flash(r, "flash.attestation.requested")
	return redirect(w, r, "/portfolio/activities/"+a.ID)
}

type attestView struct {
	Row         activityRow
	Teacher     string
	Attester    string
	Secret      string
	Done, Gone  bool
	Declined    bool
	ItemCreated bool
}

// attestTarget reads the request a link opens; a used or expired one is
// the page's "no longer valid" state, not an error page.
func (s *server) attestTarget(r *http.Request) (*attestView, *store.Activity, error) {
	secret := r.PathValue("secret")
	req, a, err := s.svc.PendingAttestation(r.Context(), secret)
	if badge.IsNotFound(err) {
		return &attestView{Gone: true}, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	teacher, err := s.db.GetUser(r.Context(), req.UserID)
	if err != nil {
		return nil, nil, err
	}
	return &attestView{Row: s.activityRow(locale.Negotiate(r), a), Teacher: teacher.Name, Attester: req.AttesterName, Secret: secret}, a, nil
}

func (s *server) attestPage(w http.ResponseWriter, r *http.Request, v *attestView) error {
	status := http.StatusOK
	if v.Gone {
		status = http.StatusNotFound
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the secret is in the URL
	return s.render(w, r, status, "attest", s.newPage(r, nil, v))
}

func (s *server) attest(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.attestTarget(r)
	if err != nil {
		return err
	}
	return s.attestPage(w, r, v)
}

func (s *server) attestFile(w http.ResponseWriter, r *http.Request) error {
	_, a, err := s.attestTarget(r)
	if err != nil {
		return err
	}
	if a == nil {
		return badge.NotFoundf("attestation.invalid", "this link is no longer valid")
	}
	return activityFile(s, w, r, a)
}

func (s *server) confirmAttestation(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.attestTarget(r)
	if err != nil || v.Gone {
		if err != nil {
			return err
		}
		return s.attestPage(w, r, v)
	}
	it, err := s.svc.ConfirmAttestation(r.Context(), v.Secret, s.attestations.IssuerSlug)
	if badge.IsNotFound(err) {
		return s.attestPage(w, r, &attestView{Gone: true})
	}
	if err != nil {
		return err
	}
	s.checkPathways(r.Context(), it.UserID)
	v.Done, v.ItemCreated = true, true
	return s.attestPage(w, r, v)
}

func (s *server) declineAttestation(w http.ResponseWriter, r *http.Request) error {
	v, _, err := s.attestTarget(r)
	if err != nil {
		return err
	}
	if !v.Gone {
		if _, err := s.svc.DeclineAttestation(r.Context(), v.Secret); badge.IsNotFound(err) {
			v = &attestView{Gone: true}
		} else if err != nil {
			return err
		} else {
			v.Done, v.Declined = true, true
		}
	}
	return s.attestPage(w, r, v)
}
