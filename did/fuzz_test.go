package did

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func seedFiles(f *testing.F, pattern string) {
	files, _ := filepath.Glob(pattern)
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseDocument: parsing never panics, and a parsed document survives
// a JSON round trip and method lookups.
func FuzzParseDocument(f *testing.F) {
	seedFiles(f, "testdata/golden/*.json")
	seedFiles(f, "testdata/web/example.com/.well-known/did.json")
	seedFiles(f, "testdata/web/example.com/issuers/alice/did.json")
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("marshal parsed document: %v", err)
		}
		if _, err := ParseDocument(out); err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		for _, m := range doc.VerificationMethod {
			vm, err := doc.Method(m.ID, AssertionMethod)
			if err == nil {
				vm.PublicKey()
			} else if !errors.Is(err, ErrNotAuthorized) && !errors.Is(err, ErrMethodNotFound) {
				t.Fatalf("Method(%q): unexpected error %v", m.ID, err)
			}
		}
	})
}

// FuzzResolve: DID strings of the local methods resolve or fail cleanly; a
// resolved document has the DID as id and its first method is usable.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{
		"did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
		"did:key:1:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		"did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9",
		"did:web:example.com%3A3000:user:alice",
		"did:1edtech:x",
	} {
		f.Add(s)
	}
	r := &MultiResolver{Web: StaticFetcher{}}
	f.Fuzz(func(t *testing.T, s string) {
		WebURL(s)
		SplitURL(s)
		doc, err := r.Resolve(context.Background(), s)
		if err != nil {
			return
		}
		if doc.ID != s {
			t.Fatalf("document id %q for %q", doc.ID, s)
		}
		m, err := doc.Method(doc.VerificationMethod[0].ID, AssertionMethod)
		if err != nil {
			if Method(s) == "jwk" && errors.Is(err, ErrNotAuthorized) {
				return // "use":"enc" keys are for key agreement only
			}
			t.Fatal(err)
		}
		if _, err := m.PublicKey(); err != nil {
			t.Fatalf("resolved method key: %v", err)
		}
	})
}

// FuzzMultikey: decoding never panics and decoded keys re-encode to the input.
func FuzzMultikey(f *testing.F) {
	f.Add("z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")
	f.Add("zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169")
	f.Add("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
	f.Fuzz(func(t *testing.T, s string) {
		if k, err := DecodeMultikey(s); err == nil {
			enc, err := EncodeMultikey(k)
			if err != nil || enc != s {
				t.Fatalf("re-encode %q = %q, %v", s, enc, err)
			}
		}
		if k, err := DecodePrivateMultikey(s); err == nil {
			enc, err := EncodePrivateMultikey(k)
			if err != nil || enc != s {
				t.Fatalf("re-encode private %q = %q, %v", s, enc, err)
			}
		}
	})
}
