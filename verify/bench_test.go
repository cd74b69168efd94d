package verify

import (
	"github.com/sceau/sceau/internal/benchcpu"
	"testing"
)

// BenchmarkVerifyReport is the whole offline pipeline, from the typical
// signed credential's bytes to the Report: sniffing, parsing, Open Badges
// rules, JSON Schema, JSON-LD and RDFC canonicalization, Ed25519, did:key
// resolved locally. "offline": no Fetcher, the status entry is a warning;
// "with-status": the issuer's signed status list served from memory (a
// second proof verification, list decompression).
func BenchmarkVerifyReport(b *testing.B) {
	w := newWorld(b)
	signed := w.signed(b, nil)
	list := statusList(b, w.issuer.did, w.issuer, "revocation")
	for _, bc := range []struct {
		name string
		opts Options
		want Outcome
	}{
		{"offline", Options{Now: testNow}, Warn},
		{"with-status", Options{Now: testNow, Fetcher: documents(b, map[string][]byte{statusListURL: list})}, Pass},
	} {
		b.Run(bc.name, func(b *testing.B) {
			r := Verify(bg, signed, bc.opts)
			if r.Verdict != Valid || r.Check(CodeStatus).Outcome != bc.want {
				b.Fatalf("verdict %s: %s", r.Verdict, outcomes(r))
			}
			b.SetBytes(int64(len(signed)))
			b.ReportAllocs()
			defer benchcpu.Measure(b)()
			for b.Loop() {
				Verify(bg, signed, bc.opts)
			}
		})
	}
}
