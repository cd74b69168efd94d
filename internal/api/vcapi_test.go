package api

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/proof"
)

const issuerSlug = "formation-continue-demo"

// fixture is a VC API over a real store and issuing service.
type fixture struct {
	svc *issuing.Service
	db  *store.DB
	h   http.Handler
	now time.Time
}

func newFixture(t testing.TB, db *store.DB, base string) *fixture {
	t.Helper()
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{7}, 32), "test")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	db.SetClock(clock)
	f.svc, err = issuing.New(issuing.Config{Store: db, Master: master, BaseURL: base, Now: clock})
	if err != nil {
		t.Fatal(err)
	}
	iss := &badge.Issuer{Slug: issuerSlug, Name: "Formation continue", URL: "https://formation.example.org", Language: "fr"}
	if err := f.svc.CreateIssuer(context.Background(), iss); err != nil {
		t.Fatal(err)
	}
	f.h, err = NewVC(VCOptions{Service: f.svc, Store: db, IssuerSlug: issuerSlug, BaseURL: base, Now: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// do sends a request to the handler and returns the status and body.
func (f *fixture) do(t testing.TB, method, path, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	if ct := rec.Header().Get("Content-Type"); rec.Code != 200 || method == "POST" {
		if !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("%s %s: Content-Type %q, want JSON", method, path, ct)
		}
	}
	return rec.Code, rec.Body.Bytes()
}

func (f *fixture) post(t testing.TB, path string, v any) (int, []byte) {
	t.Helper()
	body, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return f.do(t, "POST", path, "application/json", body)
}

// issue issues credential with options and returns the signed credential.
func (f *fixture) issue(t testing.TB, credential, options any) json.RawMessage {
	t.Helper()
	code, body := f.post(t, "/api/vc/credentials/issue", map[string]any{"credential": credential, "options": options})
	if code != http.StatusCreated {
		t.Fatalf("issue: %d %s", code, body)
	}
	var out struct {
		VerifiableCredential json.RawMessage `json:"verifiableCredential"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out.VerifiableCredential
}

func (f *fixture) verify(t testing.TB, vc json.RawMessage) (int, *VerifyResult) {
	t.Helper()
	code, body := f.post(t, "/api/vc/credentials/verify", map[string]any{"verifiableCredential": vc, "options": map[string]any{"checks": []string{"proof"}}})
	var res VerifyResult
	if err := json.Unmarshal(body, &res); err != nil {
		t.Fatalf("verify answer %s: %v", body, err)
	}
	return code, &res
}

func (f *fixture) issuerDID(t testing.TB) string {
	t.Helper()
	code, body := f.do(t, "GET", "/api/vc/issuer", "", nil)
	if code != 200 {
		t.Fatalf("issuer: %d %s", code, body)
	}
	var out struct{ ID string }
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	return out.ID
}

// sampleCredential is a typical VC 2.0 credential with a language map.
func sampleCredential() map[string]any {
	return map[string]any{
		"@context":  []any{contextV2},
		"type":      []any{"VerifiableCredential"},
		"id":        "urn:uuid:0b6c5a4e-1f7e-4c55-9d1e-6a1f5c2b7f10",
		"validFrom": "2026-01-01T00:00:00Z",
		"name": []any{
			map[string]any{"@value": "Attestation de formation", "@language": "fr"},
			map[string]any{"@value": "Training certificate", "@language": "en"},
		},
		"credentialSubject": map[string]any{"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "name": "Marie Tremblay"},
	}
}

func TestIssuerIsDIDKeyOverHTTP(t *testing.T) { storetest.ForEach(t, testIssuerIsDIDKeyOverHTTP) }

func testIssuerIsDIDKeyOverHTTP(t *testing.T, db *store.DB) {
	f := newFixture(t, db, "http://localhost:8080")
	id := f.issuerDID(t)
	if !strings.HasPrefix(id, "did:key:z6Mk") {
		t.Fatalf("issuer id %q, want an Ed25519 did:key", id)
	}
	if _, err := did.ResolveKey(id); err != nil {
		t.Fatalf("resolve %s: %v", id, err)
	}
}

func TestIssueVerifyRoundTrip(t *testing.T) { storetest.ForEach(t, testIssueVerifyRoundTrip) }

func testIssueVerifyRoundTrip(t *testing.T, db *store.DB) {
	f := newFixture(t, db, "http://localhost:8080")
	issuerID := f.issuerDID(t)
	vc := f.issue(t, sampleCredential(), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})

	var doc map[string]any
	if err := json.Unmarshal(vc, &doc); err != nil {
		t.Fatal(err)
	}
	if doc["issuer"] != issuerID {
		t.Fatalf("issuer %v, want %s (set by the server)", doc["issuer"], issuerID)
	}
	p, _ := doc["proof"].(map[string]any)
	if p["cryptosuite"] != "eddsa-rdfc-2022" || !strings.HasPrefix(p["verificationMethod"].(string), issuerID+"#z6Mk") {
		t.Fatalf("proof %v", p)
	}
	st, _ := doc["credentialStatus"].(map[string]any)
	if st["type"] != "BitstringStatusListEntry" || st["statusPurpose"] != "revocation" {
		t.Fatalf("credentialStatus %v", st)
	}

	code, res := f.verify(t, vc)
	if code != 200 || !res.Verified || len(res.Errors) != 0 || len(res.Warnings) != 0 {
		t.Fatalf("verify: %d %+v", code, res)
	}
	for _, want := range []string{"dataModel", "proof", "validity", "credentialStatus"} {
		if !strings.Contains(strings.Join(res.Checks, ","), want) {
			t.Errorf("checks %v lack %s", res.Checks, want)
		}
	}

	// The status list the entry names is served, signed by the issuer.
	listURL := st["statusListCredential"].(string)
	path := strings.TrimPrefix(listURL, "http://localhost:8080")
	code, list := f.do(t, "GET", path, "", nil)
	if code != 200 {
		t.Fatalf("GET %s: %d %s", path, code, list)
	}
	pr, err := proof.Verify(context.Background(), list, proof.VerifyOptions{Resolver: &did.MultiResolver{}, Now: f.now})
	if err != nil || !pr.AllVerified() || pr.Proofs[0].Controller != issuerID {
		t.Fatalf("status list proof: %v %+v", err, pr)
	}
}

func TestVerifyFailures(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	vc := f.issue(t, sampleCredential(), nil)
	expiring := sampleCredential()
	expiring["validUntil"] = "2026-02-01T00:00:00Z"
	expired := f.issue(t, expiring, nil)

	for _, tc := range []struct {
		name     string
		vc       json.RawMessage
		wantCode int
		wantErr  string
	}{
		{"tampered subject", bytes.Replace(vc, []byte("Marie Tremblay"), []byte("Mallory"), 1), 422, "invalid signature"},
		{"tampered issuer", bytes.Replace(vc, []byte(`"issuer":"did:key:z6Mk`), []byte(`"issuer":"did:key:z6Mz`), 1), 422, ""},
		{"no proof", mustRemove(t, vc, "proof"), 422, "no proof"},
		{"expired", expired, 422, "Expired"},
		{"no subject", mustRemove(t, vc, "credentialSubject"), 400, "credentialSubject"},
		{"bad context", bytes.Replace(vc, []byte(contextV2), []byte("https://example.org/ctx"), 1), 400, "@context"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, res := f.verify(t, tc.vc)
			if code != tc.wantCode || res.Verified {
				t.Fatalf("%d verified=%v, want %d: %+v", code, res.Verified, tc.wantCode, res)
			}
			all, _ := json.Marshal(res.Errors)
			if !strings.Contains(string(all), tc.wantErr) {
				t.Fatalf("errors %s do not mention %q", all, tc.wantErr)
			}
		})
	}
}

func mustRemove(t testing.TB, vc json.RawMessage, key string) json.RawMessage {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(vc, &doc); err != nil {
		t.Fatal(err)
	}
	delete(doc, key)
	out, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestIssueRefusesDataModelViolations: each VC 2.0 rule broken gives 400
// naming the path at fault.
func TestIssueRefusesDataModelViolations(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	for _, tc := range []struct {
		name   string
		mutate func(c map[string]any)
		path   string
	}{
		{"no context", func(c map[string]any) { delete(c, "@context") }, "credential.@context"},
		{"v1 context", func(c map[string]any) { c["@context"] = []any{contextV1} }, "credential.@context[0]"},
		{"no VerifiableCredential type", func(c map[string]any) { c["type"] = []any{"Other"} }, "credential.type"},
		{"id not a URL", func(c map[string]any) { c["id"] = "not a url" }, "credential.id"},
		{"id a list", func(c map[string]any) { c["id"] = []any{"urn:a", "urn:b"} }, "credential.id"},
		{"issuer not a URL", func(c map[string]any) { c["issuer"] = "fake-issuer" }, "credential.issuer"},
		{"issuer null", func(c map[string]any) { c["issuer"] = nil }, "credential.issuer"},
		{"issuer object without id", func(c map[string]any) { c["issuer"] = map[string]any{"name": "X"} }, "credential.issuer.id"},
		{"no subject", func(c map[string]any) { delete(c, "credentialSubject") }, "credential.credentialSubject"},
		{"empty subject", func(c map[string]any) { c["credentialSubject"] = map[string]any{} }, "credential.credentialSubject"},
		{"empty subject list", func(c map[string]any) { c["credentialSubject"] = []any{} }, "credential.credentialSubject"},
		{"subject id not a URL", func(c map[string]any) { c["credentialSubject"] = map[string]any{"id": "x y"} }, "credential.credentialSubject.id"},
		{"validFrom without zone", func(c map[string]any) { c["validFrom"] = "2026-01-01T00:00:00" }, "credential.validFrom"},
		{"validFrom a date", func(c map[string]any) { c["validFrom"] = "2026-01-01" }, "credential.validFrom"},
		{"validUntil before validFrom", func(c map[string]any) { c["validUntil"] = "2025-01-01T00:00:00Z" }, "credential.validUntil"},
		{"name language not a tag", func(c map[string]any) {
			c["name"] = map[string]any{"@value": "x", "@language": "not a tag"}
		}, "credential.name.@language"},
		{"description direction", func(c map[string]any) {
			c["description"] = map[string]any{"@value": "x", "@direction": "up"}
		}, "credential.description.@direction"},
		{"credentialSchema without type", func(c map[string]any) {
			c["credentialSchema"] = map[string]any{"id": "https://example.org/schema.json"}
		}, "credential.credentialSchema.type"},
		{"credentialSchema without id", func(c map[string]any) {
			c["credentialSchema"] = []any{map[string]any{"type": "JsonSchema"}}
		}, "credential.credentialSchema[0].id"},
		{"credentialSchema id a number", func(c map[string]any) {
			c["credentialSchema"] = map[string]any{"id": 7, "type": "JsonSchema"}
		}, "credential.credentialSchema.id"},
		{"refreshService without type", func(c map[string]any) {
			c["refreshService"] = map[string]any{"id": "https://example.org/refresh"}
		}, "credential.refreshService.type"},
		{"refreshService id not a URL", func(c map[string]any) {
			c["refreshService"] = map[string]any{"id": "refresh", "type": "X"}
		}, "credential.refreshService.id"},
		{"credentialStatus without type", func(c map[string]any) {
			c["credentialStatus"] = map[string]any{"id": "https://example.org/status#1"}
		}, "credential.credentialStatus.type"},
		{"termsOfUse without type", func(c map[string]any) { c["termsOfUse"] = map[string]any{"id": "urn:x"} }, "credential.termsOfUse.type"},
		{"evidence without type", func(c map[string]any) { c["evidence"] = []any{map[string]any{"id": "urn:x"}} }, "credential.evidence[0].type"},
		{"relatedResource without digest", func(c map[string]any) {
			c["relatedResource"] = map[string]any{"id": "https://example.org/a.png"}
		}, "credential.relatedResource"},
		{"relatedResource without id", func(c map[string]any) {
			c["relatedResource"] = []any{map[string]any{"digestSRI": "sha384-abc"}}
		}, "credential.relatedResource[0].id"},
		{"relatedResource duplicate id", func(c map[string]any) {
			r := map[string]any{"id": "https://example.org/a.png", "digestSRI": "sha384-abc"}
			c["relatedResource"] = []any{r, r}
		}, "credential.relatedResource[1].id"},
		{"relatedResource bad digestSRI", func(c map[string]any) {
			c["relatedResource"] = map[string]any{"id": "https://example.org/a", "digestSRI": "md5-abc"}
		}, "credential.relatedResource.digestSRI"},
		{"relatedResource bad digestMultibase", func(c map[string]any) {
			c["relatedResource"] = map[string]any{"id": "https://example.org/a", "digestMultibase": "!"}
		}, "credential.relatedResource.digestMultibase"},
		{"proof without type", func(c map[string]any) { c["proof"] = map[string]any{"proofValue": "z"} }, "credential.proof.type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := sampleCredential()
			tc.mutate(c)
			code, body := f.post(t, "/api/vc/credentials/issue", map[string]any{"credential": c})
			if code != 400 {
				t.Fatalf("%d %s, want 400", code, body)
			}
			var out struct {
				Problems []Problem `json:"problems"`
			}
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatal(err)
			}
			for _, p := range out.Problems {
				if p.Path == tc.path {
					return
				}
			}
			t.Fatalf("problems %+v do not name %s", out.Problems, tc.path)
		})
	}
}

// TestIssueAcceptsValidExtensions: what VC 2.0 allows is signed.
func TestIssueAcceptsValidExtensions(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	c := sampleCredential()
	c["relatedResource"] = []any{
		map[string]any{"id": "https://example.org/a.png", "digestSRI": "sha384-ZBKMqbk8c0x7JHX8zMy6ZkqAGTX8VPRRpVgIpxNjN6DhB8lGWPu6M7bJGrRDNy0f", "mediaType": "image/png"},
		map[string]any{"id": "https://example.org/b.pdf", "digestMultibase": "uEiBZlVztZpfWHgPyslVv6-UwirFoQoRvW1htfx963sknNA"},
	}
	c["credentialSchema"] = map[string]any{"id": "https://example.org/schema.json", "type": "JsonSchema"}
	c["validUntil"] = "2027-01-01T00:00:00+01:00"
	c["issuer"] = map[string]any{"id": "did:example:someone-else", "name": "Formation continue"}
	vc := f.issue(t, c, map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry",
		"statusPurpose": []any{"revocation", "suspension"}}, "created": "2026-03-01T09:00:00Z"})
	var doc map[string]any
	if err := json.Unmarshal(vc, &doc); err != nil {
		t.Fatal(err)
	}
	iss := doc["issuer"].(map[string]any)
	if iss["id"] != f.issuerDID(t) || iss["name"] != "Formation continue" {
		t.Fatalf("issuer %v: want the server's DID, the name kept", iss)
	}
	if st, _ := doc["credentialStatus"].([]any); len(st) != 2 {
		t.Fatalf("credentialStatus %v, want two entries", doc["credentialStatus"])
	}
	if doc["proof"].(map[string]any)["created"] != "2026-03-01T09:00:00Z" {
		t.Fatalf("proof created %v", doc["proof"])
	}
	if code, res := f.verify(t, vc); code != 200 || !res.Verified {
		t.Fatalf("verify: %d %+v", code, res)
	}
}

// TestW3CFixtures issues the VC 2.0 test suite's inputs: -ok are issued
// (201), -fail refused (400). Like the suite, an absent issuer is filled
// with the endpoint's.
func TestW3CFixtures(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	files, err := filepath.Glob("testdata/w3c-vcdm2/*.json")
	if err != nil || len(files) < 10 {
		t.Fatalf("fixtures: %v %d", err, len(files))
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var c map[string]any
			if err := json.Unmarshal(data, &c); err != nil {
				t.Fatal(err)
			}
			if _, ok := c["issuer"]; !ok {
				c["issuer"] = f.issuerDID(t)
			}
			want := http.StatusCreated
			if strings.HasSuffix(name, "-fail") {
				want = http.StatusBadRequest
			}
			code, body := f.post(t, "/api/vc/credentials/issue", map[string]any{"credential": c})
			if code != want {
				t.Fatalf("%d %s, want %d", code, body, want)
			}
			if want == http.StatusCreated {
				var out struct{ VerifiableCredential json.RawMessage }
				if err := json.Unmarshal(body, &out); err != nil {
					t.Fatal(err)
				}
				if code, res := f.verify(t, out.VerifiableCredential); code != 200 {
					t.Fatalf("verify issued: %d %+v", code, res)
				}
			}
		})
	}
}

func TestIssueOptions(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	for _, tc := range []struct {
		name    string
		options any
		path    string
	}{
		{"status type", map[string]any{"credentialStatus": map[string]any{"type": "StatusList2021Entry"}}, "options.credentialStatus.type"},
		{"status purpose", map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "refresh"}}, "options.credentialStatus.statusPurpose"},
		{"created", map[string]any{"created": "yesterday"}, "options.created"},
		{"credentialId differs", map[string]any{"credentialId": "urn:uuid:other"}, "options.credentialId"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.post(t, "/api/vc/credentials/issue", map[string]any{"credential": sampleCredential(), "options": tc.options})
			if code != 400 || !strings.Contains(string(body), tc.path) {
				t.Fatalf("%d %s, want 400 naming %s", code, body, tc.path)
			}
		})
	}
	// credentialId sets the id of a credential that has none.
	c := sampleCredential()
	delete(c, "id")
	vc := f.issue(t, c, map[string]any{"credentialId": "urn:uuid:7b7c2f7e-0000-4000-8000-000000000001"})
	if !bytes.Contains(vc, []byte(`"id":"urn:uuid:7b7c2f7e-0000-4000-8000-000000000001"`)) {
		t.Fatalf("credentialId not applied: %s", vc)
	}
}

func TestRequestErrors(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	big := append([]byte(`{"credential":{"x":"`), bytes.Repeat([]byte("a"), MaxVCBody)...)
	big = append(big, `"}}`...)
	for _, tc := range []struct {
		name, method, path, ctype string
		body                      []byte
		want                      int
		wantType                  string
	}{
		{"wrong content type", "POST", "/api/vc/credentials/issue", "text/plain", []byte(`{}`), 415, problemMediaType},
		{"no content type", "POST", "/api/vc/credentials/verify", "", []byte(`{}`), 415, problemMediaType},
		{"oversized", "POST", "/api/vc/credentials/issue", "application/json", big, 413, problemBodyTooLarge},
		{"bad JSON", "POST", "/api/vc/credentials/issue", "application/json", []byte(`{"credential":`), 400, problemParsing},
		{"trailing data", "POST", "/api/vc/credentials/verify", "application/json", []byte(`{} {}`), 400, problemParsing},
		{"credential missing", "POST", "/api/vc/credentials/issue", "application/json", []byte(`{"options":{}}`), 400, problemMalformed},
		{"credential not an object", "POST", "/api/vc/credentials/verify", "application/json", []byte(`{"verifiableCredential":"eyJ"}`), 400, problemMalformed},
		{"options malformed", "POST", "/api/vc/credentials/issue", "application/ld+json", []byte(`{"credential":{},"options":[1]}`), 400, problemMalformed},
		{"unknown route", "GET", "/api/vc/nothing", "", nil, 404, problemNotFound},
		{"unknown status list", "GET", "/api/vc/status/key-9/revocation", "", nil, 404, problemNotFound},
		{"unknown purpose", "GET", "/api/vc/status/key-1/refresh", "", nil, 404, problemNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.do(t, tc.method, tc.path, tc.ctype, tc.body)
			var out ProblemDetail
			if err := json.Unmarshal(body, &out); err != nil {
				t.Fatalf("%d %s: %v", code, body, err)
			}
			if code != tc.want || out.Type != tc.wantType {
				t.Fatalf("%d %s, want %d %s", code, body, tc.want, tc.wantType)
			}
		})
	}
}

func TestPresentations(t *testing.T) {
	f := newFixture(t, storetest.SQLite(t), "http://localhost:8080")
	vc := f.issue(t, sampleCredential(), nil)
	var cred map[string]any
	if err := json.Unmarshal(vc, &cred); err != nil {
		t.Fatal(err)
	}
	tampered := bytes.Replace(vc, []byte("Marie Tremblay"), []byte("Mallory"), 1)
	var bad map[string]any
	if err := json.Unmarshal(tampered, &bad); err != nil {
		t.Fatal(err)
	}
	holderPub, holderKey, err := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{3}, 64)))
	if err != nil {
		t.Fatal(err)
	}
	holder, holderVM, err := did.KeyDID(holderPub)
	if err != nil {
		t.Fatal(err)
	}
	vp := func(creds ...any) map[string]any {
		return map[string]any{"@context": []any{contextV2}, "type": []any{"VerifiablePresentation"},
			"holder": holder, "verifiableCredential": creds}
	}
	sign := func(doc map[string]any, challenge, domain string) map[string]any {
		s := proof.Signer{Key: holderKey, VerificationMethod: holderVM, Purpose: did.Authentication, Now: func() time.Time { return f.now }}
		out, err := s.SignDocument(doc, proof.SignOptions{Challenge: challenge, Domain: domain})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		vp      map[string]any
		options map[string]any
		want    int
	}{
		{"unsigned, one credential", vp(cred), nil, 200},
		{"signed with challenge", sign(vp(cred), "c-123", "verifier.example"), map[string]any{"challenge": "c-123", "domain": "verifier.example"}, 200},
		{"wrong challenge", sign(vp(cred), "c-123", ""), map[string]any{"challenge": "c-456"}, 422},
		{"challenge asked, no proof", vp(cred), map[string]any{"challenge": "c-123"}, 422},
		{"tampered credential", vp(bad), nil, 422},
		{"tampered presentation", func() map[string]any { d := sign(vp(cred), "", ""); d["holder"] = "did:example:other"; return d }(), nil, 422},
		{"not a presentation", map[string]any{"@context": []any{contextV2}, "type": []any{"VerifiableCredential"}}, nil, 400},
		{"malformed credential inside", vp(map[string]any{"@context": []any{contextV2}}), nil, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, body := f.post(t, "/api/vc/presentations/verify", map[string]any{"verifiablePresentation": tc.vp, "options": tc.options})
			var res PresentationResult
			if err := json.Unmarshal(body, &res); err != nil {
				t.Fatal(err)
			}
			if code != tc.want || res.Verified != (tc.want == 200) {
				t.Fatalf("%d %s, want %d", code, body, tc.want)
			}
		})
	}
}

