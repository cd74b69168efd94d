package proof

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"math/bits"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
)

// maxSharedSource: documents up to this size are copied into one string
// whose slices are the decoded strings (one allocation instead of one per
// string). A larger document (a badge embedding its image) gets a copy per
// string, so that a value kept from it does not keep all of it alive.
const maxSharedSource = 64 << 10

// decodeJSONFast parses one JSON value into the values encoding/json produces
// with UseNumber: map[string]any, []any, string, json.Number, bool, nil.
//
// Decoding the credential was a quarter of the time of Sign and Verify with
// encoding/json, whose interface decoding is slow. This parser handles the
// common input directly and gives everything unusual — invalid JSON,
// invalid UTF-8, unpaired surrogate escapes, deep nesting — to
// encoding/json, so the result (and any error) is always exactly
// encoding/json's. FuzzDecodeJSON checks that.
//
// Strings share one copy of data when shared is set. With an arena, the
// maps and slices of the result are the arena's (see docArena).
func decodeJSONFast(data []byte, shared bool, a *docArena) (any, error) {
	p := jsonParser{data: data, arena: a}
	if shared {
		p.src = string(data)
	}
	p.space()
	v, ok := p.value(0)
	if ok {
		p.space()
		ok = p.pos == len(p.data)
	}
	if ok {
		return v, nil
	}
	return decodeJSONStd(data)
}

func decodeJSONStd(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errTrailingData
	}
	return v, nil
}

var errTrailingData = errors.New("data after the JSON value")

// maxFastDepth is where the fast path gives up (encoding/json allows
// 10000 levels; credentials have a dozen).
const maxFastDepth = 500

type jsonParser struct {
	data  []byte
	src   string // data as a string, or "" when strings are copied one by one
	pos   int
	arena *docArena // nil: maps and slices are allocated
}

type member struct {
	key string
	val any
}

// text returns data[i:j] as a string.
func (p *jsonParser) text(i, j int) string {
	if p.src != "" {
		return p.src[i:j]
	}
	return string(p.data[i:j])
}

func (p *jsonParser) space() {
	// On locals: a field updated through p at every byte is a load and a
	// store each time, and credentials are indented.
	d, i := p.data, p.pos
	for i < len(d) {
		c := d[i]
		if c > ' ' || (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			break
		}
		i++
	}
	p.pos = i
}

// value parses a value at p.pos; false means "let encoding/json decide".
func (p *jsonParser) value(depth int) (any, bool) {
	if p.pos >= len(p.data) || depth > maxFastDepth {
		return nil, false
	}
	switch c := p.data[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, ok := p.str()
		return s, ok
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case c == 't':
		return true, p.literal("true")
	case c == 'f':
		return false, p.literal("false")
	case c == 'n':
		return nil, p.literal("null")
	}
	return nil, false
}

func (p *jsonParser) literal(lit string) bool {
	if !bytes.HasPrefix(p.data[p.pos:], []byte(lit)) {
		return false
	}
	p.pos += len(lit)
	return true
}

// stackMembers is how many members or items object and array gather in
// a buffer on the stack before the map or slice is made at its final size
// (a map grown entry by entry is rehashed past eight entries, a slice
// reallocated as it doubles). A buffer on the heap would cost a write
// barrier for every value stored while the collector marks.
const stackMembers = 16

