package pdfproof

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/")

// needTools skips the test when a Debian tool (poppler-utils, zbar-tools) is missing, unless
// SCEAU_REQUIRE_TOOLS=1, which CI sets so that a missing tool fails instead of hiding tests.
func needTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("SCEAU_REQUIRE_TOOLS") == "1" {
				t.Fatalf("%s not found and SCEAU_REQUIRE_TOOLS=1: install Debian poppler-utils and zbar-tools", n)
			}
			t.Skipf("%s not found: install Debian poppler-utils and zbar-tools to run this test", n)
		}
	}
}

func render(t *testing.T, p Proof) []byte {
	t.Helper()
	pdf, err := Bytes(p)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	return pdf
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("%s %v: %v\n%s", name, args, err, ee.Stderr)
		}
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return string(out)
}

// pdfText returns the page's text as pdftotext extracts it, with runs of white space
// collapsed so assertions do not depend on line breaks.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	out := run(t, "pdftotext", "-enc", "UTF-8", writeTemp(t, "p.pdf", pdf), "-")
	return strings.Join(strings.Fields(out), " ")
}

var pagesRe = regexp.MustCompile(`(?m)^Pages:\s+(\d+)$`)

func pageCount(t *testing.T, pdf []byte) string {
	t.Helper()
	m := pagesRe.FindStringSubmatch(run(t, "pdfinfo", writeTemp(t, "p.pdf", pdf)))
	if m == nil {
		t.Fatal("pdfinfo printed no page count")
	}
	return m[1]
}

// decodeQR rasterises the page at 150 dpi and returns what zbarimg reads from it.
func decodeQR(t *testing.T, pdf []byte) string {
	t.Helper()
	dir := t.TempDir()
	in := filepath.Join(dir, "p.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	run(t, "pdftoppm", "-png", "-r", "150", "-singlefile", in, filepath.Join(dir, "page"))
	cmd := exec.Command("zbarimg", "--raw", "-q", filepath.Join(dir, "page.png"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("zbarimg found no code: %v", err)
	}
	if os.Getenv("SCEAU_PDFPROOF_KEEP") != "" {
		// For looking at the layout: SCEAU_PDFPROOF_KEEP=/tmp go test -run QR
		b, _ := os.ReadFile(filepath.Join(dir, "page.png"))
		_ = os.WriteFile(filepath.Join(os.Getenv("SCEAU_PDFPROOF_KEEP"), t.Name()[strings.LastIndex(t.Name(), "/")+1:]+".png"), b, 0o644)
	}
	return strings.TrimRight(string(out), "\n")
}

func TestRenderText(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	tests := []struct {
		name string
		p    Proof
		want []string
		not  []string
	}{
		{
			name: "fr",
			p:    sampleProof(t, "fr"),
			want: []string{
				"Référente accessibilité numérique — niveau avancé",
				"« accessible à tous »",
				"Françoise Œuvray-Lefèvre",
				"École supérieure du numérique de Besançon",
				"Décerné à", "Délivré par", "Décerné le", "Valide jusqu’au",
				"23 novembre 2026", "1er décembre 2026", "23 novembre 2029",
				"CRITÈRES D’OBTENTION", "Ce qui est évalué",
				"• audit RGAA d’un site réel, avec le rapport publié ;",
				"plan de correction chiffré « réaliste »",
				"démonstration des œuvres corrigées — en public.",
				"Voir aussi https://example.org/referentiel.",
				"PREUVES", "Rapport d’audit — https://example.org/rapport.pdf",
				"Vidéo de la soutenance — 12 minutes, sous-titrée",
				"Statut : valide", // pdftotext gives the narrow no-break space, which Fields splits on
				"https://sceau.example.org/b/01JD8Z6Q4M3YB7R5W2K9XQ1TVA/verify",
				"https://sceau.example.org/b/01JD8Z6Q4M3YB7R5W2K9XQ1TVA",
				"urn:uuid:3b7c2e9a-5f41-4d8e-9a61-0c2f7e8d4b15",
				"Scannez pour vérifier",
				"Seul le justificatif numérique signé fait foi",
			},
			not: []string{"**", "##", "](", "Awarded", "November"},
		},
		{
			name: "en",
			p:    sampleProof(t, "en"),
			want: []string{
				"Digital Accessibility Lead — Advanced",
				"Zoë O’Brien",
				"École supérieure du numérique de Besançon",
				"Awarded to", "Issued by", "Awarded on", "Valid from", "Valid until",
				"November 23, 2026", "December 1, 2026", "November 23, 2029",
				"CRITERIA", "What is assessed",
				"1. a WCAG audit of a live site, with the report published;",
				"3. a public demonstration of the fixes.",
				"EVIDENCE", "Audit report — https://example.org/report.pdf",
				"Status: valid",
				"Scan to verify",
				"Only the signed digital credential is authoritative",
			},
			not: []string{"**", "Décerné", "novembre"},
		},
		{
			name: "no recipient name, no expiry, no image, no criteria",
			p: func() Proof {
				p := sampleProof(t, "en")
				p.RecipientName, p.ValidUntil, p.ValidFrom, p.BadgeImage = "", nil, nil, nil
				p.CriteriaNarrative, p.Evidence, p.Status = "", nil, ""
				return p
			}(),
			want: []string{"Awarded to Issued by —", "November 23, 2026 November 23, 2026 no expiry date"},
			not:  []string{"CRITERIA", "EVIDENCE", "Status"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pdf := render(t, tc.p)
			if got := pageCount(t, pdf); got != "1" {
				t.Errorf("pages = %s, want 1", got)
			}
			text := pdfText(t, pdf)
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(text, n) {
					t.Errorf("text has %q", n)
				}
			}
			if t.Failed() {
				t.Logf("text: %s", text)
			}
		})
	}
}

func TestQRCodeDecodesToVerifyURL(t *testing.T) {
	needTools(t, "pdftoppm", "zbarimg")
	for _, tc := range []struct {
		name string
		p    Proof
	}{
		{"fr", sampleProof(t, "fr")},
		{"en", sampleProof(t, "en")},
		{"long", longProof(t, "fr")},
		{"letter", func() Proof { p := sampleProof(t, "en"); p.Paper = "Letter"; return p }()},
		{"long verify URL", func() Proof {
			p := sampleProof(t, "en")
			p.VerifyURL = "https://sceau.example.org/verify?c="
			p.VerifyURL += strings.Repeat("a1b2c3d4", 70)[:maxVerifyURLBytes-len(p.VerifyURL)]
			return p
		}()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := decodeQR(t, render(t, tc.p)); got != tc.p.VerifyURL {
				t.Errorf("QR code = %q, want %q", got, tc.p.VerifyURL)
			}
		})
	}
}

