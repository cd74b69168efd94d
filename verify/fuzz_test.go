package verify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/vcjwt"
)

// FuzzVerify: any bytes give a report, without panic or hang, with a known
// verdict, a reason and a message for every check.
func FuzzVerify(f *testing.F) {
	w := newWorld(f)
	signed := w.signed(f, nil)
	f.Add(signed)
	f.Add(w.badge(f, nil))
	f.Add(bakeInto(f, plainPNG(f), signed, bake.FormatOB3))
	f.Add(bakeInto(f, []byte(plainSVG), signed, bake.FormatOB3))
	tok, err := vcjwt.Sign(w.badge(f, nil), w.issuer.key, w.issuer.method, vcjwt.SignOptions{})
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(tok))
	env, _ := vcjwt.Envelope(tok)
	f.Add(env)
	f.Add(w.signed(f, func(m map[string]any) { achievement(m)["endorsement"] = []any{w.endorsement(f, false)} }))
	for _, pattern := range []string{"testdata/validator-ob30/*.*", "testdata/validator-ob30/*/*.*"} {
		files, _ := filepath.Glob(pattern)
		for _, name := range files {
			if data, err := os.ReadFile(name); err == nil {
				f.Add(data)
			}
		}
	}
	// Open Badges 2.0 and 1.0 inputs (ob2_test.go).
	f.Add(readTestdata(f, "ob2/badgr/assertion.json"))
	f.Add(readTestdata(f, "ob2/ob1/assertion.json"))
	f.Add([]byte(rs256(f, readTestdata(f, "ob2/signed/assertion.json"), "test-issuer-key.pem")))
	f.Add(bakeInto(f, plainPNG(f), []byte(ob2Assertion), bake.FormatOB2))
	f.Add(bakeInto(f, []byte(plainSVG), readTestdata(f, "ob2/badgr/assertion.json"), bake.FormatOB2))
	f.Add([]byte{})
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("<svg"))
	f.Add([]byte("a.b.c"))

	// The status list is served so that the status path runs too.
	opts := Options{Now: testNow, Fetcher: documents(f, map[string][]byte{statusListURL: statusList(f, w.issuer.did, w.issuer, "revocation", statusIndex)})}
	verdicts := map[Verdict]bool{Valid: true, Revoked: true, Suspended: true, Expired: true, NotYetValid: true, Invalid: true}
	f.Fuzz(func(t *testing.T, input []byte) {
		done := make(chan *Report, 1)
		go func() { done <- Verify(bg, input, opts) }()
		var r *Report
		select {
		case r = <-done:
		case <-time.After(20 * time.Second):
			t.Fatalf("Verify did not return within 20 s on %d bytes", len(input))
		}
		if !verdicts[r.Verdict] {
			t.Fatalf("verdict %q", r.Verdict)
		}
		if r.Reason.EN == "" || r.Reason.FR == "" || len(r.Checks) == 0 {
			t.Fatalf("report without reason or checks: %+v", r)
		}
		if r.Verdict != Invalid && r.authentic() != nil {
			t.Fatalf("verdict %s without a verified proof or hosted copy: %s", r.Verdict, outcomes(r))
		}
		if _, err := json.Marshal(r); err != nil {
			t.Fatalf("marshal report: %v", err)
		}
	})
}
