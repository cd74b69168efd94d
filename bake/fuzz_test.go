package bake

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seed adds every testdata file with one of the suffixes to the corpus.
func seed(f *testing.F, suffixes ...string) {
	for _, dir := range []string{"testdata", "testdata/golden"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			f.Fatal(err)
		}
		for _, e := range entries {
			for _, s := range suffixes {
				if !e.IsDir() && strings.HasSuffix(e.Name(), s) {
					b, err := os.ReadFile(filepath.Join(dir, e.Name()))
					if err != nil {
						f.Fatal(err)
					}
					f.Add(b)
				}
			}
		}
	}
}

// checkRebake is the round-trip property: a payload unbaked from an image,
// if acceptable for baking, bakes back into that image and unbakes the same.
func checkRebake(t *testing.T, img []byte, b *Baked, rebake func([]byte, []byte, Format) ([]byte, error), unbake func([]byte) (*Baked, error)) {
	if len(b.Payload) == 0 || len(b.Payload) > MaxPayloadSize {
		t.Fatalf("payload of %d bytes", len(b.Payload))
	}
	if _, err := checkPayload(b.Payload, b.Format); err != nil {
		return
	}
	out, err := rebake(img, b.Payload, b.Format)
	if err != nil {
		if errors.Is(err, ErrInvalidPayload) || errors.Is(err, ErrUnsupportedImage) || errors.Is(err, ErrUnsupportedForm) || errors.Is(err, ErrTooLarge) {
			return
		}
		t.Fatalf("re-bake of an unbakeable image: %v", err)
	}
	again, err := unbake(out)
	if err != nil {
		t.Fatalf("unbake after re-bake: %v", err)
	}
	if again.Format != b.Format || !bytes.Equal(bytes.TrimSpace(again.Payload), bytes.TrimSpace(b.Payload)) {
		t.Fatalf("re-bake changed the badge: %s %q -> %s %q", b.Format, b.Payload, again.Format, again.Payload)
	}
}

func FuzzUnbakePNG(f *testing.F) {
	seed(f, ".png")
	f.Fuzz(func(t *testing.T, img []byte) {
		b, err := UnbakePNG(img)
		if err != nil {
			return
		}
		checkRebake(t, img, b, BakePNG, UnbakePNG)
	})
}

func FuzzUnbakeSVG(f *testing.F) {
	seed(f, ".svg", ".html")
	f.Fuzz(func(t *testing.T, img []byte) {
		b, err := UnbakeSVG(img)
		if err != nil {
			return
		}
		checkRebake(t, img, b, BakeSVG, UnbakeSVG)
	})
}
