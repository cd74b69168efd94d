package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// openStore opens an empty store with the given size limit.
type openStore func(t *testing.T, maxSize int64) Store

// testStore checks the behaviour every Store implementation shares (the
// contract written on the interface), so that Disk and S3 are
// interchangeable.
func testStore(t *testing.T, open openStore) {
	t.Run("RoundTrip", func(t *testing.T) { storeRoundTrip(t, open(t, DefaultMaxSize)) })
	t.Run("Empty", func(t *testing.T) { storeEmpty(t, open(t, DefaultMaxSize)) })
	t.Run("Overwrite", func(t *testing.T) { storeOverwrite(t, open(t, DefaultMaxSize)) })
	t.Run("NotFound", func(t *testing.T) { storeNotFound(t, open(t, DefaultMaxSize)) })
	t.Run("Addressed", func(t *testing.T) { storeAddressed(t, open(t, DefaultMaxSize)) })
	t.Run("TooLarge", func(t *testing.T) { storeTooLarge(t, open(t, 100)) })
	t.Run("FailedPut", func(t *testing.T) { storeFailedPut(t, open(t, DefaultMaxSize)) })
	t.Run("BadInput", func(t *testing.T) { storeBadInput(t, open(t, DefaultMaxSize)) })
	t.Run("ServeContent", func(t *testing.T) { storeServeContent(t, open(t, DefaultMaxSize)) })
	t.Run("Concurrent", func(t *testing.T) { storeConcurrent(t, open(t, DefaultMaxSize)) })
}

