package status

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles returns the testdata JSON files, their credentialStatus
// entries and their encoded lists, to seed the fuzzers.
func seedFiles(f *testing.F) (docs [][]byte, entries [][]byte, lists []string) {
	paths, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	if err != nil {
		f.Fatal(err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		docs = append(docs, b)
		var c struct {
			CredentialStatus  json.RawMessage `json:"credentialStatus"`
			CredentialSubject struct {
				EncodedList string `json:"encodedList"`
			} `json:"credentialSubject"`
		}
		if json.Unmarshal(b, &c) != nil {
			continue
		}
		if len(c.CredentialStatus) > 0 {
			var many []json.RawMessage
			if json.Unmarshal(c.CredentialStatus, &many) == nil {
				for _, m := range many {
					entries = append(entries, m)
				}
			} else {
				entries = append(entries, c.CredentialStatus)
			}
		}
		if c.CredentialSubject.EncodedList != "" {
			lists = append(lists, c.CredentialSubject.EncodedList)
		}
	}
	return docs, entries, lists
}

func FuzzDecodeList(f *testing.F) {
	_, _, lists := seedFiles(f)
	for _, l := range lists {
		f.Add(l)
		f.Add(strings.TrimPrefix(l, "u"))
	}
	f.Add("uH4sIAAAAAAAA")
	f.Fuzz(func(t *testing.T, enc string) {
		b, err := DecodeList(enc)
		if err != nil {
			return
		}
		if b.Len() == 0 || b.Len() > MaxListBytes*8 {
			t.Fatalf("Len %d", b.Len())
		}
		// Re-encoding gives the same bits.
		again, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		c, err := DecodeList(again)
		if err != nil || !bytes.Equal(c.bits, b.bits) {
			t.Fatalf("re-encode round trip: %v", err)
		}
		if _, err := b.Get(b.Len()-1, 1); err != nil {
			t.Fatalf("last bit: %v", err)
		}
	})
}

func FuzzParseEntry(f *testing.F) {
	_, entries, _ := seedFiles(f)
	for _, e := range entries {
		f.Add([]byte(e))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		e, err := ParseEntry(doc)
		if err != nil {
			return
		}
		if e.Type == Type1EdTechRevocationList {
			return
		}
		if e.StatusSize < 1 || e.StatusSize > MaxStatusSize || e.StatusListIndex < 0 {
			t.Fatalf("entry out of bounds: %+v", e)
		}
		if e.StatusMessages != nil && len(e.StatusMessages) != 1<<e.StatusSize {
			t.Fatalf("%d messages for size %d", len(e.StatusMessages), e.StatusSize)
		}
	})
}

func FuzzCheckBitstring(f *testing.F) {
	docs, _, _ := seedFiles(f)
	for _, d := range docs {
		f.Add(d, 23, 1)
	}
	f.Fuzz(func(t *testing.T, doc []byte, index, size int) {
		e := &Entry{Type: TypeBitstringEntry, StatusPurpose: PurposeRevocation, StatusListIndex: index, StatusSize: size}
		r, err := CheckBitstring(doc, e)
		if err == nil && r.Valid != (r.Value == 0) {
			t.Fatalf("inconsistent result %+v", r)
		}
	})
}

func FuzzParseRevocationList(f *testing.F) {
	docs, _, _ := seedFiles(f)
	for _, d := range docs {
		f.Add(d, "a")
	}
	f.Fuzz(func(t *testing.T, doc []byte, id string) {
		l, err := ParseRevocationList(doc)
		if err != nil {
			return
		}
		revoked, reason := l.Lookup(id)
		if !revoked && reason != "" {
			t.Fatal("reason without revocation")
		}
	})
}
