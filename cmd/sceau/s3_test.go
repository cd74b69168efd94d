package main

import (
	"bytes"
	"image"
	"image/png"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// With SCEAU_BLOB_URL, files go to the S3-compatible store (here an
// in-process S3 server on a real socket), not to the data directory, and
// the secret never reaches the output.
func TestBlobsOnS3(t *testing.T) {
	backend := s3mem.New()
	if err := backend.CreateBucket("badges"); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	t.Cleanup(srv.Close)
	blobURL := "s3://KEY:TOPSECRET@" + strings.TrimPrefix(srv.URL, "http://") + "/badges/sceau?ssl=false&path-style=true&region=us-east-1"
	dir := t.TempDir()
	envs := map[string]string{"SCEAU_BLOB_URL": blobURL}
	cmd := func(args ...string) (int, string) {
		var out bytes.Buffer
		e := &env{stdin: strings.NewReader(""), stdout: &out, stderr: &out, getenv: func(k string) string { return envs[k] }}
		return run(e, append(args, "--data-dir", dir, "--dev", "--base-url", "http://localhost:8080")), out.String()
	}
	if code, out := cmd("issuer", "create", "--slug", "s3", "--name", "S3 issuer"); code != 0 {
		t.Fatalf("issuer create: %d %s", code, out)
	}
	img := filepath.Join(dir, "b.png")
	var buf bytes.Buffer
	png.Encode(&buf, image.NewGray(image.Rect(0, 0, 8, 8)))
	os.WriteFile(img, buf.Bytes(), 0o600)
	code, out := cmd("badge", "create", "--issuer", "s3", "--slug", "b", "--name", "B", "--description", "d", "--criteria", "c", "--image", img)
	if code != 0 {
		t.Fatalf("badge create: %d %s", code, out)
	}
	list, err := backend.ListBucket("badges", &gofakes3.Prefix{}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 1 || !strings.HasPrefix(list.Contents[0].Key, "sceau/images/") {
		t.Fatalf("bucket holds %+v", list.Contents)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "files")); len(entries) != 0 {
		t.Errorf("files written to the data directory too: %v", entries)
	}
	if code, out = cmd("backup", filepath.Join(t.TempDir(), "copy")); code != 0 || !strings.Contains(out, "S3 store") || strings.Contains(out, "TOPSECRET") {
		t.Errorf("backup: %d %s", code, out)
	}
}
