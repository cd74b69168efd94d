package rdfc

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math/bits"
	"slices"
)

// Sorting serialized lines in code point (byte) order.
//
// Canonical lines share long prefixes: a credential's statements mostly
// start with one of a few subject IRIs of 60-80 bytes followed by a
// predicate from one namespace, so a comparison sort calling bytes.Compare
// re-reads the same prefix at every one of its O(log n) comparisons per
// line. sortSpans is instead a multikey quicksort (Bentley and Sedgewick's
// three-way radix quicksort) over keyBytes bytes at a time: each line's
// next bytes are cached as an integer key in span.key, groups are
// partitioned around a pivot key into lower, equal and greater keys, and
// only the equal part moves on to the following bytes. Before keys are
// taken, the prefix a whole group shares is skipped, read once per line.

// keyBytes is the number of line bytes a key holds; its low byte holds the
// number of bytes left in the line (capped at keyBytes+1), so that a line
// ending inside the key sorts before the longer lines it is a prefix of.
const keyBytes = 7

// smallGroup is the group size up to which an insertion sort is cheaper
// than partitioning.
const smallGroup = 12

// lineGroup is a run of spans, equal up to depth bytes, left to sort.
// keyed says the spans' keys hold their bytes at depth; budget is the
// number of partitions left before falling back to pdqsort, which bounds
// the cost for inputs that defeat the pivot choice.
type lineGroup struct {
	lo, hi, depth int32
	budget        int16
	keyed         bool
}

// sortSpans sorts c.spans by the bytes of their lines in c.buf.
func (c *canonicalizer) sortSpans() {
	buf, spans := c.buf, c.spans
	if len(spans) <= smallGroup {
		// Few lines (a blank node's mentions, a proof configuration).
		slices.SortFunc(spans, func(x, y span) int {
			return bytes.Compare(buf[x.start:x.end], buf[y.start:y.end])
		})
		return
	}
	c.groups = sortLines(buf, spans, c.groups[:0], partitionBudget(len(spans)))
}

// partitionBudget is the number of partitions a group of n lines may go
// through before falling back to pdqsort: twice the depth of a balanced
// partition tree.
func partitionBudget(n int) int16 { return int16(2 * bits.Len(uint(n))) }

// sortLines sorts spans by their lines in buf, using stack (returned for
// reuse) and allowing budget partitions of the whole before pdqsort.
func sortLines(buf []byte, spans []span, stack []lineGroup, budget int16) []lineGroup {
	// An explicit stack rather than recursion: lines that are prefixes of
	// each other can peel off one at a time, which must not mean one stack
	// frame per line. Groups on the stack are disjoint and of two lines or
	// more, so it holds at most len(spans)/2 of them.
	stack = append(stack, lineGroup{lo: 0, hi: int32(len(spans)), budget: budget})
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		s, depth := spans[g.lo:g.hi], int(g.depth)
		if len(s) < 2 {
			continue
		}
		if !g.keyed {
			if len(s) <= smallGroup {
				slices.SortFunc(s, func(x, y span) int {
					return bytes.Compare(buf[int(x.start)+depth:x.end], buf[int(y.start)+depth:y.end])
				})
				continue
			}
			depth += commonPrefix(buf, s, depth)
			for i := range s {
				s[i].key = lineKey(buf[int(s[i].start)+depth : s[i].end])
			}
		}
		if len(s) <= smallGroup || g.budget == 0 {
			sortKeyed(buf, s, depth)
			continue
		}
		lt, gt := partition(s)
		g.budget--
		lo := int(g.lo)
		stack = push(stack, lineGroup{int32(lo), int32(lo + lt), int32(depth), g.budget, true})
		stack = push(stack, lineGroup{int32(lo + gt), g.hi, int32(depth), g.budget, true})
		// Equal keys: the lines either ended within the key (and are
		// equal) or go on past it.
		if s[lt].key&0xff > keyBytes {
			stack = push(stack, lineGroup{int32(lo + lt), int32(lo + gt), int32(depth + keyBytes), partitionBudget(gt - lt), false})
		}
	}
	return stack
}

// push adds g to the stack if it has lines to sort.
func push(stack []lineGroup, g lineGroup) []lineGroup {
	if g.hi-g.lo < 2 {
		return stack
	}
	return append(stack, g)
}

// partition reorders s around a pivot key into lower keys s[:lt], keys
// equal to the pivot s[lt:gt] and greater keys s[gt:].
func partition(s []span) (lt, gt int) {
	a, b, z := s[0].key, s[len(s)/2].key, s[len(s)-1].key
	// Median of three.
	if a > b {
		a, b = b, a
	}
	if b > z {
		b = max(a, z)
	}
	pivot := b
	lt, gt = 0, len(s)
	for i := 0; i < gt; {
		switch k := s[i].key; {
		case k < pivot:
			s[lt], s[i] = s[i], s[lt]
			lt++
			i++
		case k > pivot:
			gt--
			s[i], s[gt] = s[gt], s[i]
		default:
			i++
		}
	}
	return lt, gt
}

// sortKeyed sorts s whose keys hold their lines' bytes at depth: by key,
// then by the rest of the lines. Insertion sort for small groups; pdqsort
// where a group has used up its partition budget.
func sortKeyed(buf []byte, s []span, depth int) {
	rest := depth + keyBytes
	compare := func(x, y *span) int {
		if r := cmp.Compare(x.key, y.key); r != 0 || x.key&0xff <= keyBytes {
			return r
		}
		return bytes.Compare(buf[int(x.start)+rest:x.end], buf[int(y.start)+rest:y.end])
	}
	if len(s) > smallGroup {
		slices.SortFunc(s, func(x, y span) int { return compare(&x, &y) })
		return
	}
	insertionSort(s, compare)
}

func insertionSort(s []span, compare func(x, y *span) int) {
	for i := 1; i < len(s); i++ {
		x := s[i]
		j := i
		for ; j > 0 && compare(&s[j-1], &x) > 0; j-- {
			s[j] = s[j-1]
		}
		s[j] = x
	}
}

// lineKey returns the first keyBytes bytes of b, big-endian and padded with
// zeros, followed by a byte holding min(len(b), keyBytes+1): comparing keys
// compares the lines' first bytes in code point order, a line that ends
// first (a prefix of the other) coming first.
func lineKey(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.BigEndian.Uint64(b)&^0xff | (keyBytes + 1)
	}
	var k uint64
	for i := range keyBytes {
		k <<= 8
		if i < len(b) {
			k |= uint64(b[i])
		}
	}
	return k<<8 | uint64(len(b))
}

// commonPrefix returns the length of the prefix all the lines of s share
// from depth on.
func commonPrefix(buf []byte, s []span, depth int) int {
	first := buf[int(s[0].start)+depth : s[0].end]
	n := len(first)
	for _, x := range s[1:] {
		n = mismatch(first[:n], buf[int(x.start)+depth:x.end])
		if n == 0 {
			break
		}
	}
	return n
}

// mismatch returns the length of the common prefix of a and b, comparing
// eight bytes at a time.
func mismatch(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for ; i+8 <= n; i += 8 {
		if x := binary.LittleEndian.Uint64(a[i:]) ^ binary.LittleEndian.Uint64(b[i:]); x != 0 {
			return i + bits.TrailingZeros64(x)/8
		}
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}
