package bake

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// XML namespaces of baked SVG elements. Elements are matched by namespace
// URI and local name, never by prefix.
const (
	NamespaceOB3 = "https://purl.imsglobal.org/ob/v3p0" // <credential>
	NamespaceOB2 = "http://openbadges.org"              // <assertion>
	namespaceSVG = "http://www.w3.org/2000/svg"
	badgePrefix  = "openbadges"
)

// svgBadge is one badge element found in an SVG.
type svgBadge struct {
	format     Format
	start, end int // byte span of the element, start tag to end tag
	verify     string
	hasVerify  bool
	body       []byte // character data and CDATA, concatenated
}

// svgScan is what one pass of the XML decoder learned about an SVG.
type svgScan struct {
	rootStart, rootEnd int // byte span of the root start tag
	rootAttr           []xml.Attr
	badges             []svgBadge
	// nsUsed holds the namespace URIs of elements and attributes outside
	// badge elements, so that re-binding the openbadges prefix on the root
	// can be refused when something else still depends on it.
	nsUsed map[string]bool
}

// scanSVG reads the whole document with a strict, bounded, streaming XML
// decoder: no DTD (so no entity expansion beyond the five predefined ones),
// UTF-8 only, at most MaxSVGTokens tokens and MaxSVGDepth levels, one root
// element named svg.
func scanSVG(img []byte) (*svgScan, error) {
	if len(img) > MaxImageSize {
		return nil, fmt.Errorf("%w: image of %d bytes (limit %d)", ErrTooLarge, len(img), MaxImageSize)
	}
	d := xml.NewDecoder(bytes.NewReader(img))
	d.Strict = true
	s := &svgScan{rootStart: -1, nsUsed: map[string]bool{}}
	depth, tokens := 0, 0
	var cur *svgBadge // badge element being read
	rootDone := false
	for {
		off := int(d.InputOffset())
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrMalformedSVG, err)
		}
		if tokens++; tokens > MaxSVGTokens {
			return nil, fmt.Errorf("%w: more than %d XML tokens", ErrTooLarge, MaxSVGTokens)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return nil, fmt.Errorf("%w: <!%.40s", ErrDTD, t)
		case xml.CharData:
			if depth == 0 {
				rest := t
				if off == 0 {
					rest = bytes.TrimPrefix(rest, utf8BOM)
				}
				if len(bytes.TrimSpace(rest)) != 0 {
					return nil, fmt.Errorf("%w: text outside the root element", ErrMalformedSVG)
				}
			} else if cur != nil {
				if len(cur.body)+len(t) > MaxPayloadSize {
					return nil, fmt.Errorf("%w: badge element content above %d bytes", ErrTooLarge, MaxPayloadSize)
				}
				cur.body = append(cur.body, t...)
			}
		case xml.StartElement:
			if depth == 0 {
				if rootDone {
					return nil, fmt.Errorf("%w: second root element <%s>", ErrMalformedSVG, t.Name.Local)
				}
				if t.Name.Local != "svg" || (t.Name.Space != namespaceSVG && t.Name.Space != "") {
					return nil, fmt.Errorf("%w: root element is <%s> in namespace %q", ErrNotSVG, t.Name.Local, t.Name.Space)
				}
				s.rootStart, s.rootEnd = off, int(d.InputOffset())
				s.rootAttr = t.Attr
			}
			if cur != nil {
				return nil, fmt.Errorf("%w: element <%s> inside a badge element", ErrMalformedSVG, t.Name.Local)
			}
			if depth++; depth > MaxSVGDepth {
				return nil, fmt.Errorf("%w: elements nested deeper than %d", ErrTooLarge, MaxSVGDepth)
			}
			if f := svgBadgeFormat(t.Name); f != 0 {
				cur = &svgBadge{format: f, start: off}
				for _, a := range t.Attr {
					if a.Name.Space == "" && a.Name.Local == "verify" {
						cur.verify, cur.hasVerify = a.Value, true
					}
				}
				continue
			}
			s.nsUsed[t.Name.Space] = true
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && !(a.Name.Space == "" && a.Name.Local == "xmlns") {
					s.nsUsed[a.Name.Space] = true
				}
			}
		case xml.EndElement:
			depth--
			if cur != nil {
				cur.end = int(d.InputOffset())
				s.badges = append(s.badges, *cur)
				cur = nil
			}
			if depth == 0 {
				rootDone = true
			}
		}
	}
	if s.rootStart < 0 {
		return nil, fmt.Errorf("%w: no root element", ErrNotSVG)
	}
	return s, nil
}

