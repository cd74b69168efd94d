package vcjwt

import (
	"testing"

	"github.com/sceau/sceau/did"
)

func BenchmarkSign(b *testing.B) {
	priv, issuer, vm := issuerKey(b)
	cred := credential(b, issuer)
	for b.Loop() {
		if _, err := Sign(cred, priv, vm, SignOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	priv, issuer, vm := issuerKey(b)
	tok, err := Sign(credential(b, issuer), priv, vm, SignOptions{})
	if err != nil {
		b.Fatal(err)
	}
	opts := VerifyOptions{Resolver: &did.MultiResolver{}}
	for b.Loop() {
		if _, err := Verify(ctx, tok, opts); err != nil {
			b.Fatal(err)
		}
	}
}
