package pdfproof

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
)

const fontFamily = "dejavu"

// Layout, in millimetres and points. The page is built top down (header, badge, details)
// and bottom up (verification block, footer); criteria and evidence share what is left
// between, so nothing ever flows onto a second page.
const (
	margin    = 18.0
	imageSide = 38.0
	qrSide    = 34.0
	gutter    = 8.0

	bodySize = 9.5
	bodyLine = 4.6
)

type rgb struct{ r, g, b int }

var (
	colInk    = rgb{33, 37, 41}
	colMuted  = rgb{108, 117, 125}
	colAccent = rgb{31, 58, 95}
	colLink   = rgb{20, 84, 160}
	colRule   = rgb{206, 212, 218}
)

type page struct {
	f      *fpdf.Fpdf
	p      Proof
	l      *labels
	qr     [][]bool
	w, h   float64 // page size
	cw     float64 // content width
	bottom float64 // top of the verification block
}

func newPage(p Proof, qr [][]bool) *page {
	lang := normLang(p.Language)
	l := labelTable[lang]
	f := newPDF(p, l, lang)
	w, h := f.GetPageSize()
	return &page{f: f, p: p, l: l, qr: qr, w: w, h: h, cw: w - 2*margin}
}

func (pg *page) font(style string, size float64, c rgb) {
	pg.f.SetFont(fontFamily, style, size)
	pg.f.SetTextColor(c.r, c.g, c.b)
}

// text prints one line whose top is at y. fpdf cells place the baseline from the cell
// height, so a cell of the line height keeps successive lines evenly spaced.
func (pg *page) text(x, y, w, lh float64, s, align string) {
	pg.f.SetXY(x, y)
	pg.f.CellFormat(w, lh, s, "", 0, align, false, 0, "")
}

func (pg *page) link(x, y, w, h float64, u string) {
	if u = webURL(u); u != "" {
		pg.f.LinkString(x, y, w, h, u)
	}
}

func (pg *page) rule(y float64) {
	pg.f.SetDrawColor(colRule.r, colRule.g, colRule.b)
	pg.f.SetLineWidth(0.3)
	pg.f.Line(margin, y, pg.w-margin, y)
}

func (pg *page) draw() {
	// Accent band across the top.
	pg.f.SetFillColor(colAccent.r, colAccent.g, colAccent.b)
	pg.f.Rect(0, 0, pg.w, 5, "F")

	y := pg.header(margin - 4)
	y = pg.hero(y + 6)
	pg.rule(y + 5)
	y = pg.details(y + 10)
	pg.rule(y + 4)
	pg.bottom = pg.verification()
	pg.body(y+9, pg.bottom-6)
}

// header prints the document kind on the left and the optional status on the right.
func (pg *page) header(y float64) float64 {
	pg.font("", 8, colMuted)
	status := clean(pg.p.Status, 60)
	statusW := 0.0
	if status != "" {
		pg.font("B", 8.5, colAccent)
		status = pg.l.status + pg.l.colon + status
		status = fit(pg.f, status, pg.cw/2)
		statusW = pg.f.GetStringWidth(status)
		pg.text(pg.w-margin-statusW, y, statusW, 5, status, "L")
		pg.font("", 8, colMuted)
	}
	pg.text(margin, y, pg.cw-statusW-4, 5, fit(pg.f, strings.ToUpper(pg.l.heading), pg.cw-statusW-4), "L")
	return y + 5
}

