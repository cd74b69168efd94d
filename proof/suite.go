package proof

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"maps"
	"sync"

	"github.com/mr-tron/base58"

	"github.com/sceau/sceau/jsonld"
	"github.com/sceau/sceau/rdfc"
)

// Canonicalize returns the RDFC-1.0 canonical N-Quads of a JSON-LD
// document, deserialized to RDF in safe mode with no base IRI: the
// "transformation" step of eddsa-rdfc-2022. Errors wrap
// ErrNotCanonicalizable and the jsonld or rdfc error.
func Canonicalize(doc map[string]any, loader jsonld.DocumentLoader) ([]byte, error) {
	st := getCanonState()
	defer putCanonState(st)
	nq, err := st.canonicalize(doc, loader)
	if err != nil {
		return nil, err
	}
	return bytes.Clone(nq), nil
}

// canonicalHash is SHA-256 of Canonicalize(doc): what signing and
// verifying need, computed in pooled buffers.
func canonicalHash(doc map[string]any, loader jsonld.DocumentLoader) ([sha256.Size]byte, error) {
	st := getCanonState()
	defer putCanonState(st)
	nq, err := st.canonicalize(doc, loader)
	if err != nil {
		return [sha256.Size]byte{}, err
	}
	return sha256.Sum256(nq), nil
}

// canonState holds the buffers of one canonicalization, reused through
// canonPool: the quads and the N-Quads of a credential are some 30 KB that
// would otherwise be garbage on every signature.
type canonState struct {
	quads []rdfc.Quad
	nq    []byte
	opts  jsonld.Options // here rather than a new one per call
}

var canonPool = sync.Pool{New: func() any {
	return &canonState{quads: make([]rdfc.Quad, 0, 128), nq: make([]byte, 0, 16<<10)}
}}

// Buffers grown beyond these by a large document are not pooled.
const (
	maxPooledQuads = 4096
	maxPooledNQ    = 1 << 20
)

func getCanonState() *canonState { return canonPool.Get().(*canonState) }

func putCanonState(st *canonState) {
	if cap(st.quads) > maxPooledQuads || cap(st.nq) > maxPooledNQ {
		return
	}
	// The quads are not cleared: that costs more than it saves, and what
	// they keep alive goes with the pool's contents at the next collections.
	st.quads = st.quads[:0]
	st.nq = st.nq[:0]
	st.opts = jsonld.Options{}
	canonPool.Put(st)
}

// canonicalize returns the canonical N-Quads of doc in st's buffer, valid
// until st goes back to the pool.
func (st *canonState) canonicalize(doc map[string]any, loader jsonld.DocumentLoader) ([]byte, error) {
	if loader == nil {
		loader = jsonld.DefaultLoader()
	}
	// RDFC reads the quads as a set: jsonld need not remove repetitions.
	st.opts = jsonld.Options{Loader: loader, Safe: true, KeepDuplicates: true}
	quads, err := jsonld.AppendRDF(st.quads[:0], doc, &st.opts)
	if quads != nil {
		st.quads = quads
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotCanonicalizable, err)
	}
	// AppendCanonical skips the relabelled quads and identifier map that
	// Canonicalize also builds: half the cost, and only the bytes are hashed.
	nq, err := rdfc.AppendCanonical(st.nq[:0], quads, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNotCanonicalizable, err)
	}
	st.nq = nq
	return nq, nil
}

// HashData is the data the Ed25519 signature covers (eddsa-rdfc-2022
// §3.3.4 "Hashing"): SHA-256 of the canonical proof configuration followed
// by SHA-256 of the canonical document, 64 bytes.
func HashData(canonicalProofConfig, canonicalDocument []byte) []byte {
	return hashData(sha256.Sum256(canonicalProofConfig), sha256.Sum256(canonicalDocument))
}

