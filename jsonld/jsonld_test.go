package jsonld

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"github.com/sceau/sceau/internal/benchcpu"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/sceau/sceau/rdfc"
)

var update = flag.Bool("update", false, "rewrite golden files")

func decode(t testing.TB, data []byte, useNumber bool) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	if useNumber {
		dec.UseNumber()
	}
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func loadDoc(t testing.TB, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, data, false)
}

func canonical(t testing.TB, doc any, opts *Options) string {
	t.Helper()
	qs, err := ToRDF(doc, opts)
	if err != nil {
		t.Fatal(err)
	}
	r, err := rdfc.Canonicalize(qs, nil)
	if err != nil {
		t.Fatal(err)
	}
	return string(r.NQuads)
}

// The Open Badges 3.0 specification's canonicalization test vector: our
// toRdf followed by RDFC-1.0 must give its N-Quads byte for byte.
func TestOB3SpecVector(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"testdata/ob3-spec/document.json", "testdata/ob3-spec/document-canon.txt"},
		{"testdata/ob3-spec/proof.json", "testdata/ob3-spec/proof-canon.txt"},
	} {
		t.Run(tc.in, func(t *testing.T) {
			want, err := os.ReadFile(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			got := canonical(t, loadDoc(t, tc.in), &Options{Safe: true})
			if got != string(want) {
				t.Errorf("canonical N-Quads differ:\n%s", cmp.Diff(string(want), got))
			}
		})
	}
}

func TestBadgeGolden(t *testing.T) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		t.Fatal(err)
	}
	got := canonical(t, decode(t, data, false), &Options{Safe: true})
	// json.Number input must give the same dataset.
	if gotNum := canonical(t, decode(t, data, true), &Options{Safe: true}); gotNum != got {
		t.Errorf("json.Number and float64 inputs differ:\n%s", cmp.Diff(got, gotNum))
	}
	const golden = "testdata/badge.canon.nq"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("badge dataset differs from %s:\n%s", golden, cmp.Diff(string(want), got))
	}
}

const obContexts = `["https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]`

func TestSafeMode(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		opts Options
		want string // substring of the safe-mode error; "" = no error
	}{
		{"valid credential", `{"@context": ` + obContexts + `, "id": "urn:x", "type": ["VerifiableCredential"], "name": "n"}`, Options{}, ""},
		{"undefined term", `{"@context": ` + obContexts + `, "id": "urn:x", "type": ["VerifiableCredential"], "colour": "red"}`, Options{}, `property "colour" does not expand to an absolute IRI at /colour`},
		{"undefined nested term", `{"@context": ` + obContexts + `, "type": ["VerifiableCredential"], "credentialSubject": {"type": ["AchievementSubject"], "nickname": "x"}}`, Options{}, `"nickname" does not expand to an absolute IRI at /credentialSubject/nickname`},
		{"undefined type", `{"@context": ` + obContexts + `, "type": ["VerifiableCredential", "FancyCredential"]}`, Options{}, `type "FancyCredential" is a relative IRI at /type`},
		{"type needing extensions.json", `{"@context": ` + obContexts + `, "type": ["VerifiableCredential"], "credentialSchema": [{"id": "https://x.example/s.json", "type": "1EdTechJsonSchemaValidator2019"}]}`, Options{}, `type "1EdTechJsonSchemaValidator2019" is a relative IRI at /credentialSchema[0]/type`},
		{"relative @id", `{"@context": ` + obContexts + `, "id": "credentials/1", "type": ["VerifiableCredential"]}`, Options{}, `relative @id "credentials/1" at /id`},
		{"relative @id with base is fine", `{"@context": ` + obContexts + `, "id": "credentials/1", "type": ["VerifiableCredential"]}`, Options{Base: "https://example.org/"}, ""},
		{"relative IRI value", `{"@context": ` + obContexts + `, "type": ["VerifiableCredential"], "issuer": "issuers/1"}`, Options{}, `relative @id "issuers/1" at /issuer`},
		{"null @value", `{"http://example.org/p": {"@value": null}}`, Options{}, "null @value dropped at /http:~1~1example.org~1p"},
		{"free-floating value in @graph", `{"@graph": [{"@value": "x"}]}`, Options{}, "free-floating value dropped"},
		{"free-floating scalar", `{"@graph": ["x"]}`, Options{}, "free-floating scalar dropped"},
		{"invalid language", `{"http://example.org/p": {"@value": "x", "@language": "not a tag"}}`, Options{}, `invalid @language "not a tag"`},
		{"direction without rdfDirection", `{"http://example.org/p": {"@value": "x", "@direction": "rtl"}}`, Options{}, "needs an rdfDirection option"},
		{"direction with rdfDirection", `{"http://example.org/p": {"@value": "x", "@direction": "rtl"}}`, Options{RDFDirection: "i18n-datatype"}, ""},
		{"keyword-like @id", `{"http://example.org/p": {"@id": "@foo"}}`, Options{}, `@id "@foo" dropped`},
		{"reserved term in context", `{"@context": {"@foo": "http://example.org/foo"}, "http://example.org/p": "x"}`, Options{}, "reserved term @foo ignored"},
		{"blank node predicate", `{"_:p": "x"}`, Options{}, `blank node predicate "_:p"`},
		{"ill-formed IRI", `{"@id": "http://example.org/a b", "http://example.org/p": "x"}`, Options{}, `subject "http://example.org/a b"`},
		{"null property is not a drop", `{"@context": ` + obContexts + `, "type": ["VerifiableCredential"], "name": null}`, Options{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := decode(t, []byte(tc.doc), false)
			opts := tc.opts
			if _, err := ToRDF(doc, &opts); err != nil {
				t.Fatalf("without safe mode: %v", err)
			}
			opts.Safe = true
			_, err := ToRDF(doc, &opts)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("safe mode: unexpected error %v", err)
				}
				return
			}
			want := strings.ReplaceAll(tc.want, "~1", "/")
			if err == nil || !errors.Is(err, ErrSafeMode) || !strings.Contains(err.Error(), want) {
				t.Fatalf("safe mode: got error %v, want one containing %q", err, want)
			}
		})
	}
}

