package ob3

import (
	"bytes"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// seedReference adds the fixtures and inputs aimed at the scanner's edges:
// escaped and invalid UTF-8 keys, duplicates spelled differently, numbers,
// literals, objects with many keys.
func seedReference(f *testing.F) {
	for _, p := range fixtureFiles(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(readTypical(f))
	for _, s := range []string{
		`{"a":1,"\u0061":2}`, `{"\u0069d":"x","type":"T"}`, "{\"\xff\":1,\"\xfe\":2}", "{\"\xff\":1}",
		`{"a":[1,-0.5e+3,0,true,false,null,"x"]}`, `{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":tru}`,
		`{"a":"\ud800"}`, `{"a":"\x"}`, `{"a" 1}`, `{"a":1,}`, `[1,]`, `{"a":[{"b":1,"b":2}]}`, `  {}  `,
		`{"name":{"fr":"x","fr":"y"}}`, `"did:x"`, `{"issuer":"did:x","issuer":"did:y"}`,
		`{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,"k8":8,"k9":9,"k10":0,"k11":1,"k12":2,` +
			`"k13":3,"k14":4,"k15":5,"k16":6,"k17":7,"k18":8,"k19":9,"k20":0,"k21":1,"k22":2,"k23":3,"k24":4,` +
			`"k25":5,"k26":6,"k3":7}`,
	} {
		f.Add([]byte(s))
	}
}

// errClass names the sentinel an error matches, for comparing errors whose
// texts may differ (syntax errors are worded differently).
func errClass(err error) string {
	var fe *FieldError
	switch {
	case err == nil:
		return "nil"
	case errors.Is(err, ErrInvalidJSON):
		return "invalid"
	case errors.Is(err, ErrTooDeep):
		return "deep"
	case errors.Is(err, ErrTooLarge):
		return "large"
	case errors.Is(err, ErrDuplicateKey):
		return "dup: " + err.Error()
	case errors.As(err, &fe):
		return "field: " + err.Error()
	}
	return "other: " + err.Error()
}

// FuzzParseReference holds Parse to the former implementation (refParse):
// the same documents accepted, the same values, the same errors.
func FuzzParseReference(f *testing.F) {
	seedReference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		want, wantErr := refParse(data)
		if g, w := errClass(err), errClass(wantErr); g != w {
			t.Fatalf("error %q, reference %q", g, w)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("value differs:\n got %+v\nwant %+v", got, want)
		}
	})
}

// FuzzDecodeAny holds the schema instance decoding to the library's own
// (encoding/json with UseNumber), and ValidateSchema to its former result.
func FuzzDecodeAny(f *testing.F) {
	seedReference(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := scan(data); err != nil && !isTopLevelKindError(err) {
			return
		}
		want, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("scan accepted what encoding/json rejects: %v", err)
		}
		if got := newDecoder(data).decodeAny(data); !reflect.DeepEqual(got, want) {
			t.Fatalf("decodeAny:\n got %#v\nwant %#v", got, want)
		}
	})
}