// hero prints the badge image, name and description; it returns the bottom of the block.
func (pg *page) hero(y float64) float64 {
	x := margin
	bottom := y
	if img, err := prepareImage(pg.p.BadgeImage); err == nil {
		opt := fpdf.ImageOptions{ImageType: "PNG", ReadDpi: false}
		pg.f.RegisterImageOptionsReader("badge", opt, bytes.NewReader(img))
		if pg.f.Ok() {
			info := pg.f.GetImageInfo("badge")
			iw, ih := imageSide, imageSide
			if info != nil && info.Width() > 0 && info.Height() > 0 {
				// Keep the aspect ratio inside the square.
				if info.Width() > info.Height() {
					ih = imageSide * info.Height() / info.Width()
				} else {
					iw = imageSide * info.Width() / info.Height()
				}
			}
			pg.f.ImageOptions("badge", x+(imageSide-iw)/2, y+(imageSide-ih)/2, iw, ih, false, opt, 0, "")
			x += imageSide + gutter
			bottom = y + imageSide
		} else {
			// An image fpdf still refuses is dropped; clearing the error keeps the rest of
			// the proof.
			pg.f.ClearError()
		}
	}
	tw := pg.w - margin - x
	pg.font("B", 19, colInk)
	name := wrap(pg.f, clean(pg.p.BadgeName, maxNameRunes), tw, 3)
	ty := y + 1
	for _, line := range name {
		pg.text(x, ty, tw, 8, line, "L")
		ty += 8
	}
	if d := clean(pg.p.BadgeDescription, maxDescRunes); d != "" {
		ty += 1.5
		pg.font("", 10, colMuted)
		for _, line := range wrap(pg.f, d, tw, 5) {
			pg.text(x, ty, tw, 4.8, line, "L")
			ty += 4.8
		}
	}
	return max(bottom, ty)
}

// details prints who and when; it returns the bottom of the block.
func (pg *page) details(y float64) float64 {
	colW := (pg.cw - gutter) / 2
	recipient := clean(pg.p.RecipientName, maxShortRunes)
	if recipient == "" {
		recipient = pg.l.noRecipient
	}
	b1 := pg.field(margin, y, colW, pg.l.recipient, recipient, "", 2)
	issuer := clean(pg.p.IssuerName, maxShortRunes)
	if issuer == "" {
		issuer = "—"
	}
	b2 := pg.field(margin+colW+gutter, y, colW, pg.l.issuedBy, issuer, pg.p.IssuerURL, 2)
	y = max(b1, b2) + 5

	col3 := (pg.cw - 2*gutter) / 3
	awarded := "—"
	if !pg.p.AwardedOn.IsZero() {
		awarded = pg.l.formatDate(pg.p.AwardedOn)
	}
	from := awarded
	if pg.p.ValidFrom != nil {
		from = pg.l.formatDate(*pg.p.ValidFrom)
	}
	until := pg.l.noExpiry
	if pg.p.ValidUntil != nil {
		until = pg.l.formatDate(*pg.p.ValidUntil)
	}
	b := y
	for i, f := range [][2]string{{pg.l.awardedOn, awarded}, {pg.l.validFrom, from}, {pg.l.validUntil, until}} {
		b = max(b, pg.dateField(margin+float64(i)*(col3+gutter), y, col3, f[0], f[1]))
	}
	return b
}

// field prints a small label over a bold value (and an optional link under it).
func (pg *page) field(x, y, w float64, label, value, link string, lines int) float64 {
	pg.font("", 8, colMuted)
	pg.text(x, y, w, 4.5, fit(pg.f, label, w), "L")
	y += 5
	pg.font("B", 12.5, colInk)
	for _, line := range wrap(pg.f, value, w, lines) {
		pg.text(x, y, w, 5.8, line, "L")
		y += 5.8
	}
	if u := webURL(link); u != "" {
		pg.font("", 8.5, colLink)
		s := fit(pg.f, u, w)
		pg.text(x, y+0.5, w, 4.5, s, "L")
		pg.link(x, y+0.5, pg.f.GetStringWidth(s), 4.5, u)
		y += 5
	}
	return y
}

func (pg *page) dateField(x, y, w float64, label, value string) float64 {
	pg.font("", 8, colMuted)
	pg.text(x, y, w, 4.5, fit(pg.f, label, w), "L")
	pg.font("B", 11, colInk)
	pg.text(x, y+5, w, 5.5, fit(pg.f, value, w), "L")
	return y + 10.5
}

