package rdfc

import (
	"fmt"
	"strconv"
	"unicode/utf8"
)

// SyntaxError reports malformed N-Quads input. Line and Column are 1-based;
// Column counts characters (runes), not bytes.
type SyntaxError struct {
	Line, Column int
	Msg          string
}

func (e *SyntaxError) Error() string {
	return "n-quads: line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": " + e.Msg
}

// ParseNQuads parses an N-Quads 1.1 document strictly: relative IRIs,
// characters not allowed by the grammar, bad escapes, invalid UTF-8, and two
// statements on one line are errors (a *SyntaxError naming the line).
//
// Literals come back with their datatype made explicit: xsd:string for
// simple literals and rdf:langString for language-tagged ones. Duplicate
// statements are kept; Canonicalize treats its input as a set.
func ParseNQuads(data []byte) ([]Quad, error) {
	p := parser{data: data, line: 1}
	if !utf8.Valid(data) {
		// Find the line for a useful message.
		for i := 0; i < len(data); {
			r, n := utf8.DecodeRune(data[i:])
			if r == utf8.RuneError && n == 1 {
				p.pos = i
				return nil, p.errorf("invalid UTF-8")
			}
			if data[i] == '\n' {
				p.line++
				p.lineStart = i + 1
			}
			i += n
		}
	}
	// A rough count of statements saves regrowing the slice.
	n := 0
	for _, b := range data {
		if b == '\n' {
			n++
		}
	}
	quads := make([]Quad, 0, n+1)
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return quads, nil
		}
		switch c := p.data[p.pos]; c {
		case '\r', '\n':
			p.eol()
			continue
		case '#':
			p.skipComment()
			continue
		}
		q, err := p.statement()
		if err != nil {
			return nil, err
		}
		quads = append(quads, q)
	}
}

type parser struct {
	data      []byte
	pos       int
	line      int
	lineStart int
	// scratch holds unescaped text before it becomes a string.
	scratch []byte
}

func (p *parser) errorf(format string, args ...any) error {
	end := min(p.pos, len(p.data))
	col := utf8.RuneCount(p.data[p.lineStart:end]) + 1
	return &SyntaxError{Line: p.line, Column: col, Msg: fmt.Sprintf(format, args...)}
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) && (p.data[p.pos] == ' ' || p.data[p.pos] == '\t') {
		p.pos++
	}
}

func (p *parser) skipComment() {
	for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
		p.pos++
	}
}

// eol consumes one line break (\n, \r or \r\n).
func (p *parser) eol() {
	if p.data[p.pos] == '\r' && p.pos+1 < len(p.data) && p.data[p.pos+1] == '\n' {
		p.pos++
	}
	p.pos++
	p.line++
	p.lineStart = p.pos
}

func (p *parser) statement() (Quad, error) {
	var q Quad
	var err error
	if q.Subject, err = p.term("subject"); err != nil {
		return q, err
	}
	if q.Subject.Kind != IRI && q.Subject.Kind != BlankNode {
		return q, p.errorf("subject must be an IRI or a blank node")
	}
	p.skipSpace()
	if p.pos >= len(p.data) || p.data[p.pos] != '<' {
		return q, p.errorf("predicate must be an IRI")
	}
	if q.Predicate, err = p.term("predicate"); err != nil {
		return q, err
	}
	p.skipSpace()
	if q.Object, err = p.term("object"); err != nil {
		return q, err
	}
	p.skipSpace()
	if p.pos < len(p.data) && (p.data[p.pos] == '<' || p.data[p.pos] == '_' || p.data[p.pos] == '"') {
		if q.Graph, err = p.term("graph label"); err != nil {
			return q, err
		}
		if q.Graph.Kind != IRI && q.Graph.Kind != BlankNode {
			return q, p.errorf("graph label must be an IRI or a blank node")
		}
		p.skipSpace()
	}
	if p.pos >= len(p.data) || p.data[p.pos] != '.' {
		return q, p.errorf("expected '.' at the end of the statement")
	}
	p.pos++
	p.skipSpace()
	if p.pos < len(p.data) {
		switch p.data[p.pos] {
		case '#':
			p.skipComment()
		case '\r', '\n':
		default:
			return q, p.errorf("unexpected text after the end of the statement")
		}
	}
	return q, nil
}

