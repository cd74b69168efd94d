package blob

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"syscall"
	"time"
)

// On-disk format: each object is one file, objects/<key>, holding
//
//	content || metadata JSON || uint32 big-endian length of the JSON || "SCB1"
//
// One file per object makes a put one atomic rename (a sidecar file would
// need two, and a reader could see new content with old metadata). The
// content comes first so that it is streamed straight from the reader; the
// file starts with the raw content, so `head -c SIZE` recovers it.
const (
	trailerMagic   = "SCB1"
	maxTrailerSize = 4096
	objectsDir     = "objects"
	tmpDir         = "tmp"
	// staleTemp is the age after which NewDisk removes temporary files
	// left by a crash.
	staleTemp = time.Hour
)

type trailer struct {
	ContentType string    `json:"contentType"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	Modified    time.Time `json:"modified"`
}

// Disk is a Store on the local file system, under one directory. All file
// access goes through an os.Root, so no key can reach outside it even
// through a symbolic link planted in the directory.
type Disk struct {
	root *os.Root
	// MaxSize is the largest content accepted, in bytes; set it before
	// use. NewDisk sets DefaultMaxSize.
	MaxSize int64
	// Now is the clock for Info.Modified; NewDisk sets time.Now.
	Now func() time.Time
}

var _ Store = (*Disk)(nil)

// NewDisk opens (creating it if needed, mode 0700) a disk store in dir and
// removes temporary files older than an hour that a crash left behind.
func NewDisk(dir string) (*Disk, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blob store: %w", err)
	}
	for _, d := range []string{objectsDir, tmpDir} {
		if err := root.MkdirAll(d, 0o700); err != nil {
			root.Close()
			return nil, fmt.Errorf("blob store: %w", err)
		}
	}
	d := &Disk{root: root, MaxSize: DefaultMaxSize, Now: time.Now}
	d.cleanTemp()
	return d, nil
}

// Close releases the directory handle.
func (d *Disk) Close() error { return d.root.Close() }

func (d *Disk) cleanTemp() {
	entries, err := fs.ReadDir(d.root.FS(), tmpDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > staleTemp {
			d.root.Remove(path.Join(tmpDir, e.Name()))
		}
	}
}

func objectPath(key string) string { return path.Join(objectsDir, key) }

// Put implements Store.
func (d *Disk) Put(ctx context.Context, key string, r io.Reader, contentType string) (Info, error) {
	if err := ValidKey(key); err != nil {
		return Info{}, fmt.Errorf("put: %w", err)
	}
	tmp, info, err := d.writeTemp(ctx, r, contentType)
	if err != nil {
		return Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	info.Key = key
	if err := d.install(tmp, key); err != nil {
		return Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	return info, nil
}

// PutAddressed implements Store.
func (d *Disk) PutAddressed(ctx context.Context, prefix string, r io.Reader, contentType string) (Info, error) {
	if err := ValidKey(prefix); err != nil {
		return Info{}, fmt.Errorf("put: prefix: %w", err)
	}
	tmp, info, err := d.writeTemp(ctx, r, contentType)
	if err != nil {
		return Info{}, fmt.Errorf("put in %s: %w", prefix, err)
	}
	key := AddressedKey(prefix, info.SHA256)
	if old, err := d.Stat(ctx, key); err == nil && old.SHA256 == info.SHA256 {
		d.root.Remove(tmp)
		return old, nil
	}
	info.Key = key
	if err := d.install(tmp, key); err != nil {
		return Info{}, fmt.Errorf("put %s: %w", key, err)
	}
	return info, nil
}

// writeTemp streams r into a new temporary file with its trailer, synced
// to disk, and returns the file's name within the root. On error nothing
// is left behind.
func (d *Disk) writeTemp(ctx context.Context, r io.Reader, contentType string) (name string, info Info, err error) {
	ct, err := normalContentType(contentType)
	if err != nil {
		return "", Info{}, err
	}
	var rnd [12]byte
	rand.Read(rnd[:])
	tmp := path.Join(tmpDir, "put-"+hex.EncodeToString(rnd[:]))
	f, err := d.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", Info{}, err
	}
	// tmp, not the named result: error returns set that to "".
	defer func() {
		if err != nil {
			f.Close()
			d.root.Remove(tmp)
		}
	}()
	h := sha256.New()
	w := bufio.NewWriterSize(f, 64<<10)
	n, err := io.Copy(io.MultiWriter(w, h), LimitReader(ctxReader{ctx, r}, d.MaxSize))
	if err != nil {
		return "", Info{}, err
	}
	info = Info{Size: n, ContentType: ct, SHA256: hex.EncodeToString(h.Sum(nil)), Modified: d.Now().UTC().Truncate(time.Millisecond)}
	meta, err := json.Marshal(trailer{ContentType: info.ContentType, Size: info.Size, SHA256: info.SHA256, Modified: info.Modified})
	if err != nil {
		return "", Info{}, err
	}
	w.Write(meta)
	w.Write(binary.BigEndian.AppendUint32(nil, uint32(len(meta))))
	w.WriteString(trailerMagic)
	if err = w.Flush(); err != nil {
		return "", Info{}, err
	}
	if err = f.Sync(); err != nil {
		return "", Info{}, err
	}
	if err = f.Close(); err != nil {
		return "", Info{}, err
	}
	return tmp, info, nil
}

// install renames a complete temporary file to the object's path and syncs
// the directory so that the rename survives a crash.
func (d *Disk) install(tmp, key string) error {
	dst := objectPath(key)
	dir := path.Dir(dst)
	if err := d.root.MkdirAll(dir, 0o700); err != nil {
		d.root.Remove(tmp)
		return err
	}
	if err := d.root.Rename(tmp, dst); err != nil {
		d.root.Remove(tmp)
		return err
	}
	if df, err := d.root.Open(dir); err == nil {
		df.Sync()
		df.Close()
	}
	return nil
}

// open opens an object and reads its trailer.
func (d *Disk) open(ctx context.Context, key string) (*os.File, Info, error) {
	if err := ctx.Err(); err != nil {
		return nil, Info{}, err
	}
	if err := ValidKey(key); err != nil {
		return nil, Info{}, err
	}
	f, err := d.root.Open(objectPath(key))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotDir(err) {
			return nil, Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
		}
		return nil, Info{}, err
	}
	// A key that names a directory ("images" when "images/x" exists) is
	// not an object.
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, Info{}, fmt.Errorf("%w: %s", ErrNotFound, key)
	}
	info, err := readTrailer(f)
	if err != nil {
		f.Close()
		return nil, Info{}, fmt.Errorf("%w: %s: %v", ErrCorrupt, key, err)
	}
	info.Key = key
	return f, info, nil
}

// isNotDir: a key "a/b" when "a" is an object walks through a file; for
// the caller that is simply a missing object.
func isNotDir(err error) bool { return errors.Is(err, syscall.ENOTDIR) }

func readTrailer(f *os.File) (Info, error) {
	fi, err := f.Stat()
	if err != nil {
		return Info{}, err
	}
	if !fi.Mode().IsRegular() {
		return Info{}, errors.New("not a regular file")
	}
	total := fi.Size()
	if total < 8 {
		return Info{}, errors.New("shorter than its trailer")
	}
	var tail [8]byte
	if _, err := f.ReadAt(tail[:], total-8); err != nil {
		return Info{}, err
	}
	if string(tail[4:]) != trailerMagic {
		return Info{}, errors.New("no trailer")
	}
	mlen := int64(binary.BigEndian.Uint32(tail[:4]))
	if mlen > maxTrailerSize || mlen > total-8 {
		return Info{}, errors.New("bad trailer length")
	}
	meta := make([]byte, mlen)
	if _, err := f.ReadAt(meta, total-8-mlen); err != nil {
		return Info{}, err
	}
	var t trailer
	if err := json.Unmarshal(meta, &t); err != nil {
		return Info{}, fmt.Errorf("trailer: %v", err)
	}
	if t.Size != total-8-mlen {
		return Info{}, fmt.Errorf("content is %d bytes, trailer says %d", total-8-mlen, t.Size)
	}
	return Info{Size: t.Size, ContentType: t.ContentType, SHA256: t.SHA256, Modified: t.Modified}, nil
}

// Get implements Store. The reader implements io.ReadSeekCloser and
// io.ReaderAt over the content alone.
func (d *Disk) Get(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	f, info, err := d.open(ctx, key)
	if err != nil {
		return nil, Info{}, fmt.Errorf("get: %w", err)
	}
	return &object{SectionReader: io.NewSectionReader(f, 0, info.Size), f: f}, info, nil
}

type object struct {
	*io.SectionReader
	f *os.File
}

func (o *object) Close() error { return o.f.Close() }

// Stat implements Store.
func (d *Disk) Stat(ctx context.Context, key string) (Info, error) {
	f, info, err := d.open(ctx, key)
	if err != nil {
		return Info{}, fmt.Errorf("stat: %w", err)
	}
	f.Close()
	return info, nil
}

// Delete implements Store.
func (d *Disk) Delete(ctx context.Context, key string) error {
	if err := ValidKey(key); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	p := objectPath(key)
	if fi, err := d.root.Lstat(p); err == nil && fi.IsDir() {
		return nil // a directory of other objects, not an object
	}
	if err := d.root.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) && !isNotDir(err) {
		return fmt.Errorf("delete %s: %w", key, err)
	}
	return nil
}