// verification draws the bottom block (QR code, URLs, identifier, the statement that the
// signed credential is the authority) and returns its top.
func (pg *page) verification() float64 {
	const captionH = 5.0
	top := pg.h - margin - qrSide - captionH
	qx := pg.w - margin - qrSide
	pg.drawQR(qx, top, qrSide)
	pg.font("", 7.5, colMuted)
	pg.text(qx, top+qrSide+1, qrSide, captionH-1, fit(pg.f, pg.l.scan, qrSide), "C")

	x := margin
	w := pg.cw - qrSide - gutter
	// The statement is anchored to the bottom margin; the URLs and identifier fill the space
	// above it and lose their last lines (then whole items) when they would run into it.
	pg.font("", 7.5, colMuted)
	statement := wrap(pg.f, pg.l.authority, w, 4)
	sy := pg.h - margin - float64(len(statement))*3.6
	for i, line := range statement {
		pg.text(x, sy+float64(i)*3.6, w, 3.6, line, "L")
	}
	limit := sy - 2
	y := top
	urlLine := func(label, u string, maxLines int) {
		if y+4.5+4.2 > limit {
			return
		}
		pg.font("B", 8.5, colInk)
		pg.text(x, y, w, 4.5, label, "L")
		y += 4.5
		pg.font("", 8.5, colLink)
		lines := int((limit - y) / 4.2)
		for _, line := range wrapAny(pg.f, clean(u, maxURLBytes), w, min(maxLines, lines)) {
			pg.text(x, y, w, 4.2, line, "L")
			pg.link(x, y, pg.f.GetStringWidth(line), 4.2, u)
			y += 4.2
		}
		y += 1.8
	}
	urlLine(pg.l.verifyAt, pg.p.VerifyURL, 2)
	if pg.p.BadgeURL != "" && pg.p.BadgeURL != pg.p.VerifyURL {
		urlLine(pg.l.badgePage, pg.p.BadgeURL, 2)
	}
	if id := clean(pg.p.CredentialID, maxShortRunes); id != "" {
		pg.font("", 7.5, colMuted)
		for _, line := range wrapAny(pg.f, pg.l.credentialID+pg.l.colon+id, w, min(2, int((limit-y)/3.8))) {
			pg.text(x, y, w, 3.8, line, "L")
			y += 3.8
		}
	}
	pg.rule(top - 5)
	return top - 5
}

// drawQR draws the QR code as filled squares: vector modules stay sharp at any zoom and
// printer resolution. Horizontal runs of dark modules are merged to keep the page small.
func (pg *page) drawQR(x, y, side float64) {
	n := len(pg.qr)
	if n == 0 {
		return
	}
	m := side / float64(n)
	pg.f.SetFillColor(0, 0, 0)
	for r, row := range pg.qr {
		for c := 0; c < len(row); {
			if !row[c] {
				c++
				continue
			}
			start := c
			for c < len(row) && row[c] {
				c++
			}
			// A hair of overlap hides the seams some viewers show between adjacent squares.
			pg.f.Rect(x+float64(start)*m, y+float64(r)*m, float64(c-start)*m+0.01, m+0.01, "F")
		}
	}
}

// line is one typeset line of the criteria or evidence sections.
type line struct {
	style  string
	size   float64
	color  rgb
	indent float64
	marker string
	text   string
	before float64 // space above
	h      float64
}

// body fills the space between top and bottom with the criteria and evidence, cutting
// each to the space it is given.
func (pg *page) body(top, bottom float64) {
	avail := bottom - top
	crit := pg.criteriaLines()
	ev := pg.evidenceLines(len(pg.p.Evidence))
	critNeed, evNeed := height(crit), height(ev)
	critAlloc, evAlloc := critNeed, evNeed
	if critNeed+evNeed > avail {
		// Evidence keeps at least a third of the space when both are long, less when it does
		// not need it; criteria take the rest.
		evAlloc = min(evNeed, avail/3)
		critAlloc = avail - evAlloc
		if critNeed < critAlloc {
			critAlloc = critNeed
			evAlloc = avail - critAlloc
		}
	}
	y := top
	if len(crit) > 0 {
		y = pg.printLines(y, truncateLines(pg.f, crit, critAlloc, pg.cw)) + 4
	}
	if len(ev) > 0 {
		if evNeed > evAlloc {
			ev = pg.fitEvidence(evAlloc)
		}
		pg.printLines(y, ev)
	}
}

func (pg *page) sectionTitle(s string) line {
	return line{style: "B", size: 10.5, color: colAccent, text: strings.ToUpper(s), before: 0, h: 6.5}
}

