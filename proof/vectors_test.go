package proof

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/sceau/sceau/did"
)

type nquadsVector struct {
	dir                               string
	canonDoc, canonCfg                string
	docHash, cfgHash, combined, sigHx string
	proofValue                        string
	key                               ed25519.PrivateKey
}

// nquadsVectors are the published vectors, starting from their canonical
// N-Quads: hashing, signing and encoding only (no JSON-LD).
func nquadsVectors(t *testing.T) map[string]nquadsVector {
	var w w3cVector
	readJSON(t, "w3c-eddsa/vector.json", &w)
	var o ob3Vector
	readJSON(t, "ob3-spec/vector.json", &o)
	wkey := privateKeyMultibase(t, w.SecretKeyMultibase)
	from := func(dir string, s suiteSteps, key ed25519.PrivateKey) nquadsVector {
		return nquadsVector{dir, s.CanonicalDocument, s.CanonicalProofOptions, s.DocumentHash, s.ProofOptionsHash, s.CombinedHash, s.Signature, s.ProofValue, key}
	}
	return map[string]nquadsVector{
		"w3c eddsa-rdfc-2022":      from("w3c-eddsa/", w.RDFC, wkey),
		"w3c Ed25519Signature2020": from("w3c-eddsa/", w.Ed2020, wkey),
		"1edtech ob3 spec": {"ob3-spec/", o.CanonicalDocument, o.CanonicalProofOptions, o.DocumentHash, o.ProofOptionsHash,
			o.CombinedHash, o.Signature, o.ProofValue, ed25519.PrivateKey(mustHex(t, o.PrivateKeyHex))},
	}
}

func TestVectorsFromNQuads(t *testing.T) {
	for name, v := range nquadsVectors(t) {
		t.Run(name, func(t *testing.T) {
			doc := readFile(t, v.dir+v.canonDoc)
			cfg := readFile(t, v.dir+v.canonCfg)
			dh, ch := sha256.Sum256(doc), sha256.Sum256(cfg)
			if got := hex.EncodeToString(dh[:]); got != v.docHash {
				t.Errorf("document hash = %s, want %s", got, v.docHash)
			}
			if got := hex.EncodeToString(ch[:]); got != v.cfgHash {
				t.Errorf("proof configuration hash = %s, want %s", got, v.cfgHash)
			}
			data := HashData(cfg, doc)
			if got := hex.EncodeToString(data); got != v.combined {
				t.Errorf("hash data = %s, want %s", got, v.combined)
			}
			sig := ed25519.Sign(v.key, data)
			if got := hex.EncodeToString(sig); got != v.sigHx {
				t.Errorf("signature = %s, want %s", got, v.sigHx)
			}
			if got := encodeProofValue(sig); got != v.proofValue {
				t.Errorf("proofValue = %s, want %s", got, v.proofValue)
			}
			dec, err := decodeProofValue(v.proofValue)
			if err != nil || hex.EncodeToString(dec) != v.sigHx {
				t.Errorf("decodeProofValue = %x, %v", dec, err)
			}
		})
	}
}

