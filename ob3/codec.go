package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// objMeta remembers, for one object, the JSON forms that the Go value alone
// cannot tell, so that a round trip writes them back as they came.
type objMeta struct {
	// forms maps a property name to how it was read: formSingle for a list
	// property given as one bare value, formArray for a list property given
	// as an array (recorded only where the canonical form would differ) or
	// for an object property given as a one-element array.
	forms map[string]form
	// iri is set when the whole object was read from a bare IRI string.
	iri bool
}

type form uint8

const (
	formSingle form = iota + 1
	formArray
)

func (m *objMeta) obMeta() *objMeta { return m }

func (m *objMeta) setForm(key string, f form) {
	if m.forms == nil {
		m.forms = make(map[string]form)
	}
	m.forms[key] = f
}

type hasMeta interface{ obMeta() *objMeta }

// iriAcceptor marks types that may be written as a bare IRI string.
type iriAcceptor interface{ acceptsIRI() }

var (
	hasMetaType     = reflect.TypeFor[hasMeta]()
	iriAcceptorType = reflect.TypeFor[iriAcceptor]()
	numberType      = reflect.TypeFor[json.Number]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	proofType       = reflect.TypeFor[Proof]()
	marshalerType   = reflect.TypeFor[json.Marshaler]()
	extraType       = reflect.TypeFor[map[string]json.RawMessage]()
	contextType     = reflect.TypeFor[Context]()
)

type fieldInfo struct {
	name  string
	index int
	one   bool // canonical form of a one-item list is the bare item
	// lenient: a value of the wrong JSON type is kept in Extra instead of
	// failing the parse (for properties that real issuers get wrong).
	lenient bool
	// op reads one value of the field (an item, for a list), elemOp the
	// struct an opPtr points to: worked out once per type, as asking
	// reflect (classOf) for every value decoded was a twentieth of Parse.
	op, elemOp valueOp
	// sub caches the structInfo of the object type an opStruct value is
	// (or an opPtr points to), subType, so that decoding one does not look
	// it up in infoCache (filled on first use: the types are recursive).
	sub     *atomic.Pointer[structInfo]
	subType reflect.Type
}

func (fi *fieldInfo) subInfo() *structInfo {
	if si := fi.sub.Load(); si != nil {
		return si
	}
	si := infoOf(fi.subType)
	fi.sub.Store(si)
	return si
}

// valueOp is how decodeValue reads a value of a given Go type; opOf
// chooses it.
type valueOp uint8

const (
	opUnsupported valueOp = iota
	opPtr                 // pointer to a struct: a new one, read with elemOp
	opStruct              // one of the package's object types
	opContext             // Context: a string, else its UnmarshalJSON
	opProof
	opUnmarshaler
	opNumber
	opString
	opBool
)

// opOf is decodeValue's choice for type t, in the order of its checks.
func opOf(t reflect.Type) valueOp {
	switch {
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		return opPtr
	case t.Kind() == reflect.Struct && classOf(t)&cHasMeta != 0:
		return opStruct
	case t == contextType:
		return opContext
	case t == proofType:
		return opProof
	case classOf(t)&cUnmarshaler != 0:
		return opUnmarshaler
	case t == numberType:
		return opNumber
	case t.Kind() == reflect.String:
		return opString
	case t.Kind() == reflect.Bool:
		return opBool
	}
	return opUnsupported
}

type structInfo struct {
	fields []fieldInfo
	// byName indexes fields by property name: an open-addressing table of
	// positions+1 (0: empty slot), hashed by nameHash. It replaced a
	// map[string]int, whose lookup, hashing every key of every object of
	// a document, was a fifteenth of Parse.
	byName []uint8
	extra  int // index of the Extra field
	idIdx  int // index of the ID field, -1 if none
}

var infoCache sync.Map // reflect.Type -> *structInfo

// Interfaces a type (or its pointer) implements, as classOf reports them:
// reflect's Implements, asked for every value decoded or encoded, was a
// tenth of Parse.
const (
	cHasMeta     uint8 = 1 << iota // *T implements hasMeta
	cIRIAcceptor                   // *T implements iriAcceptor
	cUnmarshaler                   // *T implements json.Unmarshaler
	cMarshaler                     // T implements json.Marshaler
)

