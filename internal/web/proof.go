package web

import (
	"bytes"
	"net/http"
	"strconv"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/pdfproof"
)

// awardProof serves the one-page PDF proof of an award in the page's
// language: what it certifies, to whom, by whom, when, and a QR code to
// the live verification, which is the authority (the PDF is a summary).
func (s *server) awardProof(w http.ResponseWriter, r *http.Request) error {
	a, err := s.getAward(r)
	if err != nil {
		return err
	}
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
	p := pdfproof.Proof{Language: lang, BadgeName: b.Name, BadgeDescription: b.Description, IssuerName: iss.Name,
		IssuerURL: iss.URL, RecipientName: a.Recipient.Name, AwardedOn: a.AwardedAt, ValidFrom: &a.ValidFrom,
		ValidUntil: a.ValidUntil, CriteriaNarrative: b.CriteriaNarrative, BadgeURL: s.baseURL + "/awards/" + a.ID,
		VerifyURL: s.baseURL + "/awards/" + a.ID + "/verify", CredentialID: s.baseURL + "/awards/" + a.ID,
		Generated: s.now()}
	if a.Status != badge.StatusActive && a.Status != "" {
		p.Status = locale.T(lang, "award.status."+string(a.Status))
	}
	if b.ImageType == "image/png" {
		if img, err := s.svc.BadgeImage(ctx, b.ID); err == nil {
			p.BadgeImage = img
		}
	}
	for i, e := range a.Evidence {
		ev := pdfproof.Evidence{Name: e.Name, Description: e.Narrative, URL: e.URL}
		if e.BlobKey != "" {
			ev.URL = s.baseURL + "/awards/" + a.ID + "/evidence/" + strconv.Itoa(i+1)
		}
		p.Evidence = append(p.Evidence, ev)
	}
	var buf bytes.Buffer
	if err := pdfproof.Render(&buf, p); err != nil {
		return badge.Internalf(err, "render PDF proof of award %s", a.ID)
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="badge-`+a.ID+`-`+lang+`.pdf"`)
	h.Set("Content-Language", lang)
	// The status printed on it can change: revalidate every time.
	h.Set("Cache-Control", "public, no-cache")
	h.Add("Vary", "Accept-Language, Cookie")
	_, err = buf.WriteTo(w)
	return err
}
