package proof

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/sceau/sceau/did"
)

func TestAppendMember(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{}`, `{"proof":P}`},
		{`{ }`, `{"proof":P }`},
		{`{"a":1}`, `{"a":1,"proof":P}`},
		{"{\n  \"a\": 1\n}\n", "{\n  \"a\": 1,\"proof\":P\n}\n"},
		{`{"a":"}"}`, `{"a":"}","proof":P}`},
	}
	for _, c := range cases {
		got, err := appendMember([]byte(c.in), "proof", []byte("P"))
		if err != nil || string(got) != c.want {
			t.Errorf("appendMember(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestAppendProof(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"proof":{"a":1}}`, `{"proof":[{"a":1},P]}`},
		{`{"proof":[{"a":1}]}`, `{"proof":[{"a":1},P]}`},
		{`{"proof": [ {"a":1} ] , "b":2}`, `{"proof": [ {"a":1},P ] , "b":2}`},
		{`{"proof":[]}`, `{"proof":[P]}`},
		{`{"x":{"proof":1},"proof":{}}`, `{"x":{"proof":1},"proof":[{},P]}`},
	}
	for _, c := range cases {
		got, err := appendProof([]byte(c.in), []byte("P"))
		if err != nil || string(got) != c.want {
			t.Errorf("appendProof(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := appendProof([]byte(`{"proof":{},"proof":{}}`), []byte("P")); !errors.Is(err, ErrMalformedDocument) {
		t.Errorf("duplicate proof member: err = %v", err)
	}
}

// TestSignKeepsBytes: signing only adds the proof member; every other byte
// of the issuer's JSON is kept.
func TestSignKeepsBytes(t *testing.T) {
	in := readFile(t, "typical-unsigned.json")
	out := signTypical(t, SignOptions{}, nil)
	i := bytes.LastIndexByte(in, '}')
	if !bytes.HasPrefix(out, in[:i-1]) || !bytes.HasSuffix(out, in[i-1:]) {
		t.Fatalf("input bytes not kept:\n%s", out)
	}
	var m map[string]any
	if err := json.Unmarshal(out, &m); err != nil {
		t.Fatal(err)
	}
	p := m["proof"].(map[string]any)
	want := map[string]any{
		"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-03-14T09:30:00Z",
		"verificationMethod": p["verificationMethod"], "proofPurpose": "assertionMethod", "proofValue": p["proofValue"],
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("proof (-want +got):\n%s", diff)
	}
	// The written member order is the examples' order.
	if !strings.Contains(string(out), `"proof":{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","created":`) {
		t.Errorf("proof member order: %s", out[i:])
	}
}

// TestSignDocument: the map form gives the same proof as the bytes form and
// leaves its input alone.
func TestSignDocument(t *testing.T) {
	var doc map[string]any
	readJSON(t, "typical-unsigned.json", &doc)
	before, _ := json.Marshal(doc)
	priv, _, vm := testKey(t, 1)
	s := &Signer{Key: priv, VerificationMethod: vm}
	out, err := s.SignDocument(doc, SignOptions{Created: signTime})
	if err != nil {
		t.Fatal(err)
	}
	after, _ := json.Marshal(doc)
	if !bytes.Equal(before, after) {
		t.Error("SignDocument modified its input")
	}
	want := proofValueOf(t, signTypical(t, SignOptions{}, nil))
	if got := out["proof"].(map[string]any)["proofValue"]; got != want {
		t.Errorf("proofValue %v, want %v", got, want)
	}
	res, err := VerifyDocument(bg, out, VerifyOptions{Resolver: &did.MultiResolver{}, Now: signTime})
	if err != nil || res.Err() != nil {
		t.Fatalf("verify: %v %v", err, res.Err())
	}
}

// TestSignSetAndChain builds a set then a chain with Sign and verifies all.
func TestSignSetAndChain(t *testing.T) {
	first := signTypical(t, SignOptions{ID: "urn:uuid:one"}, nil)
	k2, _, vm2 := testKey(t, 2)
	s2 := &Signer{Key: k2, VerificationMethod: vm2}
	set, err := s2.Sign(first, SignOptions{Created: signTime, ID: "urn:uuid:two"})
	if err != nil {
		t.Fatal(err)
	}
	k3, _, vm3 := testKey(t, 3)
	s3 := &Signer{Key: k3, VerificationMethod: vm3}
	chain, err := s3.Sign(set, SignOptions{Created: signTime, PreviousProof: []string{"urn:uuid:two"}})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Verify(bg, chain, VerifyOptions{Resolver: &did.MultiResolver{}, Now: signTime})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Proofs) != 3 || !res.AllVerified() {
		t.Fatalf("proofs %d, err %v", len(res.Proofs), res.Err())
	}
	if _, err := s3.Sign(set, SignOptions{PreviousProof: []string{"urn:uuid:nope"}}); !errors.Is(err, ErrPreviousProofMissing) {
		t.Errorf("dangling previousProof: err = %v", err)
	}
}

