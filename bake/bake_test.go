package bake

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"flag"
	"hash/crc32"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// payload reads a payload file; text files end with a newline that is not
// part of the payload.
func payload(t testing.TB, name string) []byte {
	return bytes.TrimSpace(read(t, name))
}

var goldenCases = []struct {
	golden, image, payload string
	format                 Format
	verifyURL              string
}{
	{"ob3-json.png", "plain.png", "ob3-simple.json", FormatOB3, ""},
	{"ob3-jwt.png", "plain.png", "ob3-simple.jwt", FormatOB3, ""},
	{"ob3-json-chunks.png", "chunks.png", "ob3-simple.json", FormatOB3, ""},
	{"ob2-json.png", "plain.png", "ob2-assertion.json", FormatOB2, ""},
	{"ob2-jws.png", "plain.png", "ob2-signed.jws", FormatOB2, ""},
	{"ob1-url.png", "plain.png", "ob1-url.txt", FormatOB1, ""},
	{"ob3-json.svg", "plain.svg", "ob3-simple.json", FormatOB3, ""},
	{"ob3-jwt.svg", "plain.svg", "ob3-simple.jwt", FormatOB3, ""},
	{"ob3-selfclosing.svg", "selfclosing.svg", "ob3-simple.json", FormatOB3, ""},
	{"ob3-over-ob2.svg", "ob2-hosted.svg", "ob3-simple.json", FormatOB3, ""},
	{"ob2-json.svg", "plain.svg", "ob2-assertion.json", FormatOB2, "https://badges.example.org/assertions/42"},
	{"ob2-jws.svg", "plain.svg", "ob2-signed.jws", FormatOB2, ""},
	{"ob2-url.svg", "plain.svg", "ob1-url.txt", FormatOB2, "https://badges.example.org/assertions/legacy-1.json"},
}

// TestGolden bakes each sample, compares with the golden file, and unbakes
// the golden file back to the payload.
func TestGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.golden, func(t *testing.T) {
			img, p := read(t, tc.image), payload(t, tc.payload)
			got, err := Bake(img, p, tc.format)
			if err != nil {
				t.Fatalf("Bake: %v", err)
			}
			path := filepath.Join("testdata", "golden", tc.golden)
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := read(t, filepath.Join("golden", tc.golden))
			if !bytes.Equal(got, want) {
				t.Fatalf("baked image differs from %s (run with -update after checking)", path)
			}
			b, err := Unbake(want)
			if err != nil {
				t.Fatalf("Unbake: %v", err)
			}
			wantType := ImagePNG
			if strings.HasSuffix(tc.golden, ".svg") {
				wantType = ImageSVG
				// XML turns CR LF into LF (XML 1.0 §2.11); the sample
				// credential has CR LF line ends between JSON tokens.
				p = bytes.ReplaceAll(p, []byte("\r\n"), []byte("\n"))
			}
			wantBaked := &Baked{Format: tc.format, Payload: p, ImageType: wantType, VerifyURL: tc.verifyURL}
			if diff := cmp.Diff(wantBaked, b); diff != "" {
				t.Errorf("Unbake (-want +got):\n%s", diff)
			}
		})
	}
}

// TestBakedPNGDecodes checks baked PNGs with an independent reader: the
// standard library decoder checks CRCs and chunk order, and the pixels must
// be those of the original.
func TestBakedPNGDecodes(t *testing.T) {
	for _, tc := range goldenCases {
		if !strings.HasSuffix(tc.golden, ".png") {
			continue
		}
		t.Run(tc.golden, func(t *testing.T) {
			orig, err := png.Decode(bytes.NewReader(read(t, tc.image)))
			if err != nil {
				t.Fatal(err)
			}
			baked, err := png.Decode(bytes.NewReader(read(t, filepath.Join("golden", tc.golden))))
			if err != nil {
				t.Fatalf("decode baked: %v", err)
			}
			for y := 0; y < 4; y++ {
				for x := 0; x < 4; x++ {
					if orig.At(x, y) != baked.At(x, y) {
						t.Fatalf("pixel %d,%d changed", x, y)
					}
				}
			}
			// The badge chunk sits right after IHDR.
			chunks, err := parsePNG(read(t, filepath.Join("golden", tc.golden)))
			if err != nil {
				t.Fatal(err)
			}
			if badgeFormat(chunks[1]) != tc.format {
				t.Errorf("chunk after IHDR is %s %q, want the badge", chunks[1].typ, textKeyword(chunks[1]))
			}
		})
	}
}

