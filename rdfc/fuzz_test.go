package rdfc

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// addSeeds adds every N-Quads file under testdata as a seed.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join(suiteDir, "rdfc10", "*.nq"))
	more, _ := filepath.Glob("testdata/*.nq")
	files = append(files, more...)
	if len(files) == 0 {
		f.Fatal("no seeds")
	}
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("_:a <urn:p> \"\\u0000\\t\\U0010FFFF\"@en-GB _:g .\r\n# c\r"))
}

// FuzzParseNQuads: the parser never panics, and what it accepts it writes
// back in a form it parses to the same quads.
func FuzzParseNQuads(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ParseNQuads(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Column < 1 {
				t.Fatalf("error %v is not a SyntaxError with a position", err)
			}
			return
		}
		var out []byte
		for _, q := range quads {
			out = AppendNQuad(out, q)
		}
		again, err := ParseNQuads(out)
		if err != nil {
			t.Fatalf("cannot parse our own output %q: %v", out, err)
		}
		if len(quads) == 0 && len(again) == 0 {
			return
		}
		if d := cmp.Diff(quads, again); d != "" {
			t.Fatalf("round trip changed the quads:\n%s", d)
		}
	})
}

// FuzzCanonicalize: parse then canonicalize never panics nor runs away; a
// canonical form is a fixed point and parses back.
func FuzzCanonicalize(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		quads, err := ParseNQuads(data)
		if err != nil {
			return
		}
		res, err := Canonicalize(quads, nil)
		if errors.Is(err, ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("canonicalize parsed quads: %v", err)
		}
		// Lines in strictly increasing code point order (sorted, no repeats).
		lines := bytes.SplitAfter(res.NQuads, []byte("\n"))
		for i := 1; i+1 < len(lines); i++ {
			if bytes.Compare(lines[i-1], lines[i]) >= 0 {
				t.Fatalf("lines out of order:\n%q\n%q", lines[i-1], lines[i])
			}
		}
		again, err := CanonicalizeNQuads(res.NQuads, nil)
		if errors.Is(err, ErrTooComplex) {
			return
		}
		if err != nil {
			t.Fatalf("canonical output does not parse or canonicalize: %v", err)
		}
		if string(again.NQuads) != string(res.NQuads) {
			t.Fatalf("canonical form is not a fixed point:\n%s", cmp.Diff(string(res.NQuads), string(again.NQuads)))
		}
	})
}