func svgBadgeFormat(n xml.Name) Format {
	switch {
	case n.Space == NamespaceOB3 && n.Local == "credential":
		return FormatOB3
	case n.Space == NamespaceOB2 && n.Local == "assertion":
		return FormatOB2
	}
	return 0
}

// UnbakeSVG extracts the badge of an SVG. An OB 3.0 credential element wins
// over an OB 2.0 assertion; two elements of the same form are an error.
func UnbakeSVG(img []byte) (*Baked, error) {
	s, err := scanSVG(img)
	if err != nil {
		return nil, err
	}
	for _, f := range []Format{FormatOB3, FormatOB2} {
		var b *svgBadge
		for i := range s.badges {
			if s.badges[i].format != f {
				continue
			}
			if b != nil {
				return nil, fmt.Errorf("%w: several %s elements", ErrMultipleBadges, f)
			}
			b = &s.badges[i]
		}
		if b == nil {
			continue
		}
		out := &Baked{Format: f, ImageType: ImageSVG}
		body := bytes.TrimSpace(b.body)
		switch {
		case len(body) > 0:
			out.Payload = bytes.Clone(body)
		case b.verify != "":
			out.Payload = []byte(strings.TrimSpace(b.verify))
		default:
			return nil, fmt.Errorf("%w: empty %s badge element", ErrMalformedSVG, f)
		}
		if f == FormatOB2 && isHTTPURL(strings.TrimSpace(b.verify)) {
			out.VerifyURL = strings.TrimSpace(b.verify)
		}
		return out, nil
	}
	return nil, ErrNoBadge
}

// BakeSVG embeds payload into an SVG as the first child of the root <svg>
// element, after removing every existing badge element (OB 3.0 and OB 2.0),
// and declares xmlns:openbadges on the root. The rest of the document is
// copied byte for byte.
//
// OB 3.0: credential JSON goes in CDATA, a VC-JWT in the verify attribute.
// OB 2.0: assertion JSON goes in CDATA with verify set to the hosted URL
// when the assertion names one; a JWS or a URL goes in verify alone.
//
// XML parsers turn CR LF and lone CR into LF (XML 1.0 §2.11), so a JSON
// payload with CR LF between tokens unbakes with LF: the JSON value is the
// same (JSON strings cannot hold a raw CR), the bytes are not.
func BakeSVG(img, payload []byte, f Format) ([]byte, error) {
	if f == FormatOB1 {
		return nil, fmt.Errorf("%w: OB 1.0 badges are baked in PNG only", ErrUnsupportedForm)
	}
	kind, err := checkPayload(payload, f)
	if err != nil {
		return nil, err
	}
	if err := checkXMLChars(payload); err != nil {
		return nil, err
	}
	s, err := scanSVG(img)
	if err != nil {
		return nil, err
	}
	ns := NamespaceOB3
	if f == FormatOB2 {
		ns = NamespaceOB2
	}
	rootTag, err := rebindPrefix(img[s.rootStart:s.rootEnd], s, ns)
	if err != nil {
		return nil, err
	}
	elem := badgeElement(payload, f, kind)

	out := make([]byte, 0, len(img)+len(elem)+64)
	out = append(out, img[:s.rootStart]...)
	if bytes.HasSuffix(rootTag, []byte("/>")) {
		// <svg …/> has no children: open it, add the badge, close it.
		name := tagName(rootTag)
		out = append(out, bytes.TrimRight(rootTag[:len(rootTag)-2], " \t\r\n")...)
		out = append(out, '>')
		out = append(out, elem...)
		out = append(out, "</"+name+">"...)
	} else {
		out = append(out, rootTag...)
		out = append(out, elem...)
	}
	prev := s.rootEnd
	for _, b := range s.badges {
		out = append(out, img[prev:b.start]...)
		prev = b.end
	}
	out = append(out, img[prev:]...)
	return out, nil
}

// badgeElement writes the badge element for a checked payload.
func badgeElement(payload []byte, f Format, kind PayloadKind) []byte {
	local := "credential"
	if f == FormatOB2 {
		local = "assertion"
	}
	q := badgePrefix + ":" + local
	var b bytes.Buffer
	b.WriteString("<" + q)
	switch kind {
	case KindJSON:
		if f == FormatOB2 {
			if u := hostedURL(payload); u != "" {
				b.WriteString(` verify="` + escapeAttr(u) + `"`)
			}
		}
		b.WriteString("><![CDATA[")
		// "]]>" cannot appear inside CDATA: close the section after "]]"
		// and open a new one before ">".
		b.Write(bytes.ReplaceAll(payload, []byte("]]>"), []byte("]]]]><![CDATA[>")))
		b.WriteString("]]></" + q + ">")
	default: // JWS or URL
		b.WriteString(` verify="` + escapeAttr(strings.TrimSpace(string(payload))) + `"`)
		if f == FormatOB2 {
			b.WriteString("/>")
		} else {
			b.WriteString("></" + q + ">")
		}
	}
	return b.Bytes()
}

