package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/proof"
	"github.com/sceau/sceau/status"
)

// The README's quick start verifies the files of examples/. They are made
// by this file (go test ./cmd/sceau -run TestExamples -update) and checked
// by it on every run, so that the quick start stays true.
var update = flag.Bool("update", false, "rewrite examples/ and golden files")

const (
	exampleDir     = "../../examples"
	exampleHost    = "formation.sceau.example"
	exampleDID     = "did:web:" + exampleHost
	exampleMethod  = exampleDID + "#key-1"
	exampleList    = "https://" + exampleHost + "/status/1"
	exampleRevoked = 7
	exampleValid   = 3
)

var exampleTime = time.Date(2026, 9, 15, 14, 0, 0, 0, time.UTC)

// exampleKey is derived from a published seed: it signs demo data only.
func exampleKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("sceau demo issuer: never trust this key"))
	return ed25519.NewKeyFromSeed(seed[:])
}

func TestExamples(t *testing.T) {
	if *update {
		writeExamples(t)
	}
	cases := []struct {
		file string
		want int
		says string
	}{
		{"badge.json", exitOK, "VALID"},
		{"badge.png", exitOK, "VALID"},
		{"revoked.json", exitInvalid, "REVOKED"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			code, out, errOut := runCmd(t, "verify", "--documents", filepath.Join(exampleDir, "documents"), filepath.Join(exampleDir, c.file))
			if code != c.want || !bytes.Contains([]byte(out), []byte(": "+c.says+" ")) {
				t.Fatalf("exit %d (want %d), stdout:\n%s\nstderr:\n%s", code, c.want, out, errOut)
			}
		})
	}
}

func writeExamples(t *testing.T) {
	t.Helper()
	priv := exampleKey()
	signer := &proof.Signer{Key: priv, VerificationMethod: exampleMethod, Now: func() time.Time { return exampleTime }}
	docs := filepath.Join(exampleDir, "documents")
	if err := os.MkdirAll(docs, 0o755); err != nil {
		t.Fatal(err)
	}

	pubMB, err := did.EncodeMultikey(priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	didDoc := map[string]any{
		"@context": []string{"https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"},
		"id":       exampleDID,
		"verificationMethod": []any{map[string]any{
			"id": exampleMethod, "type": "Multikey", "controller": exampleDID, "publicKeyMultibase": pubMB,
		}},
		"assertionMethod": []string{exampleMethod},
	}
	writeJSON(t, filepath.Join(docs, "did.json"), didDoc)

	bits, err := status.New(status.MinEntries)
	if err != nil {
		t.Fatal(err)
	}
	if err := bits.Set(exampleRevoked, 1, 1); err != nil {
		t.Fatal(err)
	}
	encoded, err := bits.Encode()
	if err != nil {
		t.Fatal(err)
	}
	list := map[string]any{
		"@context":  []string{ob3.ContextVC2},
		"id":        exampleList,
		"type":      []string{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":    exampleDID,
		"validFrom": exampleTime.Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": exampleList + "#list", "type": "BitstringStatusList",
			"statusPurpose": "revocation", "encodedList": encoded,
		},
	}
	writeSigned(t, signer, filepath.Join(docs, "status-1.json"), list)

	index := map[string]string{
		"https://" + exampleHost + "/.well-known/did.json": "did.json",
		exampleList: "status-1.json",
	}
	writeJSON(t, filepath.Join(docs, "index.json"), index)

	badge := exampleBadge(t, exampleValid)
	signedBadge := writeSigned(t, signer, filepath.Join(exampleDir, "badge.json"), badge)
	writeSigned(t, signer, filepath.Join(exampleDir, "revoked.json"), exampleBadge(t, exampleRevoked))

	baked, err := bake.Bake(demoImage(), bytes.TrimSpace(signedBadge), bake.FormatOB3)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(exampleDir, "badge.png"), baked, 0o644); err != nil {
		t.Fatal(err)
	}
}

// exampleBadge is the typical badge of ob3's tests, issued by the demo
// issuer, with a status entry at index and no end date (so the quick start
// keeps working).
func exampleBadge(t *testing.T, index int) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("../../ob3/testdata/typical-unsigned.json")
	if err != nil {
		t.Fatal(err)
	}
	var b map[string]any
	if err := json.Unmarshal(raw, &b); err != nil {
		t.Fatal(err)
	}
	b["issuer"].(map[string]any)["id"] = exampleDID
	b["id"] = "https://" + exampleHost + "/badges/" + map[int]string{exampleValid: "3f6c1d2a", exampleRevoked: "9b2e7f41"}[index]
	b["validFrom"] = exampleTime.Format(time.RFC3339)
	b["awardedDate"] = exampleTime.Format(time.RFC3339)
	delete(b, "validUntil")
	b["credentialStatus"] = map[string]any{
		"id":                   exampleList + "#" + itoa(index),
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      itoa(index),
		"statusListCredential": exampleList,
	}
	return b
}

func writeSigned(t *testing.T, s *proof.Signer, path string, doc map[string]any) []byte {
	t.Helper()
	raw, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	signed, err := s.Sign(raw, proof.SignOptions{})
	if err != nil {
		t.Fatalf("sign %s: %v", path, err)
	}
	var out bytes.Buffer
	if err := json.Indent(&out, signed, "", "  "); err != nil {
		t.Fatal(err)
	}
	out.WriteByte('\n')
	if err := os.WriteFile(path, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func writeJSON(t *testing.T, path string, v any) {
	t.Helper()
	raw, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(raw, '\n'), 0o644); err != nil {
		t.Fatal(err)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
