package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
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
	s := getScanner(data, true)
	defer s.release()
	if err := s.check(); err != nil {
		return err
	}
	d := newDecoder(data)
	d.spans, d.scanned, d.complex = s.spans, true, s.complex
	return d.decodeStruct(data, rv.Elem(), nil)
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