// hashData is HashData from the two hashes.
func hashData(cfgHash, docHash [sha256.Size]byte) []byte {
	out := make([]byte, 0, 2*sha256.Size)
	out = append(out, cfgHash[:]...)
	return append(out, docHash[:]...)
}

// proofConfig is the proof configuration of §3.3.5: the proof options
// (every member but proofValue) with the document's @context.
func proofConfig(options map[string]any, context any) map[string]any {
	cfg := make(map[string]any, len(options)+1)
	for k, v := range options {
		if k != "proofValue" {
			cfg[k] = v
		}
	}
	cfg["@context"] = context
	return cfg
}

// withoutProof returns a shallow copy of doc without its proof member, set
// to proofs when there are matching previous proofs to bind (a chain).
func withoutProof(doc map[string]any, proofs []any) map[string]any {
	out := maps.Clone(doc)
	delete(out, "proof")
	if len(proofs) > 0 {
		out["proof"] = proofs
	}
	return out
}

// encodeProofValue is multibase base58btc: 'z' + base58.
func encodeProofValue(sig []byte) string { return "z" + base58.Encode(sig) }

func decodeProofValue(s string) ([]byte, error) {
	if len(s) > maxProofValueLen {
		return nil, fmt.Errorf("%w: proofValue of %d characters is not an Ed25519 signature", ErrMalformedProof, len(s))
	}
	if len(s) == 0 || s[0] != 'z' {
		return nil, fmt.Errorf("%w: proofValue is not multibase base58btc (must start with 'z')", ErrMalformedProof)
	}
	sig, err := base58.Decode(s[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: proofValue: %v", ErrMalformedProof, err)
	}
	if len(sig) != 64 {
		return nil, fmt.Errorf("%w: proofValue decodes to %d bytes, not a 64-byte Ed25519 signature", ErrMalformedProof, len(sig))
	}
	return sig, nil
}

// decodeDocument parses a JSON credential: a single object, numbers kept as
// json.Number so that they reach JSON-LD (and re-serialization) unchanged.
func decodeDocument(data []byte) (map[string]any, error) {
	return decodeDocumentIn(data, nil)
}

// decodeDocumentIn is decodeDocument with the maps and slices lent by a
// (nil: allocated); see docArena.
func decodeDocumentIn(data []byte, a *docArena) (map[string]any, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrMalformedDocument, len(data), MaxDocumentSize)
	}
	v, err := decodeJSONFast(data, len(data) <= maxSharedSource, a)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedDocument, err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: top level is a %s, not an object", ErrMalformedDocument, jsonKind(v))
	}
	return m, nil
}

// proofList returns the document's proofs as a list (a single object is a
// set of one).
func proofList(doc map[string]any) ([]any, error) {
	p, ok := doc["proof"]
	if !ok || p == nil {
		return nil, nil
	}
	var list []any
	switch v := p.(type) {
	case []any:
		list = v
	default:
		list = []any{v}
	}
	if len(list) > MaxProofs {
		return nil, fmt.Errorf("%w: %d proofs exceed the limit of %d", ErrMalformedProof, len(list), MaxProofs)
	}
	return list, nil
}

// matchingProofs finds, in allProofs, the proofs whose id is listed in ids
// (VC Data Integrity §4.3 step 4–5, §4.5 step 3.2).
func matchingProofs(allProofs []any, ids []string) ([]any, []int, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	out := make([]any, 0, len(ids))
	idx := make([]int, 0, len(ids))
	for _, id := range ids {
		found := false
		for i, p := range allProofs {
			m, ok := p.(map[string]any)
			if !ok {
				continue
			}
			if pid, _ := m["id"].(string); pid != "" && pid == id {
				out = append(out, p)
				idx = append(idx, i)
				found = true
				break
			}
		}
		if !found {
			return nil, nil, fmt.Errorf("%w: no proof with id %q", ErrPreviousProofMissing, clip(id))
		}
	}
	return out, idx, nil
}
