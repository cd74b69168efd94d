package blob

import (
	"bytes"
	"encoding/binary"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/crc32"
	"image/png"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// Limits on uploaded badge images.
const (
	// MaxImageSize bounds an uploaded image, in bytes.
	MaxImageSize = 2 << 20
	// MaxImageDimension bounds a PNG's width and height, in pixels: a badge
	// is shown at a few hundred pixels; a larger PNG only costs memory in
	// every viewer (a 2 MiB file can declare a 60000×60000 image).
	MaxImageDimension = 4096
	// maxSVGDepth bounds element nesting in an SVG.
	maxSVGDepth = 100
)

// Media types CheckImage returns.
const (
	TypePNG = "image/png"
	TypeSVG = "image/svg+xml"
)

// Errors of CheckImage, for the web layer to map to messages. Returned
// errors wrap one of them and say what is wrong.
var (
	// ErrImageTooLarge: more than MaxImageSize bytes.
	ErrImageTooLarge = errors.New("image file too large")
	// ErrNotImage: neither PNG nor SVG (JPEG, GIF, PDF… are refused).
	ErrNotImage = errors.New("not a PNG or SVG image")
	// ErrImageDimensions: width or height zero or above MaxImageDimension.
	ErrImageDimensions = errors.New("image dimensions out of range")
	// ErrInvalidPNG: the PNG structure is broken (chunks, checksums, header).
	ErrInvalidPNG = errors.New("invalid PNG")
	// ErrInvalidSVG: not well-formed XML, or the root is not an SVG <svg>.
	ErrInvalidSVG = errors.New("invalid SVG")
	// ErrUnsafeSVG: the SVG has a DTD, a script, an event handler, an
	// external reference or another active feature. Such files are
	// refused rather than cleaned: a badge image needs none of these.
	ErrUnsafeSVG = errors.New("SVG contains unsafe content")
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// CheckImage validates an uploaded badge image and returns its media type
// and size in pixels. A PNG is checked chunk by chunk (lengths, CRCs,
// IHDR first, IDAT present, nothing after IEND) and its header decoded with
// image/png's DecodeConfig, without decompressing pixels. An SVG must be
// well-formed UTF-8 XML with an <svg> root in the SVG namespace, and have
// no DTD, processing instructions other than the XML declaration,
// scripts, foreign objects, event handlers, or references other than
// same-document fragments ("#id") and inline raster data: URLs. Width and
// height of an SVG come from its width/height attributes or viewBox, and
// are 0 when neither gives plain numbers.
func CheckImage(data []byte) (contentType string, width, height int, err error) {
	if len(data) > MaxImageSize {
		return "", 0, 0, fmt.Errorf("%w: %d bytes, at most %d", ErrImageTooLarge, len(data), MaxImageSize)
	}
	if bytes.HasPrefix(data, pngSignature) {
		w, h, err := checkPNG(data)
		if err != nil {
			return "", 0, 0, err
		}
		return TypePNG, w, h, nil
	}
	if looksLikeXML(data) {
		w, h, err := checkSVG(data)
		if err != nil {
			return "", 0, 0, err
		}
		return TypeSVG, w, h, nil
	}
	return "", 0, 0, fmt.Errorf("%w: the file looks like %s", ErrNotImage, http.DetectContentType(data))
}

func looksLikeXML(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	data = bytes.TrimLeft(data, " \t\r\n")
	return len(data) > 0 && data[0] == '<'
}

func checkPNG(data []byte) (int, int, error) {
	rest := data[len(pngSignature):]
	first, seenIDAT, seenIEND := true, false, false
	for len(rest) > 0 {
		if seenIEND {
			return 0, 0, fmt.Errorf("%w: %d bytes after IEND", ErrInvalidPNG, len(rest))
		}
		if len(rest) < 12 {
			return 0, 0, fmt.Errorf("%w: truncated chunk", ErrInvalidPNG)
		}
		n := binary.BigEndian.Uint32(rest[:4])
		if n > math.MaxInt32 || int64(n) > int64(len(rest)-12) {
			return 0, 0, fmt.Errorf("%w: chunk length %d beyond end of file", ErrInvalidPNG, n)
		}
		typ := string(rest[4:8])
		crc := binary.BigEndian.Uint32(rest[8+n : 12+n])
		if crc32.ChecksumIEEE(rest[4:8+n]) != crc {
			return 0, 0, fmt.Errorf("%w: bad checksum in %q chunk", ErrInvalidPNG, typ)
		}
		switch {
		case first && typ != "IHDR":
			return 0, 0, fmt.Errorf("%w: first chunk is %q, not IHDR", ErrInvalidPNG, typ)
		case typ == "IDAT":
			seenIDAT = true
		case typ == "IEND":
			seenIEND = true
		}
		first = false
		rest = rest[12+n:]
	}
	if !seenIEND || !seenIDAT {
		return 0, 0, fmt.Errorf("%w: missing IDAT or IEND chunk (truncated file?)", ErrInvalidPNG)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return 0, 0, fmt.Errorf("%w: %v", ErrInvalidPNG, err)
	}
	if cfg.Width < 1 || cfg.Height < 1 || cfg.Width > MaxImageDimension || cfg.Height > MaxImageDimension {
		return 0, 0, fmt.Errorf("%w: %d×%d pixels, at most %d×%d", ErrImageDimensions, cfg.Width, cfg.Height, MaxImageDimension, MaxImageDimension)
	}
	return cfg.Width, cfg.Height, nil
}

const (
	nsSVG = "http://www.w3.org/2000/svg"
	nsXML = "http://www.w3.org/XML/1998/namespace"
)

// forbiddenElements run code, embed other documents or change how links
// resolve. Compared in lower case.
var forbiddenElements = map[string]bool{
	"script": true, "foreignobject": true, "iframe": true, "embed": true,
	"object": true, "handler": true, "listener": true, "base": true,
	"audio": true, "video": true,
}

func checkSVG(data []byte) (int, int, error) {
	if !isUTF8Decl(data) {
		return 0, 0, fmt.Errorf("%w: only UTF-8 SVG files are accepted", ErrInvalidSVG)
	}
	// A byte order mark is allowed before the XML declaration; the decoder
	// would report it as text.
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = nil // only the five predefined entities
	var (
		depth         int
		rootSeen      bool
		width, height int
		inStyle       int
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, 0, fmt.Errorf("%w: %v", ErrInvalidSVG, err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return 0, 0, fmt.Errorf("%w: document type declarations (<!DOCTYPE>, <!ENTITY>) are not allowed", ErrUnsafeSVG)
		case xml.ProcInst:
			if t.Target != "xml" {
				return 0, 0, fmt.Errorf("%w: processing instruction <?%s?>", ErrUnsafeSVG, t.Target)
			}
		case xml.CharData:
			if depth == 0 && len(bytes.TrimSpace(t)) > 0 {
				return 0, 0, fmt.Errorf("%w: text outside the <svg> element", ErrInvalidSVG)
			}
			if inStyle > 0 {
				if err := checkCSS(string(t)); err != nil {
					return 0, 0, err
				}
			}
		case xml.StartElement:
			if depth == 0 {
				if rootSeen {
					return 0, 0, fmt.Errorf("%w: more than one root element", ErrInvalidSVG)
				}
				if t.Name.Local != "svg" || t.Name.Space != nsSVG {
					return 0, 0, fmt.Errorf("%w: root element is <%s> in namespace %q, want <svg> in %s", ErrInvalidSVG, t.Name.Local, t.Name.Space, nsSVG)
				}
				rootSeen = true
				width, height = svgSize(t.Attr)
			}
			depth++
			if depth > maxSVGDepth {
				return 0, 0, fmt.Errorf("%w: elements nested more than %d deep", ErrInvalidSVG, maxSVGDepth)
			}
			name := strings.ToLower(t.Name.Local)
			if forbiddenElements[name] {
				return 0, 0, fmt.Errorf("%w: <%s> element", ErrUnsafeSVG, t.Name.Local)
			}
			if name == "style" {
				inStyle++
			}
			if err := checkAttrs(t); err != nil {
				return 0, 0, err
			}
		case xml.EndElement:
			depth--
			if strings.EqualFold(t.Name.Local, "style") && inStyle > 0 {
				inStyle--
			}
		}
	}
	if !rootSeen {
		return 0, 0, fmt.Errorf("%w: no <svg> element", ErrInvalidSVG)
	}
	return width, height, nil
}

// isUTF8Decl refuses XML declarations naming another encoding: Go's decoder
// would fail on them anyway, but with a vaguer message.
func isUTF8Decl(data []byte) bool {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !bytes.HasPrefix(data, []byte("<?xml")) {
		return true
	}
	end := bytes.Index(data, []byte("?>"))
	if end < 0 {
		return true // the decoder reports the syntax error
	}
	decl := strings.ToLower(string(data[:end]))
	i := strings.Index(decl, "encoding")
	if i < 0 {
		return true
	}
	v := strings.TrimLeft(decl[i+len("encoding"):], " \t\r\n=\"'")
	return strings.HasPrefix(v, "utf-8") || strings.HasPrefix(v, "utf8")
}

func checkAttrs(el xml.StartElement) error {
	animation := false
	switch strings.ToLower(el.Name.Local) {
	case "set", "animate", "animatemotion", "animatetransform", "animatecolor":
		animation = true
	}
	for _, a := range el.Attr {
		local := strings.ToLower(a.Name.Local)
		if strings.HasPrefix(local, "on") {
			return fmt.Errorf("%w: event handler attribute %s on <%s>", ErrUnsafeSVG, a.Name.Local, el.Name.Local)
		}
		if a.Name.Space == nsXML && local == "base" {
			return fmt.Errorf("%w: xml:base attribute", ErrUnsafeSVG)
		}
		if local == "href" || local == "src" {
			if !safeReference(a.Value) {
				return fmt.Errorf("%w: %s=%q on <%s> refers outside the file (only \"#id\" and data:image/png|jpeg|gif|webp are allowed)",
					ErrUnsafeSVG, a.Name.Local, clip(a.Value), el.Name.Local)
			}
		}
		// An animation can rewrite a link into javascript: after the checks.
		if animation && local == "attributename" && strings.HasSuffix(strings.ToLower(strings.TrimSpace(a.Value)), "href") {
			return fmt.Errorf("%w: <%s> animates a link", ErrUnsafeSVG, el.Name.Local)
		}
		if local == "style" || strings.Contains(strings.ToLower(a.Value), "url(") {
			if err := checkCSS(a.Value); err != nil {
				return err
			}
		}
		if strings.Contains(compact(a.Value), "javascript:") {
			return fmt.Errorf("%w: javascript: URL in %s", ErrUnsafeSVG, a.Name.Local)
		}
	}
	return nil
}

// compact lower-cases s and drops whitespace and control characters,
// which browsers skip inside URL schemes ("java\tscript:").
func compact(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r > ' ' && r != 0x7f {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// safeReference accepts same-document references and inline raster images.
func safeReference(v string) bool {
	v = compact(v)
	if strings.HasPrefix(v, "#") {
		return true
	}
	for _, t := range []string{"png", "jpeg", "jpg", "gif", "webp"} {
		if strings.HasPrefix(v, "data:image/"+t+";") || strings.HasPrefix(v, "data:image/"+t+",") {
			return true
		}
	}
	return false
}

// checkCSS refuses style sheets that import others or load resources from
// outside the file, and old script-in-CSS forms.
func checkCSS(css string) error {
	c := compact(css)
	// CSS escapes (\75rl) could hide the keywords below; a badge's style
	// has no reason to use them.
	if strings.Contains(c, `\`) {
		return fmt.Errorf("%w: escape sequences in CSS", ErrUnsafeSVG)
	}
	if strings.Contains(c, "@import") {
		return fmt.Errorf("%w: @import in CSS", ErrUnsafeSVG)
	}
	if strings.Contains(c, "expression(") || strings.Contains(c, "javascript:") || strings.Contains(c, "-moz-binding") || strings.Contains(c, "behavior:") {
		return fmt.Errorf("%w: script in CSS", ErrUnsafeSVG)
	}
	for rest := c; ; {
		i := strings.Index(rest, "url(")
		if i < 0 {
			break
		}
		rest = rest[i+4:]
		arg := strings.TrimLeft(rest, `"'`)
		if !safeReference(arg) {
			return fmt.Errorf("%w: CSS url() refers outside the file", ErrUnsafeSVG)
		}
	}
	return nil
}

// svgSize reads width and height (plain numbers, optionally "px"), or
// else the viewBox's.
func svgSize(attrs []xml.Attr) (int, int) {
	var w, h float64
	var viewBox string
	for _, a := range attrs {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "width":
			w = svgLength(a.Value)
		case "height":
			h = svgLength(a.Value)
		case "viewBox":
			viewBox = a.Value
		}
	}
	if (w == 0 || h == 0) && viewBox != "" {
		f := strings.FieldsFunc(viewBox, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
		if len(f) == 4 {
			vw, err1 := strconv.ParseFloat(f[2], 64)
			vh, err2 := strconv.ParseFloat(f[3], 64)
			if err1 == nil && err2 == nil {
				w, h = vw, vh
			}
		}
	}
	return clampDim(w), clampDim(h)
}

func svgLength(s string) float64 {
	s = strings.TrimSuffix(strings.TrimSpace(s), "px")
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}

func clampDim(f float64) int {
	if math.IsNaN(f) || f <= 0 {
		return 0
	}
	if f > 1<<20 {
		return 1 << 20
	}
	return int(math.Round(f))
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