// TestDIDWebOverHTTPS: with an HTTPS base URL the API signs as the
// issuer's did:web, resolved in process when verifying.
func TestDIDWebOverHTTPS(t *testing.T) { storetest.ForEach(t, testDIDWebOverHTTPS) }

func testDIDWebOverHTTPS(t *testing.T, db *store.DB) {
	f := newFixture(t, db, "https://badges.example.org")
	id := f.issuerDID(t)
	if id != "did:web:badges.example.org:issuers:"+issuerSlug {
		t.Fatalf("issuer %s", id)
	}
	vc := f.issue(t, sampleCredential(), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
	if code, res := f.verify(t, vc); code != 200 || !res.Verified || len(res.Warnings) > 0 {
		t.Fatalf("verify: %d %+v", code, res)
	}
	// After a rotation the old credential still verifies: the DID document
	// keeps the retired key, and the list is signed by the new one.
	if _, err := f.svc.RotateKey(context.Background(), mustIssuerID(t, db)); err != nil {
		t.Fatal(err)
	}
	if code, res := f.verify(t, vc); code != 200 || !res.Verified || len(res.Warnings) > 0 {
		t.Fatalf("verify after rotation: %d %+v", code, res)
	}
}

func mustIssuerID(t testing.TB, db *store.DB) string {
	t.Helper()
	iss, err := db.GetIssuerBySlug(context.Background(), issuerSlug)
	if err != nil {
		t.Fatal(err)
	}
	return iss.ID
}

// TestDIDKeyRotation: a credential signed before a rotation keeps
// verifying, status included (its list is signed by its own did:key).
func TestDIDKeyRotation(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db, "http://localhost:8080")
	before := f.issuerDID(t)
	vc := f.issue(t, sampleCredential(), map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}})
	if _, err := f.svc.RotateKey(context.Background(), mustIssuerID(t, db)); err != nil {
		t.Fatal(err)
	}
	if after := f.issuerDID(t); after == before {
		t.Fatalf("did:key unchanged after rotation: %s", after)
	}
	if code, res := f.verify(t, vc); code != 200 || !res.Verified || len(res.Warnings) > 0 {
		t.Fatalf("verify after rotation: %d %+v", code, res)
	}
}

// TestOpenBadgeVerify: an award of the issuing service goes through the
// Open Badges verifier, its status list read in process.
func TestOpenBadgeVerify(t *testing.T) {
	db := storetest.SQLite(t)
	f := newFixture(t, db, "https://badges.example.org")
	ctx := context.Background()
	b := &badge.Badge{IssuerID: mustIssuerID(t, db), Slug: "secourisme", Name: "Secourisme", Description: "Premiers soins.",
		CriteriaNarrative: "Réussir la formation.", Language: "fr"}
	if err := f.svc.CreateBadge(ctx, b); err != nil {
		t.Fatal(err)
	}
	a, err := f.svc.Award(ctx, issuing.AwardInput{BadgeID: b.ID, Email: "marie@exemple.ca"})
	if err != nil {
		t.Fatal(err)
	}
	code, res := f.verify(t, a.Credential)
	if code != 200 || !res.Verified {
		t.Fatalf("verify award: %d %+v", code, res)
	}
	if err := f.svc.Revoke(ctx, a.ID, "erreur"); err != nil {
		t.Fatal(err)
	}
	if code, res := f.verify(t, a.Credential); code != 422 || res.Verified {
		t.Fatalf("verify revoked award: %d %+v", code, res)
	}
}