func (p *jsonParser) object(depth int) (any, bool) {
	p.pos++ // '{'
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == '}' {
		p.pos++
		return p.newMap(0), true
	}
	var buf [stackMembers]member
	kvs := buf[:0]
	for {
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != '"' {
			return nil, false
		}
		k, ok := p.str()
		if !ok {
			return nil, false
		}
		p.space()
		if p.pos >= len(p.data) || p.data[p.pos] != ':' {
			return nil, false
		}
		p.pos++
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		kvs = append(kvs, member{k, v})
		p.space()
		if p.pos >= len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			m := p.newMap(len(kvs))
			for _, e := range kvs {
				m[e.key] = e.val // a repeated key keeps the last value, as encoding/json
			}
			return m, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) array(depth int) (any, bool) {
	p.pos++ // '['
	p.space()
	if p.pos < len(p.data) && p.data[p.pos] == ']' {
		p.pos++
		return p.newSlice(0), true
	}
	var buf [stackMembers]any
	items := buf[:0]
	for {
		p.space()
		v, ok := p.value(depth + 1)
		if !ok {
			return nil, false
		}
		items = append(items, v)
		p.space()
		if p.pos >= len(p.data) {
			return nil, false
		}
		switch p.data[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			l := p.newSlice(len(items))
			copy(l, items)
			return l, true
		default:
			return nil, false
		}
	}
}

func (p *jsonParser) str() (string, bool) {
	p.pos++ // opening quote
	start := p.pos
	d := p.data
	i := p.pos
	for {
		// Eight bytes at a time up to the first that needs a look: most of
		// a credential is plain ASCII text.
		for i+8 <= len(d) {
			if m := special8(binary.LittleEndian.Uint64(d[i:])); m != 0 {
				i += bits.TrailingZeros64(m) >> 3
				break
			}
			i += 8
		}
		if i >= len(d) {
			return "", false
		}
		switch c := d[i]; {
		case c == '"':
			p.pos = i + 1
			return p.text(start, i), true
		case c == '\\':
			p.pos = i
			return p.escaped(start)
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRune(d[i:])
			if r == utf8.RuneError && size == 1 {
				return "", false // encoding/json substitutes U+FFFD
			}
			i += size
		}
	}
}

// special8 marks (high bit set) the bytes of x, eight bytes read little
// endian, that are a quote, a backslash, a control character or not ASCII.
// It is SWAR: a byte b is below n when b - n borrows into its high bit
// while b's own high bit is clear. A borrow can mark a byte above a marked
// one wrongly, never below, so the lowest mark is exact.
func special8(x uint64) uint64 {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	q := x ^ (lo * '"')
	b := x ^ (lo * '\\')
	return ((q-lo)&^q | (b-lo)&^b | (x-lo*0x20)&^x | x) & hi
}

// escaped continues a string that has escapes, from its start.
func (p *jsonParser) escaped(start int) (string, bool) {
	buf := make([]byte, 0, p.pos-start+16)
	buf = append(buf, p.data[start:p.pos]...)
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), true
		case c == '\\':
			if p.pos+1 >= len(p.data) {
				return "", false
			}
			e := p.data[p.pos+1]
			p.pos += 2
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
			case 'b':
				buf = append(buf, '\b')
			case 'f':
				buf = append(buf, '\f')
			case 'n':
				buf = append(buf, '\n')
			case 'r':
				buf = append(buf, '\r')
			case 't':
				buf = append(buf, '\t')
			case 'u':
				r, ok := p.hex4()
				if !ok {
					return "", false
				}
				if utf16.IsSurrogate(r) {
					// Only a well-formed pair; encoding/json handles the rest.
					if !bytes.HasPrefix(p.data[p.pos:], []byte(`\u`)) {
						return "", false
					}
					p.pos += 2
					r2, ok := p.hex4()
					if !ok {
						return "", false
					}
					r = utf16.DecodeRune(r, r2)
					if r == utf8.RuneError {
						return "", false
					}
				}
				buf = utf8.AppendRune(buf, r)
			default:
				return "", false
			}
		case c < 0x20:
			return "", false
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.data[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", false
			}
			buf = append(buf, p.data[p.pos:p.pos+size]...)
			p.pos += size
		}
	}
	return "", false
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.pos+4 > len(p.data) {
		return 0, false
	}
	var r rune
	for _, c := range p.data[p.pos : p.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	p.pos += 4
	return r, true
}

