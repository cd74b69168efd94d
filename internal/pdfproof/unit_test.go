package pdfproof

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// pngHeader returns a PNG signature and IHDR chunk announcing w×h RGBA pixels, and nothing
// else: what an attacker sends to make a decoder allocate.
func pngHeader(w, h uint32) []byte {
	out := []byte("\x89PNG\r\n\x1a\n")
	body := binary.BigEndian.AppendUint32(nil, w)
	body = binary.BigEndian.AppendUint32(body, h)
	body = append(body, 8, 6, 0, 0, 0)
	chunk := append([]byte("IHDR"), body...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(body)))
	out = append(out, chunk...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(chunk))
}

func TestFormatDate(t *testing.T) {
	tests := []struct {
		name, lang string
		t          time.Time
		want       string
	}{
		{"fr first of month", "fr", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "1er décembre 2026"},
		{"fr", "fr", time.Date(2026, 11, 23, 23, 59, 0, 0, time.UTC), "23 novembre 2026"},
		{"fr accented month", "fr", time.Date(2027, 2, 14, 0, 0, 0, 0, time.UTC), "14 février 2027"},
		{"fr-CA is French", "fr-CA", time.Date(2027, 8, 2, 0, 0, 0, 0, time.UTC), "2 août 2027"},
		{"en", "en", time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC), "November 23, 2026"},
		{"en first", "en-GB", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), "December 1, 2026"},
		{"unknown language is English", "de", time.Date(2026, 5, 9, 0, 0, 0, 0, time.UTC), "May 9, 2026"},
		{"day taken in the time's location", "en", time.Date(2026, 11, 23, 23, 30, 0, 0, time.FixedZone("X", -5*3600)), "November 23, 2026"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := labelTable[normLang(tc.lang)].formatDate(tc.t); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestLabelsComplete fails when a label is added to one language only.
func TestLabelsComplete(t *testing.T) {
	for lang, l := range labelTable {
		v := reflect.ValueOf(*l)
		for i := range v.NumField() {
			f := v.Field(i)
			if f.IsZero() {
				t.Errorf("%s: label %s is empty", lang, v.Type().Field(i).Name)
			}
		}
		for _, m := range l.months {
			if m == "" {
				t.Errorf("%s: a month is empty", lang)
			}
		}
	}
	if got := labelTable["fr"].moreEvidence(3); got != "+ 3 autres preuves" {
		t.Errorf("fr more = %q", got)
	}
	if got := labelTable["en"].moreEvidence(1); got != "+ 1 more item" {
		t.Errorf("en more = %q", got)
	}
}

func TestMarkdownBlocks(t *testing.T) {
	tests := []struct {
		name string
		md   string
		want []block
	}{
		{"empty", "  \n", nil},
		{"heading and emphasis", "# Titre *important*\n\nDu **gras**, de l’`code` et _italique_.", []block{
			{kind: blockHeading, text: "Titre important"},
			{kind: blockPara, text: "Du gras, de l’code et italique."},
		}},
		{"links keep their label, images their alt", "Voir [le guide](https://x.example) et ![logo](a.png) <https://y.example>.", []block{
			{kind: blockPara, text: "Voir le guide et logo https://y.example."},
		}},
		{"bullets and nesting", "- un\n- deux\n  - deux.a\n", []block{
			{kind: blockItem, marker: "•", depth: 1, text: "un"},
			{kind: blockItem, marker: "•", depth: 1, text: "deux"},
			{kind: blockItem, marker: "•", depth: 2, text: "deux.a"},
		}},
		{"ordered list keeps its start", "3. trois\n4. quatre", []block{
			{kind: blockItem, marker: "3.", depth: 1, text: "trois"},
			{kind: blockItem, marker: "4.", depth: 1, text: "quatre"},
		}},
		{"raw HTML dropped", "<div>caché</div>\n\nTexte <b>gras</b>.", []block{
			{kind: blockPara, text: "Texte gras."},
		}},
		{"soft breaks join lines", "ligne un\nligne deux", []block{{kind: blockPara, text: "ligne un ligne deux"}}},
		{"quote and code", "> cité\n\n```\ncode\n```", []block{
			{kind: blockPara, text: "cité"}, {kind: blockPara, text: "code"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := markdownBlocks(tc.md)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(block{})); diff != "" {
				t.Errorf("blocks (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMarkdownBlocksBounded(t *testing.T) {
	got := markdownBlocks(strings.Repeat("- item\n", 10000))
	if len(got) > maxBlocks {
		t.Errorf("%d blocks, limit %d", len(got), maxBlocks)
	}
}

func TestClean(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want string
	}{
		{"spaces collapsed", "  a\t\n b  ", 10, "a b"},
		{"controls separate, format chars dropped", "a\x00b\u200bc\u202ed", 10, "a bcd"},
		{"invalid UTF-8 dropped", "é\xffè", 10, "éè"},
		{"outside BMP replaced", "a😀b", 10, "a\uFFFDb"},
		{"no-break spaces kept", "Statut\u202f: «\u00a0x\u00a0»", 20, "Statut\u202f: «\u00a0x\u00a0»"},
		{"cut with ellipsis", "abcdef", 3, "abc…"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := clean(tc.in, tc.max); got != tc.want {
				t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestWebURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example/x":     "https://a.example/x",
		" http://a.example ":      "http://a.example",
		"javascript:alert(1)":     "",
		"file:///etc/passwd":      "",
		"https:///nohost":         "",
		"/relative":               "",
		"https://a.example/\x00x": "",
	} {
		if got := webURL(in); got != want {
			t.Errorf("webURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPrepareImage(t *testing.T) {
	interlaced16 := func() []byte {
		img := image.NewNRGBA64(image.Rect(0, 0, 900, 300))
		for x := range 900 {
			img.SetNRGBA64(x, 150, color.NRGBA64{R: 0xffff, A: 0xffff})
		}
		var buf bytes.Buffer
		_ = png.Encode(&buf, img)
		return buf.Bytes()
	}()
	tests := []struct {
		name         string
		in           []byte
		wantW, wantH int // 0: rejected
	}{
		{"small kept as is", badgePNG(t, 100), 100, 100},
		{"large scaled to print size", badgePNG(t, 1000), printSide, printSide},
		{"16-bit wide image scaled, ratio kept", interlaced16, printSide, printSide / 3},
		{"empty", nil, 0, 0},
		{"header claims too many pixels", pngHeader(5000, 5000), 0, 0},
		{"header only", pngHeader(10, 10), 0, 0},
		{"SVG", []byte("<svg/>"), 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := prepareImage(tc.in)
			if tc.wantW == 0 {
				if !errors.Is(err, errNoImage) {
					t.Fatalf("err = %v, want errNoImage", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			cfg, err := png.DecodeConfig(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width != tc.wantW || cfg.Height != tc.wantH {
				t.Errorf("size %dx%d, want %dx%d", cfg.Width, cfg.Height, tc.wantW, tc.wantH)
			}
		})
	}
}

func TestWrap(t *testing.T) {
	pg := newPage(Proof{}, nil)
	pg.font("", 10, colInk)
	w := 40.0
	lines := wrap(pg.f, strings.Repeat("mot ", 200), w, 3)
	if len(lines) != 3 || !strings.HasSuffix(lines[2], "…") {
		t.Fatalf("lines = %q", lines)
	}
	long := wrap(pg.f, "https://example.org/"+strings.Repeat("x", 200), w, 20)
	for _, l := range append(lines, long...) {
		if got := pg.f.GetStringWidth(l); got > w+0.01 {
			t.Errorf("line %q is %.2f mm wide, limit %.0f", l, got, w)
		}
	}
	if got := strings.Join(long, ""); got != "https://example.org/"+strings.Repeat("x", 200) {
		t.Errorf("a long word lost characters: %q", got)
	}
}
