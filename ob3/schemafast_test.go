package ob3

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestFastSchemaCoversEveryKind: each of the five schemas uses only
// keywords the fast walk implements, so none silently falls back to the
// slow path for every document.
func TestFastSchemaCoversEveryKind(t *testing.T) {
	set, err := compileSchemaSet(true)
	if err != nil {
		t.Fatal(err)
	}
	for k, s := range set {
		c := fastCompiler{memo: map[*jsonschema.Schema]*fnode{}}
		c.node(s)
		if c.unsupported != "" {
			t.Errorf("%v: %s", SchemaKind(k), c.unsupported)
		}
	}
}

// TestFastSchemaUnsupported: a schema with a keyword the fast walk lacks
// is not converted.
func TestFastSchemaUnsupported(t *testing.T) {
	for name, schema := range map[string]string{
		"if":          `{"if":{"type":"string"},"then":{"minLength":2}}`,
		"dependent":   `{"dependentRequired":{"a":["b"]}}`,
		"unevaluated": `{"unevaluatedProperties":false}`,
		"draft 7":     `{"$schema":"http://json-schema.org/draft-07/schema#","type":"object"}`,
	} {
		c := jsonschema.NewCompiler()
		c.DefaultDraft(jsonschema.Draft2019)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(schema)))
		if err != nil {
			t.Fatal(err)
		}
		if err := c.AddResource("https://example.org/s.json", doc); err != nil {
			t.Fatal(err)
		}
		s, err := c.Compile("https://example.org/s.json")
		if err != nil {
			t.Fatal(err)
		}
		fc := fastCompiler{memo: map[*jsonschema.Schema]*fnode{}}
		fc.node(s)
		if fc.unsupported == "" {
			t.Errorf("%s: converted", name)
		}
	}
}

// TestFastSchemaMatchesLibrary: on every fixture and its broken variants,
// under each schema, the fast walk says "valid" exactly when the library
// does. (ValidateSchema only trusts a "valid"; an "invalid" from the fast
// walk would merely cost time, but both directions are checked to keep the
// walk honest.)
func TestFastSchemaMatchesLibrary(t *testing.T) {
	schemaOnce.Do(compileSchemas)
	if schemaErr != nil {
		t.Fatal(schemaErr)
	}
	inputs := schemaInputs(t)
	// Hand-made cases for the keywords the fixtures reach least.
	for _, s := range []string{
		`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"]}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],"type":"VerifiableCredential"}`,
		`{"@context":["https://www.w3.org/ns/credentials/v2","https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",7],"type":["VerifiableCredential","OpenBadgeCredential"]}`,
		`{"name":{"fr":"x","en-CA":"y"},"id":{"FR":"x"}}`,
		`{"a":1.5e300,"b":-0,"c":[1,1.0,"1"],"d":null}`,
		`[1,2,3]`, `"x"`, `7`, `null`,
	} {
		inputs = append(inputs, []byte(s))
	}
	var valid, invalid int
	for i, in := range inputs {
		var inst any
		dec := json.NewDecoder(bytes.NewReader(in))
		dec.UseNumber()
		if err := dec.Decode(&inst); err != nil {
			continue
		}
		for k := range schemaFiles {
			errs, err := validateInstance(&schemas, inst, SchemaKind(k))
			if err != nil {
				t.Fatal(err)
			}
			want := len(errs) == 0
			w := fastWalk{}
			got := w.valid(fastSchemas[k], inst)
			if w.unsure {
				t.Errorf("input %d, %v: unsure", i, SchemaKind(k))
				continue
			}
			if got != want {
				t.Fatalf("input %d, %v: fast %v, library %v (%v)\n%s", i, SchemaKind(k), got, want, errs, in)
			}
			if want {
				valid++
			} else {
				invalid++
			}
		}
	}
	t.Logf("%d inputs × %d schemas: %d valid, %d invalid", len(inputs), len(schemaFiles), valid, invalid)
	if valid == 0 || invalid == 0 {
		t.Error("the inputs do not exercise both answers")
	}
}

// FuzzFastSchema: as TestFastSchemaMatchesLibrary, on any JSON input.
func FuzzFastSchema(f *testing.F) {
	for _, in := range schemaInputs(f)[:60] {
		f.Add(in, uint8(0))
	}
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		schemaOnce.Do(compileSchemas)
		kind := SchemaKind(int(k) % len(schemaFiles))
		var inst any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&inst) != nil {
			return
		}
		errs, err := validateInstance(&schemas, inst, kind)
		if err != nil {
			return
		}
		if fastValid(fastSchemas[kind], inst) && len(errs) > 0 {
			t.Fatalf("fast walk says valid, the library: %v", errs)
		}
	})
}
