package ob3

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"math/bits"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// The JSON reading of this package is done in two passes over the bytes:
// scan checks once that the input is exactly one JSON value with bounded
// depth and no object repeating a key, then the decoders walk the
// already-checked bytes directly (decodeStruct, decodeAny) without
// validating them again. For Parse, scan also records where each object
// and array ends and which strings need decoding, so that the decoder
// neither walks a nested value's bytes once per level above it to find
// its end nor looks at a string's bytes to know it is plain. Strings that
// hold escapes or invalid UTF-8 are decoded by unquoteSlow, exactly as
// encoding/json decodes them.

var keySeed = maphash.MakeSeed()

// keyEnt is one key of an open object during scan.
type keyEnt struct {
	hash       uint64
	start, end int32 // key content (between the quotes) in the input
	dec        int32 // index+1 in scanner.decoded when the key needs decoding
}

type scanFrame struct {
	obj       bool
	span      int32 // index in scanner.spans, when recorded
	keysStart int32 // first key of this object in scanner.keys
	cur       int32 // objects: index in scanner.keys of the current key
	idx       int   // arrays: number of values started
	// big indexes the keys of an object with many of them by hash, so that
	// the duplicate check stays linear (see dupKey).
	big map[uint64]int32
}

// bigObject is the number of keys past which an object's keys are indexed
// in a map rather than compared one by one.
const bigObject = 24

type scanner struct {
	data    []byte
	keys    []keyEnt
	decoded []string // keys with escapes or invalid UTF-8, decoded
	stack   []scanFrame
	// spans, when record is set, has the extent of every object and array
	// in the order they open (so sorted by start): the decoder finds where
	// a nested value ends by a search here rather than by walking its bytes
	// again at every level of nesting above it.
	record bool
	spans  []span
	// complex, when record is set, has where each string (key or value)
	// that needs decoding starts, in order: the decoder then knows which
	// strings are plain without looking at their bytes again.
	complex []int32
}

// span is the extent data[start:end] of one object or array.
type span struct{ start, end int32 }

func invalidAt(data []byte, pos int) error {
	if pos >= len(data) {
		return fmt.Errorf("%w: unexpected end of input", ErrInvalidJSON)
	}
	return fmt.Errorf("%w: invalid character %s at offset %d", ErrInvalidJSON, quoteByte(data[pos]), pos)
}

func quoteByte(c byte) string {
	if c >= utf8.RuneSelf {
		return fmt.Sprintf("byte 0x%02x", c)
	}
	return fmt.Sprintf("%q", rune(c))
}

func skipWS(data []byte, pos int) int {
	for pos < len(data) {
		switch data[pos] {
		case ' ', '\t', '\r', '\n':
			pos++
			continue
		}
		break
	}
	return pos
}

