package keys

import (
	"bytes"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

// FuzzParseMasterKey: any text either parses to a key or fails with
// ErrInvalidMasterKey, and the error never echoes the input.
func FuzzParseMasterKey(f *testing.F) {
	f.Add(base64.StdEncoding.EncodeToString(testKeyBytes))
	f.Add("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f")
	f.Add(" \n")
	f.Add("not a key")
	f.Fuzz(func(t *testing.T, s string) {
		mk, err := ParseMasterKey(s, "fuzz")
		if err != nil {
			if !errors.Is(err, ErrInvalidMasterKey) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			if ts := strings.TrimSpace(s); len(ts) >= 8 && strings.Contains(err.Error(), ts) {
				t.Fatalf("error echoes input: %v", err)
			}
			return
		}
		if len(mk.Fingerprint()) != 16 {
			t.Fatal("bad fingerprint")
		}
	})
}

// FuzzOpen: arbitrary sealed values never open under the test key (the
// chance of forging a GCM tag is nil) and give one of the two errors.
func FuzzOpen(f *testing.F) {
	mk := testMaster(f)
	// A fixed nonce: fuzz workers run this function again and must get the same value.
	good, _ := mk.WithRand(fixedReader(3)).Seal([]byte("seed"), []byte("ad"))
	f.Add(good, []byte("ad"))
	f.Add([]byte{}, []byte{})
	f.Add([]byte{2, 0, 0}, []byte("ad"))
	f.Fuzz(func(t *testing.T, sealed, ad []byte) {
		pt, err := mk.Open(sealed, ad)
		if err == nil {
			if !bytes.Equal(sealed, good) || !bytes.Equal(ad, []byte("ad")) || string(pt) != "seed" {
				t.Fatalf("forged value opened: %x ad %q pt %q good %x", sealed, ad, pt, good)
			}
			return
		}
		if !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrSealedFormat) {
			t.Fatalf("unexpected error kind: %v", err)
		}
	})
}
