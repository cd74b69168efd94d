package ob3

import (
	"bytes"
	"cmp"
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	strictOnce    sync.Once
	strictSchemas [len(schemaFiles)]*jsonschema.Schema
	strictErr     error
)

// refValidateSchema is ValidateSchema as it was: the library's own
// decoding and the schemas exactly as compiled (no oneOf relaxed).
func refValidateSchema(t testing.TB, data []byte, kind SchemaKind) ([]SchemaError, error) {
	strictOnce.Do(func() { strictSchemas, strictErr = compileSchemaSet(false) })
	if strictErr != nil {
		t.Fatal(strictErr)
	}
	if err := refScan(data); err != nil && !isTopLevelKindError(err) {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	return validateInstance(&strictSchemas, inst, kind)
}

func TestRelaxOneOfsCount(t *testing.T) {
	set, err := compileSchemaSet(false)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[*jsonschema.Schema]bool{}
	before := countOneOfs(set[SchemaAchievementCredential], map[*jsonschema.Schema]bool{})
	relaxOneOfs(set[SchemaAchievementCredential], seen)
	after := countOneOfs(set[SchemaAchievementCredential], map[*jsonschema.Schema]bool{})
	t.Logf("achievement credential schema: %d oneOf, %d left after relaxing", before, after)
	if after >= before || after == 0 {
		// Some oneOf must go (string or language map) and some must stay
		// (alternatives of the same type, e.g. the two forms of a Result).
		t.Errorf("oneOf before %d, after %d", before, after)
	}
}

func countOneOfs(s *jsonschema.Schema, seen map[*jsonschema.Schema]bool) int {
	if s == nil || seen[s] {
		return 0
	}
	seen[s] = true
	n := 0
	if len(s.OneOf) > 0 {
		n++
	}
	var kids []*jsonschema.Schema
	kids = append(kids, s.Ref, s.Not, s.If, s.Then, s.Else, s.Contains, s.PropertyNames)
	kids = append(kids, s.AllOf...)
	kids = append(kids, s.AnyOf...)
	kids = append(kids, s.OneOf...)
	for _, p := range s.Properties {
		kids = append(kids, p)
	}
	for _, x := range []any{s.Items, s.AdditionalItems, s.AdditionalProperties} {
		switch x := x.(type) {
		case *jsonschema.Schema:
			kids = append(kids, x)
		case []*jsonschema.Schema:
			kids = append(kids, x...)
		}
	}
	for _, k := range kids {
		n += countOneOfs(k, seen)
	}
	return n
}

// normalize sorts the words of each message and the errors at one path:
// the library lists the properties of some errors ("additional properties
// 'a', 'b' not allowed") and checks some keywords (propertyNames) in map
// order, which varies from run to run.
func normalize(errs []SchemaError) []SchemaError {
	out := make([]SchemaError, len(errs))
	for i, e := range errs {
		w := strings.Fields(strings.ReplaceAll(e.Message, ",", ""))
		slices.Sort(w)
		out[i] = SchemaError{Path: e.Path, Message: strings.Join(w, " ")}
	}
	slices.SortFunc(out, func(a, b SchemaError) int {
		return cmp.Or(strings.Compare(a.Path, b.Path), strings.Compare(a.Message, b.Message))
	})
	return out
}

// schemaInputs are the fixtures and, for each, variants that break it in
// ways that exercise the alternatives (wrong types where strings, language
// maps, objects or arrays are allowed).
func schemaInputs(t testing.TB) [][]byte {
	var out [][]byte
	paths := append(fixtureFiles(t), "testdata/typical-unsigned.json")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, b)
		var m map[string]any
		if json.Unmarshal(b, &m) != nil {
			continue
		}
		for _, bad := range []any{7, true, nil, []any{}, map[string]any{}, map[string]any{"fr": "x"},
			map[string]any{"FR": "x"}, []any{"a", 3}, "x"} {
			for k := range m {
				v := m[k]
				m[k] = bad
				if mb, err := json.Marshal(m); err == nil {
					out = append(out, mb)
				}
				if sub, ok := v.(map[string]any); ok {
					for sk := range sub {
						sv := sub[sk]
						sub[sk] = bad
						if mb, err := json.Marshal(m); err == nil {
							out = append(out, mb)
						}
						sub[sk] = sv
					}
				}
				m[k] = v
			}
		}
	}
	return out
}

// TestValidateSchemaReference: every fixture and many broken variants get
// the same report from ValidateSchema as from the former implementation,
// under each of the five schemas.
func TestValidateSchemaReference(t *testing.T) {
	inputs := schemaInputs(t)
	step := 8 // all of them take ~15 s on a shared machine; a sample by default
	if os.Getenv("OB3_SCHEMA_ALL") != "" {
		step = 1
	}
	for i := 0; i < len(inputs); i += step {
		in := inputs[i]
		for k := range schemaFiles {
			got, err := ValidateSchema(in, SchemaKind(k))
			want, wantErr := refValidateSchema(t, in, SchemaKind(k))
			if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(normalize(got), normalize(want)) {
				t.Fatalf("input %d, %v:\n got %v, %v\nwant %v, %v\n%s", i, SchemaKind(k), got, err, want, wantErr, in)
			}
		}
	}
	t.Logf("%d of %d inputs × %d schemas", (len(inputs)+step-1)/step, len(inputs), len(schemaFiles))
}

// FuzzValidateSchemaReference: as TestValidateSchemaReference, on any input.
func FuzzValidateSchemaReference(f *testing.F) {
	for _, in := range schemaInputs(f)[:60] {
		f.Add(in, uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := SchemaKind(int(k) % len(schemaFiles))
		got, err := ValidateSchema(data, kind)
		want, wantErr := refValidateSchema(t, data, kind)
		if errClass(err) != errClass(wantErr) && !(err != nil && wantErr != nil) {
			t.Fatalf("error %v, reference %v", err, wantErr)
		}
		if !reflect.DeepEqual(normalize(got), normalize(want)) {
			t.Fatalf("got %v\nwant %v", got, want)
		}
	})
}