func (pg *page) criteriaLines() []line {
	blocks := markdownBlocks(pg.p.CriteriaNarrative)
	if len(blocks) == 0 {
		return nil
	}
	out := []line{pg.sectionTitle(pg.l.criteria)}
	for i, b := range blocks {
		before := 1.6
		if i == 0 {
			before = 0
		}
		switch b.kind {
		case blockHeading:
			pg.font("B", 10, colInk)
			for j, t := range wrap(pg.f, clean(b.text, maxDescRunes), pg.cw, 3) {
				out = append(out, line{style: "B", size: 10, color: colInk, text: t, before: ifFirst(j, before+0.8), h: 5})
			}
		default:
			indent := 0.0
			if b.depth > 0 {
				indent = 5 * float64(min(b.depth, 4))
			}
			pg.font("", bodySize, colInk)
			lines := wrap(pg.f, clean(b.text, maxDescRunes*2), pg.cw-indent, 60)
			if len(lines) == 0 {
				lines = []string{""}
			}
			if b.kind == blockItem && i > 0 && blocks[i-1].kind == blockItem {
				before = 0.6
			}
			for j, t := range lines {
				l := line{size: bodySize, color: colInk, indent: indent, text: t, before: ifFirst(j, before), h: bodyLine}
				if j == 0 && b.kind == blockItem {
					l.marker = b.marker
				}
				out = append(out, l)
			}
		}
	}
	return out
}

func ifFirst(j int, v float64) float64 {
	if j == 0 {
		return v
	}
	return 0
}

// evidenceLines lists the first n evidence items, one line each, and a "+ N more" line
// when some are left out.
func (pg *page) evidenceLines(n int) []line {
	items := pg.p.Evidence
	if len(items) > maxEvidence {
		items = items[:maxEvidence]
	}
	if len(items) == 0 {
		return nil
	}
	out := []line{pg.sectionTitle(pg.l.evidence)}
	shown := min(n, len(items))
	pg.font("", bodySize, colInk)
	for _, e := range items[:shown] {
		name := clean(e.Name, maxShortRunes)
		detail := clean(e.Description, maxDescRunes)
		u := webURL(e.URL)
		if detail == "" {
			detail = u
		}
		if name == "" {
			name, detail = detail, ""
		}
		if name == "" {
			name = "—"
		}
		t := name
		if detail != "" {
			t += " — " + detail
		}
		out = append(out, line{size: bodySize, color: colInk, indent: 5, marker: "•",
			text: fit(pg.f, t, pg.cw-5), h: bodyLine, before: 0.4})
	}
	if rest := len(pg.p.Evidence) - shown; rest > 0 {
		out = append(out, line{size: bodySize, color: colMuted, indent: 5,
			text: pg.l.moreEvidence(rest), h: bodyLine, before: 0.4})
	}
	return out
}

// fitEvidence returns the longest evidence list (with its "+ N more" line) within alloc.
func (pg *page) fitEvidence(alloc float64) []line {
	for n := len(pg.p.Evidence); n >= 0; n-- {
		if n > maxEvidence {
			n = maxEvidence
		}
		ev := pg.evidenceLines(n)
		if height(ev) <= alloc || n == 0 {
			if n == 0 && height(ev) > alloc {
				return nil
			}
			return ev
		}
	}
	return nil
}

func height(ls []line) float64 {
	h := 0.0
	for _, l := range ls {
		h += l.before + l.h
	}
	return h
}

// truncateLines keeps the lines that fit in alloc and ends the last one with "…" when some
// were dropped.
func truncateLines(f *fpdf.Fpdf, ls []line, alloc, width float64) []line {
	if height(ls) <= alloc {
		return ls
	}
	h := 0.0
	n := 0
	for n < len(ls) && h+ls[n].before+ls[n].h <= alloc {
		h += ls[n].before + ls[n].h
		n++
	}
	if n <= 1 {
		// Not even one line of text under the title: leave the section out.
		return nil
	}
	out := append([]line(nil), ls[:n]...)
	last := &out[n-1]
	f.SetFont(fontFamily, last.style, last.size)
	last.text = fit(f, strings.TrimRight(last.text, " …")+" …", width-last.indent)
	if !strings.HasSuffix(last.text, "…") {
		last.text = fit(f, last.text+"…", width-last.indent)
	}
	return out
}

