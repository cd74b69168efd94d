package jsonld

import (
	"encoding/json"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// toFloat returns the numeric value of a JSON number (float64, json.Number
// or a Go integer) and whether v is a number.
func toFloat(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			// Out of range: ParseFloat returns ±Inf, which we keep.
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return f, true
			}
			return 0, false
		}
		return f, true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float32:
		return float64(n), true
	}
	return 0, false
}

func isNumber(v any) bool {
	switch v.(type) {
	case float64, json.Number, int, int64, float32:
		return true
	}
	return false
}

func isScalar(v any) bool {
	switch v.(type) {
	case string, bool:
		return true
	}
	return isNumber(v)
}

// canonicalDouble is the canonical xsd:double lexical form the JSON-LD
// toRdf algorithm produces: shortest round-trip mantissa with at least one
// fractional digit, "E", exponent without sign padding ("1.1E0", "1.0E21").
func canonicalDouble(f float64) string {
	if math.IsInf(f, 1) {
		return "INF"
	} else if math.IsInf(f, -1) {
		return "-INF"
	} else if math.IsNaN(f) {
		return "NaN"
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // e.g. 1.1E+00, 5E-07
	i := strings.IndexByte(s, 'E')
	mant, exp := s[:i], s[i+1:]
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

// canonicalInteger formats an integral float as xsd:integer, exactly as the
// reference (JavaScript) implementation does.
func canonicalInteger(f float64) string {
	if f == 0 {
		return "0" // also for -0
	}
	if f >= -(1<<53) && f <= 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 0, 64)
}

// jsNumber formats f as ECMAScript Number.prototype.toString does, which is
// what JCS (RFC 8785) requires for numbers.
func jsNumber(f float64) string {
	if f == 0 {
		return "0"
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null" // not representable in JSON
	}
	neg := f < 0
	if neg {
		f = -f
	}
	// Shortest digits and decimal exponent: d.ddd × 10^(n-1).
	s := strconv.FormatFloat(f, 'e', -1, 64)
	i := strings.IndexByte(s, 'e')
	digits := strings.Replace(s[:i], ".", "", 1)
	e, _ := strconv.Atoi(s[i+1:])
	n := e + 1 // position of the decimal point relative to digits
	k := len(digits)
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	switch {
	case k <= n && n <= 21:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		b.WriteString(digits[:n])
		b.WriteByte('.')
		b.WriteString(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n))
		b.WriteString(digits)
	default:
		b.WriteByte(digits[0])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(n - 1))
	}
	return b.String()
}

// canonicalJSON serializes v with the JSON Canonicalization Scheme
// (RFC 8785): sorted keys (by UTF-16 code units), no whitespace, minimal
// string escaping, ECMAScript number formatting.
func canonicalJSON(v any) string {
	var b strings.Builder
	writeJCS(&b, v)
	return b.String()
}

func writeJCS(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case string:
		writeJCSString(b, x)
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJCS(b, e)
		}
		b.WriteByte(']')
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool { return lessUTF16(keys[i], keys[j]) })
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJCSString(b, k)
			b.WriteByte(':')
			writeJCS(b, x[k])
		}
		b.WriteByte('}')
	default:
		if f, ok := toFloat(v); ok {
			b.WriteString(jsNumber(f))
		} else {
			b.WriteString("null")
		}
	}
}

func writeJCSString(b *strings.Builder, s string) {
	const hex = "0123456789abcdef"
	b.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x80 {
			r, n := utf8.DecodeRuneInString(s[i:])
			b.WriteRune(r) // invalid UTF-8 becomes U+FFFD
			i += n
			continue
		}
		switch c {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if c < 0x20 {
				b.WriteString(`\u00`)
				b.WriteByte(hex[c>>4])
				b.WriteByte(hex[c&15])
			} else {
				b.WriteByte(c)
			}
		}
		i++
	}
	b.WriteByte('"')
}

// lessUTF16 orders strings by UTF-16 code units, as JCS requires.
func lessUTF16(a, b string) bool {
	ra, rb := []rune(a), []rune(b)
	ua, ub := utf16.Encode(ra), utf16.Encode(rb)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return len(ua) < len(ub)
}

// jsonEqual compares two JSON values structurally; numbers by value.
func jsonEqual(a, b any) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !jsonEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !jsonEqual(v, w) {
				return false
			}
		}
		return true
	}
	fa, ok1 := toFloat(a)
	fb, ok2 := toFloat(b)
	return ok1 && ok2 && fa == fb
}