func TestDefaultLoader(t *testing.T) {
	urls := BundledURLs()
	if len(urls) < 17 {
		t.Fatalf("only %d bundled contexts", len(urls))
	}
	for _, u := range urls {
		t.Run(u, func(t *testing.T) {
			doc := map[string]any{"@context": u, "@id": "urn:x", "@type": "urn:T"}
			if _, err := ToRDF(doc, &Options{Safe: true}); err != nil {
				t.Fatal(err)
			}
		})
	}
	_, err := ToRDF(map[string]any{"@context": "https://evil.example/ctx.jsonld"}, nil)
	if !errors.Is(err, ErrLoadingContext) || !strings.Contains(err.Error(), "https://evil.example/ctx.jsonld") {
		t.Fatalf("unknown context: got %v", err)
	}
}

func TestExpand(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"term and type coercion",
			`{"@context": {"@vocab": "http://ex.org/", "d": {"@type": "http://www.w3.org/2001/XMLSchema#date"}}, "@id": "http://ex.org/a", "d": "2020-01-01", "n": 5}`,
			`[{"@id": "http://ex.org/a", "http://ex.org/d": [{"@type": "http://www.w3.org/2001/XMLSchema#date", "@value": "2020-01-01"}], "http://ex.org/n": [{"@value": 5}]}]`},
		{"type-scoped context does not propagate",
			`{"@context": {"@vocab": "http://ex.org/", "T": {"@context": {"p": "http://other.org/p"}}}, "@type": "T", "p": "x", "q": {"p": "y"}}`,
			`[{"@type": ["http://ex.org/T"], "http://other.org/p": [{"@value": "x"}], "http://ex.org/q": [{"http://ex.org/p": [{"@value": "y"}]}]}]`},
		{"language map and list",
			`{"@context": {"l": {"@id": "http://ex.org/l", "@container": "@language"}, "s": {"@id": "http://ex.org/s", "@container": "@list"}}, "l": {"fr": "bonjour"}, "s": [1, 2]}`,
			`[{"http://ex.org/l": [{"@value": "bonjour", "@language": "fr"}], "http://ex.org/s": [{"@list": [{"@value": 1}, {"@value": 2}]}]}]`},
		{"json literal",
			`{"@context": {"j": {"@id": "http://ex.org/j", "@type": "@json"}}, "j": {"b": 1, "a": [true]}}`,
			`[{"http://ex.org/j": [{"@type": "@json", "@value": {"b": 1, "a": [true]}}]}]`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Expand(decode(t, []byte(tc.in), false), nil)
			if err != nil {
				t.Fatal(err)
			}
			want := decode(t, []byte(tc.want), false)
			if diff := cmp.Diff(want, any(got)); diff != "" {
				t.Errorf("expanded form differs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLimits(t *testing.T) {
	deep := strings.Repeat(`{"http://ex.org/p": `, MaxDepth+1) + `"x"` + strings.Repeat("}", MaxDepth+1)
	if _, err := ToRDF(decode(t, []byte(deep), false), nil); !errors.Is(err, ErrLimit) {
		t.Errorf("deep document: got %v, want ErrLimit", err)
	}
	ok := strings.Repeat(`{"http://ex.org/p": `, 20) + `"x"` + strings.Repeat("}", 20)
	if _, err := ToRDF(decode(t, []byte(ok), false), nil); err != nil {
		t.Errorf("20 levels: %v", err)
	}
	// A context that refers to itself is caught (recursion bound).
	loader := NewLoader(os.DirFS("testdata/loops"), map[string]string{"https://ex.org/a": "a.json"})
	if _, err := ToRDF(map[string]any{"@context": "https://ex.org/a"}, &Options{Loader: loader}); err == nil {
		t.Error("self-referencing context: no error")
	}
}

func TestNumbers(t *testing.T) {
	tests := []struct {
		in            string
		double, js    string
		integer, kind string
	}{
		{"5.3", "5.3E0", "5.3", "", xsdDouble},
		{"1.1", "1.1E0", "1.1", "", xsdDouble},
		{"1e21", "1.0E21", "1e+21", "", xsdDouble},
		{"12", "1.2E1", "12", "12", xsdInteger},
		{"10.0", "1.0E1", "10", "10", xsdInteger},
		{"-0", "-0.0E0", "0", "0", xsdInteger},
		{"0.000001", "1.0E-6", "0.000001", "", xsdDouble},
		{"1e-7", "1.0E-7", "1e-7", "", xsdDouble},
		{"123456789012345678901", "1.2345678901234568E20", "123456789012345680000", "123456789012345683968", xsdInteger},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			f, ok := toFloat(json.Number(tc.in))
			if !ok {
				t.Fatal("not a number")
			}
			if got := canonicalDouble(f); got != tc.double {
				t.Errorf("canonicalDouble = %s, want %s", got, tc.double)
			}
			if got := jsNumber(f); got != tc.js {
				t.Errorf("jsNumber = %s, want %s", got, tc.js)
			}
			if tc.integer != "" {
				if got := canonicalInteger(f); got != tc.integer {
					t.Errorf("canonicalInteger = %s, want %s", got, tc.integer)
				}
			}
			for _, v := range []any{json.Number(tc.in), f} {
				qs, err := ToRDF(map[string]any{"http://ex.org/n": v}, nil)
				if err != nil || len(qs) != 1 {
					t.Fatalf("ToRDF: %v %v", qs, err)
				}
				if qs[0].Object.Datatype != tc.kind {
					t.Errorf("%T: datatype %s, want %s", v, qs[0].Object.Datatype, tc.kind)
				}
			}
		})
	}
}

