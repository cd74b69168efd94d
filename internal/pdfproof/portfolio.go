package pdfproof

import (
	"bytes"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Portfolio is a whole portfolio (or one theme of it) as the printable export shows it:
// badges grouped by theme and development activities grouped by year with their hours.
// Unlike the one-page proof it may run over several pages. Strings are plain text from
// users and issuers; they are cleaned and bounded like a Proof's.
type Portfolio struct {
	// Language: "fr" (or "fr-*") gives French, anything else English.
	Language string
	Owner    string
	// Scope names what is exported (a theme's name); empty means the whole portfolio.
	Scope string
	// Generated dates the document and its metadata; fixed by the caller so that the output
	// is reproducible.
	Generated time.Time
	Themes    []PortfolioTheme
	// Activities of a theme's export (Scope set) are those whose attestation the owner
	// filed in the theme; the section says so.
	Activities []PortfolioActivity
}

// PortfolioTheme is a theme and its badges, in display order. An empty Name is the badges
// in no theme.
type PortfolioTheme struct {
	Name   string
	Badges []PortfolioBadge
}

// PortfolioBadge is one badge line. State is already in the document's language.
type PortfolioBadge struct {
	Name    string
	Issuer  string
	Awarded time.Time
	State   string
}

// PortfolioActivity is one development activity. Kind is already in the document's
// language; Hours are in hundredths of an hour.
type PortfolioActivity struct {
	Title      string
	Kind       string
	Date       time.Time
	HoursCenti int
	Attested   bool
}

// Bounds on what one export prints: far above a real portfolio, they only cap the work a
// request can cause.
const (
	maxPortfolioBadges     = 5000
	maxPortfolioActivities = 5000
)

type portfolioLabels struct {
	heading, whole, themePrefix, generated     string
	badges, noTheme, noBadges                  string
	activities, noActivities, total, yearTotal string
	themeActivities, noThemeActivities         string
	issuedBy, attested, page, authority, title string
	hourUnit                                   string
	decimal                                    string
}

var portfolioLabelTable = map[string]*portfolioLabels{
	"fr": {
		heading:           "Portfolio de développement professionnel",
		whole:             "Portfolio complet",
		themePrefix:       "Thème\u202f: ",
		generated:         "Exporté le ",
		badges:            "Badges",
		noTheme:           "Sans thème",
		noBadges:          "Aucun badge.",
		activities:        "Activités de développement professionnel",
		noActivities:      "Aucune activité consignée.",
		themeActivities:   "Les activités dont l'attestation est classée dans ce thème.",
		noThemeActivities: "Aucune activité attestée classée dans ce thème.",
		total:             "Total des heures\u202f: ",
		yearTotal:         "heures",
		issuedBy:          "Délivré par ",
		attested:          "attestée",
		page:              "Page ",
		authority: "Document imprimable sans valeur de preuve\u202f: seuls les justificatifs numériques " +
			"signés font foi.",
		title:    "Portfolio",
		hourUnit: "\u00a0h",
		decimal:  ",",
	},
	"en": {
		heading:           "Professional development portfolio",
		whole:             "Whole portfolio",
		themePrefix:       "Theme: ",
		generated:         "Exported on ",
		badges:            "Badges",
		noTheme:           "No theme",
		noBadges:          "No badges.",
		activities:        "Professional development activities",
		noActivities:      "No activities recorded.",
		themeActivities:   "The activities whose attestation is filed in this theme.",
		noThemeActivities: "No attested activity filed in this theme.",
		total:             "Total hours: ",
		yearTotal:         "hours",
		issuedBy:          "Issued by ",
		attested:          "attested",
		page:              "Page ",
		authority: "Printable document, not a proof: only the signed digital credentials are " +
			"authoritative.",
		title:    "Portfolio",
		hourUnit: "\u00a0h",
		decimal:  ".",
	},
}

// hours writes hundredths of an hour as "12,5 h" or "12.5 h", without trailing zeros.
func (pl *portfolioLabels) hours(centi int) string {
	if centi < 0 {
		centi = 0
	}
	s := strconv.Itoa(centi / 100)
	if frac := centi % 100; frac != 0 {
		f := strings.TrimRight(fmt.Sprintf("%02d", frac), "0")
		s += pl.decimal + f
	}
	return s + pl.hourUnit
}

// PortfolioBytes renders the portfolio and returns the PDF.
func PortfolioBytes(p Portfolio) ([]byte, error) {
	var buf bytes.Buffer
	if err := RenderPortfolio(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// RenderPortfolio writes the portfolio PDF to w. Output is a function of p alone.
func RenderPortfolio(w io.Writer, p Portfolio) (err error) {
	n := 0
	for _, t := range p.Themes {
		n += len(t.Badges)
	}
	if n > maxPortfolioBadges {
		return fmt.Errorf("render portfolio: %w: %d badges, limit %d", ErrInvalid, n, maxPortfolioBadges)
	}
	if len(p.Activities) > maxPortfolioActivities {
		return fmt.Errorf("render portfolio: %w: %d activities, limit %d", ErrInvalid, len(p.Activities), maxPortfolioActivities)
	}
	// As for the proof: a panic deep in the PDF engine must not take the server down.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render portfolio: pdf engine: %v", r)
		}
	}()
	lang := normLang(p.Language)
	pp := &portfolioPage{l: labelTable[lang], pl: portfolioLabelTable[lang], p: p}
	owner := clean(p.Owner, maxShortRunes)
	// newPDF sets fonts, margins and fixed metadata dates; the title is replaced below.
	f := newPDF(Proof{Generated: p.Generated, BadgeName: pp.pl.title, IssuerName: owner}, pp.l, lang)
	title := pp.pl.title
	if owner != "" {
		title += " — " + owner
	}
	f.SetTitle(title, true)
	w0, h0 := f.GetPageSize()
	pp.pg = &page{f: f, l: pp.l, w: w0, h: h0, cw: w0 - 2*margin}
	pp.draw()
	if e := f.Error(); e != nil {
		return fmt.Errorf("render portfolio: %w", e)
	}
	if e := f.Output(w); e != nil {
		return fmt.Errorf("render portfolio: write: %w", e)
	}
	return nil
}

type portfolioPage struct {
	pg    *page
	l     *labels
	pl    *portfolioLabels
	p     Portfolio
	y     float64
	pages int
}

// footerTop is where the footer starts; the body never goes below it.
func (pp *portfolioPage) footerTop() float64 { return pp.pg.h - 16 }

// nextPage finishes the current page's footer and starts the next one.
func (pp *portfolioPage) nextPage() {
	pp.footer()
	pp.pg.f.AddPage()
	pp.top()
}

// top draws the band of a page and sets y below it.
func (pp *portfolioPage) top() {
	pg := pp.pg
	pp.pages++
	pg.f.SetFillColor(colAccent.r, colAccent.g, colAccent.b)
	pg.f.Rect(0, 0, pg.w, 5, "F")
	pp.y = margin - 4
}

func (pp *portfolioPage) footer() {
	pg := pp.pg
	y := pp.footerTop() + 4
	pg.rule(y - 2)
	pg.font("", 7, colMuted)
	pg.text(margin, y, pg.cw-20, 3.5, fit(pg.f, pp.pl.authority, pg.cw-20), "L")
	pg.text(pg.w-margin-20, y, 20, 3.5, pp.pl.page+strconv.Itoa(pp.pages), "R")
}

// need starts a new page unless h millimetres remain above the footer.
func (pp *portfolioPage) need(h float64) {
	if pp.y+h > pp.footerTop()-2 {
		pp.nextPage()
	}
}

func (pp *portfolioPage) draw() {
	pg, pl := pp.pg, pp.pl
	pp.top()
	pg.font("", 8, colMuted)
	pg.text(margin, pp.y, pg.cw, 4, pl.heading, "L")
	pp.y += 6
	pg.font("B", 18, colInk)
	for _, s := range wrap(pg.f, clean(pp.p.Owner, maxShortRunes), pg.cw, 2) {
		pg.text(margin, pp.y, pg.cw, 8, s, "L")
		pp.y += 8
	}
	scope := pl.whole
	if s := clean(pp.p.Scope, maxShortRunes); s != "" {
		scope = pl.themePrefix + s
	}
	pg.font("", 10.5, colAccent)
	pg.text(margin, pp.y+1, pg.cw, 5, fit(pg.f, scope, pg.cw), "L")
	pp.y += 7
	if !pp.p.Generated.IsZero() {
		pg.font("", 8.5, colMuted)
		pg.text(margin, pp.y, pg.cw, 4, pl.generated+pp.l.formatDate(pp.p.Generated), "L")
		pp.y += 5
	}
	pg.rule(pp.y + 2)
	pp.y += 7
	pp.badges()
	pp.y += 4
	pp.activities()
	pp.footer()
}

func (pp *portfolioPage) section(s string) {
	pg := pp.pg
	pp.need(18)
	pg.font("B", 13, colAccent)
	pg.text(margin, pp.y, pg.cw, 6, s, "L")
	pp.y += 8
}

func (pp *portfolioPage) badges() {
	pg, pl := pp.pg, pp.pl
	pp.section(pl.badges)
	n := 0
	for _, t := range pp.p.Themes {
		if len(t.Badges) == 0 {
			continue
		}
		n += len(t.Badges)
		name := clean(t.Name, maxShortRunes)
		if name == "" {
			name = pl.noTheme
		}
		pp.need(16)
		pg.font("B", 10.5, colInk)
		pg.text(margin, pp.y, pg.cw, 5, fit(pg.f, name, pg.cw), "L")
		pp.y += 6
		for _, b := range t.Badges {
			pg.font("B", bodySize, colInk)
			lines := wrap(pg.f, clean(b.Name, maxNameRunes), pg.cw-4, 2)
			pp.need(float64(len(lines))*bodyLine + 6)
			for _, s := range lines {
				pg.text(margin+4, pp.y, pg.cw-4, bodyLine, s, "L")
				pp.y += bodyLine
			}
			var meta []string
			if is := clean(b.Issuer, maxShortRunes); is != "" {
				meta = append(meta, pl.issuedBy+is)
			}
			if !b.Awarded.IsZero() {
				meta = append(meta, pp.l.formatDate(b.Awarded))
			}
			if st := clean(b.State, 60); st != "" {
				meta = append(meta, st)
			}
			pg.font("", 8.5, colMuted)
			pg.text(margin+4, pp.y, pg.cw-4, 4.2, fit(pg.f, strings.Join(meta, " · "), pg.cw-4), "L")
			pp.y += 6
		}
	}
	if n == 0 {
		pg.font("", bodySize, colMuted)
		pg.text(margin, pp.y, pg.cw, bodyLine, pl.noBadges, "L")
		pp.y += bodyLine + 2
	}
}

// activities prints the activities by year, newest year first, each year with its hours,
// then the grand total.
func (pp *portfolioPage) activities() {
	pg, pl := pp.pg, pp.pl
	pp.section(pl.activities)
	themed := clean(pp.p.Scope, maxShortRunes) != ""
	if len(pp.p.Activities) == 0 {
		empty := pl.noActivities
		if themed {
			empty = pl.noThemeActivities
		}
		pg.font("", bodySize, colMuted)
		pg.text(margin, pp.y, pg.cw, bodyLine, empty, "L")
		pp.y += bodyLine + 2
		return
	}
	if themed {
		pg.font("", 8.5, colMuted)
		pg.text(margin, pp.y, pg.cw, 4.2, fit(pg.f, pl.themeActivities, pg.cw), "L")
		pp.y += 6
	}
	acts := append([]PortfolioActivity(nil), pp.p.Activities...)
	// Newest first; ties keep the caller's order so the output stays deterministic.
	sort.SliceStable(acts, func(i, j int) bool { return acts[i].Date.After(acts[j].Date) })
	total := 0
	hoursW := 22.0
	dateW := 34.0
	for i := 0; i < len(acts); {
		year := acts[i].Date.Year()
		j, sum := i, 0
		for ; j < len(acts) && acts[j].Date.Year() == year; j++ {
			sum += max(acts[j].HoursCenti, 0)
		}
		total += sum
		pp.need(16)
		pg.font("B", 10.5, colInk)
		pg.text(margin, pp.y, pg.cw-40, 5, strconv.Itoa(year), "L")
		pg.text(pg.w-margin-60, pp.y, 60, 5, pl.hours(sum), "R")
		pp.y += 6
		for _, a := range acts[i:j] {
			pg.font("", bodySize, colInk)
			titleW := pg.cw - 4 - dateW - hoursW
			lines := wrap(pg.f, clean(a.Title, maxNameRunes), titleW, 2)
			if len(lines) == 0 {
				lines = []string{"—"}
			}
			pp.need(float64(len(lines))*bodyLine + 6)
			pg.font("", 8.5, colMuted)
			pg.text(margin+4, pp.y, dateW, bodyLine, pp.l.formatDate(a.Date), "L")
			pg.font("", bodySize, colInk)
			pg.text(pg.w-margin-hoursW, pp.y, hoursW, bodyLine, pl.hours(a.HoursCenti), "R")
			for _, s := range lines {
				pg.text(margin+4+dateW, pp.y, titleW, bodyLine, s, "L")
				pp.y += bodyLine
			}
			meta := clean(a.Kind, 80)
			if a.Attested {
				if meta != "" {
					meta += " · "
				}
				meta += pl.attested
			}
			if meta != "" {
				pg.font("", 8, colMuted)
				pg.text(margin+4+dateW, pp.y, titleW, 4, fit(pg.f, meta, titleW), "L")
				pp.y += 4
			}
			pp.y += 2
		}
		pp.y += 2
		i = j
	}
	pp.need(10)
	pg.rule(pp.y)
	pp.y += 2
	pg.font("B", 10.5, colInk)
	pg.text(margin, pp.y, pg.cw, 6, pl.total+pl.hours(total), "R")
	pp.y += 8
}
