package api

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzCheckCredential runs the data model rules on any JSON object: they
// must never panic, and a problem always names a path under the root.
func FuzzCheckCredential(f *testing.F) {
	files, _ := filepath.Glob("testdata/w3c-vcdm2/*.json")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"relatedResource":[{"id":"urn:a","digestSRI":["sha256-x",1]},{"id":"urn:a"}],"name":[{"@value":1,"x":2}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var doc map[string]any
		if dec.Decode(&doc) != nil || doc == nil {
			return
		}
		for _, mode := range []checkMode{forIssue, forVerify} {
			for _, p := range checkCredential(doc, "c", mode) {
				if len(p.Path) < 1 || p.Path[0] != 'c' || p.Message == "" {
					t.Fatalf("problem %+v", p)
				}
			}
		}
		for _, p := range checkPresentation(doc, "p") {
			if len(p.Path) < 1 || p.Path[0] != 'p' || p.Message == "" {
				t.Fatalf("problem %+v", p)
			}
		}
	})
}