func TestLongContentStaysOnOnePage(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			p := longProof(t, lang)
			pdf := render(t, p)
			if got := pageCount(t, pdf); got != "1" {
				t.Fatalf("pages = %s, want 1", got)
			}
			text := pdfText(t, pdf)
			more := regexp.MustCompile(`\+ (\d+) (autres preuves|more items)`).FindStringSubmatch(text)
			if more == nil {
				t.Fatalf("no '+ N more' line in %s", text)
			}
			// Items shown + N more = 50.
			shown := strings.Count(text, "Preuve n° ")
			if n := atoi(more[1]); shown+n != 50 || shown < 3 {
				t.Errorf("shown %d + more %d, want 50 in all and at least 3 shown", shown, n)
			}
			if !strings.Contains(text, "Étape 1 ") || strings.Contains(text, "Étape 80") {
				t.Errorf("criteria not cut as expected")
			}
			if !strings.Contains(text, "…") {
				t.Errorf("no ellipsis marks the cut")
			}
			for _, s := range []string{"https://sceau.example.org/b/01JD8Z6Q4M3YB7R5W2K9XQ1TVA/verify", "urn:uuid:3b7c2e9a"} {
				if !strings.Contains(text, s) {
					t.Errorf("bottom block lost %q", s)
				}
			}
		})
	}
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}

func TestUnusableImageStillRenders(t *testing.T) {
	needTools(t, "pdftotext", "pdfinfo")
	good := badgePNG(t, 64)
	tests := []struct {
		name string
		img  []byte
	}{
		{"truncated PNG", good[:len(good)/2]},
		{"garbage", []byte("\x89PNG\r\n\x1a\nnot really")},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="5"/></svg>`)},
		{"huge dimensions", pngHeader(100000, 100000)},
		{"zero width", pngHeader(0, 10)},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := sampleProof(t, "en")
			p.BadgeImage = tc.img
			pdf := render(t, p)
			if got := pageCount(t, pdf); got != "1" {
				t.Errorf("pages = %s", got)
			}
			if !strings.Contains(pdfText(t, pdf), "Digital Accessibility Lead") {
				t.Error("badge name missing")
			}
			if bytes.Contains(pdf, []byte("/Subtype /Image")) {
				t.Error("an image was embedded")
			}
		})
	}
	t.Run("usable image is embedded", func(t *testing.T) {
		p := sampleProof(t, "en")
		if pdf := render(t, p); !bytes.Contains(pdf, []byte("/Subtype /Image")) {
			t.Error("no image in the PDF")
		}
	})
}

func TestRenderRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Proof)
	}{
		{"no badge name", func(p *Proof) { p.BadgeName = "  " }},
		{"no verify URL", func(p *Proof) { p.VerifyURL = "" }},
		{"verify URL too long", func(p *Proof) { p.VerifyURL = "https://x.example/" + strings.Repeat("a", maxVerifyURLBytes) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := sampleProof(t, "en")
			tc.edit(&p)
			var buf bytes.Buffer
			err := Render(&buf, p)
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if buf.Len() != 0 {
				t.Errorf("wrote %d bytes on error", buf.Len())
			}
		})
	}
}

// TestGolden pins the exact bytes: the output must be reproducible (no clock, no random
// identifiers), and a layout change shows up as a diff to look at (-update rewrites).
func TestGolden(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			pdf := render(t, sampleProof(t, lang))
			if again := render(t, sampleProof(t, lang)); !bytes.Equal(pdf, again) {
				t.Fatal("two renders of the same proof differ")
			}
			path := filepath.Join("testdata", "golden-"+lang+".pdf")
			if *update {
				if err := os.WriteFile(path, pdf, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if !bytes.Equal(pdf, want) {
				t.Errorf("output differs from %s (%d vs %d bytes); look at it, then go test -update", path, len(pdf), len(want))
			}
		})
	}
}

func BenchmarkRender(b *testing.B) {
	p := sampleProof(b, "fr")
	var size int
	for b.Loop() {
		pdf, err := Bytes(p)
		if err != nil {
			b.Fatal(err)
		}
		size = len(pdf)
	}
	b.ReportMetric(float64(size), "pdf-bytes")
}
