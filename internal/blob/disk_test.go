package blob

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var bg = context.Background()

func newDisk(t *testing.T) (*Disk, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	d, err := NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	d.Now = func() time.Time { return time.Date(2025, 3, 14, 9, 30, 0, 123456789, time.UTC) }
	return d, dir
}

func TestValidKey(t *testing.T) {
	tests := []struct {
		key string
		ok  bool
	}{
		{"images/badge.png", true},
		{"a", true},
		{"issuers/cssdm/logo_v2-final.svg", true},
		{"A/B/C/D/E/F/G/H", true},
		{"", false},
		{"/etc/passwd", false},
		{"images/", false},
		{"images//x", false},
		{"../x", false},
		{"images/../../x", false},
		{"images/./x", false},
		{".hidden", false},
		{"images/.x", false},
		{`images\x`, false},
		{"images/x y", false},
		{"images/é", false},
		{"images/x\x00", false},
		{"C:/x", false},
		{"a/b/c/d/e/f/g/h/i", false},
		{strings.Repeat("a", MaxKeyLength), true},
		{strings.Repeat("a", MaxKeyLength+1), false},
	}
	for _, tc := range tests {
		err := ValidKey(tc.key)
		if tc.ok != (err == nil) || err != nil && !errors.Is(err, ErrInvalidKey) {
			t.Errorf("ValidKey(%q) = %v, want ok=%v", tc.key, err, tc.ok)
		}
	}
}

func TestPutGetStatDelete(t *testing.T) {
	d, _ := newDisk(t)
	content := []byte("%PDF-1.7 evidence")
	sum := sha256.Sum256(content)
	info, err := d.Put(bg, "evidence/a1.pdf", bytes.NewReader(content), "application/pdf")
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Key: "evidence/a1.pdf", Size: int64(len(content)), ContentType: "application/pdf",
		SHA256: hex.EncodeToString(sum[:]), Modified: time.Date(2025, 3, 14, 9, 30, 0, 123000000, time.UTC)}
	if info != want {
		t.Errorf("Put info = %+v\nwant %+v", info, want)
	}
	st, err := d.Stat(bg, "evidence/a1.pdf")
	if err != nil || !st.Modified.Equal(want.Modified) || st.SHA256 != want.SHA256 || st.Size != want.Size || st.ContentType != want.ContentType || st.Key != want.Key {
		t.Errorf("Stat = %+v, %v", st, err)
	}
	rc, gi, err := d.Get(bg, "evidence/a1.pdf")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	if !bytes.Equal(got, content) || gi.Size != want.Size {
		t.Errorf("Get = %q, %+v", got, gi)
	}
	// The reader seeks within the content only (http.ServeContent needs it).
	rs := rc.(io.ReadSeeker)
	if n, err := rs.Seek(0, io.SeekEnd); err != nil || n != int64(len(content)) {
		t.Errorf("Seek end = %d, %v", n, err)
	}
	rs.Seek(9, io.SeekStart)
	tail, _ := io.ReadAll(rs)
	if string(tail) != "evidence" {
		t.Errorf("after seek: %q", tail)
	}
	rc.Close()

	// Replacing keeps one object with the new content.
	if _, err := d.Put(bg, "evidence/a1.pdf", strings.NewReader("v2"), ""); err != nil {
		t.Fatal(err)
	}
	st, _ = d.Stat(bg, "evidence/a1.pdf")
	if st.Size != 2 || st.ContentType != "application/octet-stream" {
		t.Errorf("after replace: %+v", st)
	}

	if err := d.Delete(bg, "evidence/a1.pdf"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stat(bg, "evidence/a1.pdf"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat after Delete: %v", err)
	}
	if err := d.Delete(bg, "evidence/a1.pdf"); err != nil {
		t.Errorf("second Delete: %v (must be idempotent)", err)
	}
	if _, _, err := d.Get(bg, "nothing/here"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get missing: %v", err)
	}
}

