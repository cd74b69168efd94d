package jsonld

import "strings"

// isKeyword reports whether s is a keyword of JSON-LD 1.1. A switch, not
// a map: it runs for every key and type of a document.
func isKeyword(s string) bool {
	if len(s) < 3 || s[0] != '@' {
		return false
	}
	switch s {
	case "@base", "@container", "@context", "@direction",
		"@graph", "@id", "@import", "@included",
		"@index", "@json", "@language", "@list",
		"@nest", "@none", "@prefix", "@propagate",
		"@protected", "@reverse", "@set", "@type",
		"@value", "@version", "@vocab":
		return true
	}
	return false
}

// looksLikeKeyword reports whether s has the form of a keyword ("@" and
// ASCII letters): such terms are reserved and ignored, not expanded.
func looksLikeKeyword(s string) bool {
	if len(s) < 2 || s[0] != '@' {
		return false
	}
	for i := 1; i < len(s); i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

// schemeLen returns the length of s's scheme (RFC 3986) or 0 if s does not
// start with "scheme:".
func schemeLen(s string) int {
	if s == "" || !isAlpha(s[0]) {
		return 0
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ':':
			return i
		case isAlpha(c) || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.':
		default:
			return 0
		}
	}
	return 0
}

func isAlpha(c byte) bool { c |= 0x20; return c >= 'a' && c <= 'z' }

// isAbsIRI reports whether s is an absolute IRI (has a scheme). Blank node
// identifiers ("_:x") are not: "_" is not a valid scheme.
func isAbsIRI(s string) bool { return schemeLen(s) > 0 }

func isBlank(s string) bool { return strings.HasPrefix(s, "_:") }

// wellFormedIRI is the toRdf check: an absolute IRI with no character that
// an IRI may not contain. Statements with other IRIs are not emitted.
func wellFormedIRI(s string) bool {
	if schemeLen(s) == 0 {
		return false
	}
	hashes := 0
	for i := 0; i < len(s); i++ {
		if c := s[i]; iriBad[c] {
			if c != '#' {
				return false
			}
			if hashes++; hashes > 1 {
				return false // a fragment cannot contain '#'
			}
		}
	}
	return true
}

// iriBad marks the bytes an IRI may not contain, and '#', which it may
// contain once.
var iriBad = func() (t [256]bool) {
	for c := 0; c <= 0x20; c++ {
		t[c] = true
	}
	for _, c := range "<>\"{}|\\^`#\x7f" {
		t[c] = true
	}
	return t
}()

// wellFormedLang checks BCP 47 syntax loosely: alphanumeric subtags of 1 to
// 8 characters separated by hyphens, the first alphabetic.
func wellFormedLang(s string) bool {
	n := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '-' {
			if n == 0 || n > 8 {
				return false
			}
			n = 0
			continue
		}
		c := s[i]
		if !isAlpha(c) && !(c >= '0' && c <= '9' && i > n) {
			return false
		}
		n++
	}
	return true
}

// resolveIRI resolves ref against base as RFC 3986 section 5.2 says (the
// basic algorithm only, no normalization). An empty base returns ref.
func resolveIRI(base, ref string) string {
	if base == "" || schemeLen(ref) > 0 {
		// An absolute reference still has its dot segments removed; one
		// without any (nearly all: every @id and context URL of a
		// credential) is returned as is, without splitting it.
		if schemeLen(ref) > 0 && hasDotSegment(iriPath(ref)) {
			s, a, p, q, f := splitIRI(ref)
			return joinIRI(s, a, removeDots(p), q, f)
		}
		return ref
	}
	bs, ba, bp, bq, _ := splitIRI(base)
	_, ra, rp, rq, rf := splitIRI(ref)
	var ts, tp, tq string
	var ta *string
	ts = bs
	switch {
	case ra != nil:
		ta, tp, tq = ra, removeDots(rp), valueOr(rq)
	case rp == "":
		ta, tp = ba, bp
		if rq != nil {
			tq = *rq
		} else {
			tq = valueOr(bq)
		}
	default:
		ta = ba
		if rp[0] == '/' {
			tp = removeDots(rp)
		} else {
			tp = removeDots(merge(ba != nil, bp, rp))
		}
		tq = valueOr(rq)
	}
	var b strings.Builder
	b.Grow(len(base) + len(ref))
	b.WriteString(ts)
	b.WriteByte(':')
	if ta != nil {
		b.WriteString("//")
		b.WriteString(*ta)
	}
	b.WriteString(tp)
	if rq != nil || (rp == "" && ra == nil && bq != nil) {
		b.WriteByte('?')
		b.WriteString(tq)
	}
	if rf != nil {
		b.WriteByte('#')
		b.WriteString(*rf)
	}
	return b.String()
}

