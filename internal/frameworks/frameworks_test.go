package frameworks

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func read(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseCSVValid(t *testing.T) {
	for _, name := range []string{"qc_numerique.csv", "qc_numerique_semicolon.csv"} {
		t.Run(name, func(t *testing.T) {
			f, err := ParseCSV(read(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Roots) != 12 || len(f.Items) != 36 {
				t.Fatalf("%d dimensions, %d items; want 12, 36", len(f.Roots), len(f.Items))
			}
			d1 := f.Roots[0]
			if d1.Code != "D1" || d1.Name != "Agir en citoyen éthique à l'ère du numérique" || d1.URL != "https://competences.example.qc.ca/dimensions/1" {
				t.Errorf("first dimension %+v", d1)
			}
			var kids []string
			for _, c := range d1.Children {
				kids = append(kids, c.Code)
			}
			if diff := cmp.Diff([]string{"D1.1", "D1.2"}, kids); diff != "" {
				t.Errorf("children (-want +got):\n%s", diff)
			}
			if f.Find("D12.2") == nil || f.Find("D12.2").ParentCode != "D12" {
				t.Errorf("D12.2 not under D12")
			}
		})
	}
}

func TestParseCSVErrors(t *testing.T) {
	const head = "code,name,parent_code,description,url\n"
	for _, c := range []struct {
		name string
		in   string
		want []string // Problem.String() of each
	}{
		{"missing code", head + "A,Alpha,,,\n,Beta,A,,\n", []string{"line 3: missing_code"}},
		{"missing name", head + "A,,,,\n", []string{"line 2: missing_name"}},
		{"unknown parent", head + "A,Alpha,,,\nB,Beta,Z,,\n", []string{"line 3: unknown_parent (Z)"}},
		{"duplicate code", head + "A,Alpha,,,\nB,Beta,A,,\nA,Again,,,\n", []string{"line 4: duplicate_code (A)"}},
		{"cycle", head + "R,Root,,,\nA,Alpha,B,,\nB,Beta,A,,\nC,Gamma,A,,\n", []string{"line 3: cycle (A)", "line 4: cycle (B)"}},
		{"self parent", head + "A,Alpha,A,,\n", []string{"line 2: cycle (A)"}},
		{"bad encoding", head + "A,Alpha,,,\nB,B\xe9ta,A,,\n", []string{"line 3: encoding"}},
		{"bad url", head + "A,Alpha,,,ftp://x\n", []string{"line 2: bad_url (ftp://x)"}},
		{"too long", head + "A," + strings.Repeat("n", MaxNameLen+1) + ",,,\n", []string{"line 2: too_long (name)"}},
		{"header without name", "code,label\nA,Alpha\n", []string{"line 1: header (name)"}},
		{"quoting", head + "A,\"Alpha,,,\n", []string{"line 2: syntax (extraneous or missing \" in quoted-field)"}},
		{"several at once", head + ",Alpha,,,\nB,Beta,Q,,\nB,Beta,,,\n",
			[]string{"line 2: missing_code", "line 4: duplicate_code (B)", "line 3: unknown_parent (Q)"}},
		{"empty", head, []string{"file: empty"}},
		{"quoted multi-line description keeps lines", head + "A,Alpha,,\"one\ntwo\",\nB,,A,,\n", []string{"line 4: missing_name"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseCSV([]byte(c.in))
			if f != nil {
				t.Errorf("returned a framework with errors")
			}
			errs, ok := err.(Errors)
			if !ok {
				t.Fatalf("error %v (%T), want Errors", err, err)
			}
			var got []string
			for _, p := range errs {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseCSVTooLarge(t *testing.T) {
	if _, err := ParseCSV(make([]byte, MaxBytes+1)); err != ErrTooLarge {
		t.Errorf("got %v", err)
	}
	var b strings.Builder
	for i := 0; i <= MaxItems; i++ {
		fmt.Fprintf(&b, "C%d,n,,,\n", i)
	}
	_, err := ParseCSV([]byte(b.String()))
	if diff := cmp.Diff(Errors{{Line: MaxItems + 1, Reason: ReasonTooMany}}, err); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestParseCASE(t *testing.T) {
	f, err := ParseCASE(read(t, "case_sample.json"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Name != "Compétence numérique (échantillon CASE)" || len(f.Roots) != 3 || len(f.Items) != 9 {
		t.Fatalf("%q: %d dimensions, %d items", f.Name, len(f.Roots), len(f.Items))
	}
	d := f.Roots[1]
	if d.Code != "CN.2" || d.Name != "Développer et mobiliser ses habiletés technologiques" || len(d.Children) != 2 ||
		d.Children[0].Code != "CN.2.1" || d.Children[0].Name != "Composante 2.1" || !strings.HasPrefix(d.Children[0].URL, "https://case.example.org/uri/") {
		t.Errorf("dimension %+v, children %+v", d, d.Children)
	}
	// The same package wrapped as {"CFPackage": …} reads the same.
	g, err := ParseCASE([]byte(`{"CFPackage":` + string(read(t, "case_sample.json")) + `}`))
	if err != nil || len(g.Items) != 9 {
		t.Errorf("wrapped: %v", err)
	}
}

func TestParseCASEErrors(t *testing.T) {
	doc := `"CFDocument":{"identifier":"doc","title":"T"}`
	item := func(id, code, name string) string {
		return `{"identifier":"` + id + `","humanCodingScheme":"` + code + `","fullStatement":"` + name + `"}`
	}
	child := func(c, p string) string {
		return `{"associationType":"isChildOf","originNodeURI":{"identifier":"` + c + `"},"destinationNodeURI":{"identifier":"` + p + `"}}`
	}
	for _, c := range []struct {
		name, in string
		want     []string
	}{
		{"unknown parent", `{` + doc + `,"CFItems":[` + item("i1", "A", "Alpha") + `],"CFAssociations":[` + child("i1", "nowhere") + `]}`,
			[]string{`item "i1": unknown_parent (nowhere)`}},
		{"duplicate code", `{` + doc + `,"CFItems":[` + item("i1", "A", "Alpha") + `,` + item("i2", "A", "Beta") + `]}`,
			[]string{`item "i2": duplicate_code (A)`}},
		{"cycle", `{` + doc + `,"CFItems":[` + item("i1", "A", "Alpha") + `,` + item("i2", "B", "Beta") + `],"CFAssociations":[` +
			child("i1", "i2") + `,` + child("i2", "i1") + `]}`, []string{`item "i1": cycle (A)`, `item "i2": cycle (B)`}},
		{"missing name", `{` + doc + `,"CFItems":[` + item("i1", "A", "") + `]}`, []string{`item "i1": missing_name`}},
		{"no identifier", `{` + doc + `,"CFItems":[` + item("", "A", "Alpha") + `]}`, []string{`file: missing_code (identifier)`}},
		{"no document", `{"CFItems":[]}`, []string{`file: syntax (no CFDocument)`}},
		{"not JSON", `{`, []string{`file: syntax (unexpected end of JSON input)`}},
		{"bad encoding", "{\"x\":\"\xff\"}", []string{`file: encoding`}},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := ParseCASE([]byte(c.in))
			errs, ok := err.(Errors)
			if !ok || f != nil {
				t.Fatalf("got %v, %v", f, err)
			}
			var got []string
			for _, p := range errs {
				got = append(got, p.String())
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCoverage(t *testing.T) {
	f, err := ParseCSV(read(t, "qc_numerique.csv"))
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{"D3.1": true, "D3.2": true, "D5.1": true}
	cov := Coverage(f, func(it *Item) bool { return have[it.Code] })
	if len(cov) != 12 {
		t.Fatalf("%d dimensions", len(cov))
	}
	for i, c := range cov {
		want := map[int]int{2: 2, 4: 1}[i]
		if len(c.Items) != 2 || len(c.Covered) != want {
			t.Errorf("dimension %s: %d of %d covered, want %d of 2", c.Dimension.Code, len(c.Covered), len(c.Items), want)
		}
	}
	// A dimension without items counts itself.
	g, _ := ParseCSV([]byte("A,Alpha,,,\n"))
	if c := Coverage(g, func(*Item) bool { return true }); len(c[0].Items) != 1 || len(c[0].Covered) != 1 {
		t.Errorf("leaf dimension %+v", c)
	}
}

func TestFromItems(t *testing.T) {
	f, err := ParseCSV(read(t, "qc_numerique.csv"))
	if err != nil {
		t.Fatal(err)
	}
	g, err := FromItems("n", "", "", f.Items)
	if err != nil || len(g.Roots) != 12 || len(g.Roots[0].Children) != 2 {
		t.Fatalf("%v", err)
	}
}

func FuzzParseCSV(f *testing.F) {
	for _, name := range []string{"qc_numerique.csv", "qc_numerique_semicolon.csv"} {
		f.Add(read(f, name))
	}
	f.Add([]byte("A,Alpha,B,,\nB,Beta,A,,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := ParseCSV(data)
		if (fw == nil) == (err == nil) {
			t.Fatalf("framework %v and error %v", fw, err)
		}
		if fw != nil {
			checkTree(t, fw)
		}
	})
}

func FuzzParseCASE(f *testing.F) {
	f.Add(read(f, "case_sample.json"))
	f.Add([]byte(`{"CFDocument":{"identifier":"d","title":"t"},"CFItems":[{"identifier":"i","fullStatement":"x"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		fw, err := ParseCASE(data)
		if (fw == nil) == (err == nil) {
			t.Fatalf("framework %v and error %v", fw, err)
		}
		if fw != nil {
			checkTree(t, fw)
		}
	})
}

// checkTree: every item is reached once from the roots.
func checkTree(t *testing.T, f *Framework) {
	seen := map[*Item]bool{}
	var walk func(*Item)
	walk = func(it *Item) {
		if seen[it] {
			t.Fatalf("item %q reached twice", it.Code)
		}
		seen[it] = true
		for _, c := range it.Children {
			walk(c)
		}
	}
	for _, r := range f.Roots {
		walk(r)
	}
	if len(seen) != len(f.Items) {
		t.Fatalf("%d items reached of %d", len(seen), len(f.Items))
	}
}
