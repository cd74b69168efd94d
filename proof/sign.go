package proof

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sceau/sceau/jsonld"
)

// Signer adds eddsa-rdfc-2022 proofs made with one key.
type Signer struct {
	// Key signs. Required.
	Key ed25519.PrivateKey
	// VerificationMethod is the id (a DID URL such as
	// "did:web:example.org#key-1", or an HTTPS URL) under which verifiers
	// find the public key. Required.
	VerificationMethod string
	// Purpose is the proofPurpose; "" means assertionMethod.
	Purpose string
	// Now is the clock used for created when SignOptions.Created is zero;
	// nil means time.Now.
	Now func() time.Time
	// Loader provides JSON-LD contexts; nil means jsonld.DefaultLoader().
	Loader jsonld.DocumentLoader
}

// SignOptions are the per-proof options. All are optional.
type SignOptions struct {
	// Created is the proof's creation time; zero means Signer.Now().
	Created time.Time
	// Expires, when set, is written as the proof's expires.
	Expires time.Time
	// ID is the proof's id (a URL such as urn:uuid:…); proofs that later
	// proofs chain to need one.
	ID string
	// Domain and Challenge bind the proof to a verifier's request.
	Domain    string
	Challenge string
	// Nonce is written as is.
	Nonce string
	// PreviousProof lists the ids of existing proofs this proof chains to
	// (a proof chain). Empty: the proof is added to the set.
	PreviousProof []string
}

// proofJSON is a proof this package writes; appendJSON fixes the member
// order, the order of the W3C and 1EdTech examples.
type proofJSON struct {
	Type               string
	ID                 string
	Cryptosuite        string
	Created            string
	Expires            string
	VerificationMethod string
	ProofPurpose       string
	Domain             string
	Challenge          string
	Nonce              string
	PreviousProof      []string // written as a string when there is one
	ProofValue         string
}

// appendJSON appends the proof as a JSON object, members in the order of
// the struct, empty optional ones left out. Written by hand rather than by
// encoding/json: it is on every signature, and reflection cost a
// microsecond and four allocations.
func (p *proofJSON) appendJSON(dst []byte) []byte {
	const omitEmpty = true
	dst = append(dst, `{"type":`...)
	dst = appendJSONString(dst, p.Type)
	dst = appendStringMember(dst, "id", p.ID, omitEmpty)
	dst = appendStringMember(dst, "cryptosuite", p.Cryptosuite, false)
	dst = appendStringMember(dst, "created", p.Created, omitEmpty)
	dst = appendStringMember(dst, "expires", p.Expires, omitEmpty)
	dst = appendStringMember(dst, "verificationMethod", p.VerificationMethod, false)
	dst = appendStringMember(dst, "proofPurpose", p.ProofPurpose, false)
	dst = appendStringMember(dst, "domain", p.Domain, omitEmpty)
	dst = appendStringMember(dst, "challenge", p.Challenge, omitEmpty)
	dst = appendStringMember(dst, "nonce", p.Nonce, omitEmpty)
	switch len(p.PreviousProof) {
	case 0:
	case 1:
		dst = appendStringMember(dst, "previousProof", p.PreviousProof[0], false)
	default:
		dst = append(dst, `,"previousProof":[`...)
		for i, id := range p.PreviousProof {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, id)
		}
		dst = append(dst, ']')
	}
	dst = appendStringMember(dst, "proofValue", p.ProofValue, false)
	return append(dst, '}')
}

// appendStringMember appends ,"name":"v" (nothing when v is empty and
// omitEmpty is set).
func appendStringMember(dst []byte, name, v string, omitEmpty bool) []byte {
	if omitEmpty && v == "" {
		return dst
	}
	dst = append(dst, ',')
	dst = appendJSONString(dst, name)
	dst = append(dst, ':')
	return appendJSONString(dst, v)
}

// appendJSONString appends s as a JSON string exactly as encoding/json
// writes it (which escapes <, > and &, and replaces invalid UTF-8): plain
// ASCII directly, anything else through encoding/json.
func appendJSONString(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= utf8.RuneSelf || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			b, _ := json.Marshal(s) // a string always encodes
			return append(dst, b...)
		}
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