var classCache sync.Map // reflect.Type -> uint8

func classOf(t reflect.Type) uint8 {
	if v, ok := classCache.Load(t); ok {
		return v.(uint8)
	}
	var c uint8
	pt := reflect.PointerTo(t)
	for _, x := range []struct {
		ok  bool
		bit uint8
	}{
		{pt.Implements(hasMetaType), cHasMeta},
		{pt.Implements(iriAcceptorType), cIRIAcceptor},
		{pt.Implements(unmarshalerType), cUnmarshaler},
		{t.Implements(marshalerType), cMarshaler},
	} {
		if x.ok {
			c |= x.bit
		}
	}
	classCache.Store(t, c)
	return c
}

func infoOf(t reflect.Type) *structInfo {
	if v, ok := infoCache.Load(t); ok {
		return v.(*structInfo)
	}
	si := &structInfo{extra: -1, idIdx: -1}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if f.Name == "Extra" && f.Type == extraType {
			si.extra = i
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		if name == "id" {
			si.idIdx = i
		}
		opt := f.Tag.Get("ob")
		fi := fieldInfo{name: name, index: i, one: opt == "one", lenient: opt == "lenient"}
		vt := f.Type
		if vt.Kind() == reflect.Slice {
			vt = vt.Elem()
		}
		fi.op = opOf(vt)
		if fi.op == opPtr {
			vt = vt.Elem()
			fi.elemOp = opOf(vt)
		}
		if fi.op == opStruct || fi.elemOp == opStruct {
			fi.sub, fi.subType = new(atomic.Pointer[structInfo]), vt
		}
		si.fields = append(si.fields, fi)
	}
	si.index()
	v, _ := infoCache.LoadOrStore(t, si)
	return v.(*structInfo)
}

// index builds si.byName. A name given to two fields (none is) would find
// the later one, as a map filled in field order would.
func (si *structInfo) index() {
	if len(si.fields) > 254 {
		panic("ob3: too many fields") // positions+1 are bytes
	}
	size := 16
	for size < 4*len(si.fields) { // at most a quarter full: short probes
		size *= 2
	}
	si.byName = make([]uint8, size)
	for i, fi := range si.fields {
		j := nameHash(fi.name) & (size - 1)
		for si.byName[j] != 0 && si.fields[si.byName[j]-1].name != fi.name {
			j = (j + 1) & (size - 1)
		}
		si.byName[j] = uint8(i + 1)
	}
}

// nameHash is a cheap hash of a property name: its length and three of
// its bytes tell the few names of one type apart well enough.
func nameHash[S string | []byte](name S) int {
	n := len(name)
	if n == 0 {
		return 0
	}
	return n*131 + int(name[0])*31 + int(name[n/2])*7 + int(name[n-1])
}

// lookup returns the position in si.fields of the property name.
func lookup[S string | []byte](si *structInfo, name S) (int, bool) {
	mask := len(si.byName) - 1
	for j := nameHash(name) & mask; ; j = (j + 1) & mask {
		p := si.byName[j]
		if p == 0 {
			return 0, false
		}
		if si.fields[p-1].name == string(name) {
			return int(p - 1), true
		}
	}
}

// FieldError is a decoding error at a property path such as
// "credentialSubject.achievement.criteria" or "evidence[1].type".
type FieldError struct {
	Path    string
	Message string
}

func (e *FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func firstByte(raw []byte) byte {
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		return c
	}
	return 0
}

