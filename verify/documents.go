package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"
)

// ErrNotOffline is returned by Documents for a URL its index does not hold:
// offline verification never falls back to the network.
var ErrNotOffline = errors.New("not among the offline documents")

// maxDocument bounds each offline document, like the online fetcher does.
const maxDocument = 4 << 20

// Documents serves the documents a verification needs (DID documents, key
// URLs, status and revocation lists) from a directory, for appraisers without
// network access and for tests. DIR/index.json is one JSON object mapping
// each URL or DID to a file name in DIR.
type Documents struct {
	fsys  fs.FS
	index map[string]string
}

// OpenDocuments reads dir/index.json.
func OpenDocuments(dir string) (*Documents, error) {
	return NewDocuments(os.DirFS(dir))
}

// NewDocuments reads index.json at the root of fsys.
func NewDocuments(fsys fs.FS) (*Documents, error) {
	raw, err := fs.ReadFile(fsys, "index.json")
	if err != nil {
		return nil, fmt.Errorf("offline documents: %w", err)
	}
	var index map[string]string
	if err := json.Unmarshal(raw, &index); err != nil {
		return nil, fmt.Errorf("offline documents: index.json: %w", err)
	}
	for url, name := range index {
		// Names are relative to the directory; refuse a way out of it.
		if !fs.ValidPath(name) || strings.Contains(name, `\`) {
			return nil, fmt.Errorf("offline documents: index.json: %q maps to %q, which is not a file name inside the directory", url, name)
		}
	}
	return &Documents{fsys: fsys, index: index}, nil
}

// Fetch returns the document mapped to url.
func (d *Documents) Fetch(_ context.Context, url string) ([]byte, error) {
	name, ok := d.index[url]
	if !ok {
		return nil, fmt.Errorf("%s: %w", url, ErrNotOffline)
	}
	f, err := d.fsys.Open(path.Clean(name))
	if err != nil {
		return nil, fmt.Errorf("offline document for %s: %w", url, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("offline document for %s: %w", url, err)
	}
	if len(data) > maxDocument {
		return nil, fmt.Errorf("offline document for %s: larger than %d bytes", url, maxDocument)
	}
	return data, nil
}

// Has reports whether url (or a DID) is in the index.
func (d *Documents) Has(url string) bool {
	_, ok := d.index[url]
	return ok
}