// TestBakedSVGStructure checks baked SVGs with the standard XML decoder:
// the badge element is the first child element of the root, and the root
// binds xmlns:openbadges to the right namespace.
func TestBakedSVGStructure(t *testing.T) {
	for _, tc := range goldenCases {
		if !strings.HasSuffix(tc.golden, ".svg") {
			continue
		}
		t.Run(tc.golden, func(t *testing.T) {
			d := xml.NewDecoder(bytes.NewReader(read(t, filepath.Join("golden", tc.golden))))
			wantNS := map[Format]string{FormatOB3: NamespaceOB3, FormatOB2: NamespaceOB2}[tc.format]
			depth, elems := 0, 0
			for {
				tok, err := d.Token()
				if err != nil {
					break
				}
				switch e := tok.(type) {
				case xml.StartElement:
					depth++
					if depth == 1 {
						bound := ""
						for _, a := range e.Attr {
							if a.Name.Space == "xmlns" && a.Name.Local == "openbadges" {
								bound = a.Value
							}
						}
						if bound != wantNS {
							t.Errorf("root binds openbadges to %q, want %q", bound, wantNS)
						}
					}
					if depth == 2 {
						elems++
						if elems == 1 && svgBadgeFormat(e.Name) != tc.format {
							t.Errorf("first child is %v, want the badge", e.Name)
						}
						if elems > 1 && svgBadgeFormat(e.Name) != 0 {
							t.Errorf("second badge element %v", e.Name)
						}
					}
				case xml.EndElement:
					depth--
				}
			}
			if elems == 0 {
				t.Error("no child element")
			}
		})
	}
}

// countPNGBadges counts badge chunks of any form.
func countPNGBadges(t *testing.T, img []byte) int {
	t.Helper()
	chunks, err := parsePNG(img)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range chunks {
		if isBadgeChunk(c) {
			n++
		}
	}
	return n
}

func TestRebakeReplaces(t *testing.T) {
	a := []byte(`{"id":"urn:uuid:a","type":["VerifiableCredential","OpenBadgeCredential"]}`)
	b := []byte(`{"id":"urn:uuid:b","type":["VerifiableCredential","OpenBadgeCredential"]}`)
	jws := payload(t, "ob2-signed.jws")
	for _, img := range []string{"plain.png", "chunks.png", "plain.svg", "ob2-hosted.svg", "selfclosing.svg"} {
		t.Run(img, func(t *testing.T) {
			steps := []struct {
				p []byte
				f Format
			}{{a, FormatOB3}, {b, FormatOB3}, {jws, FormatOB2}, {a, FormatOB3}}
			cur := read(t, img)
			for i, s := range steps {
				next, err := Bake(cur, s.p, s.f)
				if err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				got, err := Unbake(next)
				if err != nil {
					t.Fatalf("step %d: Unbake: %v", i, err)
				}
				if got.Format != s.f || !bytes.Equal(got.Payload, s.p) {
					t.Fatalf("step %d: got %s %q, want %s %q", i, got.Format, got.Payload, s.f, s.p)
				}
				if strings.HasSuffix(img, ".png") {
					if n := countPNGBadges(t, next); n != 1 {
						t.Fatalf("step %d: %d badge chunks", i, n)
					}
				} else {
					scan, err := scanSVG(next)
					if err != nil {
						t.Fatal(err)
					}
					if len(scan.badges) != 1 {
						t.Fatalf("step %d: %d badge elements", i, len(scan.badges))
					}
				}
				cur = next
			}
			// Baking is idempotent: the same payload twice gives the same bytes.
			again, err := Bake(cur, a, FormatOB3)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(again, cur) {
				t.Error("re-baking the same payload changed the image")
			}
		})
	}
}

