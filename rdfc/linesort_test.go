package rdfc

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// linesFor lays lines out in one buffer as spans, the way serialize does.
func linesFor(lines []string) ([]byte, []span) {
	var buf []byte
	var spans []span
	for i, l := range lines {
		start := len(buf)
		buf = append(buf, l...)
		spans = append(spans, span{start: int32(start), end: int32(len(buf)), quad: int32(i)})
	}
	return buf, spans
}

// checkSorted fails unless spans hold the lines in bytes.Compare order.
func checkSorted(t *testing.T, lines []string, buf []byte, spans []span) {
	t.Helper()
	want := slices.Clone(lines)
	slices.Sort(want)
	got := make([]string, len(spans))
	for i, s := range spans {
		got[i] = string(buf[s.start:s.end])
	}
	if !slices.Equal(got, want) {
		t.Fatalf("sorted %d lines wrongly:\ngot  %q\nwant %q", len(lines), got, want)
	}
}

// randomLines draws n lines from a small alphabet (including 0x00 and
// 0xff, which the keys' padding and length byte must not confuse) over a
// few shared prefixes, so that lines share long prefixes, are prefixes of
// each other, repeat, and end around key boundaries.
func randomLines(rng *rand.Rand, n int) []string {
	prefixes := []string{"", "<https://badges.example.org/credentials/0b6d9a52> ", "_:c14n1 ", strings.Repeat("a", 7), strings.Repeat("a", 8)}
	alphabet := []byte{0, 'a', 'b', ' ', 0xff}
	lines := make([]string, n)
	for i := range lines {
		b := []byte(prefixes[rng.IntN(len(prefixes))])
		for range rng.IntN(20) {
			b = append(b, alphabet[rng.IntN(len(alphabet))])
		}
		lines[i] = string(b)
	}
	return lines
}

func TestSortSpans(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	c := &canonicalizer{}
	for _, n := range []int{0, 1, 2, 3, smallGroup, smallGroup + 1, 50, 500, 3000} {
		for range 20 {
			lines := randomLines(rng, n)
			c.buf, c.spans = linesFor(lines)
			c.sortSpans()
			checkSorted(t, lines, c.buf, c.spans)
		}
	}
}

// TestSortLinesFallback: a group that runs out of partitions is sorted by
// pdqsort, keys first, then the rest of the lines.
func TestSortLinesFallback(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, budget := range []int16{0, 1, 2} {
		for range 20 {
			lines := randomLines(rng, 200)
			buf, spans := linesFor(lines)
			sortLines(buf, spans, nil, budget)
			checkSorted(t, lines, buf, spans)
		}
	}
}

// TestSortSpansPrefixChain: lines that are prefixes of one another peel off
// one per level; the sort stays correct (and iterative).
func TestSortSpansPrefixChain(t *testing.T) {
	var lines []string
	for i := 3000; i > 0; i-- {
		lines = append(lines, strings.Repeat("x", i))
	}
	c := &canonicalizer{}
	c.buf, c.spans = linesFor(lines)
	c.sortSpans()
	checkSorted(t, lines, c.buf, c.spans)
}

func TestLineKey(t *testing.T) {
	// Keys order as the bytes they hold, shorter first on a tie.
	inputs := []string{"", "\x00", "\x00\x00", "a", "a\x00", "ab", "abcdefg", "abcdefg\x00", "abcdefgh", "abcdefh", "\xff\xff\xff\xff\xff\xff\xff"}
	for _, a := range inputs {
		for _, b := range inputs {
			ka, kb := lineKey([]byte(a)), lineKey([]byte(b))
			cmpKeys := 0
			if ka < kb {
				cmpKeys = -1
			} else if ka > kb {
				cmpKeys = 1
			}
			// Past keyBytes, keys say only that the lines go on.
			ta, tb := a[:min(len(a), keyBytes+1)], b[:min(len(b), keyBytes+1)]
			if len(ta) > keyBytes && len(tb) > keyBytes {
				ta, tb = ta[:keyBytes], tb[:keyBytes]
			}
			if want := bytes.Compare([]byte(ta), []byte(tb)); cmpKeys != want {
				t.Errorf("lineKey(%q) vs lineKey(%q): %d, want %d", a, b, cmpKeys, want)
			}
		}
	}
}
