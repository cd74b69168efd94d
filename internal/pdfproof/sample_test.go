package pdfproof

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"strings"
	"testing"
	"time"
)

// badgePNG draws a simple medallion (a ring and a five-pointed star on transparency), so the
// tests carry no binary fixture of unknown origin.
func badgePNG(t testing.TB, side int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	c := float64(side) / 2
	star := func(x, y float64) bool {
		// Point-in-polygon on the ten vertices of a star.
		var pts [10][2]float64
		for i := range pts {
			r := c * 0.62
			if i%2 == 1 {
				r = c * 0.25
			}
			a := -math.Pi/2 + float64(i)*math.Pi/5
			pts[i] = [2]float64{c + r*math.Cos(a), c + r*math.Sin(a)}
		}
		in := false
		for i, j := 0, len(pts)-1; i < len(pts); j, i = i, i+1 {
			if (pts[i][1] > y) != (pts[j][1] > y) &&
				x < (pts[j][0]-pts[i][0])*(y-pts[i][1])/(pts[j][1]-pts[i][1])+pts[i][0] {
				in = !in
			}
		}
		return in
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			fx, fy := float64(x)+0.5, float64(y)+0.5
			d := math.Hypot(fx-c, fy-c)
			switch {
			case d > c:
			case star(fx, fy):
				img.SetNRGBA(x, y, color.NRGBA{240, 190, 60, 255})
			case d > c*0.88:
				img.SetNRGBA(x, y, color.NRGBA{200, 150, 40, 255})
			default:
				img.SetNRGBA(x, y, color.NRGBA{31, 58, 95, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ptr(t time.Time) *time.Time { return &t }

const sampleCriteria = `## Ce qui est évalué

La personne a conçu et **présenté** un projet d’*accessibilité numérique* devant un jury :

- audit RGAA d’un site réel, avec [le rapport](https://example.org/rapport) publié ;
- plan de correction chiffré « réaliste » ;
- démonstration des œuvres corrigées — en public.

Voir aussi <https://example.org/referentiel>.`

const sampleCriteriaEN = `## What is assessed

The learner designed and **presented** a *digital accessibility* project to a panel:

1. a WCAG audit of a live site, with [the report](https://example.org/report) published;
2. a costed remediation plan;
3. a public demonstration of the fixes.`

func sampleProof(t testing.TB, lang string) Proof {
	awarded := time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)
	p := Proof{
		Language:     lang,
		BadgeImage:   badgePNG(t, 300),
		IssuerURL:    "https://ecole.example.org/",
		AwardedOn:    awarded,
		ValidFrom:    ptr(time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)),
		ValidUntil:   ptr(time.Date(2029, 11, 23, 0, 0, 0, 0, time.UTC)),
		BadgeURL:     "https://sceau.example.org/b/01JD8Z6Q4M3YB7R5W2K9XQ1TVA",
		VerifyURL:    "https://sceau.example.org/b/01JD8Z6Q4M3YB7R5W2K9XQ1TVA/verify",
		CredentialID: "urn:uuid:3b7c2e9a-5f41-4d8e-9a61-0c2f7e8d4b15",
		Evidence: []Evidence{
			{Name: "Rapport d’audit", URL: "https://example.org/rapport.pdf"},
			{Name: "Vidéo de la soutenance", Description: "12 minutes, sous-titrée"},
		},
	}
	if lang == "fr" {
		p.BadgeName = "Référente accessibilité numérique — niveau avancé"
		p.BadgeDescription = "Atteste la maîtrise de l’audit et de la mise en conformité d’un service en ligne « accessible à tous »."
		p.IssuerName = "École supérieure du numérique de Besançon"
		p.RecipientName = "Françoise Œuvray-Lefèvre"
		p.Status = "valide"
		p.CriteriaNarrative = sampleCriteria
	} else {
		p.BadgeName = "Digital Accessibility Lead — Advanced"
		p.BadgeDescription = "Shows mastery of auditing an online service and bringing it into compliance."
		p.IssuerName = "École supérieure du numérique de Besançon"
		p.RecipientName = "Zoë O’Brien"
		p.Status = "valid"
		p.CriteriaNarrative = sampleCriteriaEN
		p.Evidence = []Evidence{
			{Name: "Audit report", URL: "https://example.org/report.pdf"},
			{Name: "Recorded defence", Description: "12 minutes, captioned"},
		}
	}
	return p
}

// longProof stretches every list: criteria far beyond a page and 50 evidence items.
func longProof(t testing.TB, lang string) Proof {
	p := sampleProof(t, lang)
	var b strings.Builder
	for i := range 80 {
		fmt.Fprintf(&b, "### Étape %d\n\nParagraphe numéro %d, qui décrit longuement ce que la personne doit démontrer, "+
			"avec des détails à n’en plus finir sur les modalités d’évaluation et les attendus.\n\n- point un\n- point deux\n\n", i+1, i+1)
	}
	p.CriteriaNarrative = b.String()
	p.Evidence = nil
	for i := range 50 {
		p.Evidence = append(p.Evidence, Evidence{Name: fmt.Sprintf("Preuve n° %d", i+1), URL: fmt.Sprintf("https://example.org/preuve/%d", i+1)})
	}
	p.BadgeName = strings.Repeat("Nom de badge très long ", 20)
	p.BadgeDescription = strings.Repeat("Une description interminable. ", 100)
	p.RecipientName = strings.Repeat("Marie-Thérèse ", 30)
	p.IssuerName = strings.Repeat("Établissement ", 30)
	p.IssuerURL = "https://ecole.example.org/" + strings.Repeat("chemin/", 50)
	p.BadgeURL = "https://sceau.example.org/b/" + strings.Repeat("0123456789", 30)
	p.CredentialID = "urn:uuid:3b7c2e9a-" + strings.Repeat("x", 290)
	p.Status = strings.Repeat("révoqué ", 20)
	return p
}
