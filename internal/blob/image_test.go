package blob

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckImage(t *testing.T) {
	tests := []struct {
		file string
		typ  string
		w, h int
		want error
	}{
		{"good-16x16.png", TypePNG, 16, 16, nil},
		{"good-1x1.png", TypePNG, 1, 1, nil},
		{"good-simple.svg", TypeSVG, 256, 256, nil},
		{"good-gradient-viewbox.svg", TypeSVG, 120, 80, nil},
		{"good-embedded-png.svg", TypeSVG, 64, 64, nil},
		{"bad-huge-5000x1.png", "", 0, 0, ErrImageDimensions},
		{"bad-truncated.png", "", 0, 0, ErrInvalidPNG},
		{"bad-crc.png", "", 0, 0, ErrInvalidPNG},
		{"bad-trailing.png", "", 0, 0, ErrInvalidPNG},
		{"bad-jpeg.jpg", "", 0, 0, ErrNotImage},
		{"bad-gif.gif", "", 0, 0, ErrNotImage},
		{"bad-script.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-script-prefixed.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-onload.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-onclick-upper.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-external-href.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-relative-href.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-javascript-link.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-data-svg.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-entities.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-stylesheet-pi.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-foreignobject.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-css-import.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-css-url.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-animate-href.svg", "", 0, 0, ErrUnsafeSVG},
		{"bad-no-namespace.svg", "", 0, 0, ErrInvalidSVG},
		{"bad-html-root.svg", "", 0, 0, ErrInvalidSVG},
		{"bad-malformed.svg", "", 0, 0, ErrInvalidSVG},
		{"bad-two-roots.svg", "", 0, 0, ErrInvalidSVG},
		{"bad-latin1.svg", "", 0, 0, ErrInvalidSVG},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		seen[tc.file] = true
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			typ, w, h, err := CheckImage(data)
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if typ != "" || w != 0 || h != 0 {
					t.Errorf("returned %q %d×%d with an error", typ, w, h)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if typ != tc.typ || w != tc.w || h != tc.h {
				t.Errorf("got %s %d×%d, want %s %d×%d", typ, w, h, tc.typ, tc.w, tc.h)
			}
		})
	}
	// Every sample in testdata is in the table.
	files, _ := filepath.Glob("testdata/*.*")
	for _, f := range files {
		if b := filepath.Base(f); !seen[b] && b != "SOURCES.md" {
			t.Errorf("testdata/%s is not in the table", b)
		}
	}
}