// TestSVGCDATAEnd checks a payload holding "]]>", which must be split
// across CDATA sections.
func TestSVGCDATAEnd(t *testing.T) {
	p := []byte(`{"name":"a]]>b","description":"<&>\"'"}`)
	out, err := BakeSVG(read(t, "plain.svg"), p, FormatOB3)
	if err != nil {
		t.Fatal(err)
	}
	got, err := UnbakeSVG(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Payload, p) {
		t.Errorf("payload %q, want %q", got.Payload, p)
	}
}

func TestUnbakeSVGSamples(t *testing.T) {
	tests := []struct {
		name, file string
		want       *Baked
	}{
		{"OB 2.0 hosted with body (spec layout)", "ob2-hosted.svg", &Baked{
			Format:    FormatOB2,
			Payload:   []byte(`{"@context": "https://w3id.org/openbadges/v2", "id": "https://badges.example.org/assertions/42", "type": "Assertion", "verification": {"type": "hosted"}}`),
			ImageType: ImageSVG, VerifyURL: "https://badges.example.org/assertions/42"}},
		{"OB 2.0 verify only, other prefix", "ob2-verify-only.svg", &Baked{
			Format: FormatOB2, Payload: []byte("https://badges.example.org/assertions/7"),
			ImageType: ImageSVG, VerifyURL: "https://badges.example.org/assertions/7"}},
		{"OB 3.0 with prefix declared on the element", "ob3-otherprefix.svg", &Baked{
			Format: FormatOB3, Payload: []byte(`{"id":"urn:uuid:1"}`), ImageType: ImageSVG}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Unbake(read(t, tc.file))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// pngWith builds a PNG from plain.png's IHDR and IDAT plus extra chunks
// inserted after IHDR.
func pngWith(t testing.TB, extra ...[]byte) []byte {
	t.Helper()
	chunks, err := parsePNG(read(t, "plain.png"))
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte{}, pngSignature...)
	out = append(out, chunks[0].raw...)
	for _, e := range extra {
		out = append(out, e...)
	}
	for _, c := range chunks[1:] {
		out = append(out, c.raw...)
	}
	return out
}

func chunk(typ string, data []byte) []byte { return appendChunk(nil, typ, data) }

func itxt(keyword string, flag, method byte, text []byte) []byte {
	d := append([]byte(keyword), 0, flag, method, 0, 0)
	return chunk("iTXt", append(d, text...))
}

func zlibBytes(t testing.TB, p []byte) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(p)
	w.Close()
	return b.Bytes()
}

func TestUnbakePNGCases(t *testing.T) {
	baked := read(t, "golden/ob3-json.png")
	cred := payload(t, "ob3-simple.json")

	corruptCRC := bytes.Clone(baked)
	corruptCRC[len(corruptCRC)-20] ^= 0xFF // inside IDAT

	hugeLen := bytes.Clone(baked)
	binary.BigEndian.PutUint32(hugeLen[33:], 0x7FFFFFF0) // the chunk after IHDR
	overLen := bytes.Clone(baked)
	binary.BigEndian.PutUint32(overLen[33:], 0xFFFFFFFF)

	noIHDR := append(append([]byte{}, pngSignature...), chunk("IEND", nil)...)
	badType := pngWith(t, chunk("iT1t", []byte("x")))
	bigImage := make([]byte, MaxImageSize+1)
	copy(bigImage, pngSignature)

	bomb := zlibBytes(t, make([]byte, MaxPayloadSize+1))
	latin1 := pngWith(t, chunk("tEXt", append([]byte("openbadges\x00"), []byte("https://ex.org/caf\xe9")...)))

	tests := []struct {
		name    string
		img     []byte
		wantErr error
		want    *Baked
	}{
		{"no badge", read(t, "plain.png"), ErrNoBadge, nil},
		{"other text chunks only", read(t, "chunks.png"), ErrNoBadge, nil},
		{"corrupted CRC", corruptCRC, ErrMalformedPNG, nil},
		{"declared length beyond input", hugeLen, ErrMalformedPNG, nil},
		{"declared length above 2^31-1", overLen, ErrMalformedPNG, nil},
		{"not a PNG", []byte("GIF89a...."), ErrNotPNG, nil},
		{"first chunk not IHDR", noIHDR, ErrMalformedPNG, nil},
		{"invalid chunk type", badType, ErrMalformedPNG, nil},
		{"image above size limit", bigImage, ErrTooLarge, nil},
		{"two OB3 chunks", pngWith(t, itxt(keywordOB3, 0, 0, []byte("{}")), itxt(keywordOB3, 0, 0, []byte("{}"))), ErrMultipleBadges, nil},
		{"empty iTXt text", pngWith(t, itxt(keywordOB3, 0, 0, nil)), ErrMalformedPNG, nil},
		{"iTXt text not UTF-8", pngWith(t, itxt(keywordOB3, 0, 0, []byte{0xff, 0xfe})), ErrMalformedPNG, nil},
		{"iTXt bad compression flag", pngWith(t, itxt(keywordOB3, 2, 0, []byte("{}"))), ErrMalformedPNG, nil},
		{"iTXt bad compression method", pngWith(t, itxt(keywordOB3, 1, 1, zlibBytes(t, []byte("{}")))), ErrMalformedPNG, nil},
		{"iTXt truncated header", pngWith(t, chunk("iTXt", []byte("openbadgecredential\x00\x00"))), ErrMalformedPNG, nil},
		{"iTXt corrupt zlib", pngWith(t, itxt(keywordOB3, 1, 0, []byte("not zlib"))), ErrMalformedPNG, nil},
		{"iTXt decompression bomb", pngWith(t, itxt(keywordOB3, 1, 0, bomb)), ErrTooLarge, nil},
		{"compressed iTXt read", pngWith(t, itxt(keywordOB3, 1, 0, zlibBytes(t, cred))), nil,
			&Baked{Format: FormatOB3, Payload: cred, ImageType: ImagePNG}},
		{"OB3 wins over OB2 and OB1", pngWith(t, chunk("tEXt", []byte("openbadges\x00https://ex.org/a")), itxt(keywordOB2, 0, 0, []byte(`{"v":2}`)), itxt(keywordOB3, 0, 0, []byte(`{"v":3}`))), nil,
			&Baked{Format: FormatOB3, Payload: []byte(`{"v":3}`), ImageType: ImagePNG}},
		{"OB1 tEXt Latin-1 to UTF-8", latin1, nil,
			&Baked{Format: FormatOB1, Payload: []byte("https://ex.org/café"), ImageType: ImagePNG}},
		{"keyword is case sensitive", pngWith(t, itxt("OpenBadgeCredential", 0, 0, []byte("{}"))), ErrNoBadge, nil},
		{"trailing bytes after IEND ignored", append(bytes.Clone(baked), "junk"...), nil,
			&Baked{Format: FormatOB3, Payload: cred, ImageType: ImagePNG}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UnbakePNG(tc.img)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestTruncatedPNG cuts a baked PNG at every length: each prefix must fail
// cleanly (the last chunk, IEND, is what a truncation loses first).
func TestTruncatedPNG(t *testing.T) {
	baked := read(t, "golden/ob3-jwt.png")
	for n := 0; n < len(baked); n++ {
		_, err := UnbakePNG(baked[:n])
		if err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
		if n >= 8 && !errors.Is(err, ErrMalformedPNG) {
			t.Fatalf("prefix of %d bytes: %v, want ErrMalformedPNG", n, err)
		}
	}
}

func TestTruncatedSVG(t *testing.T) {
	baked := read(t, "golden/ob3-json.svg")
	end := bytes.LastIndex(baked, []byte("</svg>"))
	for n := 1; n <= end; n += 7 {
		if _, err := UnbakeSVG(baked[:n]); err == nil {
			t.Fatalf("prefix of %d bytes accepted", n)
		}
	}
}

func TestUnbakeSVGErrors(t *testing.T) {
	deep := strings.Repeat("<g>", MaxSVGDepth+1) + strings.Repeat("</g>", MaxSVGDepth+1)
	tests := []struct {
		name    string
		img     []byte
		wantErr error
	}{
		{"no badge", read(t, "plain.svg"), ErrNoBadge},
		{"DOCTYPE refused", read(t, "dtd.svg"), ErrDTD},
		{"entity expansion refused", read(t, "laughs.svg"), ErrDTD},
		{"non-UTF-8 encoding", read(t, "latin1.svg"), ErrMalformedSVG},
		{"HTML is not SVG", read(t, "notsvg.html"), ErrNotSVG},
		{"two OB3 elements", read(t, "two-ob3.svg"), ErrMultipleBadges},
		{"prefix bound to another namespace", read(t, "ob3-wrongns.svg"), ErrNoBadge},
		{"too deep", []byte(`<svg xmlns="http://www.w3.org/2000/svg">` + deep + `</svg>`), ErrTooLarge},
		{"undeclared entity", []byte(`<svg xmlns="http://www.w3.org/2000/svg">&nbsp;</svg>`), ErrMalformedSVG},
		{"second root", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/><svg xmlns="http://www.w3.org/2000/svg"/>`), ErrMalformedSVG},
		{"text after root", []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>text`), ErrMalformedSVG},
		{"root in another namespace", []byte(`<svg xmlns="https://example.org/x"/>`), ErrNotSVG},
		{"child element inside badge", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><x/></openbadges:credential></svg>`), ErrMalformedSVG},
		{"empty badge element", []byte(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential> </openbadges:credential></svg>`), ErrMalformedSVG},
		{"image above size limit", append([]byte("<svg>"), make([]byte, MaxImageSize)...), ErrTooLarge},
		{"neither PNG nor SVG", []byte("GIF89a"), ErrUnknownImage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Unbake(tc.img)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestTokenLimit(t *testing.T) {
	img := []byte(`<svg xmlns="http://www.w3.org/2000/svg">` + strings.Repeat("<a/>", MaxSVGTokens/2+1) + `</svg>`)
	if _, err := UnbakeSVG(img); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("err = %v, want ErrTooLarge", err)
	}
}

func TestBakeErrors(t *testing.T) {
	plainPNG, plainSVG := read(t, "plain.png"), read(t, "plain.svg")
	cred := payload(t, "ob3-simple.json")
	tests := []struct {
		name    string
		img     []byte
		payload []byte
		f       Format
		wantErr error
	}{
		{"empty payload", plainPNG, nil, FormatOB3, ErrInvalidPayload},
		{"OB3 payload is a URL", plainPNG, []byte("https://ex.org/a"), FormatOB3, ErrInvalidPayload},
		{"OB3 payload is broken JSON", plainPNG, []byte(`{"a":`), FormatOB3, ErrInvalidPayload},
		{"payload not UTF-8", plainPNG, []byte("{\"a\":\"\xff\"}"), FormatOB3, ErrInvalidPayload},
		{"payload with NUL", plainPNG, []byte("https://ex.org/\x00"), FormatOB2, ErrInvalidPayload},
		{"OB1 payload not a URL", plainPNG, cred, FormatOB1, ErrInvalidPayload},
		{"OB1 in SVG", plainSVG, []byte("https://ex.org/a"), FormatOB1, ErrUnsupportedForm},
		{"unknown format", plainPNG, cred, Format(9), ErrUnsupportedForm},
		{"zero format", plainPNG, cred, 0, ErrUnsupportedForm},
		{"payload too large", plainPNG, append(append([]byte(`{"a":"`), bytes.Repeat([]byte("x"), MaxPayloadSize)...), `"}`...), FormatOB3, ErrTooLarge},
		{"character XML cannot carry", plainSVG, []byte("{\"a\":\"\uFFFE\"}"), FormatOB3, ErrInvalidPayload},
		{"openbadges prefix used by the image", read(t, "prefix-in-use.svg"), cred, FormatOB3, ErrUnsupportedImage},
		{"openbadges prefix bound elsewhere and used", read(t, "ob3-wrongns.svg"), cred, FormatOB3, ErrUnsupportedImage},
		{"SVG with DTD", read(t, "dtd.svg"), cred, FormatOB3, ErrDTD},
		{"broken PNG", read(t, "golden/ob3-json.png")[:100], cred, FormatOB3, ErrMalformedPNG},
		{"neither PNG nor SVG", []byte("GIF89a"), cred, FormatOB3, ErrUnknownImage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Bake(tc.img, tc.payload, tc.f)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if out != nil {
				t.Error("output returned with an error")
			}
		})
	}
}

func TestPayloadKind(t *testing.T) {
	tests := []struct {
		name string
		p    string
		want PayloadKind
	}{
		{"JSON object", `{"a":1}`, KindJSON},
		{"JSON with spaces", " \n{\"a\":1}\n", KindJSON},
		{"JSON array", `[1]`, KindUnknown},
		{"broken JSON", `{"a"`, KindUnknown},
		{"JWS", "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln", KindJWS},
		{"JWS empty signature", "eyJhbGciOiJub25lIn0.eyJhIjoxfQ.", KindJWS},
		{"two parts", "eyJh.eyJh", KindUnknown},
		{"padding is not base64url", "eyJh=.eyJh.c2ln", KindUnknown},
		{"https URL", "https://ex.org/a?b=c", KindURL},
		{"ftp URL", "ftp://ex.org/a", KindUnknown},
		{"URL with space", "https://ex.org/a b", KindUnknown},
		{"empty", "", KindUnknown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (&Baked{Payload: []byte(tc.p)}).Kind(); got != tc.want {
				t.Errorf("Kind(%q) = %v, want %v", tc.p, got, tc.want)
			}
		})
	}
}

// TestCRCOfBakedChunk recomputes the CRC of the inserted chunk by hand.
func TestCRCOfBakedChunk(t *testing.T) {
	out := read(t, "golden/ob3-jwt.png")
	off := 8 + 25 // signature, IHDR
	n := int(binary.BigEndian.Uint32(out[off:]))
	if string(out[off+4:off+8]) != "iTXt" {
		t.Fatalf("chunk after IHDR is %q", out[off+4:off+8])
	}
	want := crc32.ChecksumIEEE(out[off+4 : off+8+n])
	if got := binary.BigEndian.Uint32(out[off+8+n:]); got != want {
		t.Errorf("CRC %08x, want %08x", got, want)
	}
	data := out[off+8 : off+8+n]
	prefix := "openbadgecredential\x00\x00\x00\x00\x00"
	if !bytes.HasPrefix(data, []byte(prefix)) {
		t.Errorf("iTXt header %q, want %q", data[:len(prefix)], prefix)
	}
}

func BenchmarkUnbakePNG(b *testing.B) {
	img := read(b, "golden/ob3-json.png")
	for b.Loop() {
		if _, err := UnbakePNG(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnbakeSVG(b *testing.B) {
	img := read(b, "golden/ob3-json.svg")
	for b.Loop() {
		if _, err := UnbakeSVG(img); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBakePNG(b *testing.B) {
	img, p := read(b, "plain.png"), payload(b, "ob3-simple.json")
	for b.Loop() {
		if _, err := BakePNG(img, p, FormatOB3); err != nil {
			b.Fatal(err)
		}
	}
}
