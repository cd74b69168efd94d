package rdfc

// Canonical N-Quads serialization (RDFC-1.0 section "Canonical N-Quads",
// following the N-Triples 1.2 canonical form): terms separated by one
// space, " .\n" at the end, IRIs and blank node labels written as they are,
// literals without ^^xsd:string, and in literal strings only these escapes:
// \b \t \n \f \r \" \\ as ECHAR, the other characters U+0000-U+001F and
// U+007F as \uXXXX with upper-case hex; everything else verbatim.

// AppendNQuad appends the canonical N-Quads line for q, with its trailing
// "\n", to dst.
func AppendNQuad(dst []byte, q Quad) []byte {
	dst = appendTerm(dst, q.Subject)
	dst = append(dst, ' ')
	dst = appendTerm(dst, q.Predicate)
	dst = append(dst, ' ')
	dst = appendTerm(dst, q.Object)
	if q.Graph.Kind != DefaultGraph {
		dst = append(dst, ' ')
		dst = appendTerm(dst, q.Graph)
	}
	return append(dst, " .\n"...)
}

// String returns the term in N-Quads form ("<iri>", "_:label", "\"v\"@en");
// the default graph is the empty string.
func (t Term) String() string { return string(appendTerm(nil, t)) }

// String returns the canonical N-Quads line for q, without the line break.
func (q Quad) String() string {
	b := AppendNQuad(nil, q)
	return string(b[:len(b)-1])
}

// IsDefaultGraph reports whether t names the default graph.
func (t Term) IsDefaultGraph() bool { return t.Kind == DefaultGraph }

func appendTerm(dst []byte, t Term) []byte {
	switch t.Kind {
	case IRI:
		dst = append(dst, '<')
		dst = append(dst, t.Value...)
		return append(dst, '>')
	case BlankNode:
		dst = append(dst, "_:"...)
		return append(dst, t.Value...)
	case Literal:
		return appendLiteral(dst, t)
	}
	return dst
}

func appendLiteral(dst []byte, t Term) []byte {
	dst = append(dst, '"')
	dst = appendEscaped(dst, t.Value)
	dst = append(dst, '"')
	switch {
	case t.Language != "":
		dst = append(dst, '@')
		dst = append(dst, t.Language...)
	case t.Datatype != "" && t.Datatype != XSDString:
		dst = append(dst, "^^<"...)
		dst = append(dst, t.Datatype...)
		dst = append(dst, '>')
	}
	return dst
}

// needsEscape marks the bytes a canonical literal string cannot hold as is.
var needsEscape = func() (t [256]bool) {
	for c := 0; c < 0x20; c++ {
		t[c] = true
	}
	t['"'], t['\\'], t[0x7f] = true, true, true
	return t
}()

const upperHex = "0123456789ABCDEF"

func appendEscaped(dst []byte, s string) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !needsEscape[c] {
			continue
		}
		dst = append(dst, s[start:i]...)
		start = i + 1
		switch c {
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		default:
			dst = append(dst, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&0xf])
		}
	}
	return append(dst, s[start:]...)
}
