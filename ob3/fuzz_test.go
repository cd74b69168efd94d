package ob3

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParse: Parse never panics; what it accepts, Marshal writes as valid
// JSON that parses again to the same output (the round trip is stable),
// and Check runs.
func FuzzParse(f *testing.F) {
	for _, p := range fixtureFiles(f) {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(readTypical(f))
	f.Add([]byte(`{"issuer":"did:x","image":"https://i","credentialSubject":[{"id":"a"}],"name":{"fr":"x"},"credentialStatus":[{"statusListIndex":3}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			return
		}
		_ = c.Check()
		out, err := Marshal(c)
		if err != nil {
			t.Fatalf("Marshal after Parse: %v", err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(x))): %v\n%s", err, out)
		}
		out2, err := Marshal(c2)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("unstable round trip:\n%s\n%s", out, out2)
		}
	})
}
