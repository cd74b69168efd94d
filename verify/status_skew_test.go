package verify

import (
	"context"
	"testing"
	"time"
)

// A status list signed on demand a moment after the verification began
// (or by a clock slightly ahead) still counts: a revoked badge must never
// read valid because its list was built in the next second. A list dated
// well in the future does not count.
func TestStatusListClockSkew(t *testing.T) {
	w := newWorld(t)
	signed := w.signed(t, nil)
	for _, tc := range []struct {
		name      string
		validFrom time.Time
		verdict   Verdict
		status    Outcome
	}{
		{"signed two seconds later", testNow.Add(2 * time.Second), Revoked, Fail},
		{"signed four minutes later", testNow.Add(4 * time.Minute), Revoked, Fail},
		{"dated ten minutes ahead", testNow.Add(10 * time.Minute), Valid, Warn},
	} {
		t.Run(tc.name, func(t *testing.T) {
			list := statusListFrom(t, tc.validFrom.Format(time.RFC3339), w.issuer.did, w.issuer, "revocation", statusIndex)
			rep := Verify(context.Background(), signed, Options{Now: testNow, Fetcher: documents(t, map[string][]byte{statusListURL: list})})
			if rep.Verdict != tc.verdict {
				t.Errorf("verdict %s, want %s", rep.Verdict, tc.verdict)
			}
			if c := rep.Check(CodeStatus); c == nil || c.Outcome != tc.status {
				t.Errorf("status check %+v, want %s", c, tc.status)
			}
		})
	}
}
