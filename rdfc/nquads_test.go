package rdfc

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseNQuads(t *testing.T) {
	s, p := NewIRI("http://example.org/s"), NewIRI("http://example.org/p")
	tests := []struct {
		name string
		in   string
		want []Quad
	}{
		{"empty", "", []Quad{}},
		{"comments and blank lines", "# c\n\n  \t\r\n# d", []Quad{}},
		{"iri triple", "<http://example.org/s> <http://example.org/p> <http://example.org/o> .",
			[]Quad{{Subject: s, Predicate: p, Object: NewIRI("http://example.org/o")}}},
		{"no spaces", "<http://example.org/s><http://example.org/p>_:o.",
			[]Quad{{Subject: s, Predicate: p, Object: NewBlankNode("o")}}},
		{"blank node label ending in dot", "_:a.b <http://example.org/p> _:c.d.\n",
			[]Quad{{Subject: NewBlankNode("a.b"), Predicate: p, Object: NewBlankNode("c.d")}}},
		{"blank node digits and unicode", "_:0é-x·y <http://example.org/p> _:_:z .",
			[]Quad{{Subject: NewBlankNode("0é-x·y"), Predicate: p, Object: NewBlankNode("_:z")}}},
		{"simple literal", `<http://example.org/s> <http://example.org/p> "v" .`,
			[]Quad{{Subject: s, Predicate: p, Object: NewLiteral("v", XSDString, "")}}},
		{"explicit xsd:string", `<http://example.org/s> <http://example.org/p> "v"^^<http://www.w3.org/2001/XMLSchema#string> .`,
			[]Quad{{Subject: s, Predicate: p, Object: NewLiteral("v", XSDString, "")}}},
		{"language", `<http://example.org/s> <http://example.org/p> "chat"@fr-CA .`,
			[]Quad{{Subject: s, Predicate: p, Object: NewLiteral("chat", LangString, "fr-CA")}}},
		{"datatype", `<http://example.org/s> <http://example.org/p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .`,
			[]Quad{{Subject: s, Predicate: p, Object: NewLiteral("1", "http://www.w3.org/2001/XMLSchema#integer", "")}}},
		{"escapes", `<http://example.org/s> <http://example.org/p> "\t\b\n\r\f\"\'\\\u00e9\U0001F303" .`,
			[]Quad{{Subject: s, Predicate: p, Object: NewLiteral("\t\b\n\r\f\"'\\é🌃", XSDString, "")}}},
		{"iri escapes", `<http://example.org/\u0073> <http://example.org/p> <urn:x:\U0001F303> .`,
			[]Quad{{Subject: s, Predicate: p, Object: NewIRI("urn:x:🌃")}}},
		{"named graph iri", "<http://example.org/s> <http://example.org/p> _:o <http://example.org/g> .",
			[]Quad{{Subject: s, Predicate: p, Object: NewBlankNode("o"), Graph: NewIRI("http://example.org/g")}}},
		{"named graph blank node, comment after", "<http://example.org/s> <http://example.org/p> _:o _:g . # end",
			[]Quad{{Subject: s, Predicate: p, Object: NewBlankNode("o"), Graph: NewBlankNode("g")}}},
		{"CRLF and CR line ends", "_:a <http://example.org/p> _:b .\r\n_:a <http://example.org/p> _:c .\r_:a <http://example.org/p> _:d .",
			[]Quad{
				{Subject: NewBlankNode("a"), Predicate: p, Object: NewBlankNode("b")},
				{Subject: NewBlankNode("a"), Predicate: p, Object: NewBlankNode("c")},
				{Subject: NewBlankNode("a"), Predicate: p, Object: NewBlankNode("d")},
			}},
		{"duplicates kept", "_:a <http://example.org/p> _:b .\n_:a <http://example.org/p> _:b .\n",
			[]Quad{
				{Subject: NewBlankNode("a"), Predicate: p, Object: NewBlankNode("b")},
				{Subject: NewBlankNode("a"), Predicate: p, Object: NewBlankNode("b")},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseNQuads([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestParseNQuadsErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		line int
		msg  string
	}{
		{"relative IRI", "<s> <http://example.org/p> <http://example.org/o> .", 1, "not absolute"},
		{"space in IRI", "<http://example.org/a b> <http://example.org/p> <http://example.org/o> .", 1, "not allowed in an IRI"},
		{"escaped space in IRI", `<http://example.org/a\u0020b> <http://example.org/p> <http://example.org/o> .`, 1, "not allowed in an IRI"},
		{"unterminated IRI", "<http://example.org/s", 1, "unterminated IRI"},
		{"missing dot", "<http://example.org/s> <http://example.org/p> <http://example.org/o>\n", 1, "expected '.'"},
		{"two statements on a line", "_:a <http://example.org/p> _:b . _:a <http://example.org/p> _:c .", 1, "after the end"},
		{"literal subject", `"s" <http://example.org/p> <http://example.org/o> .`, 1, "literal cannot be the subject"},
		{"blank node predicate", "_:a _:p _:b .", 1, "predicate must be an IRI"},
		{"literal graph", `_:a <http://example.org/p> _:b "g" .`, 1, "literal cannot be the graph label"},
		{"bad escape", `_:a <http://example.org/p> "\x" .`, 1, "invalid escape"},
		{"short uchar", `_:a <http://example.org/p> "\u12" .`, 1, "invalid hexadecimal"},
		{"surrogate", `_:a <http://example.org/p> "\uD800" .`, 1, "not a Unicode scalar value"},
		{"raw newline in literal", "_:a <http://example.org/p> \"a\nb\" .", 1, "line break inside"},
		{"unterminated literal", `_:a <http://example.org/p> "abc`, 1, "unterminated string"},
		{"empty language", `_:a <http://example.org/p> "a"@ .`, 1, "empty language tag"},
		{"bad language subtag", `_:a <http://example.org/p> "a"@en- .`, 1, "empty subtag"},
		{"direction is not N-Quads 1.1", `_:a <http://example.org/p> "a"@en--ltr .`, 1, "empty subtag"},
		{"single caret", `_:a <http://example.org/p> "a"^<http://example.org/d> .`, 1, "'^^<'"},
		{"bad blank node start", "_:-a <http://example.org/p> _:b .", 1, "cannot start a blank node"},
		{"missing object", "_:a <http://example.org/p> .", 1, "where the object should start"},
		{"missing object at end", "_:a <http://example.org/p>", 1, "missing object"},
		{"error on later line", "# ok\n_:a <http://example.org/p> _:b .\r\n_:a <http://example.org/p> _:b", 3, "expected '.'"},
		{"invalid UTF-8", "_:a <http://example.org/p> _:b .\n_:a <http://example.org/p> \"\xff\" .", 2, "invalid UTF-8"},
		{"bare word", "a <http://example.org/p> _:b .", 1, "unexpected character"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseNQuads([]byte(tc.in))
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SyntaxError", err)
			}
			if se.Line != tc.line || !strings.Contains(se.Msg, tc.msg) {
				t.Errorf("got %q (line %d), want line %d and %q", err, se.Line, tc.line, tc.msg)
			}
			if !strings.Contains(err.Error(), "line ") {
				t.Errorf("message %q does not name the line", err)
			}
		})
	}
}

func TestAppendNQuad(t *testing.T) {
	s, p := NewIRI("http://example.org/s"), NewIRI("http://example.org/p")
	tests := []struct {
		name string
		q    Quad
		want string
	}{
		{"iri", Quad{Subject: s, Predicate: p, Object: NewIRI("http://example.org/o")},
			"<http://example.org/s> <http://example.org/p> <http://example.org/o> .\n"},
		{"blank nodes and graph", Quad{Subject: NewBlankNode("b0"), Predicate: p, Object: NewBlankNode("b1"), Graph: NewBlankNode("g")},
			"_:b0 <http://example.org/p> _:b1 _:g .\n"},
		{"xsd:string omitted", Quad{Subject: s, Predicate: p, Object: NewLiteral("v", XSDString, "")},
			"<http://example.org/s> <http://example.org/p> \"v\" .\n"},
		{"empty datatype is xsd:string", Quad{Subject: s, Predicate: p, Object: NewLiteral("v", "", "")},
			"<http://example.org/s> <http://example.org/p> \"v\" .\n"},
		{"language without datatype", Quad{Subject: s, Predicate: p, Object: NewLiteral("v", "", "en")},
			"<http://example.org/s> <http://example.org/p> \"v\"@en .\n"},
		{"language with langString", Quad{Subject: s, Predicate: p, Object: NewLiteral("v", LangString, "en")},
			"<http://example.org/s> <http://example.org/p> \"v\"@en .\n"},
		{"typed", Quad{Subject: s, Predicate: p, Object: NewLiteral("1", "http://www.w3.org/2001/XMLSchema#integer", ""), Graph: NewIRI("http://example.org/g")},
			"<http://example.org/s> <http://example.org/p> \"1\"^^<http://www.w3.org/2001/XMLSchema#integer> <http://example.org/g> .\n"},
		{"escaping", Quad{Subject: s, Predicate: p, Object: NewLiteral("\x00\x07\b\t\n\x0b\f\r\x0e\x1f \"'\\\x7f\u0080é🌃", "", "")},
			`<http://example.org/s> <http://example.org/p> "\u0000\u0007\b\t\n\u000B\f\r\u000E\u001F \"'\\\u007F` + "\u0080é🌃\" .\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := string(AppendNQuad(nil, tc.q)); got != tc.want {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
			if got := tc.q.String(); got != strings.TrimSuffix(tc.want, "\n") {
				t.Errorf("String() = %q", got)
			}
		})
	}
}

func TestTermString(t *testing.T) {
	tests := []struct {
		name string
		t    Term
		want string
	}{
		{"default graph", Term{}, ""},
		{"iri", NewIRI("urn:x"), "<urn:x>"},
		{"blank node", NewBlankNode("b0"), "_:b0"},
		{"literal", NewLiteral("a\"b", "", "en"), `"a\"b"@en`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.t.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestCanonicalFilesRoundTrip parses every canonical N-Quads file of the
// W3C suite and writes it back: the bytes must not change.
func TestCanonicalFilesRoundTrip(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(suiteDir, "rdfc10", "*-rdfc10.nq"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no canonical files: %v", err)
	}
	files = append(files, "testdata/ob3-spec-document-canon.nq", "testdata/ob3-spec-proof-canon.nq")
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			quads, err := ParseNQuads(data)
			if err != nil {
				t.Fatal(err)
			}
			var out []byte
			for _, q := range quads {
				out = AppendNQuad(out, q)
			}
			if string(out) != string(data) {
				t.Errorf("round trip differs (-want +got):\n%s", cmp.Diff(string(data), string(out)))
			}
		})
	}
}