func (pg *page) printLines(y float64, ls []line) float64 {
	for _, l := range ls {
		y += l.before
		pg.font(l.style, l.size, l.color)
		x := margin + l.indent
		if l.marker != "" {
			mw := pg.f.GetStringWidth(l.marker)
			pg.text(x-mw-1.6, y, mw, l.h, l.marker, "L")
		}
		pg.text(x, y, pg.cw-l.indent, l.h, l.text, "L")
		y += l.h
	}
	return y
}

// fit returns s, or its longest prefix ending with "…" that fits in width w, in the current
// font.
func fit(f *fpdf.Fpdf, s string, w float64) string {
	if f.GetStringWidth(s) <= w {
		return s
	}
	ell := f.GetStringWidth("…")
	rs := []rune(s)
	// Widths are additive (no kerning), so sum rune by rune.
	total := 0.0
	for i, r := range rs {
		total += f.GetStringWidth(string(r))
		if total+ell > w {
			return strings.TrimRight(string(rs[:i]), " ") + "…"
		}
	}
	return s
}

// wrap breaks s into at most maxLines lines of width w at spaces, breaking words longer than
// a line anywhere; when text remains, the last line ends with "…".
func wrap(f *fpdf.Fpdf, s string, w float64, maxLines int) []string {
	// Split on ASCII spaces only: clean turned every other breaking space into one, and the
	// no-break spaces it kept must stay glued to their neighbours.
	words := strings.FieldsFunc(s, func(r rune) bool { return r == ' ' })
	if len(words) == 0 {
		return nil
	}
	space := f.GetStringWidth(" ")
	var lines []string
	var cur strings.Builder
	curW := 0.0
	flush := func() {
		lines = append(lines, cur.String())
		cur.Reset()
		curW = 0
	}
	truncated := false
	for i := 0; i < len(words); i++ {
		if len(lines) >= maxLines {
			truncated = true
			break
		}
		word := words[i]
		ww := f.GetStringWidth(word)
		switch {
		case cur.Len() == 0 && ww <= w:
			cur.WriteString(word)
			curW = ww
		case cur.Len() > 0 && curW+space+ww <= w:
			cur.WriteByte(' ')
			cur.WriteString(word)
			curW += space + ww
		case cur.Len() > 0:
			flush()
			i--
		default:
			// A single word wider than the line (a URL, an identifier): cut it.
			head, tail := splitWidth(f, word, w)
			cur.WriteString(head)
			flush()
			words[i] = tail
			i--
		}
	}
	if cur.Len() > 0 {
		if len(lines) < maxLines {
			flush()
		} else {
			truncated = true
		}
	}
	if truncated && len(lines) > 0 {
		last := lines[len(lines)-1]
		if !strings.HasSuffix(last, "…") {
			lines[len(lines)-1] = fit(f, last+" …", w)
			if !strings.HasSuffix(lines[len(lines)-1], "…") {
				lines[len(lines)-1] = fit(f, last+"…", w)
			}
		}
	}
	return lines
}

// wrapAny breaks s anywhere (URLs and identifiers have no spaces to break at).
func wrapAny(f *fpdf.Fpdf, s string, w float64, maxLines int) []string {
	var lines []string
	for s != "" && len(lines) < maxLines {
		head, tail := splitWidth(f, s, w)
		if len(lines) == maxLines-1 && tail != "" {
			head = fit(f, s, w)
			tail = ""
		}
		lines = append(lines, head)
		s = tail
	}
	return lines
}

// splitWidth returns the longest prefix of s that fits in w (at least one rune) and the rest.
func splitWidth(f *fpdf.Fpdf, s string, w float64) (string, string) {
	total := 0.0
	for i, r := range s {
		total += f.GetStringWidth(string(r))
		if total > w {
			if i == 0 {
				_, size := utf8.DecodeRuneInString(s)
				return s[:size], s[size:]
			}
			return s[:i], s[i:]
		}
	}
	return s, ""
}