func (p *proofJSON) options() map[string]any {
	m := map[string]any{
		"type":               p.Type,
		"cryptosuite":        p.Cryptosuite,
		"verificationMethod": p.VerificationMethod,
		"proofPurpose":       p.ProofPurpose,
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("id", p.ID)
	set("created", p.Created)
	set("expires", p.Expires)
	set("domain", p.Domain)
	set("challenge", p.Challenge)
	set("nonce", p.Nonce)
	switch len(p.PreviousProof) {
	case 0:
	case 1:
		m["previousProof"] = p.PreviousProof[0]
	default:
		l := make([]any, len(p.PreviousProof))
		for i, id := range p.PreviousProof {
			l[i] = id
		}
		m["previousProof"] = l
	}
	return m
}

func (p *proofJSON) toMap() map[string]any {
	m := p.options()
	m["proofValue"] = p.ProofValue
	return m
}

func (s *Signer) options(o SignOptions) (*proofJSON, error) {
	if len(s.Key) != ed25519.PrivateKeySize {
		return nil, errors.New("sign: signer has no Ed25519 private key")
	}
	if s.VerificationMethod == "" {
		return nil, errors.New("sign: signer has no verification method")
	}
	p := &proofJSON{
		Type:               TypeDataIntegrity,
		ID:                 o.ID,
		Cryptosuite:        SuiteEdDSARDFC2022,
		VerificationMethod: s.VerificationMethod,
		ProofPurpose:       s.Purpose,
		Domain:             o.Domain,
		Challenge:          o.Challenge,
		Nonce:              o.Nonce,
		PreviousProof:      o.PreviousProof,
	}
	if p.ProofPurpose == "" {
		p.ProofPurpose = PurposeAssertionMethod
	}
	created := o.Created
	if created.IsZero() {
		if s.Now != nil {
			created = s.Now()
		} else {
			created = time.Now()
		}
	}
	p.Created = FormatDateTime(created)
	if !o.Expires.IsZero() {
		p.Expires = FormatDateTime(o.Expires)
	}
	return p, nil
}

// createProof runs "Add Proof Set/Chain" (VC Data Integrity §4.3) up to the
// new proof: it binds the previous proofs the options name, then signs.
func (s *Signer) createProof(doc map[string]any, o SignOptions) (*proofJSON, []any, error) {
	p, err := s.options(o)
	if err != nil {
		return nil, nil, err
	}
	ctx, ok := doc["@context"]
	if !ok {
		return nil, nil, fmt.Errorf("sign: %w: document has no @context (add https://www.w3.org/ns/credentials/v2)", ErrMalformedDocument)
	}
	all, err := proofList(doc)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	if len(all) >= MaxProofs {
		return nil, nil, fmt.Errorf("sign: %w: document already has %d proofs", ErrMalformedProof, len(all))
	}
	matching, _, err := matchingProofs(all, o.PreviousProof)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: %w", err)
	}
	unsigned := doc
	if _, has := doc["proof"]; has {
		unsigned = withoutProof(doc, matching)
	}
	docHash, err := canonicalHash(unsigned, s.Loader)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: document: %w", err)
	}
	// p.options() is a fresh map without proofValue: with the document's
	// @context it is the proof configuration, without proofConfig's copy.
	cfg := p.options()
	cfg["@context"] = ctx
	cfgHash, err := canonicalHash(cfg, s.Loader)
	if err != nil {
		return nil, nil, fmt.Errorf("sign: proof configuration: %w", err)
	}
	p.ProofValue = encodeProofValue(ed25519.Sign(s.Key, hashData(cfgHash, docHash)))
	return p, all, nil
}