// hostedURL returns the URL an OB 2.0 (or 1.x) assertion is hosted at:
// verify.url when present, else its id when that is an http(s) URL.
func hostedURL(assertion []byte) string {
	var a struct {
		ID     any `json:"id"`
		Verify struct {
			URL any `json:"url"`
		} `json:"verify"`
	}
	if json.Unmarshal(assertion, &a) != nil {
		return ""
	}
	if u, ok := a.Verify.URL.(string); ok && isHTTPURL(u) {
		return u
	}
	if u, ok := a.ID.(string); ok && isHTTPURL(u) {
		return u
	}
	return ""
}

// rebindPrefix returns the root start tag with xmlns:openbadges bound to ns:
// unchanged when it already is, with the value replaced when the prefix is
// bound to a namespace nothing else in the document uses, or with the
// declaration added after the element name.
func rebindPrefix(tag []byte, s *svgScan, ns string) ([]byte, error) {
	for _, a := range s.rootAttr {
		if a.Name.Space != "xmlns" || a.Name.Local != badgePrefix {
			continue
		}
		if a.Value == ns {
			return tag, nil
		}
		if s.nsUsed[a.Value] {
			return nil, fmt.Errorf("%w: prefix %s is bound to %q, which the image uses", ErrUnsupportedImage, badgePrefix, a.Value)
		}
		attrs, err := lexAttrs(tag)
		if err != nil {
			return nil, err
		}
		for _, ra := range attrs {
			if ra.name == "xmlns:"+badgePrefix {
				out := append(bytes.Clone(tag[:ra.valStart]), escapeAttr(ns)...)
				return append(out, tag[ra.valEnd:]...), nil
			}
		}
		return nil, fmt.Errorf("%w: cannot locate xmlns:%s in the root tag", ErrMalformedSVG, badgePrefix)
	}
	at := 1 + len(tagName(tag))
	out := append(bytes.Clone(tag[:at]), ` xmlns:`+badgePrefix+`="`+escapeAttr(ns)+`"`...)
	return append(out, tag[at:]...), nil
}

// rawAttr is an attribute of a raw start tag: its name and the byte span
// of its value between the quotes.
type rawAttr struct {
	name             string
	valStart, valEnd int
}

// tagName returns the element name of a raw start tag "<name …>".
func tagName(tag []byte) string {
	i := 1
	for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '/' && tag[i] != '>' {
		i++
	}
	return string(tag[1:i])
}

// lexAttrs splits a raw start tag the XML decoder has already accepted as
// well formed into attributes, to edit one in place.
func lexAttrs(tag []byte) ([]rawAttr, error) {
	i := 1 + len(tagName(tag))
	var out []rawAttr
	bad := fmt.Errorf("%w: cannot read the root start tag", ErrMalformedSVG)
	for {
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i >= len(tag) {
			return nil, bad
		}
		if tag[i] == '/' || tag[i] == '>' {
			return out, nil
		}
		start := i
		for i < len(tag) && !isXMLSpace(tag[i]) && tag[i] != '=' {
			i++
		}
		name := string(tag[start:i])
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || tag[i] != '=' {
			return nil, bad
		}
		i++
		for i < len(tag) && isXMLSpace(tag[i]) {
			i++
		}
		if i >= len(tag) || (tag[i] != '"' && tag[i] != '\'') {
			return nil, bad
		}
		q := tag[i]
		i++
		j := bytes.IndexByte(tag[i:], q)
		if j < 0 {
			return nil, bad
		}
		out = append(out, rawAttr{name: name, valStart: i, valEnd: i + j})
		i += j + 1
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// escapeAttr escapes a value for a double-quoted attribute; white space
// other than the space is escaped so attribute normalization keeps it.
func escapeAttr(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\t':
			b.WriteString("&#x9;")
		case '\n':
			b.WriteString("&#xA;")
		case '\r':
			b.WriteString("&#xD;")
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// checkXMLChars refuses characters XML 1.0 cannot carry.
func checkXMLChars(p []byte) error {
	for i := 0; i < len(p); {
		r, n := utf8.DecodeRune(p[i:])
		ok := r == 0x9 || r == 0xA || r == 0xD || r >= 0x20 && r <= 0xD7FF ||
			r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
		if !ok || r == utf8.RuneError && n == 1 {
			return fmt.Errorf("%w: character U+%04X at byte %d is not allowed in XML", ErrInvalidPayload, r, i)
		}
		i += n
	}
	return nil
}