func TestSignErrors(t *testing.T) {
	priv, _, vm := testKey(t, 1)
	cases := []struct {
		name string
		s    Signer
		doc  string
	}{
		{"no key", Signer{VerificationMethod: vm}, `{"@context":"https://www.w3.org/ns/credentials/v2"}`},
		{"no method", Signer{Key: priv}, `{"@context":"https://www.w3.org/ns/credentials/v2"}`},
		{"no context", Signer{Key: priv, VerificationMethod: vm}, `{"name":"x"}`},
		{"not an object", Signer{Key: priv, VerificationMethod: vm}, `[1]`},
		{"undefined term", Signer{Key: priv, VerificationMethod: vm}, `{"@context":{"@vocab":null},"notATerm":1}`},
	}
	for _, c := range cases {
		if _, err := c.s.Sign([]byte(c.doc), SignOptions{}); err == nil {
			t.Errorf("%s: no error", c.name)
		}
	}
}

// TestFastJSONPath: the test data decodes on the fast path, not through
// the encoding/json fallback.
func TestFastJSONPath(t *testing.T) {
	for _, name := range []string{"typical-unsigned.json", "w3c-eddsa/signed-proof-chain.json", "validator-ob30/complete.json"} {
		p := jsonParser{data: readFile(t, name)}
		p.space()
		if _, ok := p.value(0); !ok {
			t.Errorf("%s: fast path gave up at byte %d", name, p.pos)
		}
	}
}

// TestSignConcurrent: signatures made at once by several goroutines, each
// on its own document, equal the ones made one at a time (Ed25519 is
// deterministic). Sign lends each document's maps from a pool of arenas;
// one document showing through another's would change the signature.
func TestSignConcurrent(t *testing.T) {
	base := string(readFile(t, "typical-unsigned.json"))
	priv, _, vm := testKey(t, 1)
	s := &Signer{Key: priv, VerificationMethod: vm}
	opts := SignOptions{Created: signTime}
	const docs = 8
	inputs := make([][]byte, docs)
	want := make([][]byte, docs)
	for i := range inputs {
		inputs[i] = []byte(strings.Replace(base, "Atelier soudure niveau 2", "Atelier "+strings.Repeat("x", i), 1))
		out, err := s.Sign(inputs[i], opts)
		if err != nil {
			t.Fatal(err)
		}
		want[i] = out
	}
	if bytes.Equal(want[0], want[1]) {
		t.Fatal("the documents do not differ")
	}
	errs := make(chan error, docs)
	for i := range inputs {
		go func() {
			for range 50 {
				out, err := s.Sign(inputs[i], opts)
				if err == nil && !bytes.Equal(out, want[i]) {
					err = errors.New("signature differs from the one made alone")
				}
				if err != nil {
					errs <- fmt.Errorf("document %d: %w", i, err)
					return
				}
			}
			errs <- nil
		}()
	}
	for range inputs {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestProofJSON: the hand-written proof encoding is byte for byte what
// encoding/json wrote before, with its omitempty members and its escaping
// (<, > and &, control characters, invalid UTF-8), and previousProof
// shaped as in the proof's map form.
func TestProofJSON(t *testing.T) {
	type tagged struct {
		Type               string `json:"type"`
		ID                 string `json:"id,omitempty"`
		Cryptosuite        string `json:"cryptosuite"`
		Created            string `json:"created,omitempty"`
		Expires            string `json:"expires,omitempty"`
		VerificationMethod string `json:"verificationMethod"`
		ProofPurpose       string `json:"proofPurpose"`
		Domain             string `json:"domain,omitempty"`
		Challenge          string `json:"challenge,omitempty"`
		Nonce              string `json:"nonce,omitempty"`
		PreviousProof      any    `json:"previousProof,omitempty"`
		ProofValue         string `json:"proofValue"`
	}
	cases := map[string]proofJSON{
		"minimal": {Type: TypeDataIntegrity, Cryptosuite: SuiteEdDSARDFC2022, VerificationMethod: "did:key:z6Mk#z6Mk",
			ProofPurpose: PurposeAssertionMethod, ProofValue: "z3FXQ"},
		"every member": {Type: TypeDataIntegrity, ID: "urn:uuid:1", Cryptosuite: SuiteEdDSARDFC2022, Created: "2025-03-14T09:30:00Z",
			Expires: "2026-03-14T09:30:00Z", VerificationMethod: "https://example.org/keys/1", ProofPurpose: "authentication",
			Domain: "example.org", Challenge: "c-1", Nonce: "n", PreviousProof: []string{"urn:uuid:0"}, ProofValue: "z1"},
		"previous proofs": {Type: "t", Cryptosuite: "c", VerificationMethod: "v", ProofPurpose: "p",
			PreviousProof: []string{"urn:uuid:a", "urn:uuid:\"b\""}, ProofValue: "z"},
		"escapes": {Type: "t", Cryptosuite: "c", VerificationMethod: "v", ProofPurpose: "p", ProofValue: "z",
			Domain: "<a href=\"x\">&amp;</a>", Challenge: "tab\there\nnul\x00 \\ é ✓ \u2028", Nonce: "bad \xff utf-8"},
		"empty required members": {},
	}
	for name, p := range cases {
		// previousProof as the proof's map form has it: one id alone, or a
		// list.
		want, err := json.Marshal(tagged{p.Type, p.ID, p.Cryptosuite, p.Created, p.Expires, p.VerificationMethod,
			p.ProofPurpose, p.Domain, p.Challenge, p.Nonce, p.options()["previousProof"], p.ProofValue})
		if err != nil {
			t.Fatal(err)
		}
		if got := p.appendJSON([]byte("prefix")); string(got) != "prefix"+string(want) {
			t.Errorf("%s:\n got %s\nwant prefix%s", name, got, want)
		}
	}
}
