// Package blob stores files (badge images, evidence documents) by key.
//
// The Store interface is shaped after object stores (S3 and compatible):
// flat keys, whole-object puts, content type and SHA-256 kept with the
// object, no listing. Disk implements it on the local file system; an S3
// implementation can be added behind the same interface.
package blob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
)

// Errors callers branch on; returned errors wrap them with context.
var (
	// ErrNotFound: no object under that key.
	ErrNotFound = errors.New("blob not found")
	// ErrTooLarge: the content exceeds the size limit. Nothing was stored.
	ErrTooLarge = errors.New("file too large")
	// ErrInvalidKey: the key is empty, too long, absolute, has "." or ".."
	// segments or characters outside [A-Za-z0-9._-] and '/'.
	ErrInvalidKey = errors.New("invalid blob key")
	// ErrInvalidContentType: the content type is not a valid media type.
	ErrInvalidContentType = errors.New("invalid content type")
	// ErrCorrupt: a stored object cannot be read back (truncated file,
	// damaged metadata).
	ErrCorrupt = errors.New("corrupt blob")
)

// Limits.
const (
	// DefaultMaxSize is the size limit of a Disk unless set otherwise.
	DefaultMaxSize = 20 << 20
	// MaxKeyLength bounds a key, in bytes (S3 allows 1024).
	MaxKeyLength = 256
	// maxKeySegments bounds the depth of a key.
	maxKeySegments = 8
	// maxContentTypeLength bounds a content type.
	maxContentTypeLength = 200
)

// Info describes a stored object.
type Info struct {
	// Key is the object's key.
	Key string `json:"key"`
	// Size is the content length in bytes.
	Size int64 `json:"size"`
	// ContentType is the media type given to Put.
	ContentType string `json:"contentType"`
	// SHA256 is the hex SHA-256 of the content: an ETag, and the key of
	// content-addressed objects.
	SHA256 string `json:"sha256"`
	// Modified is when the object was written.
	Modified time.Time `json:"modified"`
}

// Store keeps objects by key.
type Store interface {
	// Put stores the content of r under key, replacing any object there,
	// atomically: readers see the old object or the whole new one. Content
	// beyond the store's size limit fails with ErrTooLarge and stores
	// nothing. An empty contentType means application/octet-stream.
	Put(ctx context.Context, key string, r io.Reader, contentType string) (Info, error)
	// PutAddressed stores content under a key derived from its SHA-256,
	// prefix + "/" + hh + "/" + sha256 (hh: its first two hex digits), so
	// that the same content is stored once. An existing object is kept
	// (with its first content type).
	PutAddressed(ctx context.Context, prefix string, r io.Reader, contentType string) (Info, error)
	// Get opens the object. The reader also implements io.Seeker (for
	// http.ServeContent); the caller closes it.
	Get(ctx context.Context, key string) (io.ReadCloser, Info, error)
	// Stat describes the object without reading it.
	Stat(ctx context.Context, key string) (Info, error)
	// Delete removes the object. Deleting a missing object is not an
	// error, as in S3.
	Delete(ctx context.Context, key string) error
}

// ValidKey checks a key: 1 to MaxKeyLength bytes of segments separated by
// '/', each segment non-empty, made of letters, digits, '.', '-' and '_',
// and not starting with '.' (so no "." or ".." segments and no hidden
// files). Keys never start or end with '/'.
func ValidKey(key string) error {
	if key == "" || len(key) > MaxKeyLength {
		return fmt.Errorf("%w: length %d not in 1..%d", ErrInvalidKey, len(key), MaxKeyLength)
	}
	n := 0
	for seg := range strings.SplitSeq(key, "/") {
		n++
		if seg == "" {
			return fmt.Errorf("%w: %q has an empty segment (leading, trailing or double '/')", ErrInvalidKey, key)
		}
		if seg[0] == '.' {
			return fmt.Errorf("%w: segment %q of %q starts with '.'", ErrInvalidKey, seg, key)
		}
		for i := 0; i < len(seg); i++ {
			c := seg[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
				return fmt.Errorf("%w: character %q in %q", ErrInvalidKey, c, key)
			}
		}
	}
	if n > maxKeySegments {
		return fmt.Errorf("%w: %q has more than %d segments", ErrInvalidKey, key, maxKeySegments)
	}
	return nil
}

// AddressedKey is the key PutAddressed uses for content with the given hex
// SHA-256.
func AddressedKey(prefix, sha256Hex string) string {
	return prefix + "/" + sha256Hex[:2] + "/" + sha256Hex
}

// normalContentType checks and normalises a content type.
func normalContentType(ct string) (string, error) {
	if ct == "" {
		return "application/octet-stream", nil
	}
	if len(ct) > maxContentTypeLength {
		return "", fmt.Errorf("%w: longer than %d bytes", ErrInvalidContentType, maxContentTypeLength)
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || !strings.Contains(mt, "/") {
		return "", fmt.Errorf("%w: %q", ErrInvalidContentType, ct)
	}
	return mime.FormatMediaType(mt, params), nil
}

// LimitReader returns a reader that reads from r and fails with ErrTooLarge
// as soon as more than n bytes come, so a caller can set a lower limit than
// the store's (images: MaxImageSize).
func LimitReader(r io.Reader, n int64) io.Reader { return &limitReader{r: r, left: n, max: n} }

type limitReader struct {
	r         io.Reader
	left, max int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.left < 0 {
		return 0, fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.max)
	}
	// Read one byte beyond the limit to tell "exactly n" from "more".
	if int64(len(p)) > l.left+1 {
		p = p[:l.left+1]
	}
	n, err := l.r.Read(p)
	l.left -= int64(n)
	if l.left < 0 {
		return n + int(l.left), fmt.Errorf("%w: more than %d bytes", ErrTooLarge, l.max)
	}
	return n, err
}

// ctxReader stops a copy when the context is done.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