// term parses one IRI, blank node or literal at the current position.
func (p *parser) term(role string) (Term, error) {
	if p.pos >= len(p.data) {
		return Term{}, p.errorf("missing %s", role)
	}
	switch p.data[p.pos] {
	case '<':
		iri, err := p.iri()
		return Term{Kind: IRI, Value: iri}, err
	case '_':
		return p.blankNode()
	case '"':
		if role != "object" {
			return Term{}, p.errorf("a literal cannot be the %s", role)
		}
		return p.literal()
	case '\r', '\n', '#':
		return Term{}, p.errorf("missing %s", role)
	default:
		return Term{}, p.errorf("unexpected character %q where the %s should start", p.peekRune(), role)
	}
}

func (p *parser) peekRune() rune {
	r, _ := utf8.DecodeRune(p.data[p.pos:])
	return r
}

// iri parses IRIREF and checks the IRI is absolute (has a scheme).
func (p *parser) iri() (string, error) {
	start := p.pos
	p.pos++ // '<'
	raw := true
	p.scratch = p.scratch[:0]
	for {
		if p.pos >= len(p.data) {
			p.pos = start
			return "", p.errorf("unterminated IRI")
		}
		c := p.data[p.pos]
		if c == '>' {
			break
		}
		if c == '\\' {
			if raw {
				p.scratch = append(p.scratch, p.data[start+1:p.pos]...)
				raw = false
			}
			r, err := p.uchar()
			if err != nil {
				return "", err
			}
			if r < 0x80 && iriForbidden(byte(r)) {
				return "", p.errorf("escaped character %U is not allowed in an IRI", r)
			}
			p.scratch = utf8.AppendRune(p.scratch, r)
			continue
		}
		if c < 0x80 && iriForbidden(c) {
			return "", p.errorf("character %q is not allowed in an IRI", rune(c))
		}
		if !raw {
			p.scratch = append(p.scratch, c)
		}
		p.pos++
	}
	var iri string
	if raw {
		iri = string(p.data[start+1 : p.pos])
	} else {
		iri = string(p.scratch)
	}
	p.pos++ // '>'
	if !hasScheme(iri) {
		p.pos = start
		return "", p.errorf("IRI <%s> is not absolute", iri)
	}
	return iri, nil
}

// iriForbidden reports the ASCII characters IRIREF excludes.
func iriForbidden(c byte) bool {
	if c <= 0x20 {
		return true
	}
	switch c {
	case '<', '>', '"', '{', '}', '|', '^', '`', '\\':
		return true
	}
	return false
}

// hasScheme reports whether s starts with scheme ":" (RFC 3986).
func hasScheme(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

// uchar parses \uXXXX or \UXXXXXXXX at p.pos.
func (p *parser) uchar() (rune, error) {
	if p.pos+1 >= len(p.data) {
		return 0, p.errorf("incomplete escape")
	}
	var n int
	switch p.data[p.pos+1] {
	case 'u':
		n = 4
	case 'U':
		n = 8
	default:
		return 0, p.errorf("invalid escape \\%c", p.data[p.pos+1])
	}
	if p.pos+2+n > len(p.data) {
		return 0, p.errorf("incomplete \\%c escape", p.data[p.pos+1])
	}
	var r rune
	for _, c := range p.data[p.pos+2 : p.pos+2+n] {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.errorf("invalid hexadecimal digit %q in escape", rune(c))
		}
		r = r<<4 | rune(d)
	}
	if r > utf8.MaxRune || (r >= 0xD800 && r <= 0xDFFF) {
		return 0, p.errorf("escape \\%c%s is not a Unicode scalar value", p.data[p.pos+1], p.data[p.pos+2:p.pos+2+n])
	}
	p.pos += 2 + n
	return r, nil
}

// blankNode parses BLANK_NODE_LABEL.
func (p *parser) blankNode() (Term, error) {
	if p.pos+1 >= len(p.data) || p.data[p.pos+1] != ':' {
		return Term{}, p.errorf("expected '_:' to start a blank node label")
	}
	p.pos += 2
	start := p.pos
	if p.pos >= len(p.data) {
		return Term{}, p.errorf("empty blank node label")
	}
	r, n := utf8.DecodeRune(p.data[p.pos:])
	if !isPNCharsU(r) && !(r >= '0' && r <= '9') {
		return Term{}, p.errorf("character %q cannot start a blank node label", r)
	}
	p.pos += n
	for p.pos < len(p.data) {
		r, n := utf8.DecodeRune(p.data[p.pos:])
		if r != '.' && !isPNChars(r) {
			break
		}
		p.pos += n
	}
	// A label cannot end with '.': a trailing one ends the statement.
	for p.data[p.pos-1] == '.' {
		p.pos--
	}
	return Term{Kind: BlankNode, Value: string(p.data[start:p.pos])}, nil
}

