package proof

import (
	"crypto/ed25519"
	"github.com/sceau/sceau/internal/benchcpu"
	"testing"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/jsonld"
	"github.com/sceau/sceau/rdfc"
)

// BenchmarkSign: credential bytes in, signed credential bytes out.
func BenchmarkSign(b *testing.B) {
	doc := readFile(b, "typical-unsigned.json")
	priv, _, vm := testKey(b, 1)
	s := &Signer{Key: priv, VerificationMethod: vm}
	opts := SignOptions{Created: signTime}
	if _, err := s.Sign(doc, opts); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(doc)))
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if _, err := s.Sign(doc, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify: signed credential bytes in, checked proof out, the
// did:key resolved in memory.
func BenchmarkVerify(b *testing.B) {
	signed := signTypical(b, SignOptions{}, nil)
	opts := VerifyOptions{Resolver: &did.MultiResolver{}, Now: signTime}
	b.SetBytes(int64(len(signed)))
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		res, err := Verify(bg, signed, opts)
		if err != nil || res.Err() != nil {
			b.Fatal(err, res.Err())
		}
	}
}

// BenchmarkEd25519Sign and BenchmarkEd25519Verify are the raw signature
// operations, for the ratio.
func BenchmarkEd25519Sign(b *testing.B) {
	priv, _, _ := testKey(b, 1)
	msg := make([]byte, 64)
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		ed25519.Sign(priv, msg)
	}
}

func BenchmarkEd25519Verify(b *testing.B) {
	priv, _, _ := testKey(b, 1)
	msg := make([]byte, 64)
	sig := ed25519.Sign(priv, msg)
	pub := priv.Public().(ed25519.PublicKey)
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("bad signature")
		}
	}
}

// BenchmarkSteps times each stage of signing the typical badge, to show
// where the time goes.
func BenchmarkSteps(b *testing.B) {
	data := readFile(b, "typical-unsigned.json")
	doc, err := decodeDocument(data)
	if err != nil {
		b.Fatal(err)
	}
	priv, _, vm := testKey(b, 1)
	p := &proofJSON{Type: TypeDataIntegrity, Cryptosuite: SuiteEdDSARDFC2022, Created: "2025-03-14T09:30:00Z",
		VerificationMethod: vm, ProofPurpose: PurposeAssertionMethod}
	cfg := proofConfig(p.options(), doc["@context"])
	loader := jsonld.DefaultLoader()
	quads, err := jsonld.ToRDF(doc, &jsonld.Options{Loader: loader, Safe: true})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("json decode", func(b *testing.B) {
		defer benchcpu.Measure(b)()
		for b.Loop() {
			if _, err := decodeDocument(data); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("jsonld toRdf document", func(b *testing.B) {
		defer benchcpu.Measure(b)()
		for b.Loop() {
			if _, err := jsonld.ToRDF(doc, &jsonld.Options{Loader: loader, Safe: true}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rdfc document", func(b *testing.B) {
		defer benchcpu.Measure(b)()
		for b.Loop() {
			if _, err := rdfc.Canonicalize(quads, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("canonicalize proof config", func(b *testing.B) {
		defer benchcpu.Measure(b)()
		for b.Loop() {
			if _, err := Canonicalize(cfg, loader); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ed25519 sign", func(b *testing.B) {
		defer benchcpu.Measure(b)()
		msg := make([]byte, 64)
		for b.Loop() {
			ed25519.Sign(priv, msg)
		}
	})
}