func TestCheckImageInline(t *testing.T) {
	svg := func(body string) []byte {
		return []byte(`<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">` + body + `</svg>`)
	}
	png16, _ := os.ReadFile("testdata/good-16x16.png")
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotImage},
		{"text", []byte("hello"), ErrNotImage},
		{"PNG signature only", pngSignature, ErrInvalidPNG},
		{"PNG without IDAT", append(bytes.Clone(png16[:33]), png16[len(png16)-12:]...), ErrInvalidPNG},
		{"too large", append(bytes.Clone(png16), make([]byte, MaxImageSize)...), ErrImageTooLarge},
		{"svg BOM and whitespace", append([]byte("\xef\xbb\xbf \n"), svg("")...), nil},
		{"svg fragment link", svg(`<a href="#top"><rect width="1" height="1"/></a>`), nil},
		{"svg jpeg data url", svg(`<image href="data:image/jpeg;base64,AAAA"/>`), nil},
		{"svg iframe", svg(`<iframe/>`), ErrUnsafeSVG},
		{"svg embed", svg(`<embed src="x"/>`), ErrUnsafeSVG},
		{"svg xml:base", svg(`<g xml:base="https://evil.example/"/>`), ErrUnsafeSVG},
		{"svg protocol-relative", svg(`<image href="//evil.example/x.png"/>`), ErrUnsafeSVG},
		{"svg file url", svg(`<image href="file:///etc/passwd"/>`), ErrUnsafeSVG},
		{"svg css escape", svg(`<style>rect { fill: \75rl(https://x) }</style>`), ErrUnsafeSVG},
		{"svg css expression", svg(`<rect style="width: expression(alert(1))"/>`), ErrUnsafeSVG},
		{"svg fill url external", svg(`<rect fill="url(https://evil.example/#g)"/>`), ErrUnsafeSVG},
		{"svg fill url local", svg(`<rect fill="url(#g)"/>`), nil},
		{"svg entity reference", svg(`<text>&nbsp;</text>`), ErrInvalidSVG},
		{"svg predefined entity", svg(`<text>&amp;&lt;</text>`), nil},
		{"svg text after root", append(svg(""), "junk"...), ErrInvalidSVG},
		{"svg too deep", svg(strings.Repeat("<g>", 200) + strings.Repeat("</g>", 200)), ErrInvalidSVG},
		{"svg no root", []byte("<!-- only a comment -->"), ErrInvalidSVG},
		{"svg animate fill ok", svg(`<rect><animate attributeName="fill" to="red"/></rect>`), nil},
		{"svg animate xlink:href", svg(`<a><animate attributeName="xlink:href" values="javascript:alert(1)"/></a>`), ErrUnsafeSVG},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := CheckImage(tc.data)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestSVGSize(t *testing.T) {
	tests := []struct {
		attrs string
		w, h  int
	}{
		{`width="100" height="50"`, 100, 50},
		{`width="100px" height="50.4px"`, 100, 50},
		{`width="10cm" height="5cm" viewBox="0 0 300 150"`, 300, 150},
		{`viewBox="0,0,64,32"`, 64, 32},
		{`width="100%" height="100%"`, 0, 0},
		{`width="-5" height="1e300"`, 0, 1 << 20},
		{``, 0, 0},
	}
	for _, tc := range tests {
		data := []byte(`<svg xmlns="http://www.w3.org/2000/svg" ` + tc.attrs + `/>`)
		_, w, h, err := CheckImage(data)
		if err != nil || w != tc.w || h != tc.h {
			t.Errorf("%s: %d×%d, %v; want %d×%d", tc.attrs, w, h, err, tc.w, tc.h)
		}
	}
}

// FuzzCheckImage: no input panics, errors wrap a sentinel, and an accepted
// SVG never contains the obvious active content markers.
func FuzzCheckImage(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.*")
	for _, file := range files {
		if data, err := os.ReadFile(file); err == nil {
			f.Add(data)
		}
	}
	sentinels := []error{ErrImageTooLarge, ErrNotImage, ErrImageDimensions, ErrInvalidPNG, ErrInvalidSVG, ErrUnsafeSVG}
	f.Fuzz(func(t *testing.T, data []byte) {
		typ, w, h, err := CheckImage(data)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					return
				}
			}
			t.Fatalf("error wraps no sentinel: %v", err)
		}
		switch typ {
		case TypePNG:
			if w < 1 || h < 1 || w > MaxImageDimension || h > MaxImageDimension {
				t.Fatalf("accepted PNG of %d×%d", w, h)
			}
		case TypeSVG:
			low := strings.ToLower(string(data))
			for _, bad := range []string{"<script", "<!doctype", "<!entity", "javascript:", "http://evil", "https://evil"} {
				if strings.Contains(low, bad) && !strings.Contains(low, "<!--") && !strings.Contains(low, "cdata") {
					t.Fatalf("accepted SVG containing %q", bad)
				}
			}
		default:
			t.Fatalf("accepted unknown type %q", typ)
		}
	})
}

func BenchmarkCheckImage(b *testing.B) {
	for _, name := range []string{"good-16x16.png", "good-gradient-viewbox.svg"} {
		data, _ := os.ReadFile(filepath.Join("testdata", name))
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, _, _, err := CheckImage(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