func isPNCharsBase(r rune) bool {
	switch {
	case r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		return true
	case r < 0xC0:
		return false
	case r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x2FF,
		r >= 0x370 && r <= 0x37D, r >= 0x37F && r <= 0x1FFF,
		r >= 0x200C && r <= 0x200D, r >= 0x2070 && r <= 0x218F,
		r >= 0x2C00 && r <= 0x2FEF, r >= 0x3001 && r <= 0xD7FF,
		r >= 0xF900 && r <= 0xFDCF, r >= 0xFDF0 && r <= 0xFFFD,
		r >= 0x10000 && r <= 0xEFFFF:
		return true
	}
	return false
}

func isPNCharsU(r rune) bool { return r == '_' || r == ':' || isPNCharsBase(r) }

func isPNChars(r rune) bool {
	return isPNCharsU(r) || r == '-' || (r >= '0' && r <= '9') || r == 0xB7 ||
		(r >= 0x300 && r <= 0x36F) || (r >= 0x203F && r <= 0x2040)
}

// literal parses STRING_LITERAL_QUOTE with an optional datatype or language.
func (p *parser) literal() (Term, error) {
	start := p.pos
	p.pos++ // '"'
	raw := true
	p.scratch = p.scratch[:0]
	for {
		if p.pos >= len(p.data) {
			p.pos = start
			return Term{}, p.errorf("unterminated string literal")
		}
		c := p.data[p.pos]
		if c == '"' {
			break
		}
		switch c {
		case '\n', '\r':
			return Term{}, p.errorf("line break inside a string literal (write \\n or \\r)")
		case '\\':
			if raw {
				p.scratch = append(p.scratch, p.data[start+1:p.pos]...)
				raw = false
			}
			if p.pos+1 >= len(p.data) {
				return Term{}, p.errorf("incomplete escape")
			}
			var e byte
			switch p.data[p.pos+1] {
			case 't':
				e = '\t'
			case 'b':
				e = '\b'
			case 'n':
				e = '\n'
			case 'r':
				e = '\r'
			case 'f':
				e = '\f'
			case '"':
				e = '"'
			case '\'':
				e = '\''
			case '\\':
				e = '\\'
			case 'u', 'U':
				r, err := p.uchar()
				if err != nil {
					return Term{}, err
				}
				p.scratch = utf8.AppendRune(p.scratch, r)
				continue
			default:
				return Term{}, p.errorf("invalid escape \\%c in a string literal", p.data[p.pos+1])
			}
			p.scratch = append(p.scratch, e)
			p.pos += 2
			continue
		}
		if !raw {
			p.scratch = append(p.scratch, c)
		}
		p.pos++
	}
	t := Term{Kind: Literal, Datatype: XSDString}
	if raw {
		t.Value = string(p.data[start+1 : p.pos])
	} else {
		t.Value = string(p.scratch)
	}
	p.pos++ // closing '"'
	if p.pos >= len(p.data) {
		return t, nil
	}
	switch p.data[p.pos] {
	case '^':
		if p.pos+2 >= len(p.data) || p.data[p.pos+1] != '^' || p.data[p.pos+2] != '<' {
			return t, p.errorf("expected '^^<' before a datatype IRI")
		}
		p.pos += 2
		dt, err := p.iri()
		if err != nil {
			return t, err
		}
		t.Datatype = dt
	case '@':
		lang, err := p.langTag()
		if err != nil {
			return t, err
		}
		t.Datatype = LangString
		t.Language = lang
	}
	return t, nil
}

// langTag parses LANGTAG: '@' [a-zA-Z]+ ('-' [a-zA-Z0-9]+)*.
func (p *parser) langTag() (string, error) {
	p.pos++ // '@'
	start := p.pos
	for p.pos < len(p.data) && isAlpha(p.data[p.pos]) {
		p.pos++
	}
	if p.pos == start {
		return "", p.errorf("empty language tag")
	}
	for p.pos < len(p.data) && p.data[p.pos] == '-' {
		p.pos++
		sub := p.pos
		for p.pos < len(p.data) && (isAlpha(p.data[p.pos]) || p.data[p.pos] >= '0' && p.data[p.pos] <= '9') {
			p.pos++
		}
		if p.pos == sub {
			return "", p.errorf("empty subtag in language tag")
		}
	}
	return string(p.data[start:p.pos]), nil
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