func TestKeysAndDirectories(t *testing.T) {
	d, _ := newDisk(t)
	d.Put(bg, "a/b", strings.NewReader("x"), "text/plain")
	// "a" is a directory of objects, not an object.
	if _, err := d.Stat(bg, "a"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat(dir) = %v, want ErrNotFound", err)
	}
	if err := d.Delete(bg, "a"); err != nil {
		t.Errorf("Delete(dir) = %v", err)
	}
	if _, err := d.Stat(bg, "a/b"); err != nil {
		t.Errorf("Delete of the directory key removed its object: %v", err)
	}
	// "a/b/c" walks through the object "a/b".
	if _, err := d.Stat(bg, "a/b/c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Stat through a file = %v, want ErrNotFound", err)
	}
	if _, err := d.Put(bg, "a/b/c", strings.NewReader("x"), ""); err == nil {
		t.Error("Put through an object's path succeeded")
	}
	for _, key := range []string{"../escape", "/abs", ""} {
		if _, err := d.Put(bg, key, strings.NewReader("x"), ""); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q) = %v", key, err)
		}
		if _, _, err := d.Get(bg, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Get(%q) = %v", key, err)
		}
		if err := d.Delete(bg, key); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q) = %v", key, err)
		}
	}
	for _, ct := range []string{"not a type", "text/", strings.Repeat("a", 300) + "/x"} {
		if _, err := d.Put(bg, "k", strings.NewReader("x"), ct); !errors.Is(err, ErrInvalidContentType) {
			t.Errorf("content type %q: %v", ct, err)
		}
	}
	if info, err := d.Put(bg, "k", strings.NewReader("x"), "Text/HTML; Charset=UTF-8"); err != nil || info.ContentType != "text/html; charset=UTF-8" {
		t.Errorf("content type normalised to %q, %v", info.ContentType, err)
	}
}

func TestMaxSize(t *testing.T) {
	d, dir := newDisk(t)
	d.MaxSize = 100
	tests := []struct {
		name string
		size int
		want error
	}{
		{"empty", 0, nil},
		{"below", 99, nil},
		{"exactly", 100, nil},
		{"one over", 101, ErrTooLarge},
		{"far over", 10 << 20, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			key := "size/" + strings.ReplaceAll(tc.name, " ", "-")
			info, err := d.Put(bg, key, bytes.NewReader(make([]byte, tc.size)), "")
			if tc.want != nil {
				if !errors.Is(err, tc.want) {
					t.Fatalf("err = %v, want %v", err, tc.want)
				}
				if _, err := d.Stat(bg, key); !errors.Is(err, ErrNotFound) {
					t.Errorf("object visible after failed Put: %v", err)
				}
				return
			}
			if err != nil || info.Size != int64(tc.size) {
				t.Fatalf("Put = %+v, %v", info, err)
			}
		})
	}
	assertNoTemp(t, dir)
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(dir, tmpDir))
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 0 {
		t.Errorf("%d temporary files left behind: %v", len(entries), entries)
	}
}

