package rdfc

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const suiteDir = "testdata/rdf-canon"

type manifestEntry struct {
	ID            string `json:"id"`
	Type          string `json:"type"`
	Name          string `json:"name"`
	Approval      string `json:"approval"`
	Action        string `json:"action"`
	Result        string `json:"result"`
	HashAlgorithm string `json:"hashAlgorithm"`
}

func loadManifest(t testing.TB) []manifestEntry {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(suiteDir, "manifest.jsonld"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Entries []manifestEntry `json:"entries"`
	}
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Entries) == 0 {
		t.Fatal("manifest has no entries")
	}
	return m.Entries
}

// TestW3CSuite runs every test of the W3C RDFC-1.0 test suite.
func TestW3CSuite(t *testing.T) {
	counts := map[string]int{}
	for _, e := range loadManifest(t) {
		t.Run(strings.TrimPrefix(e.ID, "#")+"/"+e.Name, func(t *testing.T) {
			if e.Approval != "rdft:Approved" {
				t.Skipf("approval %s", e.Approval)
			}
			input, err := os.ReadFile(filepath.Join(suiteDir, e.Action))
			if err != nil {
				t.Fatal(err)
			}
			quads, err := ParseNQuads(input)
			if err != nil {
				t.Fatalf("parse input: %v", err)
			}
			opts := &Options{Hash: e.HashAlgorithm}
			switch e.Type {
			case "rdfc:RDFC10EvalTest":
				want, err := os.ReadFile(filepath.Join(suiteDir, e.Result))
				if err != nil {
					t.Fatal(err)
				}
				res, err := Canonicalize(quads, opts)
				if err != nil {
					t.Fatal(err)
				}
				if string(res.NQuads) != string(want) {
					t.Errorf("canonical N-Quads differ (-want +got):\n%s", cmp.Diff(string(want), string(res.NQuads)))
				}
				checkQuadsMatch(t, res)
			case "rdfc:RDFC10MapTest":
				data, err := os.ReadFile(filepath.Join(suiteDir, e.Result))
				if err != nil {
					t.Fatal(err)
				}
				var want map[string]string
				if err := json.Unmarshal(data, &want); err != nil {
					t.Fatal(err)
				}
				res, err := Canonicalize(quads, opts)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(want, res.Issued); d != "" {
					t.Errorf("issued identifiers differ (-want +got):\n%s", d)
				}
			case "rdfc:RDFC10NegativeEvalTest":
				start := time.Now()
				_, err := Canonicalize(quads, opts)
				if !errors.Is(err, ErrTooComplex) {
					t.Fatalf("got error %v, want ErrTooComplex", err)
				}
				// The bound must make a poison graph fail fast, not after
				// minutes; a generous ceiling absorbs slow CI machines.
				if d := time.Since(start); d > 2*time.Second {
					t.Errorf("took %v to give up", d)
				}
			default:
				t.Fatalf("unknown test type %s", e.Type)
			}
			counts[e.Type]++
		})
	}
	t.Logf("passed or run: %v", counts)
}

// checkQuadsMatch verifies Result.Quads serializes to Result.NQuads.
func checkQuadsMatch(t *testing.T, res *Result) {
	t.Helper()
	var b []byte
	for _, q := range res.Quads {
		b = AppendNQuad(b, q)
	}
	if string(b) != string(res.NQuads) {
		t.Errorf("Result.Quads do not match Result.NQuads:\n%s\nvs\n%s", b, res.NQuads)
	}
}
