package web

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// awardOffers are the forms of an award, HTML first so that clients that
// say nothing precise (*/*) get the page.
var awardOffers = []string{"text/html", "application/vc+ld+json", "application/ld+json", "application/json",
	"application/vc+jwt", "application/jwt"}

// getAward loads the award named in the path; ids that are not UUIDs are
// not found without asking the database.
func (s *server) getAward(r *http.Request) (*badge.Award, error) {
	id := r.PathValue("id")
	if !badge.ValidID(id) {
		return nil, badge.NotFoundf("award.not_found", "award %q not found", id)
	}
	return s.db.GetAward(r.Context(), id)
}

// award serves an award's permanent address by content negotiation.
func (s *server) award(w http.ResponseWriter, r *http.Request) error {
	a, err := s.getAward(r)
	if err != nil {
		return err
	}
	w.Header().Add("Vary", "Accept, Accept-Language, Cookie")
	switch ct := httpx.Negotiate(r.Header.Get("Accept"), awardOffers...); ct {
	case "text/html":
		return s.awardPage(w, r, a)
	case "application/vc+jwt", "application/jwt":
		return writeJWT(w, a, ct)
	default:
		return writeDoc(w, ct, "60", a.Credential)
	}
}

func (s *server) awardJSON(w http.ResponseWriter, r *http.Request) error {
	a, err := s.getAward(r)
	if err != nil {
		return err
	}
	return writeDoc(w, "application/vc+ld+json", "60", a.Credential)
}

func (s *server) awardJWT(w http.ResponseWriter, r *http.Request) error {
	a, err := s.getAward(r)
	if err != nil {
		return err
	}
	return writeJWT(w, a, "application/vc+jwt")
}

func writeJWT(w http.ResponseWriter, a *badge.Award, ct string) error {
	if a.CredentialJWT == "" {
		return badge.NotFoundf("award.no_jwt", "award %s has no VC-JWT form", a.ID)
	}
	return writeDoc(w, ct, "60", []byte(a.CredentialJWT))
}

// awardBaked serves the badge image with the signed credential baked in.
func (s *server) awardBaked(format string) func(http.ResponseWriter, *http.Request) error {
	ct := map[string]string{"png": "image/png", "svg": "image/svg+xml"}[format]
	return func(w http.ResponseWriter, r *http.Request) error {
		a, err := s.getAward(r)
		if err != nil {
			return err
		}
		out, err := s.svc.Baked(r.Context(), a.ID, format, nil)
		if err != nil {
			return err
		}
		h := w.Header()
		h.Set("Content-Type", ct)
		h.Set("Content-Disposition", `attachment; filename="badge-`+a.ID+`.`+format+`"`)
		if format == "svg" {
			h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox")
		}
		h.Set("Cache-Control", "public, max-age=60")
		_, err = w.Write(out)
		return err
	}
}

// evidenceFile serves the n-th (from 1) evidence item's uploaded file.
func (s *server) evidenceFile(w http.ResponseWriter, r *http.Request) error {
	a, err := s.getAward(r)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > len(a.Evidence) || a.Evidence[n-1].BlobKey == "" {
		return badge.NotFoundf("evidence.not_found", "award %s has no evidence file %q", a.ID, r.PathValue("n"))
	}
	return s.serveBlob(w, r, a.Evidence[n-1].BlobKey)
}

// awardView is what the badge page shows. It holds nothing private: no
// e-mail address, no identity hash, no salt.
type awardView struct {
	Lang, OtherLang string
	ContentLang     string // the badge's own language, which may differ from the page's
	ID              string
	BadgeName       string
	Description     string
	Criteria        template.HTML // rendered Markdown
	CriteriaURL     string
	ImageURL        string
	IssuerName      string
	IssuerURL       string
	IssuerImageURL  string
	RecipientName   string
	AwardedAt       string
	ValidFrom       string
	ValidUntil      string
	Status          string
	StatusReason    string
	StatusSince     string
	Narrative       string
	Evidence        []evidenceView
	// Endorsements the issuer accepted, of the badge and of the issuer.
	Endorsements []*store.Endorsement
}

type evidenceView struct {
	Name, Narrative, URL string
}