// scanString checks the string starting at data[pos] == '"' and returns
// the position after its closing quote, and whether its content needs
// decoding (escapes or bytes outside ASCII that are not valid UTF-8).
func scanString(data []byte, pos int) (end int, complex bool, err error) {
	i := pos + 1
	nonASCII := false
	for i < len(data) {
		// Eight bytes at a time up to the first that needs a look: most
		// of a credential is plain ASCII text.
		for i+8 <= len(data) {
			if m := special8(binary.LittleEndian.Uint64(data[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(data) {
			break
		}
		c := data[i]
		switch {
		case c == '"':
			if nonASCII && !complex && !utf8.Valid(data[pos+1:i]) {
				complex = true
			}
			return i + 1, complex, nil
		case c == '\\':
			complex = true
			i++
			if i >= len(data) {
				return 0, false, invalidAt(data, i)
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i++
			case 'u':
				i++
				for range 4 {
					if i >= len(data) {
						return 0, false, invalidAt(data, i)
					}
					if !isHex(data[i]) {
						return 0, false, invalidAt(data, i)
					}
					i++
				}
			default:
				return 0, false, invalidAt(data, i)
			}
		case c < 0x20:
			return 0, false, invalidAt(data, i)
		default:
			if c >= utf8.RuneSelf {
				nonASCII = true
			}
			i++
		}
	}
	return 0, false, invalidAt(data, i)
}

// special8 marks (high bit set) the bytes of x, eight bytes read little
// endian, that are a quote, a backslash, a control character or not ASCII
// (SWAR, as the proof package's JSON decoder: a byte b is below n when
// b - n borrows into its high bit while b's own is clear; a borrow can
// wrongly mark a byte above a marked one, never below, so the lowest mark
// is exact).
func special8(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lo * '"')
	b := x ^ (lo * '\\')
	return ((q-lo)&^q | (b-lo)&^b | (x-lo*0x20)&^x | x) & hi
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber checks the number starting at data[pos] (RFC 8259 grammar)
// and returns the position after it.
func scanNumber(data []byte, pos int) (int, error) {
	i := pos
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case i < len(data) && '1' <= data[i] && data[i] <= '9':
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	default:
		return 0, invalidAt(data, i)
	}
	if i < len(data) && data[i] == '.' {
		i++
		if i >= len(data) || !isDigit(data[i]) {
			return 0, invalidAt(data, i)
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if i >= len(data) || !isDigit(data[i]) {
			return 0, invalidAt(data, i)
		}
		for i < len(data) && isDigit(data[i]) {
			i++
		}
	}
	return i, nil
}

func scanLiteral(data []byte, pos int, lit string) (int, error) {
	for k := 0; k < len(lit); k++ {
		if pos+k >= len(data) || data[pos+k] != lit[k] {
			return 0, invalidAt(data, pos+k)
		}
	}
	return pos + len(lit), nil
}

// scan checks data is one JSON value with bounded depth and no object
// repeating a key, in one pass over the bytes and without allocating for
// ordinary documents; then that the value is an object.
func scan(data []byte) error {
	s := getScanner(data, false)
	err := s.check()
	s.release()
	return err
}

// getScanner takes a scanner from the pool for data; record asks for the
// spans of its containers and the strings needing decoding (see scanner).
// The caller releases it when done with them.
func getScanner(data []byte, record bool) *scanner {
	s := scannerPool.Get().(*scanner)
	s.data = data
	s.record = record
	return s
}

func (s *scanner) release() {
	s.reset()
	scannerPool.Put(s)
}

// check is scan's work on s.data.
func (s *scanner) check() error {
	if err := s.run(); err != nil {
		return err
	}
	if c := firstByte(s.data); c != '{' {
		return &FieldError{Message: "expected object, got " + jsonKind(c)}
	}
	return nil
}

// scannerPool keeps scanners' buffers from one document to the next.
var scannerPool = sync.Pool{New: func() any {
	return &scanner{keys: make([]keyEnt, 0, 64), stack: make([]scanFrame, 0, 16)}
}}

// reset forgets the document (nothing of it stays reachable from the pool).
func (s *scanner) reset() {
	s.data = nil
	clear(s.decoded)
	s.decoded = s.decoded[:0]
	clear(s.stack[:cap(s.stack)]) // drops the maps of big objects
	s.stack = s.stack[:0]
	s.keys = s.keys[:0]
	if cap(s.keys) > 4096 { // a document with huge objects: do not keep that much
		s.keys = make([]keyEnt, 0, 64)
	}
	s.record = false
	s.spans = s.spans[:0]
	if cap(s.spans) > 4096 {
		s.spans = nil
	}
	s.complex = s.complex[:0]
	if cap(s.complex) > 4096 {
		s.complex = nil
	}
}

func (s *scanner) run() error {
	data := s.data
	pos := skipWS(data, 0)
	if pos >= len(data) {
		return fmt.Errorf("%w: unexpected end of input", ErrInvalidJSON)
	}
value:
	if n := len(s.stack); n > 0 && !s.stack[n-1].obj {
		s.stack[n-1].idx++
	}
	if pos >= len(data) {
		return invalidAt(data, pos)
	}
	switch c := data[pos]; c {
	case '{', '[':
		if len(s.stack) >= MaxDepth {
			return ErrTooDeep
		}
		s.stack = append(s.stack, scanFrame{obj: c == '{', keysStart: int32(len(s.keys)), span: int32(len(s.spans))})
		if s.record {
			s.spans = append(s.spans, span{start: int32(pos)})
		}
		pos = skipWS(data, pos+1)
		if pos < len(data) && (c == '{' && data[pos] == '}' || c == '[' && data[pos] == ']') {
			s.pop(pos + 1)
			pos++
			goto after
		}
		if c == '{' {
			goto key
		}
		goto value
	case '"':
		end, complex, err := scanString(data, pos)
		if err != nil {
			return err
		}
		if complex && s.record {
			s.complex = append(s.complex, int32(pos))
		}
		pos = end
	case 't':
		p, err := scanLiteral(data, pos, "true")
		if err != nil {
			return err
		}
		pos = p
	case 'f':
		p, err := scanLiteral(data, pos, "false")
		if err != nil {
			return err
		}
		pos = p
	case 'n':
		p, err := scanLiteral(data, pos, "null")
		if err != nil {
			return err
		}
		pos = p
	default:
		p, err := scanNumber(data, pos)
		if err != nil {
			return err
		}
		pos = p
	}
after:
	pos = skipWS(data, pos)
	if len(s.stack) == 0 {
		if pos < len(data) {
			return fmt.Errorf("%w: more than one value or trailing data at offset %d", ErrInvalidJSON, pos)
		}
		return nil
	}
	if pos >= len(data) {
		return invalidAt(data, pos)
	}
	if f := &s.stack[len(s.stack)-1]; f.obj {
		switch data[pos] {
		case ',':
			pos = skipWS(data, pos+1)
			goto key
		case '}':
			s.pop(pos + 1)
			pos++
			goto after
		}
	} else {
		switch data[pos] {
		case ',':
			pos = skipWS(data, pos+1)
			goto value
		case ']':
			s.pop(pos + 1)
			pos++
			goto after
		}
	}
	return invalidAt(data, pos)
key:
	if pos >= len(data) || data[pos] != '"' {
		return invalidAt(data, pos)
	}
	{
		end, complex, err := scanString(data, pos)
		if err != nil {
			return err
		}
		if complex && s.record {
			s.complex = append(s.complex, int32(pos))
		}
		if err := s.addKey(pos+1, end-1, complex); err != nil {
			return err
		}
		pos = skipWS(data, end)
		if pos >= len(data) || data[pos] != ':' {
			return invalidAt(data, pos)
		}
		pos = skipWS(data, pos+1)
	}
	goto value
}

// pop closes the innermost container, which ends at end.
func (s *scanner) pop(end int) {
	f := &s.stack[len(s.stack)-1]
	if f.obj {
		s.keys = s.keys[:f.keysStart]
	}
	if s.record {
		s.spans[f.span].end = int32(end)
	}
	s.stack = s.stack[:len(s.stack)-1]
}

// keyBytes returns the decoded bytes of a key.
func (s *scanner) keyBytes(k *keyEnt) []byte {
	if k.dec > 0 {
		return []byte(s.decoded[k.dec-1])
	}
	return s.data[k.start:k.end]
}

func (s *scanner) keyString(k *keyEnt) string {
	if k.dec > 0 {
		return s.decoded[k.dec-1]
	}
	return string(s.data[k.start:k.end])
}

// addKey records a key of the innermost object, failing if the object
// already has it (keys compared decoded, as encoding/json would see them).
func (s *scanner) addKey(start, end int, complex bool) error {
	f := &s.stack[len(s.stack)-1]
	k := keyEnt{start: int32(start), end: int32(end)}
	var kb []byte
	if complex {
		str := unquoteSlow(s.data[start-1 : end+1])
		s.decoded = append(s.decoded, str)
		k.dec = int32(len(s.decoded))
		kb = []byte(str)
	} else {
		kb = s.data[start:end]
	}
	k.hash = maphash.Bytes(keySeed, kb)
	idx := int32(len(s.keys))
	f.cur = idx
	if dup := s.dupKey(f, &k, kb); dup {
		s.keys = append(s.keys, k)
		return fmt.Errorf("%w %q at %s", ErrDuplicateKey, s.keyString(&k), s.path())
	}
	s.keys = append(s.keys, k)
	if f.big != nil {
		if _, taken := f.big[k.hash]; !taken {
			f.big[k.hash] = idx
		}
	} else if int(idx-f.keysStart)+1 > bigObject {
		f.big = make(map[uint64]int32, 2*bigObject)
		for i := f.keysStart; i <= idx; i++ {
			if _, taken := f.big[s.keys[i].hash]; !taken {
				f.big[s.keys[i].hash] = i
			}
		}
	}
	return nil
}

func (s *scanner) dupKey(f *scanFrame, k *keyEnt, kb []byte) bool {
	if f.big != nil {
		if _, ok := f.big[k.hash]; !ok {
			return false
		}
		// Same hash: compare for real (below) — a true collision of two
		// different keys is astronomically rare, so the linear walk is too.
	}
	for i := int(f.keysStart); i < len(s.keys); i++ {
		o := &s.keys[i]
		if o.hash == k.hash && bytes.Equal(s.keyBytes(o), kb) {
			return true
		}
	}
	return false
}

// path renders the position of the current key for an error message:
// "credentialSubject.id", "evidence[1].name".
func (s *scanner) path() string {
	var b bytes.Buffer
	for i, f := range s.stack {
		if f.obj {
			if i > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.keyString(&s.keys[f.cur]))
		} else {
			b.WriteString("[" + strconv.Itoa(f.idx-1) + "]")
		}
	}
	return b.String()
}

// unquoteSlow decodes a checked JSON string (quotes included) exactly as
// encoding/json does: escapes resolved, a \u escape of a surrogate that
// does not pair with the one right after it, and each byte of invalid
// UTF-8, replaced by U+FFFD. It used to call json.Unmarshal, whose
// re-validation and reflection cost more than the whole rest of an
// escaped string's decoding; FuzzDecodeAny and TestUnquoteSlow hold it to
// encoding/json.
func unquoteSlow(raw []byte) string {
	s := raw[1 : len(raw)-1]
	var b strings.Builder
	b.Grow(len(s) + 2*utf8.UTFMax)
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\':
			e := s[i+1]
			i += 2
			switch e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'u':
				r := hex4(s[i:])
				i += 4
				if utf16.IsSurrogate(r) {
					r2 := rune(-1)
					if i+6 <= len(s) && s[i] == '\\' && s[i+1] == 'u' {
						r2 = hex4(s[i+2:])
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						b.WriteRune(dec)
						i += 6
						continue
					}
					r = utf8.RuneError
				}
				b.WriteRune(r)
			default: // '"', '\\', '/': scan allows no other escape
				b.WriteByte(e)
			}
		case c < utf8.RuneSelf:
			// The run of plain ASCII up to the next escape or non-ASCII
			// byte, in one write.
			j := i + 1
			for j < len(s) && s[j] != '\\' && s[j] < utf8.RuneSelf {
				j++
			}
			b.Write(s[i:j])
			i = j
		default:
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				b.WriteRune(utf8.RuneError)
			} else {
				b.Write(s[i : i+size])
			}
			i += size
		}
	}
	return b.String()
}

