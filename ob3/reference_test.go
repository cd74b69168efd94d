package ob3

// The implementation of Parse before it was made fast (json.Decoder.Token
// pre-scan, then encoding/json at every level), kept as the reference that
// FuzzParseReference holds the fast one to.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
)

func refFieldErr(path *refPathSeg, format string, args ...any) error {
	return &FieldError{Path: path.String(), Message: fmt.Sprintf(format, args...)}
}

// refPathSeg is a property path built lazily: rendered only for an error, so
// decoding a valid document builds no path strings.
type refPathSeg struct {
	parent *refPathSeg
	key    string
	idx    int // array index when key == ""
}

func (p *refPathSeg) child(key string) refPathSeg { return refPathSeg{parent: p, key: key} }
func (p *refPathSeg) index(i int) refPathSeg      { return refPathSeg{parent: p, idx: i} }

func (p *refPathSeg) String() string {
	if p == nil {
		return ""
	}
	var segs []*refPathSeg
	for q := p; q != nil; q = q.parent {
		segs = append(segs, q)
	}
	var b strings.Builder
	for i := len(segs) - 1; i >= 0; i-- {
		q := segs[i]
		switch {
		case q.key == "" && q.parent == nil && q.idx == 0:
			// root
		case q.key == "":
			b.WriteString("[" + strconv.Itoa(q.idx) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(q.key)
		}
	}
	return b.String()
}

func refParse(data []byte) (*Credential, error) {
	if len(data) > MaxSize {
		return nil, ErrTooLarge
	}
	if err := refScan(data); err != nil {
		return nil, err
	}
	c := new(Credential)
	if err := refDecodeStruct(nil, data, reflect.ValueOf(c).Elem()); err != nil {
		return nil, err
	}
	return c, nil
}

// refScan checks data is one JSON value with bounded depth and no object
// repeating a key, before the real decoding.
func refScan(data []byte) error {
	type frame struct {
		obj    bool
		keys   map[string]struct{}
		key    string // current key (objects)
		idx    int    // next index (arrays)
		expKey bool   // objects: next string token is a key
	}
	var stack []frame
	path := func() string {
		var b bytes.Buffer
		for i, f := range stack {
			if f.obj {
				if i > 0 {
					b.WriteByte('.')
				}
				b.WriteString(f.key)
			} else {
				b.WriteString("[" + strconv.Itoa(f.idx-1) + "]")
			}
		}
		return b.String()
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// valueDone is called after a complete value inside the current frame.
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].obj {
			stack[n-1].expKey = true
		}
	}
	topValues := 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInvalidJSON, err)
		}
		if len(stack) == 0 {
			if topValues++; topValues > 1 {
				return fmt.Errorf("%w: more than one value", ErrInvalidJSON)
			}
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if n := len(stack); n > 0 && !stack[n-1].obj {
					stack[n-1].idx++
				}
				if len(stack) >= MaxDepth {
					return ErrTooDeep
				}
				stack = append(stack, frame{obj: t == '{', expKey: t == '{'})
			case '}', ']':
				stack = stack[:len(stack)-1]
				valueDone()
			}
		default:
			if s, ok := tok.(string); ok {
				if n := len(stack); n > 0 && stack[n-1].obj && stack[n-1].expKey {
					f := &stack[n-1]
					if f.keys == nil {
						f.keys = make(map[string]struct{})
					}
					f.key = s
					if _, dup := f.keys[s]; dup {
						return fmt.Errorf("%w %q at %s", ErrDuplicateKey, s, path())
					}
					f.keys[s] = struct{}{}
					f.expKey = false
					continue
				}
			}
			if n := len(stack); n > 0 && !stack[n-1].obj {
				stack[n-1].idx++
			}
			valueDone()
		}
	}
	if len(stack) > 0 || firstByte(data) == 0 {
		return fmt.Errorf("%w: unexpected end of input", ErrInvalidJSON)
	}
	if c := firstByte(data); c != '{' {
		return &FieldError{Message: "expected object, got " + jsonKind(c)}
	}
	return nil
}

