package ob3

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// unquoteCases are checked JSON strings at unquoteSlow's edges: every
// escape, surrogate pairs whole, split, reversed and alone, invalid UTF-8
// next to escapes, and encoded surrogates (invalid UTF-8 too).
var unquoteCases = []string{
	`""`, `"abc"`, `"\"\\\/\b\f\n\r\t"`, `"\u0000\u001f\u00e9\u20ac\uFFFF"`,
	`"\ud83d\ude00"`, `"x\uD83D\uDE00y"`, `"\ud83d"`, `"\ude00"`, `"\ude00\ud83d"`,
	`"\ud83d\u0041"`, `"\ud83d\ud83d\ude00"`, `"\ud83dx\ude00"`, `"\ud83d\n"`, `"a\ud83d"`,
	"\"\xff\"", "\"a\xffb\\n\xfe\"", "\"\xed\xa0\x80\"", "\"é\\u00e9é\"", "\"\xf0\x9f\x98\"",
	"\"" + strings.Repeat("plain text ", 20) + "\\n" + strings.Repeat("é", 10) + "\"",
}

// TestUnquoteSlow holds unquoteSlow to encoding/json's string decoding.
func TestUnquoteSlow(t *testing.T) {
	for _, c := range unquoteCases {
		var want string
		if err := json.Unmarshal([]byte(c), &want); err != nil {
			t.Fatalf("%q: %v", c, err)
		}
		if got := unquoteSlow([]byte(c)); got != want {
			t.Errorf("unquoteSlow(%q) = %q, encoding/json %q", c, got, want)
		}
	}
}

func FuzzUnquote(f *testing.F) {
	for _, c := range unquoteCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		// Exactly one string, as unquoteSlow is given (encoding/json would
		// also take surrounding whitespace).
		var want string
		if len(raw) < 2 || raw[0] != '"' || raw[len(raw)-1] != '"' || json.Unmarshal(raw, &want) != nil {
			return
		}
		if got := unquoteSlow(raw); got != want {
			t.Fatalf("unquoteSlow(%q) = %q, encoding/json %q", raw, got, want)
		}
	})
}

// TestParseDocuments compares, on every JSON document of this package's
// and verify's test data, Parse (which decodes with the container spans
// and escaped strings scan recorded) with the former implementation
// (refParse) and with the decoder working without them (UnmarshalJSON's
// path, decodeUntrusted), which must agree on whatever Parse accepts.
func TestParseDocuments(t *testing.T) {
	n := 0
	for _, root := range []string{"testdata", "../verify/testdata"} {
		err := filepath.WalkDir(root, func(p string, e os.DirEntry, err error) error {
			if err != nil || e.IsDir() || !strings.HasSuffix(p, ".json") {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			n++
			got, err := Parse(data)
			want, wantErr := refParse(data)
			if g, w := errClass(err), errClass(wantErr); g != w {
				t.Errorf("%s: error %q, reference %q", p, g, w)
				return nil
			}
			if err != nil {
				return nil
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: Parse differs from the reference", p)
			}
			var viaJSON Credential
			if err := viaJSON.UnmarshalJSON(data); err != nil {
				t.Errorf("%s: UnmarshalJSON: %v", p, err)
			} else if !reflect.DeepEqual(got, &viaJSON) {
				t.Errorf("%s: Parse differs from UnmarshalJSON", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n < 50 {
		t.Fatalf("only %d documents found", n)
	}
}

// TestParseEscapedKeysAndNesting exercises the recorded spans and escaped
// strings where they matter: escaped keys and values at several depths,
// empty containers, and a known property spelled with an escape.
func TestParseEscapedKeysAndNesting(t *testing.T) {
	doc := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2",{"x":[[],{}]}],` +
		`"\u0069d":"urn:\u0061","type":["VerifiableCredential"],"z\"q":{"a":[{"b":"\n"}]},` +
		`"credentialSubject":{"achievement":{"criteria":{"narrative":"a\tb"},"na\u006de":"é\u00e9"},"ext":[{},[]]},` +
		"\"issuer\":{\"id\":\"did:x\",\"n\xffame\":\"x\\u0000\"},\"proof\":[{\"type\":\"T\",\"proof\\u0056alue\":\"z\\/\"}]}")
	got, err := Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	want, err := refParse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse:\n%+v\nreference:\n%+v", got, want)
	}
	if got.ID != "urn:a" || got.CredentialSubject.Achievement.Name != "éé" ||
		got.Proof[0].ProofValue != "z/" || !bytes.Equal(got.Extra[`z"q`], []byte(`{"a":[{"b":"\n"}]}`)) {
		t.Fatalf("unexpected values: %+v", got)
	}
}

// TestFieldLookup checks structInfo's name table on every object type
// reachable from Credential: each property found at its position, by
// string and by bytes, and near misses not found.
func TestFieldLookup(t *testing.T) {
	seen := map[reflect.Type]bool{}
	var visit func(rt reflect.Type)
	visit = func(rt reflect.Type) {
		if seen[rt] {
			return
		}
		seen[rt] = true
		si := infoOf(rt)
		for i, fi := range si.fields {
			if j, ok := lookup(si, fi.name); !ok || j != i {
				t.Errorf("%s: lookup(%q) = %d, %v; want %d", rt.Name(), fi.name, j, ok, i)
			}
			if j, ok := lookup(si, []byte(fi.name)); !ok || j != i {
				t.Errorf("%s: lookup([]byte %q) = %d, %v; want %d", rt.Name(), fi.name, j, ok, i)
			}
			for _, miss := range []string{fi.name + "x", fi.name[:len(fi.name)-1], strings.ToUpper(fi.name)} {
				if j, ok := lookup(si, miss); ok && si.fields[j].name != miss {
					t.Errorf("%s: lookup(%q) found %q", rt.Name(), miss, si.fields[j].name)
				}
			}
			if fi.subType != nil {
				visit(fi.subType)
			}
		}
		if _, ok := lookup(si, ""); ok {
			t.Errorf("%s: empty name found", rt.Name())
		}
	}
	visit(reflect.TypeFor[Credential]())
	if len(seen) < 15 {
		t.Fatalf("only %d object types reached", len(seen))
	}
}
