package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/pdfproof"
	"github.com/sceau/sceau/internal/store"
)

// Portfolio exports for appraisers: the whole portfolio, or one theme
// (?theme={id}), as a printable PDF (/portfolio/export.pdf, ?lang=fr|en)
// and as a 1EdTech CLR 2.0 ClrCredential carrying the OB 3.0 credentials
// (/portfolio/export.clr.json), signed by the platform's issuer so that an
// appraiser verifies the whole record, and each badge in it, in one step.

// exportScope reads the signed-in owner's portfolio entries, restricted
// to ?theme= when given (an unknown theme is not found), and the theme's
// name ("" for the whole portfolio).
func (s *server) exportScope(r *http.Request) (*badge.User, []*store.PortfolioEntry, []*store.Collection, *store.Collection, error) {
	u, err := signedIn(r)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	ctx := r.Context()
	entries, err := s.db.ListPortfolio(ctx, u.ID, false)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	themes, err := s.db.ListCollections(ctx, u.ID)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	id := r.URL.Query().Get("theme")
	if id == "" {
		return u, entries, themes, nil, nil
	}
	for _, t := range themes {
		if t.ID != id {
			continue
		}
		var in []*store.PortfolioEntry
		for _, e := range entries {
			if e.Item.CollectionID == id {
				in = append(in, e)
			}
		}
		return u, in, []*store.Collection{t}, t, nil
	}
	return nil, nil, nil, nil, badge.NotFoundf("export.theme_not_found", "no such theme")
}

// exportLang is ?lang= when it names a supported language, else the
// page's language.
func exportLang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l != "" {
		for _, k := range locale.Languages {
			if k == l {
				return l
			}
		}
	}
	return locale.Negotiate(r)
}