// refDecodeStruct reads raw into v, an addressable struct value of one of the
// package's object types.
func refDecodeStruct(path *refPathSeg, raw []byte, v reflect.Value) error {
	si := infoOf(v.Type())
	meta := v.Addr().Interface().(hasMeta).obMeta()
	c := firstByte(raw)
	if c == '"' && reflect.PointerTo(v.Type()).Implements(iriAcceptorType) && si.idIdx >= 0 {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return refFieldErr(path, "%v", err)
		}
		v.Field(si.idIdx).SetString(s)
		meta.iri = true
		return nil
	}
	if c != '{' {
		return refFieldErr(path, "expected object, got %s", jsonKind(c))
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return refFieldErr(path, "%v", err)
	}
	var extra map[string]json.RawMessage
	for _, fi := range si.fields {
		r, ok := m[fi.name]
		if !ok {
			continue
		}
		delete(m, fi.name)
		fp := path.child(fi.name)
		keep, err := refDecodeField(&fp, r, v.Field(fi.index), fi, meta)
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
			extra[fi.name] = r
		}
	}
	for k, r := range m {
		if extra == nil {
			extra = make(map[string]json.RawMessage, len(m))
		}
		extra[k] = r
	}
	if si.extra >= 0 {
		v.Field(si.extra).Set(reflect.ValueOf(extra))
	}
	return nil
}

// refDecodeField reads one known property. keep reports a value that the
// typed field cannot hold but that must survive (a language map given for
// a string): the caller keeps it in Extra.
func refDecodeField(path *refPathSeg, raw []byte, fv reflect.Value, fi fieldInfo, meta *objMeta) (keep bool, err error) {
	c := firstByte(raw)
	if c == 'n' {
		return false, nil // null: same as absent
	}
	t := fv.Type()
	switch {
	case t.Kind() == reflect.Slice:
		if c == '[' {
			var items []json.RawMessage
			if err := json.Unmarshal(raw, &items); err != nil {
				return false, refFieldErr(path, "%v", err)
			}
			s := reflect.MakeSlice(t, len(items), len(items))
			for i, it := range items {
				ip := path.index(i)
				if err := refDecodeValue(&ip, it, s.Index(i)); err != nil {
					return false, err
				}
			}
			fv.Set(s)
			if fi.one && len(items) == 1 {
				meta.setForm(fi.name, formArray)
			}
			return false, nil
		}
		s := reflect.MakeSlice(t, 1, 1)
		if err := refDecodeValue(path, raw, s.Index(0)); err != nil {
			return false, err
		}
		fv.Set(s)
		if !fi.one {
			meta.setForm(fi.name, formSingle)
		}
		return false, nil
	case t.Kind() == reflect.Pointer && c == '[':
		// JSON-LD: a one-element array is the same as the bare value.
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return false, refFieldErr(path, "%v", err)
		}
		if len(items) != 1 {
			return false, refFieldErr(path, "expected object, got array of %d", len(items))
		}
		meta.setForm(fi.name, formArray)
		ip := path.index(0)
		return false, refDecodeValue(&ip, items[0], fv)
	case t.Kind() == reflect.String && t != numberType && c == '{':
		// A language map ({"fr": "…"}): kept as it came, see package doc.
		return true, nil
	}
	return false, refDecodeValue(path, raw, fv)
}

// refDecodeValue reads a single (non-list) value into fv.
func refDecodeValue(path *refPathSeg, raw []byte, fv reflect.Value) error {
	c := firstByte(raw)
	t := fv.Type()
	switch {
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		nv := reflect.New(t.Elem())
		if err := refDecodeValue(path, raw, nv.Elem()); err != nil {
			return err
		}
		fv.Set(nv)
		return nil
	case t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(hasMetaType):
		return refDecodeStruct(path, raw, fv)
	case reflect.PointerTo(t).Implements(unmarshalerType):
		if err := fv.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			return refFieldErr(path, "%v", err)
		}
		return nil
	case t == numberType:
		if c != '-' && (c < '0' || c > '9') {
			return refFieldErr(path, "expected number, got %s", jsonKind(c))
		}
		fv.SetString(string(bytes.TrimSpace(raw)))
		return nil
	case t.Kind() == reflect.String:
		if c != '"' {
			return refFieldErr(path, "expected string, got %s", jsonKind(c))
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return refFieldErr(path, "%v", err)
		}
		fv.SetString(s)
		return nil
	case t.Kind() == reflect.Bool:
		if c != 't' && c != 'f' {
			return refFieldErr(path, "expected boolean, got %s", jsonKind(c))
		}
		fv.SetBool(c == 't')
		return nil
	}
	return refFieldErr(path, "unsupported Go type %s", t)
}
