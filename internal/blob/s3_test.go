package blob

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// fakeS3 is an in-memory S3 server (gofakes3) on a real local socket,
// speaking the S3 REST protocol, recording the requests it gets.
type fakeS3 struct {
	srv     *httptest.Server
	backend *s3mem.Backend
	mu      sync.Mutex
	reqs    []string // "METHOD /path?query"
}

func newFakeS3(t *testing.T, buckets ...string) *fakeS3 {
	t.Helper()
	f := &fakeS3{backend: s3mem.New()}
	for _, b := range buckets {
		if err := f.backend.CreateBucket(b); err != nil {
			t.Fatal(err)
		}
	}
	h := gofakes3.New(f.backend).Server()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.reqs = append(f.reqs, r.Method+" "+r.URL.RequestURI())
		f.mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeS3) endpoint() string { return f.srv.Listener.Addr().String() }

// requests returns and forgets the requests seen so far.
func (f *fakeS3) requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	r := f.reqs
	f.reqs = nil
	return r
}

func (f *fakeS3) config(bucket, prefix string) S3Config {
	return S3Config{Endpoint: f.endpoint(), Bucket: bucket, Region: "us-east-1", AccessKey: "AKIDSCEAUTEST",
		SecretKey: "s3cr3t/Key+With%Odd=chars", PathStyle: true, Prefix: prefix}
}