func TestDiskStore(t *testing.T) {
	testStore(t, func(t *testing.T, maxSize int64) Store {
		d, _ := newDisk(t)
		d.MaxSize = maxSize
		return d
	})
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// sameInfo compares infos, times by instant.
func sameInfo(a, b Info) bool {
	return a.Key == b.Key && a.Size == b.Size && a.ContentType == b.ContentType && a.SHA256 == b.SHA256 && a.Modified.Equal(b.Modified)
}

func mustGet(t *testing.T, s Store, key string) ([]byte, Info) {
	t.Helper()
	rc, info, err := s.Get(bg, key)
	if err != nil {
		t.Fatalf("Get(%s): %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %s: %v", key, err)
	}
	return b, info
}

func storeRoundTrip(t *testing.T, s Store) {
	content := []byte("%PDF-1.7 evidence of a skill")
	before := time.Now().Add(-time.Second)
	info, err := s.Put(bg, "evidence/a1.pdf", bytes.NewReader(content), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	if info.Key != "evidence/a1.pdf" || info.Size != int64(len(content)) || info.ContentType != "application/pdf" || info.SHA256 != sha256Hex(content) {
		t.Errorf("Put info = %+v", info)
	}
	// Disk tests pin the clock at 2025; otherwise the time is now.
	if info.Modified.IsZero() || info.Modified.Location() != time.UTC || info.Modified.After(time.Now().Add(time.Second)) ||
		info.Modified.Before(before) && info.Modified.Year() != 2025 {
		t.Errorf("Put Modified = %v", info.Modified)
	}
	st, err := s.Stat(bg, "evidence/a1.pdf")
	if err != nil || !sameInfo(st, info) {
		t.Errorf("Stat = %+v, %v\nwant %+v", st, err, info)
	}
	got, gi := mustGet(t, s, "evidence/a1.pdf")
	if !bytes.Equal(got, content) || !sameInfo(gi, info) {
		t.Errorf("Get = %q, %+v", got, gi)
	}
	// Content types are normalised; empty means octet-stream.
	for _, tc := range []struct{ in, want string }{
		{"Text/HTML; Charset=UTF-8", "text/html; charset=UTF-8"},
		{"", "application/octet-stream"},
		{"image/svg+xml", "image/svg+xml"},
	} {
		if info, err := s.Put(bg, "ct", strings.NewReader("x"), tc.in); err != nil || info.ContentType != tc.want {
			t.Errorf("Put content type %q = %q, %v", tc.in, info.ContentType, err)
		}
		if st, err := s.Stat(bg, "ct"); err != nil || st.ContentType != tc.want {
			t.Errorf("Stat content type %q = %q, %v", tc.in, st.ContentType, err)
		}
	}
}

func storeEmpty(t *testing.T, s Store) {
	info, err := s.Put(bg, "empty", bytes.NewReader(nil), "text/plain")
	if err != nil || info.Size != 0 || info.SHA256 != sha256Hex(nil) {
		t.Fatalf("Put empty = %+v, %v", info, err)
	}
	got, gi := mustGet(t, s, "empty")
	if len(got) != 0 || gi.Size != 0 || gi.SHA256 != info.SHA256 {
		t.Errorf("Get empty = %q, %+v", got, gi)
	}
}

func storeOverwrite(t *testing.T, s Store) {
	if _, err := s.Put(bg, "img/logo", strings.NewReader("first version, longer"), "image/png"); err != nil {
		t.Fatal(err)
	}
	info, err := s.Put(bg, "img/logo", strings.NewReader("v2"), "image/svg+xml")
	if err != nil {
		t.Fatal(err)
	}
	got, gi := mustGet(t, s, "img/logo")
	if string(got) != "v2" || !sameInfo(gi, info) || gi.ContentType != "image/svg+xml" || gi.Size != 2 {
		t.Errorf("after overwrite: %q, %+v", got, gi)
	}
}

func storeNotFound(t *testing.T, s Store) {
	s.Put(bg, "a/b", strings.NewReader("x"), "")
	for _, key := range []string{"nothing/here", "a", "a/b/c", "a/bc", "A/b"} {
		if _, err := s.Stat(bg, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Stat(%s) = %v, want ErrNotFound", key, err)
		}
		if rc, _, err := s.Get(bg, key); !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%s) = %v, want ErrNotFound", key, err)
			if rc != nil {
				rc.Close()
			}
		}
		if err := s.Delete(bg, key); err != nil {
			t.Errorf("Delete(%s) of a missing object = %v", key, err)
		}
	}
	if _, err := s.Stat(bg, "a/b"); err != nil {
		t.Errorf("deleting missing keys removed a/b: %v", err)
	}
	if err := s.Delete(bg, "a/b"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Stat(bg, "a/b"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after Delete = %v", err)
	}
	if err := s.Delete(bg, "a/b"); err != nil {
		t.Errorf("second Delete = %v", err)
	}
}

func storeAddressed(t *testing.T, s Store) {
	png, err := os.ReadFile("testdata/good-16x16.png")
	if err != nil {
		t.Fatal(err)
	}
	h := sha256Hex(png)
	a, err := s.PutAddressed(bg, "images", bytes.NewReader(png), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if a.Key != "images/"+h[:2]+"/"+h || a.SHA256 != h || a.Size != int64(len(png)) || a.ContentType != "image/png" {
		t.Errorf("first PutAddressed = %+v", a)
	}
	// The same content again keeps the first object, content type and time.
	time.Sleep(2 * time.Millisecond)
	b, err := s.PutAddressed(bg, "images", bytes.NewReader(png), "application/octet-stream")
	if err != nil || !sameInfo(a, b) {
		t.Errorf("second PutAddressed = %+v, %v\nwant the first %+v", b, err, a)
	}
	if st, err := s.Stat(bg, a.Key); err != nil || !sameInfo(st, a) {
		t.Errorf("Stat = %+v, %v", st, err)
	}
	// Other content, or another prefix, is another object.
	c, err := s.PutAddressed(bg, "images", strings.NewReader("other"), "text/plain")
	if err != nil || c.Key == a.Key || c.Key != AddressedKey("images", sha256Hex([]byte("other"))) {
		t.Errorf("other content: %+v, %v", c, err)
	}
	d, err := s.PutAddressed(bg, "evidence/x", bytes.NewReader(png), "image/png")
	if err != nil || d.Key != AddressedKey("evidence/x", h) {
		t.Errorf("other prefix: %+v, %v", d, err)
	}
	got, _ := mustGet(t, s, a.Key)
	if !bytes.Equal(got, png) {
		t.Error("addressed content differs")
	}
	// An object replaced under its addressed key by other content is
	// rewritten by the next PutAddressed.
	if _, err := s.Put(bg, a.Key, strings.NewReader("damaged"), "image/png"); err != nil {
		t.Fatal(err)
	}
	if e, err := s.PutAddressed(bg, "images", bytes.NewReader(png), "image/png"); err != nil || e.SHA256 != h {
		t.Errorf("repair: %+v, %v", e, err)
	}
	if got, _ := mustGet(t, s, a.Key); !bytes.Equal(got, png) {
		t.Errorf("damaged addressed object not repaired: %q", got)
	}
}

func storeTooLarge(t *testing.T, s Store) {
	tests := []struct {
		name string
		size int
		want error
	}{
		{"empty", 0, nil},
		{"below", 99, nil},
		{"exactly", 100, nil},
		{"one-over", 101, ErrTooLarge},
		{"far-over", 5 << 20, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "size/" + tc.name
			info, err := s.Put(bg, key, bytes.NewReader(make([]byte, tc.size)), "")
			if tc.want == nil {
				if err != nil || info.Size != int64(tc.size) {
					t.Fatalf("Put = %+v, %v", info, err)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Put err = %v, want %v", err, tc.want)
			}
			if _, err := s.Stat(bg, key); !errors.Is(err, ErrNotFound) {
				t.Errorf("object stored after ErrTooLarge: %v", err)
			}
			if _, err := s.PutAddressed(bg, "addr", bytes.NewReader(make([]byte, tc.size)), ""); !errors.Is(err, tc.want) {
				t.Errorf("PutAddressed err = %v, want %v", err, tc.want)
			}
			if _, err := s.Stat(bg, AddressedKey("addr", sha256Hex(make([]byte, tc.size)))); !errors.Is(err, ErrNotFound) {
				t.Errorf("addressed object stored after ErrTooLarge: %v", err)
			}
		})
	}
	// A failed replacement keeps the old object.
	if _, err := s.Put(bg, "size/below", bytes.NewReader(make([]byte, 101)), ""); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	if st, err := s.Stat(bg, "size/below"); err != nil || st.Size != 99 {
		t.Errorf("old object after a too large replacement: %+v, %v", st, err)
	}
}

func storeFailedPut(t *testing.T, s Store) {
	if _, err := s.Put(bg, "img/logo", strings.NewReader("old content"), "image/png"); err != nil {
		t.Fatal(err)
	}
	errBroken := errors.New("connection reset")
	cancelled, cancel := context.WithCancel(bg)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		r    func() io.Reader
		want error
	}{
		{"reader fails midway", bg, func() io.Reader { return &failingReader{data: bytes.Repeat([]byte("n"), 70000), err: errBroken} }, errBroken},
		{"context cancelled", cancelled, func() io.Reader { return strings.NewReader("new") }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, key := range []string{"img/logo", "img/new"} {
				if _, err := s.Put(tc.ctx, key, tc.r(), "image/png"); !errors.Is(err, tc.want) {
					t.Errorf("Put(%s) = %v, want %v", key, err, tc.want)
				}
			}
			if _, err := s.PutAddressed(tc.ctx, "img", tc.r(), "image/png"); !errors.Is(err, tc.want) {
				t.Errorf("PutAddressed = %v, want %v", err, tc.want)
			}
			if got, _ := mustGet(t, s, "img/logo"); string(got) != "old content" {
				t.Errorf("old object became %q", got)
			}
			if _, err := s.Stat(bg, "img/new"); !errors.Is(err, ErrNotFound) {
				t.Errorf("partial object visible: %v", err)
			}
		})
	}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Get", func(ctx context.Context) error { _, _, err := s.Get(ctx, "img/logo"); return err }},
		{"Stat", func(ctx context.Context) error { _, err := s.Stat(ctx, "img/logo"); return err }},
	} {
		if err := tc.call(cancelled); !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context = %v", tc.name, err)
		}
	}
}