func valueOr(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// splitIRI splits s into scheme, authority, path, query and fragment;
// absent components are nil (the scheme is "" when absent).
// iriPath is the path splitIRI returns, without its allocations.
func iriPath(s string) string {
	if n := schemeLen(s); n > 0 {
		s = s[n+1:]
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		s = s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		s = s[:i]
	}
	if strings.HasPrefix(s, "//") {
		i := strings.IndexByte(s[2:], '/')
		if i < 0 {
			return ""
		}
		s = s[2+i:]
	}
	return s
}

// hasDotSegment reports whether path has a "." or ".." segment, the only
// thing removeDots changes.
func hasDotSegment(path string) bool {
	for path != "" {
		seg := path
		if i := strings.IndexByte(path, '/'); i >= 0 {
			seg, path = path[:i], path[i+1:]
		} else {
			path = ""
		}
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

func splitIRI(s string) (scheme string, auth *string, path string, query, frag *string) {
	if n := schemeLen(s); n > 0 {
		scheme, s = s[:n], s[n+1:]
	}
	if i := strings.IndexByte(s, '#'); i >= 0 {
		f := s[i+1:]
		frag, s = &f, s[:i]
	}
	if i := strings.IndexByte(s, '?'); i >= 0 {
		q := s[i+1:]
		query, s = &q, s[:i]
	}
	if strings.HasPrefix(s, "//") {
		s = s[2:]
		i := strings.IndexByte(s, '/')
		if i < 0 {
			i = len(s)
		}
		a := s[:i]
		auth, s = &a, s[i:]
	}
	return scheme, auth, s, query, frag
}

func joinIRI(scheme string, auth *string, path string, query, frag *string) string {
	var b strings.Builder
	b.WriteString(scheme)
	b.WriteByte(':')
	if auth != nil {
		b.WriteString("//")
		b.WriteString(*auth)
	}
	b.WriteString(path)
	if query != nil {
		b.WriteByte('?')
		b.WriteString(*query)
	}
	if frag != nil {
		b.WriteByte('#')
		b.WriteString(*frag)
	}
	return b.String()
}

// merge is RFC 3986 section 5.2.3.
func merge(baseHasAuth bool, basePath, ref string) string {
	if baseHasAuth && basePath == "" {
		return "/" + ref
	}
	i := strings.LastIndexByte(basePath, '/')
	return basePath[:i+1] + ref
}

// removeDots is RFC 3986 section 5.2.4.
func removeDots(in string) string {
	if !strings.Contains(in, ".") {
		return in
	}
	out := make([]byte, 0, len(in))
	for len(in) > 0 {
		switch {
		case strings.HasPrefix(in, "../"):
			in = in[3:]
		case strings.HasPrefix(in, "./"):
			in = in[2:]
		case strings.HasPrefix(in, "/./"):
			in = in[2:]
		case in == "/.":
			in = "/"
		case strings.HasPrefix(in, "/../"):
			in = in[3:]
			out = dropLastSegment(out)
		case in == "/..":
			in = "/"
			out = dropLastSegment(out)
		case in == "." || in == "..":
			in = ""
		default:
			i := 0
			if in[0] == '/' {
				i = 1
			}
			j := strings.IndexByte(in[i:], '/')
			if j < 0 {
				j = len(in)
			} else {
				j += i
			}
			out = append(out, in[:j]...)
			in = in[j:]
		}
	}
	return string(out)
}

func dropLastSegment(out []byte) []byte {
	for i := len(out) - 1; i >= 0; i-- {
		if out[i] == '/' {
			return out[:i]
		}
	}
	return out[:0]
}