func TestCanonicalJSON(t *testing.T) {
	in := `{"b": [1, 2.5, "\u0007é\"\\"], "a": {"z": null, "é": true, "\u20ac": 1e30}, "": false}`
	want := `{"":false,"a":{"z":null,"é":true,"€":1e+30},"b":[1,2.5,"\u0007é\"\\"]}`
	for _, num := range []bool{false, true} {
		if got := canonicalJSON(decode(t, []byte(in), num)); got != want {
			t.Errorf("useNumber=%v: got %s, want %s", num, got, want)
		}
	}
}

// RFC 3986 section 5.4 examples.
func TestResolveIRI(t *testing.T) {
	const base = "http://a/b/c/d;p?q"
	tests := map[string]string{
		"g:h": "g:h", "g": "http://a/b/c/g", "./g": "http://a/b/c/g", "g/": "http://a/b/c/g/",
		"/g": "http://a/g", "//g": "http://g", "?y": "http://a/b/c/d;p?y", "g?y": "http://a/b/c/g?y",
		"#s": "http://a/b/c/d;p?q#s", "g#s": "http://a/b/c/g#s", "g?y#s": "http://a/b/c/g?y#s",
		";x": "http://a/b/c/;x", "g;x": "http://a/b/c/g;x", "": "http://a/b/c/d;p?q",
		".": "http://a/b/c/", "./": "http://a/b/c/", "..": "http://a/b/", "../": "http://a/b/",
		"../g": "http://a/b/g", "../..": "http://a/", "../../": "http://a/", "../../g": "http://a/g",
		"../../../g": "http://a/g", "../../../../g": "http://a/g", "/./g": "http://a/g",
		"/../g": "http://a/g", "g.": "http://a/b/c/g.", ".g": "http://a/b/c/.g", "g..": "http://a/b/c/g..",
		"..g": "http://a/b/c/..g", "./../g": "http://a/b/g", "./g/.": "http://a/b/c/g/",
		"g/./h": "http://a/b/c/g/h", "g/../h": "http://a/b/c/h", "g;x=1/./y": "http://a/b/c/g;x=1/y",
		"g;x=1/../y": "http://a/b/c/y", "g?y/./x": "http://a/b/c/g?y/./x", "g#s/../x": "http://a/b/c/g#s/../x",
	}
	for ref, want := range tests {
		if got := resolveIRI(base, ref); got != want {
			t.Errorf("resolve(%q) = %q, want %q", ref, got, want)
		}
	}
}

