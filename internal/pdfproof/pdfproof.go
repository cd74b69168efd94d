// Package pdfproof renders the one-page printable proof of a badge award: badge image, name
// and description, recipient, issuer, dates, criteria, evidence, and a QR code leading to the
// verification page, in French or English.
//
// The PDF is a convenience for people who want paper; it carries no signature. Its footer
// says so and points to the signed credential, which stays the authority.
//
// Every field of Proof may come from an issuer or a recipient, so all text is cleaned and
// bounded, the badge image is decoded within limits, and Render never panics on odd input:
// an unusable image is left out, text too long for the page is cut with "…", and the page
// count is always one.
package pdfproof

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"codeberg.org/go-pdf/fpdf"
	qrcode "github.com/skip2/go-qrcode"
)

// Proof is everything printed on the page. Text fields are plain text except
// CriteriaNarrative, which is Markdown.
type Proof struct {
	// Language selects the labels and the date format: "fr" (or "fr-*") gives French,
	// anything else English.
	Language string
	// Paper is "A4" (the default) or "Letter".
	Paper string

	BadgeName        string
	BadgeDescription string
	// BadgeImage is a PNG or JPEG image, optional. SVG images are not drawn (fpdf cannot
	// draw SVG): pass a PNG rendition, or nothing.
	BadgeImage []byte

	IssuerName string
	IssuerURL  string
	// RecipientName may be empty (recipients identified by a hashed e-mail only); a dash
	// is printed instead.
	RecipientName string

	AwardedOn  time.Time
	ValidFrom  *time.Time
	ValidUntil *time.Time
	// Status is an optional, already translated verdict ("Valide", "Revoked"…) shown at the
	// top right.
	Status string

	// CriteriaNarrative is Markdown; it is printed as plain text with headings, lists and
	// link labels kept.
	CriteriaNarrative string
	Evidence          []Evidence

	// BadgeURL is the permanent page of the award; VerifyURL the verification page, which
	// the QR code encodes. Both are printed.
	BadgeURL     string
	VerifyURL    string
	CredentialID string

	// Generated is the document's creation date in the PDF metadata. When zero, AwardedOn is
	// used, so the same award always gives the same bytes.
	Generated time.Time
}

// Evidence is one item of the evidence list.
type Evidence struct {
	Name        string
	Description string
	URL         string
}

// ErrInvalid is returned (wrapped) when a Proof lacks what the page cannot do without.
var ErrInvalid = errors.New("invalid proof")

// Length bounds, in runes, for each printed field. They are far above what fits (the layout
// cuts again to the space available) and only bound the work done on hostile input.
const (
	maxNameRunes  = 300
	maxDescRunes  = 2000
	maxShortRunes = 300
	maxURLBytes   = 2048
	// maxVerifyURLBytes keeps the QR code at a density a phone reads from paper: 512 bytes
	// give a version 18 code, modules of 0.4 mm at 34 mm wide.
	maxVerifyURLBytes = 512
	maxEvidence       = 1000
)

//go:embed fonts/DejaVuSans.ttf
var fontRegular []byte

//go:embed fonts/DejaVuSans-Bold.ttf
var fontBold []byte

