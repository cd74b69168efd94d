package rdfc

import (
	"strings"
	"testing"
)

// escapedByTable is appendEscaped without its eight-bytes-at-a-time skip:
// the needsEscape table byte by byte.
func escapedByTable(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.Write(appendEscaped(nil, s[i:i+1]))
	}
	return b.String()
}

// TestAppendEscapedSkipsOnlyPlainBytes: every byte value, at every position
// of strings long enough to take the eight-byte path, is escaped as the
// table says (a byte the word test missed would come out raw).
func TestAppendEscapedSkipsOnlyPlainBytes(t *testing.T) {
	for c := range 256 {
		for n := 1; n <= 20; n++ {
			for pos := range n {
				b := []byte(strings.Repeat("é", n)[:n])
				b[pos] = byte(c)
				s := string(b)
				if got, want := string(appendEscaped(nil, s)), escapedByTable(s); got != want {
					t.Fatalf("appendEscaped(%q) = %q, want %q", s, got, want)
				}
			}
		}
	}
}

func TestAnyNeedsEscape(t *testing.T) {
	for c := range 256 {
		for pos := range 8 {
			var x uint64 = 0x4141414141414141 // "AAAAAAAA"
			x = x&^(0xff<<(8*pos)) | uint64(c)<<(8*pos)
			if got := anyNeedsEscape(x); got != needsEscape[c] {
				t.Fatalf("byte %#x at %d: anyNeedsEscape = %v, want %v", c, pos, got, needsEscape[c])
			}
		}
	}
}