// TestVectorsFromJSON runs the whole algorithm from the credential JSON:
// canonical N-Quads byte for byte, both hashes, proofValue, and the signed
// credential verifying.
func TestVectorsFromJSON(t *testing.T) {
	var w w3cVector
	readJSON(t, "w3c-eddsa/vector.json", &w)
	var o ob3Vector
	readJSON(t, "ob3-spec/vector.json", &o)
	var w3cDoc, obDoc map[string]any
	readJSON(t, "w3c-eddsa/unsigned.json", &w3cDoc)
	readJSON(t, "ob3-spec/unsigned.json", &obDoc)

	cases := []struct {
		name string
		doc  map[string]any
		opts map[string]any
		dir  string
		s    suiteSteps
	}{
		{name: "w3c eddsa-rdfc-2022", doc: w3cDoc, opts: w.RDFC.ProofOptions, dir: "w3c-eddsa/", s: w.RDFC},
		{name: "w3c Ed25519Signature2020", doc: w3cDoc, opts: w.Ed2020.ProofOptions, dir: "w3c-eddsa/", s: w.Ed2020},
		{name: "1edtech ob3 spec", doc: obDoc, opts: o.ProofOptions, dir: "ob3-spec/", s: suiteSteps{
			CanonicalDocument: o.CanonicalDocument, CanonicalProofOptions: o.CanonicalProofOptions,
			DocumentHash: o.DocumentHash, ProofOptionsHash: o.ProofOptionsHash, ProofValue: o.ProofValue}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			canonDoc, err := Canonicalize(c.doc, vectorLoader)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(readFile(t, c.dir+c.s.CanonicalDocument)), string(canonDoc)); diff != "" {
				t.Errorf("canonical document (-want +got):\n%s", diff)
			}
			ctx := c.doc["@context"]
			if pc, ok := c.opts["@context"]; ok {
				ctx = pc
			}
			canonCfg, err := Canonicalize(proofConfig(c.opts, ctx), vectorLoader)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(readFile(t, c.dir+c.s.CanonicalProofOptions)), string(canonCfg)); diff != "" {
				t.Errorf("canonical proof options (-want +got):\n%s", diff)
			}
			data := HashData(canonCfg, canonDoc)
			if got := hex.EncodeToString(data); got != c.s.ProofOptionsHash+c.s.DocumentHash {
				t.Errorf("hash data = %s, want %s || %s", got, c.s.ProofOptionsHash, c.s.DocumentHash)
			}
		})
	}
}

// TestSignVectors signs the unsigned vector credentials with Signer and
// gets the published proofValue.
func TestSignVectors(t *testing.T) {
	var w w3cVector
	readJSON(t, "w3c-eddsa/vector.json", &w)
	var o ob3Vector
	readJSON(t, "ob3-spec/vector.json", &o)
	created := func(m map[string]any) time.Time {
		tm, err := time.Parse(time.RFC3339, m["created"].(string))
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	cases := []struct {
		name, file, vm, want string
		key                  ed25519.PrivateKey
		created              time.Time
	}{
		{"w3c eddsa-rdfc-2022", "w3c-eddsa/unsigned.json", w.RDFC.ProofOptions["verificationMethod"].(string), w.RDFC.ProofValue,
			privateKeyMultibase(t, w.SecretKeyMultibase), created(w.RDFC.ProofOptions)},
		{"1edtech ob3 spec", "ob3-spec/unsigned.json", o.ProofOptions["verificationMethod"].(string), o.ProofValue,
			ed25519.PrivateKey(mustHex(t, o.PrivateKeyHex)), created(o.ProofOptions)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := &Signer{Key: c.key, VerificationMethod: c.vm, Loader: vectorLoader}
			out, err := s.Sign(readFile(t, c.file), SignOptions{Created: c.created})
			if err != nil {
				t.Fatal(err)
			}
			var signed struct{ Proof map[string]any }
			if err := json.Unmarshal(out, &signed); err != nil {
				t.Fatalf("output is not JSON: %v\n%s", err, out)
			}
			if got := signed.Proof["proofValue"]; got != c.want {
				t.Errorf("proofValue = %v, want %s", got, c.want)
			}
		})
	}
}

// TestVerifyVectors verifies the published signed credentials.
func TestVerifyVectors(t *testing.T) {
	var o ob3Vector
	readJSON(t, "ob3-spec/vector.json", &o)
	obSigned := signedOB3(t, o)
	r := keyResolver(map[string][]byte{o.Controller: controllerDoc(o.Controller, o.PublicKeyMultibase)})
	cases := []struct {
		name       string
		doc        []byte
		controller string
	}{
		{"w3c eddsa-rdfc-2022", readFile(t, "w3c-eddsa/signed-eddsa-rdfc-2022.json"), "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"},
		{"w3c Ed25519Signature2020", readFile(t, "w3c-eddsa/signed-ed25519signature2020.json"), "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"},
		{"1edtech ob3 spec", obSigned, o.Controller},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res, err := Verify(bg, c.doc, VerifyOptions{Resolver: r, Loader: vectorLoader, Now: vectorTime})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Proofs) != 1 || res.Err() != nil {
				t.Fatalf("proofs = %d, err = %v", len(res.Proofs), res.Err())
			}
			if got := res.Proofs[0].Controller; got != c.controller {
				t.Errorf("controller = %q, want %q", got, c.controller)
			}
		})
	}
}

