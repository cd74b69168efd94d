package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sceau/sceau/internal/store/storetest"
)

// BenchmarkVerifyHandler is POST /credentials/verify in process: request
// decoding, data model rules, eddsa-rdfc-2022 with a did:key, validity,
// and the status list (in process, its proof verified once and cached).
func BenchmarkVerifyHandler(b *testing.B) {
	f := newFixture(b, storetest.SQLite(b), "http://localhost:8080")
	vc := f.issue(b, sampleCredential(), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
	body, err := json.Marshal(map[string]any{"verifiableCredential": vc, "options": map[string]any{"checks": []string{"proof"}}})
	if err != nil {
		b.Fatal(err)
	}
	if code, res := f.verify(b, vc); code != 200 || len(res.Warnings) > 0 {
		b.Fatalf("%d %+v", code, res)
	}
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/api/vc/credentials/verify", strings.NewReader(string(body)))
			req.Header.Set("Content-Type", "application/json")
			rec := httptest.NewRecorder()
			f.h.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				b.Fatalf("%d %s", rec.Code, rec.Body)
			}
		}
	})
}
