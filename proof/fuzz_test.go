package proof

import (
	"context"
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
// (UseNumber) gives, values and failure alike.
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
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := decodeJSON(data)
		want, werr := decodeJSONStd(data)
		if (err == nil) != (werr == nil) {
			t.Fatalf("error mismatch: fast %v, std %v", err, werr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("value mismatch:\nfast %#v\nstd  %#v", got, want)
		}
	})
}