// hex4 is the value of the four hex digits s starts with, or -1 when it
// does not start with four.
func hex4(s []byte) rune {
	if len(s) < 4 {
		return -1
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}

// skipValue returns the end of the checked JSON value starting at pos.
func skipValue(data []byte, pos int) int {
	switch data[pos] {
	case '"':
		return skipString(data, pos)
	case '{', '[':
		depth := 0
		for i := pos; i < len(data); i++ {
			switch data[i] {
			case '"':
				i = skipString(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return i + 1
				}
			}
		}
		return len(data)
	}
	i := pos
	for i < len(data) {
		switch data[i] {
		case ',', '}', ']', ' ', '\t', '\r', '\n':
			return i
		}
		i++
	}
	return i
}

// skipString returns the position after the checked string at pos. In a
// checked string a backslash always starts a two-byte escape, so only
// quotes and backslashes need a look, found eight bytes at a time.
func skipString(data []byte, pos int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := pos + 1
	for {
		for i+8 <= len(data) {
			x := binary.LittleEndian.Uint64(data[i:])
			q := x ^ (lo * '"')
			b := x ^ (lo * '\\')
			// As special8: the lowest mark is exact.
			if m := ((q-lo)&^q | (b-lo)&^b) & hi; m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(data) {
			return len(data)
		}
		switch data[i] {
		case '"':
			return i + 1
		case '\\':
			i += 2
		default:
			i++
		}
	}
}

// base returns where raw starts in d.data when the decoder has the spans
// of its containers to look ends up in, else -1.
func (d *decoder) base(raw []byte) int {
	if d.spans == nil {
		return -1
	}
	if off, ok := d.offset(raw); ok {
		return off
	}
	return -1
}

// skip is skipValue for raw[p], raw starting at base in d.data (see
// d.base): the end of an object or array is looked up in the spans scan
// recorded (a binary search over the containers) instead of walking all
// the bytes under it.
func (d *decoder) skip(raw []byte, p, base int) int {
	if c := raw[p]; base >= 0 && (c == '{' || c == '[') {
		at := int32(base + p)
		sp := d.spans
		lo, hi := 0, len(sp)
		for lo < hi {
			m := int(uint(lo+hi) >> 1)
			if sp[m].start < at {
				lo = m + 1
			} else {
				hi = m
			}
		}
		if lo < len(sp) && sp[lo].start == at {
			return int(sp[lo].end) - base
		}
	}
	return skipValue(raw, p)
}

// objectIter walks the members of a checked JSON object.
type objectIter struct {
	d    *decoder
	data []byte
	pos  int
	base int // see decoder.base
}

func (d *decoder) members(raw []byte) objectIter {
	// raw is a checked object: skip to just after '{'.
	return objectIter{d: d, data: raw, pos: skipWS(raw, 0) + 1, base: d.base(raw)}
}

// next returns the next member: the key as it appears (quotes included)
// and the value's bytes; ok is false at the end of the object.
func (it *objectIter) next() (key, val []byte, ok bool) {
	d := it.data
	p := skipWS(d, it.pos)
	if p < len(d) && d[p] == ',' {
		p = skipWS(d, p+1)
	}
	if p >= len(d) || d[p] != '"' {
		return nil, nil, false
	}
	ke := skipString(d, p)
	key = d[p:ke]
	p = skipWS(d, ke)
	p = skipWS(d, p+1) // ':'
	ve := it.d.skip(d, p, it.base)
	val = d[p:ve]
	it.pos = ve
	return key, val, true
}

// arrayItems appends the items of a checked JSON array to dst.
func (d *decoder) arrayItems(dst [][]byte, raw []byte) [][]byte {
	base := d.base(raw)
	p := skipWS(raw, 0) + 1
	for {
		p = skipWS(raw, p)
		if p < len(raw) && raw[p] == ',' {
			p = skipWS(raw, p+1)
		}
		if p >= len(raw) || raw[p] == ']' {
			return dst
		}
		e := d.skip(raw, p, base)
		dst = append(dst, raw[p:e])
		p = e
	}
}

// decodeAny builds the generic value of a checked JSON document as
// encoding/json with UseNumber would: map[string]any, []any, json.Number,
// string, bool, nil.
func (d *decoder) decodeAny(raw []byte) any {
	p := skipWS(raw, 0)
	switch raw[p] {
	case '{':
		// Members first, so the map is made at its final size.
		var buf [32][2][]byte
		kv := buf[:0]
		it := d.members(raw[p:])
		for {
			k, v, ok := it.next()
			if !ok {
				break
			}
			kv = append(kv, [2][]byte{k, v})
		}
		m := make(map[string]any, len(kv))
		for _, e := range kv {
			m[d.unquote(e[0])] = d.decodeAny(e[1])
		}
		return m
	case '[':
		var buf [16][]byte
		items := d.arrayItems(buf[:0], raw[p:])
		a := make([]any, len(items))
		for i, it := range items {
			a[i] = d.decodeAny(it)
		}
		return a
	case '"':
		return d.unquote(raw[p:skipString(raw, p)])
	case 't':
		return true
	case 'f':
		return false
	case 'n':
		return nil
	}
	return json.Number(d.str(raw[p:skipValue(raw, p)]))
}
