//go:build ignore

// Loadserver serves the VC API alone, on a fresh SQLite store with one
// issuer, for the load test of /credentials/verify. It writes the body of
// a verify request (a credential it issued, with a status entry) to -body.
//
//	go run internal/api/loadserver.go -addr 127.0.0.1:8089 -body /tmp/verify-body.json
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"io"
	"log"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/sceau/sceau/internal/api"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/store"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8089", "listen address")
	bodyFile := flag.String("body", "verify-body.json", "where to write a verify request body")
	flag.Parse()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sceau-load")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	db, err := store.Open(ctx, filepath.Join(dir, "db"))
	if err != nil {
		log.Fatal(err)
	}
	if err := db.Migrate(ctx); err != nil {
		log.Fatal(err)
	}
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{7}, 32), "load")
	if err != nil {
		log.Fatal(err)
	}
	base := "http://" + *addr
	svc, err := issuing.New(issuing.Config{Store: db, Master: master, BaseURL: base})
	if err != nil {
		log.Fatal(err)
	}
	if err := svc.CreateIssuer(ctx, &badge.Issuer{Slug: "demo", Name: "Demo", URL: "https://demo.example.org", Language: "en"}); err != nil {
		log.Fatal(err)
	}
	h, err := api.NewVC(api.VCOptions{Service: svc, Store: db, IssuerSlug: "demo", BaseURL: base,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		log.Fatal(err)
	}
	issue, _ := json.Marshal(map[string]any{
		"credential": map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2"}, "type": []any{"VerifiableCredential"},
			"id": "urn:uuid:0b6c5a4e-1f7e-4c55-9d1e-6a1f5c2b7f10", "validFrom": "2026-01-01T00:00:00Z",
			"name": "Training certificate", "credentialSubject": map[string]any{"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "name": "Marie Tremblay"},
		},
		"options": map[string]any{"credentialStatus": map[string]any{"type": "BitstringStatusListEntry"}},
	})
	req := httptest.NewRequest("POST", "/api/vc/credentials/issue", bytes.NewReader(issue))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusCreated {
		log.Fatalf("issue: %d %s", rec.Code, rec.Body)
	}
	var out struct{ VerifiableCredential json.RawMessage }
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		log.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"verifiableCredential": out.VerifiableCredential, "options": map[string]any{"checks": []string{"proof"}}})
	if err := os.WriteFile(*bodyFile, body, 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("serving the VC API on %s; verify body in %s", base, *bodyFile)
	log.Fatal(http.ListenAndServe(*addr, h))
}
