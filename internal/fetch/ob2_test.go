package fetch

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/sceau/sceau/verify"
)

// An OB 2.0 host that answers a revoked assertion with 410 Gone and a
// reason: through this client the verifier reads "revoked" and the reason.
func TestOB2GoneReasonThroughClient(t *testing.T) {
	var base string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/ld+json")
		switch r.URL.Path {
		case "/badges/b1":
			io.WriteString(w, `{"@context":"https://w3id.org/openbadges/v2","type":"BadgeClass","id":"`+base+`/badges/b1","name":"Lecture","description":"Lire.","image":"`+base+`/b1.png","criteria":{"narrative":"Lire."},"issuer":"`+base+`/issuers/i1"}`)
			return
		case "/issuers/i1":
			io.WriteString(w, `{"@context":"https://w3id.org/openbadges/v2","type":"Issuer","id":"`+base+`/issuers/i1","name":"Organisme","url":"`+base+`","email":"contact@organisme.example"}`)
			return
		}
		if r.URL.Path == "/assertions/a1" {
			w.WriteHeader(http.StatusGone)
			io.WriteString(w, `{"@context":"https://w3id.org/openbadges/v2","id":"`+base+`/assertions/a1","revoked":true,"revocationReason":"Attestation retirée : fraude"}`)
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	base = srv.URL
	assertion := `{"@context":"https://w3id.org/openbadges/v2","type":"Assertion","id":"` + base + `/assertions/a1",
		"recipient":{"type":"email","hashed":false,"identity":"marie@exemple.ca"},"badge":"` + base + `/badges/b1",
		"verification":{"type":"hosted"},"issuedOn":"2024-05-01T00:00:00Z"}`
	c := newClient(t, Options{Allow: mustAllow(t, "127.0.0.1")})
	rep := verify.Verify(context.Background(), []byte(assertion), verify.Options{Fetcher: c})
	if rep.Verdict != verify.Revoked {
		t.Fatalf("verdict %s (%s), want revoked", rep.Verdict, rep.Reason.EN)
	}
	if !strings.Contains(rep.StatusReason, "fraude") {
		t.Errorf("status reason %q", rep.StatusReason)
	}
}