func jsonKind(c byte) string {
	switch c {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// decoder reads checked JSON bytes (see scan) into the package's types.
type decoder struct {
	data []byte
	// src is data as one string: a string value without escapes becomes a
	// substring of it, so decoding allocates once for all of them.
	src string
	// arena, made on first need, is a copy of data that Extra values are
	// cut from (capacity-limited, so appending to one never touches
	// another).
	arena []byte
	// path is the current property path, rendered only for an error so
	// that decoding a valid document builds no path strings.
	path    []pathEnt
	pathBuf [8]pathEnt // path's first backing array, allocated with d
	// spans are the extents of data's containers when scan recorded them
	// (see scanner.spans), else nil; complex, with scanned set, are the
	// strings of data that need decoding (see scanner.complex).
	spans   []span
	scanned bool
	complex []int32
}

type pathEnt struct {
	key   string
	idx   int
	isIdx bool
}

func newDecoder(data []byte) *decoder {
	d := &decoder{data: data, src: string(data)}
	d.path = d.pathBuf[:0]
	return d
}

func (d *decoder) push(key string) { d.path = append(d.path, pathEnt{key: key}) }
func (d *decoder) pushIdx(i int)   { d.path = append(d.path, pathEnt{idx: i, isIdx: true}) }
func (d *decoder) pop()            { d.path = d.path[:len(d.path)-1] }

// fieldErr is a FieldError at the current path ("evidence[1].type").
func (d *decoder) fieldErr(format string, args ...any) error {
	var b strings.Builder
	for _, e := range d.path {
		if e.isIdx {
			b.WriteString("[" + strconv.Itoa(e.idx) + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(e.key)
	}
	return &FieldError{Path: b.String(), Message: fmt.Sprintf(format, args...)}
}

// offset returns where sub, a slice of d.data, starts in it.
func (d *decoder) offset(sub []byte) (int, bool) {
	off := cap(d.data) - cap(sub)
	if len(sub) == 0 || off < 0 || off+len(sub) > len(d.data) || &d.data[off] != &sub[0] {
		return 0, false
	}
	return off, true
}

// str returns the bytes of sub as a string without copying them again.
func (d *decoder) str(sub []byte) string {
	if off, ok := d.offset(sub); ok {
		return d.src[off : off+len(sub)]
	}
	return string(sub)
}

// plain reports whether the checked JSON string raw (quotes included)
// decodes to the bytes between its quotes as they are.
func (d *decoder) plain(raw []byte) bool {
	if d.scanned {
		if off, ok := d.offset(raw); ok {
			// scan noted the strings that are not: a binary search.
			c := d.complex
			lo, hi := 0, len(c)
			for lo < hi {
				m := int(uint(lo+hi) >> 1)
				if int(c[m]) < off {
					lo = m + 1
				} else {
					hi = m
				}
			}
			return lo == len(c) || int(c[lo]) != off
		}
	}
	inner := raw[1 : len(raw)-1]
	// An escape anywhere, or invalid UTF-8, needs the full decoding; a
	// non-ASCII byte alone does not end the search for escapes.
	return bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}

// unquote decodes a checked JSON string (quotes included).
func (d *decoder) unquote(raw []byte) string {
	if !d.plain(raw) {
		return unquoteSlow(raw)
	}
	if len(raw) == 2 {
		return ""
	}
	return d.str(raw[1 : len(raw)-1])
}

// raw returns a copy of sub for an Extra map.
func (d *decoder) raw(sub []byte) json.RawMessage {
	off, ok := d.offset(sub)
	if !ok {
		return append(json.RawMessage(nil), sub...)
	}
	if d.arena == nil {
		d.arena = append([]byte(nil), d.data...)
	}
	return d.arena[off : off+len(sub) : off+len(sub)]
}

// decodeUntrusted is decodeStruct for bytes that scan has not checked
// (UnmarshalJSON called directly rather than by encoding/json): they are
// checked first, since the decoder trusts its input.
func decodeUntrusted(raw []byte, v reflect.Value) error {
	if !json.Valid(raw) {
		if c := firstByte(raw); c == '{' || c == '"' {
			var x any
			err := json.Unmarshal(raw, &x)
			return &FieldError{Message: err.Error()}
		}
		// Anything else fails decodeStruct's first check, as it did.
	}
	return newDecoder(raw).decodeStruct(raw, v, nil)
}

// decodeStruct reads raw, a checked JSON value, into v, an addressable
// struct value of one of the package's object types.
// si is infoOf(v.Type()) when the caller has it at hand, else nil.
func (d *decoder) decodeStruct(raw []byte, v reflect.Value, si *structInfo) error {
	if si == nil {
		si = infoOf(v.Type())
	}
	meta := v.Addr().Interface().(hasMeta).obMeta()
	c := firstByte(raw)
	if c == '"' && classOf(v.Type())&cIRIAcceptor != 0 && si.idIdx >= 0 {
		v.Field(si.idIdx).SetString(d.unquote(bytes.TrimSpace(raw)))
		meta.iri = true
		return nil
	}
	if c != '{' {
		return d.fieldErr("expected object, got %s", jsonKind(c))
	}
	// One walk over the members: known properties are noted by position
	// (the last occurrence wins, as with a map), the others go to Extra.
	var slotBuf [32][]byte
	var slots [][]byte
	if len(si.fields) <= len(slotBuf) {
		slots = slotBuf[:len(si.fields)]
	} else {
		slots = make([][]byte, len(si.fields))
	}
	var extra map[string]json.RawMessage
	it := d.members(raw)
	for {
		kraw, r, ok := it.next()
		if !ok {
			break
		}
		var i int
		var known bool
		if d.plain(kraw) {
			i, known = lookup(si, kraw[1:len(kraw)-1])
		} else {
			i, known = lookup(si, unquoteSlow(kraw))
		}
		if known {
			slots[i] = r
			continue
		}
		if extra == nil {
			extra = make(map[string]json.RawMessage)
		}
		extra[d.unquote(kraw)] = d.raw(r)
	}
	for i := range si.fields {
		fi := &si.fields[i]
		r := slots[i]
		if r == nil {
			continue
		}
		d.push(fi.name)
		keep, err := d.decodeField(r, v.Field(fi.index), fi, meta)
		d.pop()
		if err != nil && fi.lenient {
			v.Field(fi.index).SetZero()
			keep, err = true, nil
		}
		if err != nil {
			return err
		}
		if keep {
			if extra == nil {
				extra = make(map[string]json.RawMessage)
			}
			extra[fi.name] = d.raw(r)
		}
	}
	if si.extra >= 0 {
		v.Field(si.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}

// decodeField reads one known property. keep reports a value that the
// typed field cannot hold but that must survive (a language map given for
// a string): the caller keeps it in Extra.
func (d *decoder) decodeField(raw []byte, fv reflect.Value, fi *fieldInfo, meta *objMeta) (keep bool, err error) {
	c := firstByte(raw)
	if c == 'n' {
		return false, nil // null: same as absent
	}
	t := fv.Type()
	switch {
	case t.Kind() == reflect.Slice:
		if c == '[' {
			var buf [16][]byte
			items := d.arrayItems(buf[:0], raw)
			fv.SetZero()
			fv.Grow(len(items))
			fv.SetLen(len(items))
			for i, it := range items {
				d.pushIdx(i)
				err := d.decodeValue(it, fv.Index(i), fi.op, fi)
				d.pop()
				if err != nil {
					fv.SetZero()
					return false, err
				}
			}
			if len(items) == 0 {
				// encoding/json gave an empty, non-nil slice for [].
				fv.Set(reflect.MakeSlice(t, 0, 0))
			}
			if fi.one && len(items) == 1 {
				meta.setForm(fi.name, formArray)
			}
			return false, nil
		}
		fv.SetZero()
		fv.Grow(1)
		fv.SetLen(1)
		if err := d.decodeValue(raw, fv.Index(0), fi.op, fi); err != nil {
			fv.SetZero()
			return false, err
		}
		if !fi.one {
			meta.setForm(fi.name, formSingle)
		}
		return false, nil
	case t.Kind() == reflect.Pointer && c == '[':
		// JSON-LD: a one-element array is the same as the bare value.
		var buf [2][]byte
		items := d.arrayItems(buf[:0], raw)
		if len(items) != 1 {
			return false, d.fieldErr("expected object, got array of %d", len(items))
		}
		meta.setForm(fi.name, formArray)
		d.pushIdx(0)
		err := d.decodeValue(items[0], fv, fi.op, fi)
		d.pop()
		return false, err
	case t.Kind() == reflect.String && t != numberType && c == '{':
		// A language map ({"fr": "…"}): kept as it came, see package doc.
		return true, nil
	}
	return false, d.decodeValue(raw, fv, fi.op, fi)
}

// decodeValue reads a single (non-list) checked value of field fi into
// fv, of a type whose opOf is op.
func (d *decoder) decodeValue(raw []byte, fv reflect.Value, op valueOp, fi *fieldInfo) error {
	c := firstByte(raw)
	switch op {
	case opPtr:
		nv := reflect.New(fv.Type().Elem())
		if err := d.decodeValue(raw, nv.Elem(), fi.elemOp, fi); err != nil {
			return err
		}
		fv.Set(nv)
		return nil
	case opStruct:
		return d.decodeStruct(raw, fv, fi.subInfo())
	case opContext:
		if c == '"' {
			// Context.UnmarshalJSON's string case, without re-checking
			// bytes; set through a pointer, as reflect.ValueOf(Context{…})
			// would allocate.
			*fv.Addr().Interface().(*Context) = Context{URL: d.unquote(bytes.TrimSpace(raw))}
			return nil
		}
		return d.unmarshaler(raw, fv)
	case opProof:
		// Proof.UnmarshalJSON, without re-checking the bytes.
		raw = bytes.TrimSpace(raw)
		if c != '{' {
			return d.fieldErr("%v", errProofNotObject)
		}
		fv.Addr().Interface().(*Proof).fill(d, raw)
		return nil
	case opUnmarshaler:
		return d.unmarshaler(raw, fv)
	case opNumber:
		if c != '-' && (c < '0' || c > '9') {
			return d.fieldErr("expected number, got %s", jsonKind(c))
		}
		fv.SetString(d.str(bytes.TrimSpace(raw)))
		return nil
	case opString:
		if c != '"' {
			return d.fieldErr("expected string, got %s", jsonKind(c))
		}
		fv.SetString(d.unquote(bytes.TrimSpace(raw)))
		return nil
	case opBool:
		if c != 't' && c != 'f' {
			return d.fieldErr("expected boolean, got %s", jsonKind(c))
		}
		fv.SetBool(c == 't')
		return nil
	}
	return d.fieldErr("unsupported Go type %s", fv.Type())
}

// unmarshaler reads raw with fv's own UnmarshalJSON.
func (d *decoder) unmarshaler(raw []byte, fv reflect.Value) error {
	if err := fv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
		return d.fieldErr("%v", err)
	}
	return nil
}

// encodeStruct writes v, a struct value of one of the package's object
// types.
func encodeStruct(buf *bytes.Buffer, v reflect.Value, depth int) error {
	if depth > MaxDepth {
		return ErrTooDeep // a cycle of pointers built in Go, or absurd nesting
	}
	if !v.CanAddr() {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p.Elem()
	}
	si := infoOf(v.Type())
	meta := v.Addr().Interface().(hasMeta).obMeta()
	var extra map[string]json.RawMessage
	if si.extra >= 0 {
		extra = v.Field(si.extra).Interface().(map[string]json.RawMessage)
	}
	if meta.iri && len(extra) == 0 && si.idIdx >= 0 && onlyID(v, si) {
		writeString(buf, v.Field(si.idIdx).String())
		return nil
	}
	buf.WriteByte('{')
	n := 0
	for _, fi := range si.fields {
		fv := v.Field(fi.index)
		start := buf.Len()
		if n > 0 {
			buf.WriteByte(',')
		}
		writeString(buf, fi.name)
		buf.WriteByte(':')
		wrote, err := encodeField(buf, fv, fi, meta, depth)
		if err != nil {
			return fmt.Errorf("%s: %w", fi.name, err)
		}
		if !wrote {
			buf.Truncate(start)
			continue
		}
		n++
	}
	if len(extra) > 0 {
		keys := make([]string, 0, len(extra))
		for k := range extra {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if i, known := lookup(si, k); known && !isEmpty(v.Field(si.fields[i].index)) {
				continue // the typed field, set, wins over a kept value
			}
			if n > 0 {
				buf.WriteByte(',')
			}
			writeString(buf, k)
			buf.WriteByte(':')
			if err := json.Compact(buf, extra[k]); err != nil {
				return fmt.Errorf("%s: %w", k, err)
			}
			n++
		}
	}
	buf.WriteByte('}')
	return nil
}

func onlyID(v reflect.Value, si *structInfo) bool {
	for _, fi := range si.fields {
		if fi.index != si.idIdx && !isEmpty(v.Field(fi.index)) {
			return false
		}
	}
	return true
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String, reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Pointer:
		return v.IsNil()
	case reflect.Bool:
		return false // hashed: false is meaningful
	}
	return v.IsZero()
}

// encodeField writes one known property's value; wrote is false when the
// value is empty and the property is to be omitted.
func encodeField(buf *bytes.Buffer, fv reflect.Value, fi fieldInfo, meta *objMeta, depth int) (wrote bool, err error) {
	if isEmpty(fv) {
		return false, nil
	}
	f := meta.forms[fi.name]
	switch fv.Kind() {
	case reflect.Slice:
		if fv.Len() == 1 && (f == formSingle || (fi.one && f != formArray)) {
			return encodeValue(buf, fv.Index(0), depth)
		}
		buf.WriteByte('[')
		n := 0
		for i := range fv.Len() {
			start := buf.Len()
			if n > 0 {
				buf.WriteByte(',')
			}
			w, err := encodeValue(buf, fv.Index(i), depth)
			if err != nil {
				return false, err
			}
			if !w {
				buf.Truncate(start)
				continue
			}
			n++
		}
		buf.WriteByte(']')
		return n > 0, nil
	case reflect.Pointer:
		if f == formArray {
			buf.WriteByte('[')
			w, err := encodeValue(buf, fv, depth)
			buf.WriteByte(']')
			return w, err
		}
	}
	return encodeValue(buf, fv, depth)
}

func encodeValue(buf *bytes.Buffer, v reflect.Value, depth int) (wrote bool, err error) {
	t := v.Type()
	switch {
	case t.Kind() == reflect.Pointer:
		if v.IsNil() {
			return false, nil
		}
		return encodeValue(buf, v.Elem(), depth)
	case t.Kind() == reflect.Struct && classOf(t)&cHasMeta != 0:
		start := buf.Len()
		if err := encodeStruct(buf, v, depth+1); err != nil {
			return false, err
		}
		if buf.Len()-start == 2 { // "{}": an empty object is omitted
			buf.Truncate(start)
			return false, nil
		}
		return true, nil
	case classOf(t)&cMarshaler != 0:
		b, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return false, err
		}
		if err := json.Compact(buf, b); err != nil {
			return false, err
		}
		return true, nil
	case t == numberType:
		s := v.String()
		if s == "" {
			return false, nil
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil && !errors.Is(err, strconv.ErrRange) {
			return false, fmt.Errorf("invalid number %q", s)
		}
		buf.WriteString(s)
		return true, nil
	case t.Kind() == reflect.String:
		if v.Len() == 0 {
			return false, nil
		}
		writeString(buf, v.String())
		return true, nil
	case t.Kind() == reflect.Bool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
		return true, nil
	}
	return false, fmt.Errorf("unsupported Go type %s", t)
}

const hexDigits = "0123456789abcdef"

// writeString writes s as a JSON string. Unlike encoding/json it leaves
// <, > and & alone (URLs with query strings stay readable); invalid UTF-8
// becomes U+FFFD as encoding/json does.
func writeString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf.WriteString(s[start:i])
			switch c {
			case '"', '\\':
				buf.WriteByte('\\')
				buf.WriteByte(c)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			case '\b':
				buf.WriteString(`\b`)
			case '\f':
				buf.WriteString(`\f`)
			default:
				buf.WriteString(`\u00`)
				buf.WriteByte(hexDigits[c>>4])
				buf.WriteByte(hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString(s[start:i])
			buf.WriteString(`\ufffd`)
			i += size
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript parsers.
		if r == '\u2028' || r == '\u2029' {
			buf.WriteString(s[start:i])
			buf.WriteString(`\u202`)
			buf.WriteByte(hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf.WriteString(s[start:])
	buf.WriteByte('"')
}