func storeBadInput(t *testing.T, s Store) {
	for _, key := range []string{"", "/abs", "../escape", "a/../b", "a//b", "a/", ".hidden", "a b", `a\b`, "é", strings.Repeat("k", MaxKeyLength+1)} {
		if _, err := s.Put(bg, key, strings.NewReader("x"), ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v", key, err)
		}
		if _, _, err := s.Get(bg, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) = %v", key, err)
		}
		if _, err := s.Stat(bg, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Stat(%q) = %v", key, err)
		}
		if err := s.Delete(bg, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v", key, err)
		}
		if _, err := s.PutAddressed(bg, key, strings.NewReader("x"), ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("PutAddressed(%q) = %v", key, err)
		}
	}
	for _, ct := range []string{"not a type", "text/", strings.Repeat("a", 300) + "/x"} {
		if _, err := s.Put(bg, "k", strings.NewReader("x"), ct); !errors.Is(err, ErrInvalidContentType) {
			t.Errorf("content type %q: %v", ct, err)
		}
	}
	if _, err := s.Stat(bg, "k"); !errors.Is(err, ErrNotFound) {
		t.Errorf("object stored despite a bad content type: %v", err)
	}
}

// storeServeContent serves an object the way the web package does, through
// http.ServeContent, which seeks the reader for sizes and ranges.
func storeServeContent(t *testing.T, s Store) {
	content := []byte("0123456789abcdefghijklmnopqrstuvwxyz")
	if _, err := s.Put(bg, "doc.txt", bytes.NewReader(content), "text/plain"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc, info, err := s.Get(r.Context(), "doc.txt")
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		defer rc.Close()
		w.Header().Set("Content-Type", info.ContentType)
		http.ServeContent(w, r, "", info.Modified, rc.(io.ReadSeeker))
	}))
	defer srv.Close()
	tests := []struct {
		rng    string
		status int
		body   string
	}{
		{"", 200, string(content)},
		{"bytes=3-7", 206, "34567"},
		{"bytes=-4", 206, "wxyz"},
		{"bytes=30-", 206, "uvwxyz"},
		{"bytes=0-0", 206, "0"},
		{"bytes=100-", 416, ""},
	}
	for _, tc := range tests {
		req, _ := http.NewRequest("GET", srv.URL, nil)
		if tc.rng != "" {
			req.Header.Set("Range", tc.rng)
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || tc.status != 416 && string(body) != tc.body {
			t.Errorf("Range %q: %d %q, want %d %q", tc.rng, resp.StatusCode, body, tc.status, tc.body)
		}
	}
	// Seeking back and forth on one reader.
	rc, _, err := s.Get(bg, "doc.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rs := rc.(io.ReadSeeker)
	if n, err := rs.Seek(0, io.SeekEnd); err != nil || n != int64(len(content)) {
		t.Errorf("Seek end = %d, %v", n, err)
	}
	if _, err := rs.Seek(-3, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	if b, _ := io.ReadAll(rs); string(b) != "xyz" {
		t.Errorf("after Seek(-3, end): %q", b)
	}
	rs.Seek(10, io.SeekStart)
	b := make([]byte, 3)
	if _, err := io.ReadFull(rs, b); err != nil || string(b) != "abc" {
		t.Errorf("after Seek(10): %q, %v", b, err)
	}
	if n, err := rs.Seek(-13, io.SeekCurrent); err != nil || n != 0 {
		t.Errorf("Seek(-13, current) = %d, %v", n, err)
	}
	if b, _ := io.ReadAll(rs); !bytes.Equal(b, content) {
		t.Errorf("after seeking back to 0: %q", b)
	}
}

func storeConcurrent(t *testing.T, s Store) {
	const n = 8
	contents := make([][]byte, n)
	for i := range contents {
		contents[i] = bytes.Repeat([]byte{byte('a' + i)}, 30000+i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Go(func() {
			if _, err := s.Put(bg, fmt.Sprintf("own/%d", i), bytes.NewReader(contents[i]), ""); err != nil {
				errs <- err
			}
			if _, err := s.Put(bg, "shared", bytes.NewReader(contents[i]), ""); err != nil {
				errs <- err
			}
			if _, err := s.PutAddressed(bg, "same", bytes.NewReader(contents[0]), ""); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	for i := range n {
		if got, _ := mustGet(t, s, fmt.Sprintf("own/%d", i)); !bytes.Equal(got, contents[i]) {
			t.Errorf("own/%d: %d bytes, want %d", i, len(got), len(contents[i]))
		}
	}
	// The shared key holds one of the writes, whole.
	got, info := mustGet(t, s, "shared")
	found := false
	for _, c := range contents {
		found = found || bytes.Equal(got, c)
	}
	if !found || info.SHA256 != sha256Hex(got) {
		t.Errorf("shared holds %d bytes that no writer wrote whole", len(got))
	}
	if got, _ := mustGet(t, s, AddressedKey("same", sha256Hex(contents[0]))); !bytes.Equal(got, contents[0]) {
		t.Error("addressed content after concurrent puts differs")
	}
}