func TestPutAtomic(t *testing.T) {
	d, dir := newDisk(t)
	if _, err := d.Put(bg, "img/logo", strings.NewReader("old content"), "image/png"); err != nil {
		t.Fatal(err)
	}
	errBroken := errors.New("connection reset")
	ctx, cancel := context.WithCancel(bg)
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		r    func() io.Reader
		want error
	}{
		{"reader fails midway", bg, func() io.Reader { return &failingReader{data: bytes.Repeat([]byte("n"), 70000), err: errBroken} }, errBroken},
		{"too large", bg, func() io.Reader { return io.LimitReader(zeros{}, DefaultMaxSize+1) }, ErrTooLarge},
		{"context cancelled", ctx, func() io.Reader { return strings.NewReader("new") }, context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, key := range []string{"img/logo", "img/new"} {
				_, err := d.Put(tc.ctx, key, tc.r(), "image/png")
				if !errors.Is(err, tc.want) {
					t.Fatalf("%s: err = %v, want %v", key, err, tc.want)
				}
			}
			rc, _, err := d.Get(bg, "img/logo")
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(rc)
			rc.Close()
			if string(got) != "old content" {
				t.Errorf("old object became %q", got)
			}
			if _, err := d.Stat(bg, "img/new"); !errors.Is(err, ErrNotFound) {
				t.Errorf("partial object visible: %v", err)
			}
			assertNoTemp(t, dir)
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestPutAddressed(t *testing.T) {
	d, dir := newDisk(t)
	png, _ := os.ReadFile("testdata/good-16x16.png")
	sum := sha256.Sum256(png)
	h := hex.EncodeToString(sum[:])
	a, err := d.PutAddressed(bg, "images", bytes.NewReader(png), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	if a.Key != "images/"+h[:2]+"/"+h || a.Key != AddressedKey("images", h) || a.SHA256 != h {
		t.Errorf("key %s", a.Key)
	}
	d.Now = func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) }
	b, err := d.PutAddressed(bg, "images", bytes.NewReader(png), "application/octet-stream")
	if err != nil {
		t.Fatal(err)
	}
	if b != a {
		t.Errorf("second put of the same content: %+v, want the first %+v", b, a)
	}
	files, _ := filepath.Glob(filepath.Join(dir, objectsDir, "images", "*", "*"))
	if len(files) != 1 {
		t.Errorf("%d files for one content", len(files))
	}
	assertNoTemp(t, dir)
	if _, err := d.PutAddressed(bg, "../x", bytes.NewReader(png), ""); !errors.Is(err, ErrInvalidKey) {
		t.Errorf("bad prefix: %v", err)
	}
}

func TestCorruptObject(t *testing.T) {
	d, dir := newDisk(t)
	d.Put(bg, "x", strings.NewReader("hello"), "text/plain")
	path := filepath.Join(dir, objectsDir, "x")
	data, _ := os.ReadFile(path)
	tests := []struct {
		name    string
		content []byte
	}{
		{"truncated", data[:len(data)-3]},
		{"empty", nil},
		{"content appended", append([]byte("more"), data...)},
		{"raw file without trailer", []byte("just some bytes here")},
		{"huge trailer length", append(bytes.Clone(data[:len(data)-8]), 0xff, 0xff, 0xff, 0xff, 'S', 'C', 'B', '1')},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.WriteFile(path, tc.content, 0o600)
			if _, _, err := d.Get(bg, "x"); !errors.Is(err, ErrCorrupt) {
				t.Errorf("Get = %v, want ErrCorrupt", err)
			}
		})
	}
}

func TestNewDiskRemovesStaleTemp(t *testing.T) {
	_, dir := newDisk(t)
	stale := filepath.Join(dir, tmpDir, "put-stale")
	fresh := filepath.Join(dir, tmpDir, "put-fresh")
	os.WriteFile(stale, []byte("x"), 0o600)
	os.WriteFile(fresh, []byte("x"), 0o600)
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(stale, old, old)
	d2, err := NewDisk(dir)
	if err != nil {
		t.Fatal(err)
	}
	d2.Close()
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("stale temporary file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("fresh temporary file removed (another Put may be writing it)")
	}
}

func TestLimitReader(t *testing.T) {
	for _, tc := range []struct {
		size, limit int
		ok          bool
	}{{0, 0, true}, {1, 0, false}, {10, 10, true}, {11, 10, false}, {100000, 65536, false}} {
		got, err := io.ReadAll(LimitReader(bytes.NewReader(make([]byte, tc.size)), int64(tc.limit)))
		if tc.ok != (err == nil) || !tc.ok && !errors.Is(err, ErrTooLarge) || len(got) > tc.limit {
			t.Errorf("size %d limit %d: read %d, %v", tc.size, tc.limit, len(got), err)
		}
	}
}

func BenchmarkPutGet(b *testing.B) {
	d, err := NewDisk(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	content := bytes.Repeat([]byte("x"), 50<<10)
	for b.Loop() {
		if _, err := d.Put(bg, "bench/obj", bytes.NewReader(content), "image/png"); err != nil {
			b.Fatal(err)
		}
		rc, _, err := d.Get(bg, "bench/obj")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, rc)
		rc.Close()
	}
}