// raw is a plain client to look at the bucket behind the store's back.
func (f *fakeS3) raw(t *testing.T) *minio.Client {
	t.Helper()
	c, err := minio.New(f.endpoint(), &minio.Options{Creds: credentials.NewStaticV4("x", "y", ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newS3(t *testing.T, cfg S3Config) *S3 {
	t.Helper()
	s, err := NewS3(bg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestS3Store(t *testing.T) {
	testStore(t, func(t *testing.T, maxSize int64) Store {
		f := newFakeS3(t, "sceau-test")
		cfg := f.config("sceau-test", "node/1")
		cfg.MaxSize = maxSize
		return newS3(t, cfg)
	})
}

func TestS3NoPrefixNoRegion(t *testing.T) {
	f := newFakeS3(t, "plain")
	cfg := f.config("plain", "")
	cfg.Region = "" // the client asks the server for the bucket's location
	s := newS3(t, cfg)
	if _, err := s.Put(bg, "k", strings.NewReader("v"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.raw(t).StatObject(bg, "plain", "k", minio.StatObjectOptions{}); err != nil {
		t.Errorf("object not at its key: %v", err)
	}
}

func TestS3Prefix(t *testing.T) {
	f := newFakeS3(t, "shared")
	a := newS3(t, f.config("shared", "site-a"))
	b := newS3(t, f.config("shared", "site-b/files"))
	info, err := a.Put(bg, "images/logo.png", strings.NewReader("A"), "image/png")
	if err != nil || info.Key != "images/logo.png" {
		t.Fatalf("Put = %+v, %v", info, err)
	}
	if _, err := b.Stat(bg, "images/logo.png"); !errors.Is(err, ErrNotFound) {
		t.Errorf("store b sees store a's object: %v", err)
	}
	b.Put(bg, "images/logo.png", strings.NewReader("BB"), "image/png")
	if st, err := a.Stat(bg, "images/logo.png"); err != nil || st.Size != 1 {
		t.Errorf("store a's object after b's put: %+v, %v", st, err)
	}
	raw := f.raw(t)
	for name, size := range map[string]int64{"site-a/images/logo.png": 1, "site-b/files/images/logo.png": 2} {
		oi, err := raw.StatObject(bg, "shared", name, minio.StatObjectOptions{})
		if err != nil || oi.Size != size || oi.ContentType != "image/png" {
			t.Errorf("object %s: %+v, %v", name, oi, err)
		}
	}
	if err := b.Delete(bg, "images/logo.png"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Stat(bg, "images/logo.png"); err != nil {
		t.Errorf("b's Delete removed a's object: %v", err)
	}
}

func TestS3Metadata(t *testing.T) {
	f := newFakeS3(t, "meta")
	s := newS3(t, f.config("meta", ""))
	s.Now = func() time.Time { return time.Date(2025, 3, 14, 9, 30, 0, 123456789, time.Local) }
	info, err := s.Put(bg, "doc", strings.NewReader("hello"), "text/plain; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	want := Info{Key: "doc", Size: 5, ContentType: "text/plain; charset=utf-8", SHA256: sha256Hex([]byte("hello")),
		Modified: time.Date(2025, 3, 14, 9, 30, 0, 123000000, time.Local).UTC()}
	if info != want {
		t.Errorf("Put = %+v\nwant %+v", info, want)
	}
	if st, err := s.Stat(bg, "doc"); err != nil || st != want {
		t.Errorf("Stat = %+v, %v\nwant %+v", st, err, want)
	}
	// What other S3 tools see: the content type, and the SHA-256 and time
	// as user metadata.
	oi, err := f.raw(t).StatObject(bg, "meta", "doc", minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if oi.ContentType != want.ContentType || oi.Metadata.Get("X-Amz-Meta-Sha256") != want.SHA256 ||
		oi.Metadata.Get("X-Amz-Meta-Modified") != "2025-03-14T09:30:00.123Z" {
		t.Errorf("stored metadata: %v", oi.Metadata)
	}
}

// Objects written by other tools (a migration, the console) are read
// without the metadata: the SHA-256 is unknown, the time is Last-Modified.
func TestS3ForeignObject(t *testing.T) {
	f := newFakeS3(t, "foreign")
	s := newS3(t, f.config("foreign", "p"))
	png, _ := os.ReadFile("testdata/good-16x16.png")
	h := sha256Hex(png)
	raw := f.raw(t)
	for name, meta := range map[string]map[string]string{
		"p/uploaded":                  nil,
		"p/bad-meta":                  {"Sha256": "not-hex", "Modified": "yesterday"},
		"p/" + AddressedKey("img", h): nil,
	} {
		if _, err := raw.PutObject(bg, "foreign", name, bytes.NewReader(png), int64(len(png)), minio.PutObjectOptions{ContentType: "image/png", UserMetadata: meta}); err != nil {
			t.Fatal(err)
		}
	}
	for _, key := range []string{"uploaded", "bad-meta"} {
		st, err := s.Stat(bg, key)
		if err != nil || st.SHA256 != "" || st.Size != int64(len(png)) || st.ContentType != "image/png" ||
			time.Since(st.Modified) > time.Minute || st.Modified.Location() != time.UTC {
			t.Errorf("Stat(%s) = %+v, %v", key, st, err)
		}
	}
	// PutAddressed rewrites an addressed object it cannot vouch for.
	info, err := s.PutAddressed(bg, "img", bytes.NewReader(png), "image/png")
	if err != nil || info.SHA256 != h {
		t.Fatalf("PutAddressed = %+v, %v", info, err)
	}
	if st, _ := s.Stat(bg, info.Key); st.SHA256 != h {
		t.Errorf("addressed object not rewritten with its metadata: %+v", st)
	}
}

func TestS3Requests(t *testing.T) {
	f := newFakeS3(t, "reqs")
	s := newS3(t, f.config("reqs", ""))
	f.requests()
	// Content above minio-go's 16 MiB part size still goes in one PUT:
	// no multipart upload to be left half done.
	big := bytes.Repeat([]byte("z"), 17<<20)
	if _, err := s.Put(bg, "big", bytes.NewReader(big), ""); err != nil {
		t.Fatal(err)
	}
	if got := f.requests(); len(got) != 1 || got[0] != "PUT /reqs/big" {
		t.Errorf("Put of 17 MiB sent %v, want one PUT", got)
	}
	// Too large: nothing sent at all.
	s.MaxSize = 10
	if _, err := s.Put(bg, "big2", bytes.NewReader(big), ""); !errors.Is(err, ErrTooLarge) {
		t.Fatal(err)
	}
	if got := f.requests(); len(got) != 0 {
		t.Errorf("a too large Put sent %v", got)
	}
	// Addressed content already there: one HEAD, no upload.
	s.PutAddressed(bg, "a", strings.NewReader("same"), "")
	f.requests()
	if _, err := s.PutAddressed(bg, "a", strings.NewReader("same"), ""); err != nil {
		t.Fatal(err)
	}
	if got := f.requests(); len(got) != 1 || !strings.HasPrefix(got[0], "HEAD ") {
		t.Errorf("PutAddressed of existing content sent %v, want one HEAD", got)
	}
}

func TestNewS3Bucket(t *testing.T) {
	f := newFakeS3(t, "exists")
	_, err := NewS3(bg, f.config("missing", ""))
	if !errors.Is(err, ErrBucketNotFound) || !strings.Contains(err.Error(), "missing") || !strings.Contains(err.Error(), "create-bucket=true") {
		t.Errorf("missing bucket: %v", err)
	}
	if _, err := f.raw(t).BucketExists(bg, "missing"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := f.raw(t).BucketExists(bg, "missing"); ok {
		t.Error("bucket created without create-bucket")
	}
	cfg := f.config("created", "")
	cfg.CreateBucket = true
	s := newS3(t, cfg)
	if ok, err := f.raw(t).BucketExists(bg, "created"); !ok || err != nil {
		t.Errorf("CreateBucket: exists=%v, %v", ok, err)
	}
	if _, err := s.Put(bg, "k", strings.NewReader("v"), ""); err != nil {
		t.Error(err)
	}
	// A bucket removed after start: errors name it.
	f.backend.ForceDeleteBucket("created")
	// (Stat and Get send a HEAD first, whose answer has no body to tell a
	// missing bucket from a missing object; a PUT's has.)
	if _, err := s.Put(bg, "k", strings.NewReader("v"), ""); !errors.Is(err, ErrBucketNotFound) || !strings.Contains(err.Error(), "created") {
		t.Errorf("Put in a deleted bucket: %v", err)
	}
}

func TestNewS3Config(t *testing.T) {
	f := newFakeS3(t, "ok-bucket")
	good := f.config("ok-bucket", "")
	tests := []struct {
		name string
		edit func(c *S3Config)
		want string
	}{
		{"no endpoint", func(c *S3Config) { c.Endpoint = "" }, "endpoint"},
		{"endpoint with scheme", func(c *S3Config) { c.Endpoint = "http://" + c.Endpoint }, "without scheme"},
		{"bad bucket", func(c *S3Config) { c.Bucket = "Bad_Bucket" }, "bucket name"},
		{"bad prefix", func(c *S3Config) { c.Prefix = "../x" }, "prefix"},
		{"negative max size", func(c *S3Config) { c.MaxSize = -1 }, "max size -1"},
		{"huge max size", func(c *S3Config) { c.MaxSize = MaxS3Size + 1 }, "in memory"},
		{"access key only", func(c *S3Config) { c.SecretKey = "" }, "both"},
		{"secret only", func(c *S3Config) { c.AccessKey = "" }, "both"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.edit(&c)
			_, err := NewS3(bg, c)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want one mentioning %q", err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), good.SecretKey) {
				t.Errorf("error quotes the secret: %v", err)
			}
		})
	}
	t.Run("credentials from the environment", func(t *testing.T) {
		for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY", "AWS_SECRET_KEY", "AWS_SESSION_TOKEN", "MINIO_ACCESS_KEY", "MINIO_SECRET_KEY", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD"} {
			t.Setenv(k, "")
		}
		c := good
		c.AccessKey, c.SecretKey = "", ""
		if _, err := NewS3(bg, c); err == nil || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
			t.Errorf("no credentials anywhere: %v", err)
		}
		t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
		t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
		s, err := NewS3(bg, c)
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
	})
	if s, err := NewS3(bg, good); err != nil {
		t.Errorf("good config: %v", err)
	} else {
		s.Close()
	}
}

func TestS3Unreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	ctx, cancel := context.WithTimeout(bg, 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err = NewS3(ctx, S3Config{Endpoint: addr, Bucket: "b-1", AccessKey: "a", SecretKey: "s", Region: "us-east-1", PathStyle: true})
	if err == nil || !strings.Contains(err.Error(), addr) {
		t.Errorf("unreachable server: %v", err)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("took %v to report an unreachable server", d)
	}
}

// A server that accepts requests and never answers: every call ends with
// its context.
func TestS3Stalled(t *testing.T) {
	f := newFakeS3(t, "slow")
	s := newS3(t, f.config("slow", ""))
	s.Put(bg, "k", strings.NewReader("v"), "")
	release := make(chan struct{})
	stalled := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	defer stalled.Close()
	defer close(release)
	// Point the same client at the stalled server.
	cfg := f.config("slow", "")
	cfg.Endpoint = stalled.Listener.Addr().String()
	ctx, cancel := context.WithTimeout(bg, 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := NewS3(ctx, cfg); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("NewS3 on a stalled server: %v", err)
	}
	s.client, _ = minio.New(cfg.Endpoint, &minio.Options{Creds: credentials.NewStaticV4("a", "b", ""), Region: "us-east-1", BucketLookup: minio.BucketLookupPath, Transport: newS3Transport()})
	for _, tc := range []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Stat", func(ctx context.Context) error { _, err := s.Stat(ctx, "k"); return err }},
		{"Get", func(ctx context.Context) error { _, _, err := s.Get(ctx, "k"); return err }},
		{"Put", func(ctx context.Context) error { _, err := s.Put(ctx, "k", strings.NewReader("v"), ""); return err }},
		{"Delete", func(ctx context.Context) error { return s.Delete(ctx, "k") }},
	} {
		ctx, cancel := context.WithTimeout(bg, 200*time.Millisecond)
		err := tc.call(ctx)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s on a stalled server: %v", tc.name, err)
		}
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("calls took %v in all", d)
	}
}

func TestS3ConfigString(t *testing.T) {
	c := S3Config{Endpoint: "minio.internal:9000", Bucket: "badges", Prefix: "prod", AccessKey: "AKID", SecretKey: "very-secret-value", Region: "garage", PathStyle: true}
	for _, format := range []string{"%v", "%+v", "%s", "%#v"} {
		for _, v := range []any{c, &c} {
			if s := fmt.Sprintf(format, v); strings.Contains(s, "very-secret") || !strings.Contains(s, "REDACTED") {
				t.Errorf("%s: %s", format, s)
			}
		}
	}
	if got, want := c.String(), "s3://AKID:REDACTED@minio.internal:9000/badges/prod?path-style=true&region=garage&ssl=false"; got != want {
		t.Errorf("String = %s\nwant %s", got, want)
	}
	// The unredacted form parses back to the same configuration.
	c.UseSSL, c.CreateBucket, c.MaxSize = true, true, 1<<20
	c.SecretKey = "se/cr%et+:@"
	if back, err := ParseS3URL(c.url(true)); err != nil || back != c {
		t.Errorf("round trip: %+v, %v", back, err)
	}
}

func TestParseS3URL(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want S3Config
		err  string // part of the error message; "" means success
	}{
		{"aws", "s3://AKIA:wJalr%2FK7MDENG@s3.eu-west-3.amazonaws.com/sceau-badges?region=eu-west-3",
			S3Config{Endpoint: "s3.eu-west-3.amazonaws.com", Bucket: "sceau-badges", Region: "eu-west-3", AccessKey: "AKIA", SecretKey: "wJalr/K7MDENG", UseSSL: true}, ""},
		{"minio local", "s3://minioadmin:minioadmin@localhost:9000/badges/sceau/prod?ssl=false&path-style=true",
			S3Config{Endpoint: "localhost:9000", Bucket: "badges", Prefix: "sceau/prod", AccessKey: "minioadmin", SecretKey: "minioadmin", PathStyle: true}, ""},
		{"garage", "s3://GK31:abc@garage.lan:3900/files/?region=garage&path-style=true&create-bucket=true&max-size=1048576",
			S3Config{Endpoint: "garage.lan:3900", Bucket: "files", Region: "garage", AccessKey: "GK31", SecretKey: "abc", UseSSL: true, PathStyle: true, CreateBucket: true, MaxSize: 1 << 20}, ""},
		{"ipv6", "s3://k:s@[::1]:9000/b-1?ssl=false",
			S3Config{Endpoint: "[::1]:9000", Bucket: "b-1", AccessKey: "k", SecretKey: "s"}, ""},
		{"keys from the environment", "s3://s3.fr-par.scw.cloud/sceau?region=fr-par",
			S3Config{Endpoint: "s3.fr-par.scw.cloud", Bucket: "sceau", Region: "fr-par", UseSSL: true}, ""},
		{"plus and equals in the secret", "s3://k:a+b=c@h/bkt",
			S3Config{Endpoint: "h", Bucket: "bkt", AccessKey: "k", SecretKey: "a+b=c", UseSSL: true}, ""},

		{"http scheme", "https://k:Zq9x@h/bkt", S3Config{}, `scheme "https"`},
		{"no scheme", "h/bkt", S3Config{}, "no scheme"},
		{"opaque", "s3:h/bkt", S3Config{}, "two slashes"},
		{"no host", "s3:///bkt", S3Config{}, "no host"},
		{"no bucket", "s3://k:Zq9x@h", S3Config{}, "no bucket"},
		{"root path only", "s3://k:Zq9x@h/", S3Config{}, "no bucket"},
		{"bad bucket", "s3://k:Zq9x@h/My_Bucket", S3Config{}, "bucket name"},
		{"short bucket", "s3://k:Zq9x@h/ab", S3Config{}, "3..63"},
		{"ip bucket", "s3://k:Zq9x@h/192.168.1.1", S3Config{}, "IP address"},
		{"bucket dots", "s3://k:Zq9x@h/a..b", S3Config{}, "'.' next to"},
		{"bad prefix", "s3://k:Zq9x@h/bkt/.hidden/x", S3Config{}, "prefix"},
		{"double slash prefix", "s3://k:Zq9x@h/bkt//x", S3Config{}, "prefix"},
		{"escaped path", "s3://k:Zq9x@h/bkt/a%2Fb", S3Config{}, "percent-escapes"},
		{"slash in secret", "s3://k:Zq9/x@h/bkt", S3Config{}, "%2F"},
		{"access key only", "s3://k@h/bkt", S3Config{}, "without a secret"},
		{"empty secret", "s3://k:@h/bkt", S3Config{}, "without a secret"},
		{"secret only", "s3://:Zq9x@h/bkt", S3Config{}, "without an access key"},
		{"bad port", "s3://k:Zq9x@h:99999/bkt", S3Config{}, "port"},
		{"port zero", "s3://k:Zq9x@h:0/bkt", S3Config{}, "port"},
		{"empty port", "s3://k:Zq9x@h:/bkt", S3Config{}, "empty port"},
		{"unknown parameter", "s3://k:Zq9x@h/bkt?secure=no", S3Config{}, `unknown parameter "secure"`},
		{"repeated parameter", "s3://k:Zq9x@h/bkt?ssl=false&ssl=true", S3Config{}, "2 times"},
		{"bad bool", "s3://k:Zq9x@h/bkt?ssl=no", S3Config{}, "true or false"},
		{"bad region", "s3://k:Zq9x@h/bkt?region=eu%20west", S3Config{}, "region"},
		{"empty region", "s3://k:Zq9x@h/bkt?region=", S3Config{}, "region"},
		{"bad max size", "s3://k:Zq9x@h/bkt?max-size=-5", S3Config{}, "max-size"},
		{"huge max size", "s3://k:Zq9x@h/bkt?max-size=1073741825", S3Config{}, "max-size"},
		{"fragment", "s3://k:Zq9x@h/bkt#x", S3Config{}, "fragment"},
		{"bad query", "s3://k:Zq9x@h/bkt?a=%zz", S3Config{}, "query"},
		{"control character", "s3://k:Zq9x@h/bkt\x7f", S3Config{}, "S3 URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseS3URL(tc.raw)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want one containing %q", err, tc.err)
				}
				for _, secret := range []string{"Zq9", "wJalr"} {
					if strings.Contains(err.Error(), secret) {
						t.Errorf("error quotes the secret: %v", err)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got  %#v\nwant %#v", got.url(true), tc.want.url(true))
			}
		})
	}
}

func FuzzParseS3URL(f *testing.F) {
	f.Add("s3://AKIA:wJalr%2FK7MDENG@s3.eu-west-3.amazonaws.com/sceau-badges?region=eu-west-3")
	f.Add("s3://minioadmin:minioadmin@localhost:9000/badges/sceau/prod?ssl=false&path-style=true")
	f.Add("s3://GK31:abc@garage.lan:3900/files/?region=garage&create-bucket=true&max-size=1048576")
	f.Add("s3://k:s@[::1]:9000/b-1?ssl=false")
	f.Add("s3://k:se/cret@h/bkt")
	f.Fuzz(func(t *testing.T, raw string) {
		c, err := ParseS3URL(raw)
		if err != nil {
			return
		}
		if c.Endpoint == "" || checkBucketName(c.Bucket) != nil || c.Prefix != "" && ValidKey(c.Prefix) != nil || c.MaxSize < 0 {
			t.Fatalf("accepted an invalid configuration %#v", c)
		}
		if (c.AccessKey == "") != (c.SecretKey == "") {
			t.Fatalf("half the credentials: %#v", c)
		}
		back, err := ParseS3URL(c.url(true))
		if err != nil || back != c {
			t.Fatalf("round trip of %q: %#v, %v", raw, back, err)
		}
		if c.SecretKey != "" && !strings.Contains(c.String(), "REDACTED") {
			t.Fatalf("String not redacted: %s", c)
		}
	})
}
