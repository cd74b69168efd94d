package rdfc

import (
	"os"
	"strconv"
	"testing"

	"github.com/sceau/sceau/internal/benchcpu"
)

// groundQuads builds n quads without blank nodes, shaped like credential
// data: a few statements per subject, IRIs and typed or plain literals.
func groundQuads(n int) []Quad {
	preds := []string{
		"http://www.w3.org/1999/02/22-rdf-syntax-ns#type",
		"https://schema.org/name",
		"https://schema.org/description",
		"https://www.w3.org/2018/credentials#validFrom",
		"https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement",
	}
	quads := make([]Quad, n)
	for i := range quads {
		// Spread subjects so the input is far from sorted.
		s := NewIRI("https://badges.example.org/credentials/" + strconv.Itoa((i*7919)%n/5))
		var o Term
		switch i % 5 {
		case 0:
			o = NewIRI("https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential")
		case 1:
			o = NewLiteral("Badge number "+strconv.Itoa(i), "", "en")
		case 2:
			o = NewLiteral("A \"quoted\" description\nover two lines, item "+strconv.Itoa(i), XSDString, "")
		case 3:
			o = NewLiteral("2025-06-14T09:30:00Z", "http://www.w3.org/2001/XMLSchema#dateTime", "")
		case 4:
			o = NewIRI("https://badges.example.org/achievements/" + strconv.Itoa(i))
		}
		quads[i] = Quad{Subject: s, Predicate: NewIRI(preds[i%5]), Object: o}
	}
	return quads
}

type benchCase struct {
	name  string
	quads []Quad
}

// benchCases are the datasets the canonicalization benchmarks run on:
// credential-shaped ones with blank nodes, then ground ones of growing size
// (their ns/quad shows the cost stays about linear).
func benchCases(b *testing.B) []benchCase {
	read := func(name string) []Quad {
		data, err := os.ReadFile(name)
		if err != nil {
			b.Fatal(err)
		}
		quads, err := ParseNQuads(data)
		if err != nil {
			b.Fatal(err)
		}
		return quads
	}
	return []benchCase{
		{"badge-5-blank-nodes", read("testdata/badge.nq")},
		// What signing proof/testdata/typical-unsigned.json canonicalizes:
		// the document (3 blank nodes) and a proof configuration (1).
		{"typical-credential-3-blank-nodes", read("testdata/typical-credential.nq")},
		{"proof-config-1-blank-node", read("testdata/ob3-spec-proof-canon.nq")},
		{"ground-10", groundQuads(10)},
		{"ground-100", groundQuads(100)},
		{"ground-1000", groundQuads(1000)},
		{"ground-10000", groundQuads(10000)},
	}
}

func BenchmarkCanonicalize(b *testing.B) {
	cases := benchCases(b)
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			defer benchcpu.Measure(b)()
			for b.Loop() {
				if _, err := Canonicalize(tc.quads, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(tc.quads)), "ns/quad")
		})
	}
}

func BenchmarkParseNQuads(b *testing.B) {
	badge, err := os.ReadFile("testdata/badge.nq")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(badge)))
	b.ReportAllocs()
	defer benchcpu.Measure(b)()
	for b.Loop() {
		if _, err := ParseNQuads(badge); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendCanonical(b *testing.B) {
	cases := benchCases(b)
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			b.ReportAllocs()
			var dst []byte
			defer benchcpu.Measure(b)()
			for b.Loop() {
				var err error
				if dst, err = AppendCanonical(dst[:0], tc.quads, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(tc.quads)), "ns/quad")
		})
	}
}