// TestKeepDuplicates: with KeepDuplicates, repeated quads stay in the
// output, and the canonical form (which reads the quads as a set) is the
// same as without, on every toRdf test input and on the badge.
func TestKeepDuplicates(t *testing.T) {
	repeated := decode(t, []byte(`{"@context":{"@vocab":"http://ex.org/"},"@id":"http://a","p":["x","x"],"q":{"@id":"http://a","p":"x"}}`), true)
	dup, err := ToRDF(repeated, &Options{Safe: true, KeepDuplicates: true})
	if err != nil {
		t.Fatal(err)
	}
	set, err := ToRDF(repeated, &Options{Safe: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(dup) != 4 || len(set) != 2 {
		t.Errorf("%d quads kept, %d without repetitions; want 4 and 2", len(dup), len(set))
	}
	inputs, err := filepath.Glob("testdata/json-ld-api/toRdf/*-in.jsonld")
	if err != nil || len(inputs) == 0 {
		t.Fatal("no toRdf inputs", err)
	}
	inputs = append(inputs, "testdata/badge.json")
	compared := 0
	for _, name := range inputs {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		var doc any
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		if dec.Decode(&doc) != nil {
			continue
		}
		base := "https://w3c.github.io/json-ld-api/tests/toRdf/" + filepath.Base(name)
		canon := func(keep bool) (string, error) {
			qs, err := ToRDF(doc, &Options{Base: base, KeepDuplicates: keep})
			if err != nil {
				return "", err
			}
			r, err := rdfc.Canonicalize(qs, nil)
			if err != nil {
				return "", err
			}
			return string(r.NQuads), nil
		}
		a, aerr := canon(false)
		b, berr := canon(true)
		if (aerr == nil) != (berr == nil) || a != b {
			t.Errorf("%s: without repetitions %v, kept %v:\n%s\n%s", name, aerr, berr, a, b)
		}
		if aerr == nil {
			compared++
		}
	}
	t.Logf("%d inputs compared", compared)
}

// TestResolveAbsoluteIRI: an absolute reference comes back unchanged
// (without being split) exactly when removing its dot segments would not
// change it.
func TestResolveAbsoluteIRI(t *testing.T) {
	for _, ref := range []string{
		"https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json", "urn:uuid:0b6d9a52", "did:web:a.b:c",
		"mailto:x@y.fr", "https://a/b/./c", "https://a/b/../c", "https://a/.", "https://a/..", "https://a/b/.c/..d",
		"http://a", "http://a?x/./y", "http://a#/../", "http://a/.?q", "tag:a/./b", "tag:./b", "tag:..",
		"http:///./", "x:/a/b/c/./../../g", "https://a/b/%2E/c", "https://a/b/c/.?q#f",
	} {
		s, a, p, q, f := splitIRI(ref)
		want := joinIRI(s, a, removeDots(p), q, f)
		if got := resolveIRI("", ref); got != want {
			t.Errorf("resolveIRI(%q) = %q, want %q", ref, got, want)
		}
		if got := resolveIRI("http://base/x", ref); got != want {
			t.Errorf("resolveIRI(base, %q) = %q, want %q", ref, got, want)
		}
		if hasDotSegment(iriPath(ref)) != (want != ref) {
			t.Errorf("%q: dot segments %v, but removing them gives %q", ref, hasDotSegment(iriPath(ref)), want)
		}
	}
}

// The context cache is shared: concurrent use must be race-free (run with
// -race) and give the same dataset.
func TestConcurrentToRDF(t *testing.T) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		t.Fatal(err)
	}
	want := canonical(t, decode(t, data, false), nil)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				qs, err := ToRDF(decode(t, data, false), &Options{Safe: true})
				if err != nil {
					errs <- err.Error()
					return
				}
				r, err := rdfc.Canonicalize(qs, nil)
				if err != nil || string(r.NQuads) != want {
					errs <- "dataset differs"
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

// Each run of the conformance tests also decodes numbers as float64: the
// dataset must not depend on the number representation.
func TestFloatInputsMatchNumberInputs(t *testing.T) {
	for _, name := range []string{"0022", "0023", "rt01", "js04", "js05", "js06"} {
		data, err := os.ReadFile("testdata/json-ld-api/toRdf/" + name + "-in.jsonld")
		if err != nil {
			t.Fatal(err)
		}
		a := canonical(t, decode(t, data, true), nil)
		b := canonical(t, decode(t, data, false), nil)
		if a != b {
			t.Errorf("%s: json.Number and float64 differ:\n%s", name, cmp.Diff(a, b))
		}
	}
}

func BenchmarkToRDF(b *testing.B) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		b.Fatal(err)
	}
	doc := decode(b, data, false)
	opts := &Options{Safe: true}
	if _, err := ToRDF(doc, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if _, err := ToRDF(doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAppendRDF is toRdf as signing uses it: into a reused buffer,
// repetitions kept (RDFC reads the quads as a set).
func BenchmarkAppendRDF(b *testing.B) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		b.Fatal(err)
	}
	doc := decode(b, data, false)
	opts := &Options{Safe: true, KeepDuplicates: true}
	qs, err := AppendRDF(nil, doc, opts)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if qs, err = AppendRDF(qs[:0], doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkExpand(b *testing.B) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		b.Fatal(err)
	}
	doc := decode(b, data, false)
	opts := &Options{Safe: true}
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		p := getProc(opts)
		if _, err := p.expandDocument(doc, opts); err != nil {
			b.Fatal(err)
		}
		p.release()
	}
}