func (s *server) awardPage(w http.ResponseWriter, r *http.Request, a *badge.Award) error {
	ctx := r.Context()
	b, err := s.defs.badges.get(ctx, a.BadgeID, s.db.GetBadge)
	if err != nil {
		return err
	}
	iss, err := s.defs.issuers.get(ctx, a.IssuerID, s.db.GetIssuer)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	v := awardView{Lang: lang, OtherLang: "en", ContentLang: b.Language, ID: a.ID, BadgeName: b.Name, Description: b.Description,
		Criteria: renderMarkdown(b.CriteriaNarrative), CriteriaURL: b.CriteriaURL, IssuerName: iss.Name, IssuerURL: iss.URL,
		RecipientName: a.Recipient.Name, AwardedAt: formatDate(lang, a.AwardedAt), ValidFrom: formatDate(lang, a.ValidFrom),
		Status: string(a.Status), StatusReason: a.StatusReason, Narrative: a.Narrative}
	if lang == "en" {
		v.OtherLang = "fr"
	}
	if v.Status == "" {
		v.Status = string(badge.StatusActive)
	}
	if a.ValidUntil != nil {
		v.ValidUntil = formatDate(lang, *a.ValidUntil)
	}
	if a.StatusChangedAt != nil && v.Status != string(badge.StatusActive) {
		v.StatusSince = formatDate(lang, *a.StatusChangedAt)
	}
	if b.ImageKey != "" {
		v.ImageURL = "/issuers/" + iss.Slug + "/badges/" + b.Slug + "/image"
	}
	if iss.ImageKey != "" {
		v.IssuerImageURL = "/issuers/" + iss.Slug + "/image"
	}
	for i, e := range a.Evidence {
		ev := evidenceView{Name: e.Name, Narrative: e.Narrative, URL: e.URL}
		if e.BlobKey != "" {
			ev.URL = "/awards/" + a.ID + "/evidence/" + strconv.Itoa(i+1)
			if ev.Name == "" {
				ev.Name = locale.T(lang, "award.evidence_file", i+1)
			}
		}
		v.Evidence = append(v.Evidence, ev)
	}
	v.Endorsements, err = s.defs.endorsements.get(ctx, b.ID, func(ctx context.Context, badgeID string) ([]*store.Endorsement, error) {
		of, err := s.db.AcceptedEndorsements(ctx, iss.ID, badgeID)
		if err != nil {
			return nil, err
		}
		ofIssuer, err := s.db.AcceptedEndorsements(ctx, iss.ID, "")
		return append(of, ofIssuer...), err
	})
	if err != nil {
		return err
	}
	// Render to a buffer first so that a template error becomes a clean
	// error page instead of half a page.
	var buf bytes.Buffer
	if err := s.pages["award"].Execute(&buf, v); err != nil {
		return badge.Internalf(err, "render award page")
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	// The page shows the award's status: a revocation must show at once,
	// so caches keep the page only to revalidate it.
	h.Set("Cache-Control", "public, no-cache")
	_, err = buf.WriteTo(w)
	return err
}

var monthsFR = [...]string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
	"octobre", "novembre", "décembre"}

// formatDate writes a date the way each language writes it, in UTC (the
// credential's dates are UTC).
func formatDate(lang string, t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	if lang == "fr" {
		d := strconv.Itoa(t.Day())
		if t.Day() == 1 {
			d = "1er"
		}
		return d + " " + monthsFR[t.Month()-1] + " " + strconv.Itoa(t.Year())
	}
	return t.Format("January 2, 2006")
}

// funcs are the template helpers.
var funcs = template.FuncMap{
	"t": locale.T,
	// dict passes named values to a sub-template (the form fields).
	"dict": func(kv ...any) (map[string]any, error) {
		if len(kv)%2 != 0 {
			return nil, errors.New("dict: odd number of arguments")
		}
		m := make(map[string]any, len(kv)/2)
		for i := 0; i < len(kv); i += 2 {
			k, ok := kv[i].(string)
			if !ok {
				return nil, errors.New("dict: keys must be strings")
			}
			m[k] = kv[i+1]
		}
		return m, nil
	},
	"list":      func(v ...string) []string { return v },
	"hasPrefix": strings.HasPrefix,
	"inc":       func(i int) int { return i + 1 },
	"markdown":  renderMarkdown,
}