// signedOB3 assembles the signed credential of the OB 3.0 guide from its
// unsigned credential and proof.
func signedOB3(t *testing.T, o ob3Vector) []byte {
	var doc map[string]any
	readJSON(t, "ob3-spec/unsigned.json", &doc)
	p := map[string]any{}
	for k, v := range o.ProofOptions {
		p[k] = v
	}
	p["proofValue"] = o.ProofValue
	doc["proof"] = p
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestProofSetAndChainVectors replays vc-di-eddsa B.5: adding a proof to a
// set, then a chain over two proofs, then a chain over one; each step must
// give the published proofValue and document, and every proof of each
// result must verify.
func TestProofSetAndChainVectors(t *testing.T) {
	var sc struct {
		KeyPairs map[string]struct {
			PublicKeyMultibase  string `json:"publicKeyMultibase"`
			PrivateKeyMultibase string `json:"privateKeyMultibase"`
		} `json:"keyPairs"`
		Steps []struct {
			Name       string         `json:"name"`
			KeyPair    string         `json:"keyPair"`
			Start      string         `json:"start"`
			Options    map[string]any `json:"options"`
			ProofValue string         `json:"proofValue"`
			Result     string         `json:"result"`
		} `json:"steps"`
	}
	readJSON(t, "w3c-eddsa/set-chain.json", &sc)
	resolver := &did.MultiResolver{}
	for _, st := range sc.Steps {
		t.Run(st.Name, func(t *testing.T) {
			var start map[string]any
			if st.Start == "signed-proof-set.json#proof[0]" {
				readJSON(t, "w3c-eddsa/signed-proof-set.json", &start)
				start["proof"] = start["proof"].([]any)[0]
			} else {
				readJSON(t, "w3c-eddsa/"+st.Start, &start)
			}
			startJSON, _ := json.MarshalIndent(start, "", "  ")
			opts := SignOptions{ID: str(st.Options["id"])}
			opts.Created, _ = time.Parse(time.RFC3339, st.Options["created"].(string))
			switch pp := st.Options["previousProof"].(type) {
			case string:
				opts.PreviousProof = []string{pp}
			case []any:
				for _, id := range pp {
					opts.PreviousProof = append(opts.PreviousProof, id.(string))
				}
			}
			kp := sc.KeyPairs[st.KeyPair]
			s := &Signer{Key: privateKeyMultibase(t, kp.PrivateKeyMultibase),
				VerificationMethod: st.Options["verificationMethod"].(string), Loader: vectorLoader}
			out, err := s.Sign(startJSON, opts)
			if err != nil {
				t.Fatal(err)
			}
			var got, want map[string]any
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("signed output: %v\n%s", err, out)
			}
			readJSON(t, "w3c-eddsa/"+st.Result, &want)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("signed document (-want +got):\n%s", diff)
			}
			res, err := Verify(bg, readFile(t, "w3c-eddsa/"+st.Result), VerifyOptions{Resolver: resolver, Loader: vectorLoader, Now: vectorTime})
			if err != nil {
				t.Fatal(err)
			}
			for i, p := range res.Proofs {
				if p.Err != nil {
					t.Errorf("proof %d: %v", i, p.Err)
				}
			}
		})
	}
}

func str(v any) string { s, _ := v.(string); return s }

// TestChainBindsPreviousProofs: altering a proof that a later proof chains
// to breaks the later proof too, while a set member stays independent.
func TestChainBindsPreviousProofs(t *testing.T) {
	var doc map[string]any
	readJSON(t, "w3c-eddsa/signed-proof-chain-extended.json", &doc)
	proofs := doc["proof"].([]any)
	// Proof 2 (id d94f…) is chained to by proof 3; change its created.
	p2 := proofs[2].(map[string]any)
	p2["created"] = "2023-02-26T22:06:39Z"
	res, err := VerifyDocument(bg, doc, VerifyOptions{Resolver: &did.MultiResolver{}, Loader: vectorLoader, Now: vectorTime})
	if err != nil {
		t.Fatal(err)
	}
	want := []error{nil, nil, ErrInvalidSignature, ErrInvalidSignature}
	for i, p := range res.Proofs {
		if !errors.Is(p.Err, want[i]) || (want[i] == nil && p.Err != nil) {
			t.Errorf("proof %d: err = %v, want %v", i, p.Err, want[i])
		}
	}
}