// exportPDF serves the portfolio (or a theme) as a PDF.
func (s *server) exportPDF(w http.ResponseWriter, r *http.Request) error {
	u, entries, themes, theme, err := s.exportScope(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.completeEntries(ctx, entries); err != nil {
		return err
	}
	lang := exportLang(r)
	now := s.now()
	p := pdfproof.Portfolio{Language: lang, Owner: u.Name, Generated: now.UTC()}
	if p.Owner == "" {
		p.Owner = "@" + u.Handle
	}
	grouped, unsorted := groupEntries(lang, u.Handle, entries, themes, now)
	for _, t := range grouped {
		pt := pdfproof.PortfolioTheme{Name: t.Name}
		for _, it := range t.Items {
			pt.Badges = append(pt.Badges, exportBadge(it, entries))
		}
		p.Themes = append(p.Themes, pt)
	}
	if len(unsorted) > 0 {
		pt := pdfproof.PortfolioTheme{}
		for _, it := range unsorted {
			pt.Badges = append(pt.Badges, exportBadge(it, entries))
		}
		p.Themes = append(p.Themes, pt)
	}
	acts, err := s.exportActivities(ctx, lang, u.ID, theme, entries)
	if err != nil {
		return err
	}
	p.Activities = acts
	if theme != nil {
		p.Scope = theme.Name
	}
	pdf, err := pdfproof.PortfolioBytes(p)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="portfolio-`+lang+`.pdf"`)
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(pdf)
	return err
}

// exportActivities returns the development activities the PDF lists: all
// of them for the whole portfolio; for one theme, those with an
// attestation whose credential the owner filed in that theme (entries are
// the theme's items). An activity has no theme of its own: its attested
// credential is how it joins the portfolio's badges, and it is filed in
// a theme like any of them.
func (s *server) exportActivities(ctx context.Context, lang, userID string, theme *store.Collection, entries []*store.PortfolioEntry) ([]pdfproof.PortfolioActivity, error) {
	acts, err := s.db.ListActivities(ctx, userID)
	if err != nil {
		return nil, err
	}
	attested, err := s.db.AttestedActivities(ctx, userID)
	if err != nil {
		return nil, err
	}
	inTheme := map[string]bool{}
	for _, e := range entries {
		inTheme[e.Item.ID] = true
	}
	var out []pdfproof.PortfolioActivity
	for _, a := range acts {
		if theme != nil && !slices.ContainsFunc(attested[a.ID], func(item string) bool { return inTheme[item] }) {
			continue
		}
		d, err := time.Parse(store.ActivityDateLayout, a.Date)
		if err != nil {
			continue // checked on the way in; a bad row is left out rather than failing the export
		}
		out = append(out, pdfproof.PortfolioActivity{Title: a.Title, Date: d, Kind: locale.T(lang, "activity.kind."+a.Kind),
			HoursCenti: a.HoursCenti, Attested: len(attested[a.ID]) > 0})
	}
	return out, nil
}

// exportBadge is one badge line of the PDF; the award date comes from
// the entry (the view holds it only as text).
func exportBadge(it itemView, entries []*store.PortfolioEntry) pdfproof.PortfolioBadge {
	b := pdfproof.PortfolioBadge{Name: it.BadgeName, Issuer: it.IssuerName, State: it.StateLabel}
	for _, e := range entries {
		if e.Item.ID != it.ID {
			continue
		}
		b.Awarded = e.AwardedAt
		if in := e.Item.Import; in != nil && in.IssuedAt != nil {
			b.Awarded = *in.IssuedAt
		}
		break
	}
	return b
}

// exportCLR serves the portfolio's (or a theme's) OB 3.0 credentials as
// a ClrCredential issued in the name of the platform's attestation issuer.
func (s *server) exportCLR(w http.ResponseWriter, r *http.Request) error {
	u, entries, _, theme, err := s.exportScope(r)
	if err != nil {
		return err
	}
	slug := s.attestations.IssuerSlug
	if slug == "" {
		return badge.NotFoundf("export.clr_unavailable", "this server has no platform issuer to issue CLRs")
	}
	ctx := r.Context()
	iss, err := s.db.GetIssuerBySlug(ctx, slug)
	if err != nil {
		return err
	}
	lang := exportLang(r)
	c := issuing.CLR{IssuerName: iss.Name, IssuerURL: s.baseURL + "/issuers/" + slug,
		SubjectID: s.baseURL + "/@" + u.Handle, ValidFrom: s.now(), Partial: theme != nil}
	owner := u.Name
	if owner == "" {
		owner = "@" + u.Handle
	}
	c.Name = locale.T(lang, "export.clr_name", owner)
	if theme != nil {
		c.Name = locale.T(lang, "export.clr_name_theme", owner, theme.Name)
	}
	for _, e := range entries {
		switch {
		case e.Item.AwardID != "":
			a, err := s.db.GetAward(ctx, e.Item.AwardID)
			if err != nil {
				return err
			}
			if len(a.Credential) > 0 {
				c.Credentials = append(c.Credentials, a.Credential)
			}
		case e.Item.Import != nil && e.Item.Import.Format == "json" && e.Item.Import.Standard == "":
			// Imported OB 3.0 JSON (attestations included); OB 2.0 and
			// JWT-secured credentials cannot be embedded as JSON-LD.
			cred := e.Item.Credential
			if len(cred) == 0 {
				// Listings leave the stored bytes out.
				full, err := s.db.GetPortfolioEntry(ctx, u.ID, e.Item.ID)
				if err != nil {
					return err
				}
				cred = full.Item.Credential
			}
			// VC 1.1 credentials stay out: no VC 2.0 document can carry them.
			if issuing.CLRCarries(cred) {
				c.Credentials = append(c.Credentials, cred)
			}
		}
	}
	if len(c.Credentials) == 0 {
		return badge.NotFoundf("export.clr_empty", "no Open Badges 3.0 credential to export")
	}
	doc, err := s.svc.SignCLR(ctx, slug, c)
	if errors.Is(err, issuing.ErrCLR) {
		return badge.Invalidf("", "export.clr_invalid", "%v", err)
	}
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "application/vc+ld+json")
	h.Set("Content-Disposition", `attachment; filename="portfolio.clr.json"`)
	h.Set("Cache-Control", "no-store")
	_, err = w.Write(doc)
	return err
}
