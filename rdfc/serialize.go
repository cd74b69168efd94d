package rdfc

// Canonical N-Quads serialization (RDFC-1.0 section "Canonical N-Quads",
// following the N-Triples 1.2 canonical form): terms separated by one
// space, " .\n" at the end, IRIs and blank node labels written as they are,
// literals without ^^xsd:string, and in literal strings only these escapes:
// \b \t \n \f \r \" \\ as ECHAR, the other characters U+0000-U+001F and
// U+007F as \uXXXX with upper-case hex; everything else verbatim.

// AppendNQuad appends the canonical N-Quads line for q, with its trailing
// "\n", to dst.
func AppendNQuad(dst []byte, q Quad) []byte { return appendNQuad(dst, &q) }

// appendNQuad is AppendNQuad. Quads and terms are passed by pointer inside
// the package: a Term by value (seven words) does not fit in registers
// next to dst, and serialization is a good part of canonicalization.
func appendNQuad(dst []byte, q *Quad) []byte {
	dst = appendTerm(dst, &q.Subject)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Predicate)
	dst = append(dst, ' ')
	dst = appendTerm(dst, &q.Object)
	if q.Graph.Kind != DefaultGraph {
		dst = append(dst, ' ')
		dst = appendTerm(dst, &q.Graph)
	}
	return append(dst, " .\n"...)
}

// String returns the term in N-Quads form ("<iri>", "_:label", "\"v\"@en");
// the default graph is the empty string.
func (t Term) String() string { return string(appendTerm(nil, &t)) }

// String returns the canonical N-Quads line for q, without the line break.
func (q Quad) String() string {
	b := AppendNQuad(nil, q)
	return string(b[:len(b)-1])
}

// IsDefaultGraph reports whether t names the default graph.
func (t Term) IsDefaultGraph() bool { return t.Kind == DefaultGraph }

func appendTerm(dst []byte, t *Term) []byte {
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

func appendLiteral(dst []byte, t *Term) []byte {
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
	for i := 0; i < len(s); {
		// Literal text rarely needs escaping: skip it eight bytes at a time.
		if i+8 <= len(s) && !anyNeedsEscape(load64(s, i)) {
			i += 8
			continue
		}
		// A word holding a byte to escape, or the tail: byte by byte.
		for end := min(i+8, len(s)); i < end; i++ {
			if c := s[i]; needsEscape[c] {
				dst = append(dst, s[start:i]...)
				dst = appendEscape(dst, c)
				start = i + 1
			}
		}
	}
	return append(dst, s[start:]...)
}

// appendEscape appends the escape of byte c, one that needsEscape marks.
func appendEscape(dst []byte, c byte) []byte {
	switch c {
	case '\b':
		return append(dst, '\\', 'b')
	case '\t':
		return append(dst, '\\', 't')
	case '\n':
		return append(dst, '\\', 'n')
	case '\f':
		return append(dst, '\\', 'f')
	case '\r':
		return append(dst, '\\', 'r')
	case '"':
		return append(dst, '\\', '"')
	case '\\':
		return append(dst, '\\', '\\')
	}
	return append(dst, '\\', 'u', '0', '0', upperHex[c>>4], upperHex[c&0xf])
}

// load64 returns the eight bytes of s from i as a little-endian integer.
func load64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// anyNeedsEscape reports whether any of the eight bytes in x is one that
// needsEscape marks (below 0x20, '"', '\\' or 0x7f).
func anyNeedsEscape(x uint64) bool {
	control := (x - 0x20*ones8) &^ x & highs8 // a byte below 0x20
	return control|zeroByte(x^'"'*ones8)|zeroByte(x^'\\'*ones8)|zeroByte(x^0x7f*ones8) != 0
}

const ones8, highs8 = 0x0101010101010101, 0x8080808080808080

// zeroByte is non-zero exactly when some byte of v is zero: subtracting 1
// from each byte borrows into the high bit only from a zero byte (or from a
// lower byte's borrow, which needs a zero byte below).
func zeroByte(v uint64) uint64 { return (v - ones8) &^ v & highs8 }
