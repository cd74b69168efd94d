package proof

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
)

// FuzzVerify feeds arbitrary bytes to Verify as a credential: it must
// return (an error or a result), never panic or hang.
func FuzzVerify(f *testing.F) {
	for _, pattern := range []string{"testdata/w3c-eddsa/signed-*.json", "testdata/validator-ob30/*.json", "testdata/ob3-spec/*.json"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(data)
		}
	}
	f.Add(signTypical(f, SignOptions{}, nil))
	f.Add([]byte(`{"@context":"https://www.w3.org/ns/credentials/v2","proof":[{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","id":"a","previousProof":"a","verificationMethod":"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2","proofPurpose":"assertionMethod","proofValue":"z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"}]}`))
	opts := VerifyOptions{Resolver: &did.MultiResolver{}, Now: vectorTime}
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		res, err := Verify(ctx, data, opts)
		if err == nil && (res == nil || len(res.Proofs) == 0) {
			t.Fatal("no error and no proof results")
		}
	})
}

// FuzzDecodeJSON: the fast JSON decoder gives exactly what encoding/json
// (UseNumber) gives, values and failure alike, also in an arena that lent
// its maps and slices to another document before.
func FuzzDecodeJSON(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{`"\ud83d\ude00"`, `"\ud83d"`, `"\udc00\ud83d"`, "\"\xff\"", `[1,-0.5e+3,0,1E9]`, `{"a":1,"a":2}`,
		`[] x`, `{"a":[{}]}`, `"\u00e9\n\t\/"`, `01`, `-`, `1.`, `{"a" 1}`, `[1,]`, "\"\x01\"", `tru`, ` null `} {
		f.Add([]byte(s))
	}
	prior := []byte(`{"a":{"b":[1,2,{"c":"d","e":[true,null]}],"f":{}},"g":[[],[{"h":"i"}]]}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		want, werr := decodeJSONStd(data)
		arena := new(docArena)
		for _, c := range []struct {
			shared bool
			arena  *docArena
		}{{true, nil}, {false, nil}, {true, arena}, {true, arena}} {
			if c.arena != nil {
				// Lend the arena to another document first, then reuse it.
				if _, err := decodeJSONFast(prior, true, c.arena); err != nil {
					t.Fatal(err)
				}
				c.arena.reset()
			}
			got, err := decodeJSONFast(data, c.shared, c.arena)
			if (err == nil) != (werr == nil) {
				t.Fatalf("shared %v, arena %v: error mismatch: fast %v, std %v", c.shared, c.arena != nil, err, werr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("shared %v, arena %v: value mismatch:\nfast %#v\nstd  %#v", c.shared, c.arena != nil, got, want)
			}
			if c.arena != nil {
				c.arena.reset()
			}
		}
	})
}

// TestSpecial8 checks the word scan of the JSON decoder against a byte by
// byte scan: the lowest marked byte is the first that needs a look.
func TestSpecial8(t *testing.T) {
	needsLook := func(c byte) bool { return c == '"' || c == '\\' || c < 0x20 || c >= 0x80 }
	cases := map[string][]byte{
		"plain":         []byte("abcdefgh"),
		"quote last":    []byte("abcdefg\""),
		"quote first":   []byte("\"bcdefgh"),
		"backslash":     []byte("ab\\defgh"),
		"control":       []byte("abc\x1fefgh"),
		"space":         []byte("a c e g "),
		"non-ASCII":     []byte("abcd\xc3\xa9gh"),
		"after zero":    []byte("a\x00\"defgh"),
		"0x21 and 0x5d": []byte("!!]]#[!!"),
		"all special":   []byte("\"\"\"\"\"\"\"\""),
	}
	// Every byte value at every position, in a word of plain letters.
	for pos := 0; pos < 8; pos++ {
		for c := 0; c < 256; c++ {
			w := []byte("abcdefgh")
			w[pos] = byte(c)
			cases[fmt.Sprintf("byte %#x at %d", c, pos)] = w
		}
	}
	for name, w := range cases {
		want := -1
		for i, c := range w {
			if needsLook(c) {
				want = i
				break
			}
		}
		m := special8(binary.LittleEndian.Uint64(w))
		got := -1
		if m != 0 {
			got = bits.TrailingZeros64(m) >> 3
		}
		if got != want {
			t.Errorf("%s: first marked byte %d, want %d", name, got, want)
		}
	}
}