// BenchmarkToRDFCanonicalize is the signing pipeline's JSON-LD part plus
// RDFC-1.0, for the record.
func BenchmarkToRDFCanonicalize(b *testing.B) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		b.Fatal(err)
	}
	doc := decode(b, data, false)
	opts := &Options{Safe: true}
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		qs, err := ToRDF(doc, opts)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rdfc.Canonicalize(qs, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func FuzzToRDF(f *testing.F) {
	for _, p := range []string{"testdata/badge.json", "testdata/ob3-spec/document.json", "testdata/ob3-spec/proof.json",
		"testdata/json-ld-api/toRdf/c038-in.jsonld", "testdata/json-ld-api/toRdf/e111-in.jsonld",
		"testdata/json-ld-api/toRdf/js07-in.jsonld", "testdata/json-ld-api/toRdf/in01-in.jsonld",
		"testdata/json-ld-api/toRdf/li02-in.jsonld", "testdata/json-ld-api/toRdf/pr01-in.jsonld"} {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc any
		if dec.Decode(&doc) != nil {
			return
		}
		wd := time.AfterFunc(10*time.Second, func() { panic("hang: " + strconv.Quote(string(data))) })
		defer wd.Stop()
		for _, safe := range []bool{false, true} {
			qs, err := ToRDF(doc, &Options{Safe: safe, Base: "https://fuzz.example/doc"})
			if err != nil {
				continue
			}
			for _, q := range qs {
				if q.Subject.Kind == rdfc.Literal || q.Predicate.Kind != rdfc.IRI {
					t.Fatalf("invalid quad %v", q)
				}
			}
		}
	})
}

// TestAppendRDF: AppendRDF keeps what dst holds and appends exactly what
// ToRDF returns (the same dataset), call after call on a reused buffer.
func TestAppendRDF(t *testing.T) {
	data, err := os.ReadFile("testdata/badge.json")
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, data, false)
	want, err := ToRDF(doc, &Options{Safe: true})
	if err != nil {
		t.Fatal(err)
	}
	mark := rdfc.Quad{Subject: rdfc.Term{Kind: rdfc.IRI, Value: "https://ex.org/kept"},
		Predicate: rdfc.Term{Kind: rdfc.IRI, Value: "https://ex.org/p"},
		Object:    rdfc.Term{Kind: rdfc.Literal, Value: "x", Datatype: rdfc.XSDString}}
	buf := []rdfc.Quad{mark}
	for i := range 3 {
		got, err := AppendRDF(buf[:1], doc, &Options{Safe: true})
		if err != nil {
			t.Fatal(err)
		}
		if got[0] != mark {
			t.Fatalf("call %d: dst[0] overwritten: %v", i, got[0])
		}
		// Map order varies, and with it quad order and blank node labels.
		if iso, err := rdfc.Isomorphic(want, got[1:]); err != nil || !iso {
			t.Fatalf("call %d: AppendRDF differs from ToRDF (%v):\n%v\n%v", i, err, got[1:], want)
		}
		buf = got
	}
}
