package pdfproof

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func samplePortfolio(lang string) Portfolio {
	return Portfolio{
		Language:  lang,
		Owner:     "Camille Tremblay",
		Generated: day(2026, 11, 23),
		Themes: []PortfolioTheme{
			{Name: "Compétence numérique", Badges: []PortfolioBadge{
				{Name: "Citoyenneté numérique", Issuer: "CSS des Navigateurs", Awarded: day(2026, 3, 1), State: "valide"},
				{Name: "Programmation en classe", Issuer: "Université Laval", Awarded: day(2025, 6, 12), State: "révoqué"},
			}},
			{Name: "", Badges: []PortfolioBadge{
				{Name: "Mentorat", Issuer: "Réseau Récit", Awarded: day(2024, 9, 30), State: "valide"},
			}},
		},
		Activities: []PortfolioActivity{
			{Title: "Lecture : Enseigner à l'ère du numérique", Kind: "Lecture", Date: day(2025, 2, 10), HoursCenti: 350},
			{Title: "Colloque AQUOPS", Kind: "Colloque", Date: day(2026, 4, 2), HoursCenti: 1200, Attested: true},
			{Title: "Balado Infobourg", Kind: "Balado", Date: day(2026, 1, 15), HoursCenti: 75},
		},
	}
}

func TestPortfolioText(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	cases := []struct {
		name string
		p    Portfolio
		want []string
		not  []string
	}{
		{"fr", samplePortfolio("fr"), []string{
			"Portfolio de développement professionnel", "Camille Tremblay", "Portfolio complet",
			"Exporté le 23 novembre 2026", "Compétence numérique", "Citoyenneté numérique",
			"Délivré par CSS des Navigateurs", "1er mars 2026", "révoqué", "Sans thème", "Mentorat",
			"Activités de développement professionnel", "2026", "12,75", "2025", "3,5",
			"Colloque AQUOPS", "attestée", "Balado Infobourg", "Total des heures", "16,25",
		}, nil},
		{"en", samplePortfolio("en-CA"), []string{
			"Professional development portfolio", "Whole portfolio", "Exported on November 23, 2026",
			"Issued by Université Laval", "June 12, 2025", "No theme", "Professional development activities",
			"12.75", "3.5", "attested", "Total hours", "16.25",
		}, []string{"Sans thème"}},
		{"theme only", func() Portfolio {
			p := samplePortfolio("en")
			p.Scope, p.Themes, p.Activities = "Compétence numérique", p.Themes[:1], p.Activities[1:2]
			return p
		}(), []string{"Theme: Compétence numérique", "Citoyenneté numérique", "Professional development activities",
			"The activities whose attestation is filed in this theme.", "Colloque AQUOPS", "attested", "Total hours", "12"},
			[]string{"Mentorat", "Balado", "No activities recorded"}},
		{"theme without activities", func() Portfolio {
			p := samplePortfolio("fr")
			p.Scope, p.Themes, p.Activities = "Compétence numérique", p.Themes[:1], nil
			return p
		}(), []string{"Thème : Compétence numérique", "Aucune activité attestée classée dans ce thème."},
			[]string{"Colloque", "Total des heures", "Aucune activité consignée"}},
		{"empty", Portfolio{Language: "fr", Owner: "X"}, []string{"Aucun badge.", "Aucune activité consignée."}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text := pdfText(t, mustPortfolio(t, c.p))
			for _, w := range c.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
			for _, w := range c.not {
				if strings.Contains(text, w) {
					t.Errorf("text has %q:\n%s", w, text)
				}
			}
		})
	}
}

func mustPortfolio(t *testing.T, p Portfolio) []byte {
	t.Helper()
	pdf, err := PortfolioBytes(p)
	if err != nil {
		t.Fatalf("PortfolioBytes: %v", err)
	}
	return pdf
}

func TestPortfolioDeterministic(t *testing.T) {
	a, b := mustPortfolio(t, samplePortfolio("fr")), mustPortfolio(t, samplePortfolio("fr"))
	if !bytes.Equal(a, b) {
		t.Fatal("two renderings of the same portfolio differ")
	}
}

func TestPortfolioPages(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	p := samplePortfolio("en")
	for i := range 120 {
		p.Activities = append(p.Activities, PortfolioActivity{Title: fmt.Sprintf("Session %03d", i),
			Kind: "Training", Date: day(2020+i%5, 5, 1), HoursCenti: 100})
	}
	pdf := mustPortfolio(t, p)
	if n := pageCount(t, pdf); n == "1" {
		t.Fatalf("pages = %s, want several", n)
	}
	text := pdfText(t, pdf)
	for _, w := range []string{"Session 000", "Session 119", "Page 2", "136.25"} {
		if !strings.Contains(text, w) {
			t.Errorf("text lacks %q", w)
		}
	}
}

func TestPortfolioLimits(t *testing.T) {
	p := Portfolio{Activities: make([]PortfolioActivity, maxPortfolioActivities+1)}
	if _, err := PortfolioBytes(p); !errors.Is(err, ErrInvalid) {
		t.Fatalf("err = %v, want ErrInvalid", err)
	}
}

func TestPortfolioHours(t *testing.T) {
	cases := []struct {
		lang  string
		centi int
		want  string
	}{{"fr", 350, "3,5\u00a0h"}, {"en", 350, "3.5\u00a0h"}, {"en", 1200, "12\u00a0h"}, {"fr", 5, "0,05\u00a0h"}, {"en", -3, "0\u00a0h"}}
	for _, c := range cases {
		if got := portfolioLabelTable[c.lang].hours(c.centi); got != c.want {
			t.Errorf("%s hours(%d) = %q, want %q", c.lang, c.centi, got, c.want)
		}
	}
}