// Bytes renders the proof and returns the PDF.
func Bytes(p Proof) ([]byte, error) {
	var buf bytes.Buffer
	if err := Render(&buf, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Render writes the one-page PDF proof to w. It fails only when BadgeName or VerifyURL is
// missing, VerifyURL is too long for a QR code, or w fails.
func Render(w io.Writer, p Proof) (err error) {
	if strings.TrimSpace(p.BadgeName) == "" {
		return fmt.Errorf("render proof: %w: badge name is empty", ErrInvalid)
	}
	verify := strings.TrimSpace(p.VerifyURL)
	if verify == "" {
		return fmt.Errorf("render proof: %w: verification URL is empty", ErrInvalid)
	}
	if len(verify) > maxVerifyURLBytes {
		return fmt.Errorf("render proof: %w: verification URL is %d bytes, limit %d", ErrInvalid, len(verify), maxVerifyURLBytes)
	}
	qr, err := qrcode.New(verify, qrcode.Medium)
	if err != nil {
		return fmt.Errorf("render proof: QR code: %w", err)
	}
	qr.DisableBorder = true

	// fpdf reports most problems through its error state, but a few paths of a third-party
	// layout engine may still panic on input nobody foresaw; a proof request must not take the
	// server down with it.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("render proof: pdf engine: %v", r)
		}
	}()

	pg := newPage(p, qr.Bitmap())
	pg.draw()
	if e := pg.f.Error(); e != nil {
		return fmt.Errorf("render proof: %w", e)
	}
	if e := pg.f.Output(w); e != nil {
		return fmt.Errorf("render proof: write: %w", e)
	}
	return nil
}

// clean makes untrusted text printable on one line: valid UTF-8, no control or format
// characters, whitespace collapsed, only Basic Multilingual Plane runes (fpdf's UTF-8 font
// tables stop at U+FFFF and index past them), at most max runes with "…" when cut.
func clean(s string, max int) string {
	s = clip(s, 4*max+4)
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		switch {
		case r == '\u00a0' || r == '\u202f':
			// No-break spaces are kept: French typography puts them before ":" and inside «».
		case unicode.IsSpace(r) || unicode.IsControl(r):
			space = b.Len() > 0
			continue
		case unicode.In(r, unicode.Cf, unicode.Co, unicode.Cs) || r == utf8.RuneError:
			continue
		case r > 0xFFFF:
			r = '\uFFFD'
		}
		if n >= max {
			b.WriteRune('…')
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
			n++
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

// clip cuts s to at most n bytes without splitting a rune, and makes it valid UTF-8.
func clip(s string, n int) string {
	if len(s) > n {
		// A rune split by the cut becomes invalid bytes, which ToValidUTF8 drops.
		s = s[:n]
	}
	return strings.ToValidUTF8(s, "")
}

// webURL returns u if it is an absolute http or https URL short enough to print, else "".
// Only such URLs become clickable links: a javascript: or file: link in a PDF is an attack.
func webURL(u string) string {
	u = strings.TrimSpace(u)
	if u == "" || len(u) > maxURLBytes {
		return ""
	}
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "https" && parsed.Scheme != "http") || parsed.Host == "" {
		return ""
	}
	return clean(u, maxURLBytes)
}

// docDate picks the metadata date: fixed by the input so the output is reproducible.
func docDate(p Proof) time.Time {
	switch {
	case !p.Generated.IsZero():
		return p.Generated.UTC()
	case !p.AwardedOn.IsZero():
		return p.AwardedOn.UTC()
	default:
		return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
}

func newPDF(p Proof, l *labels, lang string) *fpdf.Fpdf {
	size := "A4"
	if strings.EqualFold(p.Paper, "letter") {
		size = "Letter"
	}
	f := fpdf.New("P", "mm", size, "")
	f.SetCompression(true)
	f.SetCatalogSort(true)
	d := docDate(p)
	f.SetCreationDate(d)
	f.SetModificationDate(d)
	f.SetProducer("Sceau", true)
	f.SetCreator("Sceau", true)
	f.SetTitle(l.title+" — "+clean(p.BadgeName, maxNameRunes), true)
	if a := clean(p.IssuerName, maxShortRunes); a != "" {
		f.SetAuthor(a, true)
	}
	f.SetLang(lang)
	f.SetAutoPageBreak(false, 0)
	f.SetMargins(0, 0, 0)
	f.SetCellMargin(0)
	f.AddUTF8FontFromBytes(fontFamily, "", fontRegular)
	f.AddUTF8FontFromBytes(fontFamily, "B", fontBold)
	f.AddPage()
	return f
}
