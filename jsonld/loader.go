package jsonld

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sync"
)

// RemoteDocument is a loaded document: the JSON value and the URL it was
// finally loaded from (relative references inside it resolve against it).
type RemoteDocument struct {
	DocumentURL string
	Document    any
	ContextURL  string
}

// DocumentLoader loads a context by URL. Implementations must return the
// same immutable Document for repeated calls or fresh copies: callers never
// modify it.
type DocumentLoader interface {
	LoadDocument(url string) (*RemoteDocument, error)
}

//go:embed contexts/*.json
var bundled embed.FS

var defaultLoader = sync.OnceValue(func() *FSLoader {
	idx, err := fs.ReadFile(bundled, "contexts/index.json")
	if err != nil {
		panic("jsonld: bundled contexts/index.json missing: " + err.Error())
	}
	var index map[string]string
	if err := json.Unmarshal(idx, &index); err != nil {
		panic("jsonld: bundled contexts/index.json: " + err.Error())
	}
	sub, _ := fs.Sub(bundled, "contexts")
	return NewLoader(sub, index)
})

// DefaultLoader returns the loader of the contexts bundled with this package
// (credentials v1/v2, Open Badges 2.0/3.0, data integrity, multikey, DID…).
// A URL it does not know is an error naming the URL; it never fetches.
func DefaultLoader() DocumentLoader { return defaultLoader() }

// BundledURLs lists the context URLs DefaultLoader serves.
func BundledURLs() []string {
	l := defaultLoader()
	out := make([]string, 0, len(l.index))
	for u := range l.index {
		out = append(out, u)
	}
	return out
}

// FSLoader serves documents from a file system through an index mapping
// URLs to file names. Each file is parsed once and the parsed value shared.
type FSLoader struct {
	fsys  fs.FS
	index map[string]string
	mu    sync.Mutex
	docs  map[string]*RemoteDocument
}

// NewLoader returns a loader serving index[url] from fsys. Numbers in the
// documents are decoded as json.Number.
func NewLoader(fsys fs.FS, index map[string]string) *FSLoader {
	return &FSLoader{fsys: fsys, index: index, docs: map[string]*RemoteDocument{}}
}

// LoadDocument implements DocumentLoader.
func (l *FSLoader) LoadDocument(url string) (*RemoteDocument, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d, ok := l.docs[url]; ok {
		return d, nil
	}
	name, ok := l.index[url]
	if !ok {
		return nil, fmt.Errorf("load %s: not a bundled document (no fetching)", url)
	}
	data, err := fs.ReadFile(l.fsys, name)
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", url, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("load %s: parse %s: %w", url, name, err)
	}
	d := &RemoteDocument{DocumentURL: url, Document: v}
	l.docs[url] = d
	return d, nil
}
