package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
)

// Limits on untrusted input. A typical badge is a few KB; one with many
// embedded endorsements or a data: URL image stays well under MaxSize.
const (
	MaxSize  = 4 << 20 // bytes
	MaxDepth = 64      // nesting of JSON objects and arrays
)

// Errors callers may branch on. Decoding errors at a property are
// *FieldError values.
var (
	ErrTooLarge     = errors.New("ob3: document larger than 4 MiB")
	ErrTooDeep      = errors.New("ob3: document nested too deeply")
	ErrInvalidJSON  = errors.New("ob3: invalid JSON")
	ErrDuplicateKey = errors.New("ob3: duplicate property")
)

// Parse reads an Open Badges 3.0 credential (OpenBadgeCredential,
// AchievementCredential or EndorsementCredential, VC 2.0 or VC 1.1 form).
// It fails on input that is not JSON, too large or deep, that repeats a
// property within an object (a signed document must mean one thing), or
// whose known properties have the wrong JSON type; the error names the
// property. The rules of the spec are checked separately by Check and
// ValidateSchema.
func Parse(data []byte) (*Credential, error) {
	c := new(Credential)
	if err := Unmarshal(data, c); err != nil {
		return nil, err
	}
	return c, nil
}

// Unmarshal is Parse for any of the package's object types (v is a
// pointer to one): a Profile document, an Achievement…
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || !rv.Type().Implements(hasMetaType) {
		return fmt.Errorf("ob3: cannot decode into %T", v)
	}
	if len(data) > MaxSize {
		return ErrTooLarge
	}
	if err := scan(data); err != nil {
		return err
	}
	return decodeStruct(nil, data, rv.Elem())
}

// scan checks data is one JSON value with bounded depth and no object
// repeating a key, before the real decoding.
func scan(data []byte) error {
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

// Marshal writes v (one of the package's object types, or a pointer to
// one) as compact JSON in the canonical form described in the package
// documentation. Unlike encoding/json it does not escape <, > and &.
func Marshal(v any) ([]byte, error) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return []byte("null"), nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct || !reflect.PointerTo(rv.Type()).Implements(hasMetaType) {
		return nil, fmt.Errorf("ob3: cannot encode %T", v)
	}
	var buf bytes.Buffer
	if err := encodeStruct(&buf, rv, 0); err != nil {
		return nil, fmt.Errorf("ob3: encode %s: %w", rv.Type().Name(), err)
	}
	return buf.Bytes(), nil
}

// MarshalIndent is Marshal with indentation, for files people read.
func MarshalIndent(v any, prefix, indent string) ([]byte, error) {
	b, err := Marshal(v)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, b, prefix, indent); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