// SignDocument returns a copy of doc (a decoded JSON-LD credential) with a
// new proof: the proof, when doc had none; otherwise the list of doc's
// proofs followed by the new one (a proof set, or a chain when
// opts.PreviousProof is set). doc is not modified.
func (s *Signer) SignDocument(doc map[string]any, opts SignOptions) (map[string]any, error) {
	p, all, err := s.createProof(doc, opts)
	if err != nil {
		return nil, err
	}
	out := withoutProof(doc, nil)
	if len(all) == 0 {
		out["proof"] = p.toMap()
	} else {
		out["proof"] = append(append(make([]any, 0, len(all)+1), all...), p.toMap())
	}
	return out, nil
}

// Sign adds a proof to a JSON credential and returns the signed JSON. The
// input bytes are kept as they are, members and layout included; only the
// proof member is added (or, when present, turned into a list with the new
// proof appended).
func (s *Signer) Sign(doc []byte, opts SignOptions) ([]byte, error) {
	// The decoded document is only canonicalized: its maps and slices can
	// be lent by an arena and given back as soon as the proof is made.
	arena := getDocArena()
	m, err := decodeDocumentIn(doc, arena)
	if err != nil {
		arena.release()
		return nil, fmt.Errorf("sign: %w", err)
	}
	p, all, err := s.createProof(m, opts)
	nproofs := len(all)
	arena.release()
	if err != nil {
		return nil, err
	}
	var buf [512]byte
	pj := p.appendJSON(buf[:0])
	if nproofs == 0 {
		return appendMember(doc, "proof", pj)
	}
	return appendProof(doc, pj)
}

// appendMember inserts "name": value as the last member of the top-level
// object in doc, which must hold a single JSON object (checked by the
// caller) without that member.
func appendMember(doc []byte, name string, value []byte) ([]byte, error) {
	end := bytes.LastIndexByte(doc, '}')
	if end < 0 {
		return nil, fmt.Errorf("sign: %w: no closing brace", ErrMalformedDocument)
	}
	// Is the object empty? Look back from the brace past white space.
	i := end - 1
	for i >= 0 && isSpace(doc[i]) {
		i--
	}
	key := appendJSONString(nil, name)
	out := make([]byte, 0, len(doc)+len(value)+len(key)+4)
	out = append(out, doc[:i+1]...)
	if i >= 0 && doc[i] != '{' {
		out = append(out, ',')
	}
	out = append(out, key...)
	out = append(out, ':')
	out = append(out, value...)
	out = append(out, doc[i+1:]...)
	return out, nil
}

// appendProof replaces the top-level proof member's value with a list of
// its proofs followed by proof.
func appendProof(doc []byte, proof []byte) ([]byte, error) {
	start, end, err := memberSpan(doc, "proof")
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	old := doc[start:end]
	var val []byte
	if old[0] == '[' {
		j := len(old) - 1 // the closing ']'
		k := j - 1
		for k >= 0 && isSpace(old[k]) {
			k--
		}
		val = append(val, old[:k+1]...)
		if old[k] != '[' {
			val = append(val, ',')
		}
		val = append(val, proof...)
		val = append(val, old[k+1:]...)
	} else {
		val = append(append(append(append([]byte{'['}, old...), ','), proof...), ']')
	}
	out := make([]byte, 0, len(doc)+len(proof)+4)
	out = append(out, doc[:start]...)
	out = append(out, val...)
	return append(out, doc[end:]...), nil
}

// memberSpan returns the byte range of the value of the top-level member
// name. A document with that member twice is refused: which one a parser
// keeps differs between implementations.
func memberSpan(doc []byte, name string) (start, end int, err error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, 0, fmt.Errorf("%w: not a JSON object", ErrMalformedDocument)
	}
	found := false
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return 0, 0, fmt.Errorf("%w: %v", ErrMalformedDocument, err)
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return 0, 0, fmt.Errorf("%w: %v", ErrMalformedDocument, err)
		}
		if t == name {
			if found {
				return 0, 0, fmt.Errorf("%w: member %q appears twice", ErrMalformedDocument, name)
			}
			found = true
			end = int(dec.InputOffset())
			start = end - len(raw)
		}
	}
	if !found {
		return 0, 0, fmt.Errorf("%w: no member %q", ErrMalformedDocument, name)
	}
	return start, end, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