// number checks the JSON number grammar and returns it as json.Number.
func (p *jsonParser) number() (any, bool) {
	start := p.pos
	d := p.data
	i := p.pos
	if i < len(d) && d[i] == '-' {
		i++
	}
	switch {
	case i < len(d) && d[i] == '0':
		i++
	case i < len(d) && d[i] >= '1' && d[i] <= '9':
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	default:
		return nil, false
	}
	if i < len(d) && d[i] == '.' {
		i++
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return nil, false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	if i < len(d) && (d[i] == 'e' || d[i] == 'E') {
		i++
		if i < len(d) && (d[i] == '+' || d[i] == '-') {
			i++
		}
		if i >= len(d) || d[i] < '0' || d[i] > '9' {
			return nil, false
		}
		for i < len(d) && d[i] >= '0' && d[i] <= '9' {
			i++
		}
	}
	p.pos = i
	return json.Number(p.text(start, i)), true
}

func (p *jsonParser) newMap(n int) map[string]any {
	if p.arena != nil {
		return p.arena.newMap(n)
	}
	return make(map[string]any, n)
}

func (p *jsonParser) newSlice(n int) []any {
	if p.arena != nil {
		return p.arena.newSlice(n)
	}
	return make([]any, n)
}

// docArena lends the maps and slices of a document decoded for one call
// that lets nothing of it escape (Sign: the document is canonicalized and
// dropped). Decoding a credential makes some thirty maps, which were half
// of the bytes Sign allocated and so a large part of its garbage
// collection; an arena from a pool keeps them from one signature to the
// next, cleared. Nothing decoded in an arena may be used after reset.
type docArena struct {
	maps  []map[string]any
	nmaps int
	// Slices are carved from chunks with their capacity set to their
	// length, so that an append reallocates rather than overwriting a
	// neighbour.
	chunks [][]any
	chunk  int // current chunk
	used   int // items used in chunks[chunk]
}

// Bounds of what a pooled arena keeps: a larger document allocates the
// rest and lets it go.
const (
	arenaMaxMaps    = 256
	arenaMapEntries = 64
	arenaChunk      = 256
	arenaMaxChunks  = 4
)

var arenaPool = sync.Pool{New: func() any { return new(docArena) }}

func getDocArena() *docArena { return arenaPool.Get().(*docArena) }

func (a *docArena) newMap(n int) map[string]any {
	if a.nmaps < len(a.maps) {
		m := a.maps[a.nmaps]
		a.nmaps++
		return m
	}
	m := make(map[string]any, n)
	if len(a.maps) < arenaMaxMaps && n <= arenaMapEntries {
		a.maps = append(a.maps, m)
		a.nmaps++
	}
	return m
}

func (a *docArena) newSlice(n int) []any {
	if n > arenaChunk {
		return make([]any, n)
	}
	if a.chunk < len(a.chunks) && a.used+n > arenaChunk {
		a.chunk++
		a.used = 0
	}
	if a.chunk == len(a.chunks) {
		if len(a.chunks) == arenaMaxChunks {
			return make([]any, n)
		}
		a.chunks = append(a.chunks, make([]any, arenaChunk))
	}
	s := a.chunks[a.chunk][a.used : a.used+n : a.used+n]
	a.used += n
	return s
}

// release resets the arena and puts it back in the pool.
func (a *docArena) release() {
	a.reset()
	arenaPool.Put(a)
}

// reset clears what was lent, so that a pooled arena keeps no document
// alive.
func (a *docArena) reset() {
	for i, m := range a.maps[:a.nmaps] {
		if len(m) > arenaMapEntries {
			// Grown beyond what a credential needs: let it go.
			a.maps[i] = make(map[string]any)
			continue
		}
		clear(m)
	}
	a.nmaps = 0
	for i := 0; i < a.chunk && i < len(a.chunks); i++ {
		clear(a.chunks[i])
	}
	if a.chunk < len(a.chunks) {
		clear(a.chunks[a.chunk][:a.used])
	}
	a.chunk, a.used = 0, 0
}
