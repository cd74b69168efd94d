package proof

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/jsonld"
)

// VerifyOptions configure Verify.
type VerifyOptions struct {
	// Resolver resolves the DID (or, when it implements
	// did.KeyURLResolver, the HTTPS URL) of each verification method.
	// nil: every proof fails with ErrKeyNotFound.
	Resolver did.Resolver
	// Loader provides JSON-LD contexts; nil means jsonld.DefaultLoader().
	Loader jsonld.DocumentLoader
	// Now is the time proofs are checked against (created, expires); zero
	// means time.Now().
	Now time.Time
	// ClockSkew tolerates a created slightly ahead of Now (signer clocks
	// drift); zero means none.
	ClockSkew time.Duration
	// Purpose is the expected proofPurpose and the verification
	// relationship the key must be listed under; "" means assertionMethod.
	Purpose string
	// Domain and Challenge, when set, must appear in each proof.
	Domain    string
	Challenge string
}

// Result holds one outcome per proof, in document order.
type Result struct {
	Proofs []ProofResult
}

// ProofResult is the outcome of one proof.
type ProofResult struct {
	// Proof is the parsed proof (partially filled when malformed).
	Proof *Proof
	// VerificationMethod is the resolved method id.
	VerificationMethod string
	// Controller is the controller of the key (the DID, or the controller
	// document URL): compare it with the credential's issuer.
	Controller string
	// Err is nil when the proof verified; otherwise it wraps one of this
	// package's sentinel errors.
	Err error
}

// Verified reports whether the proof verified.
func (r ProofResult) Verified() bool { return r.Err == nil }

// AllVerified reports whether the document has proofs and every one
// verified (VC Data Integrity §4.5).
func (r *Result) AllVerified() bool {
	if r == nil || len(r.Proofs) == 0 {
		return false
	}
	for _, p := range r.Proofs {
		if p.Err != nil {
			return false
		}
	}
	return true
}

// AnyVerified reports whether at least one proof verified (the 1EdTech
// validator accepts a credential on its first supported proof).
func (r *Result) AnyVerified() bool {
	if r == nil {
		return false
	}
	for _, p := range r.Proofs {
		if p.Err == nil {
			return true
		}
	}
	return false
}

// Err returns the first proof error, or ErrNoProof for an empty result;
// nil when all proofs verified.
func (r *Result) Err() error {
	if r == nil || len(r.Proofs) == 0 {
		return ErrNoProof
	}
	for _, p := range r.Proofs {
		if p.Err != nil {
			return p.Err
		}
	}
	return nil
}

// Verify checks every proof of a JSON credential. The error return is for
// the document as a whole (not JSON, no proof); each proof's outcome is in
// the Result.
func Verify(ctx context.Context, doc []byte, opts VerifyOptions) (*Result, error) {
	m, err := DecodeDocument(doc)
	if err != nil {
		return nil, err
	}
	return VerifyDocument(ctx, m, opts)
}

// DecodeDocument decodes a JSON credential as Verify does, for a caller
// that also needs the decoded document (schema validation) and passes it
// to VerifyDocument: Verify(doc) is VerifyDocument(DecodeDocument(doc)).
// Numbers are json.Number; a repeated member keeps its last value, as with
// encoding/json. Errors wrap ErrMalformedDocument.
func DecodeDocument(doc []byte) (map[string]any, error) {
	m, err := decodeDocument(doc)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	return m, nil
}

// VerifyDocument is Verify on a decoded document (the values encoding/json
// produces; json.Number or float64 numbers). doc is not modified.
func VerifyDocument(ctx context.Context, doc map[string]any, opts VerifyOptions) (*Result, error) {
	all, err := proofList(doc)
	if err != nil {
		return nil, fmt.Errorf("verify: %w", err)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("verify: %w", ErrNoProof)
	}
	v := &verifier{
		opts:     opts,
		doc:      doc,
		all:      all,
		docHash:  map[string][sha256.Size]byte{},
		docErr:   map[string]error{},
		resolved: map[string]resolvedKey{},
	}
	if v.opts.Purpose == "" {
		v.opts.Purpose = PurposeAssertionMethod
	}
	if v.opts.Now.IsZero() {
		v.opts.Now = time.Now()
	}
	if v.opts.Loader == nil {
		v.opts.Loader = jsonld.DefaultLoader()
	}
	res := &Result{Proofs: make([]ProofResult, len(all))}
	for i, p := range all {
		res.Proofs[i] = v.verifyOne(ctx, p)
	}
	return res, nil
}

type resolvedKey struct {
	key        ed25519.PublicKey
	id         string
	controller string
	err        error
}

type verifier struct {
	opts VerifyOptions
	doc  map[string]any
	all  []any
	// Canonicalizing the document is the costly step; proofs of a set
	// share one document, chained proofs one per set of previous proofs.
	docHash  map[string][sha256.Size]byte
	docErr   map[string]error
	resolved map[string]resolvedKey
}

func (v *verifier) verifyOne(ctx context.Context, raw any) ProofResult {
	p, err := parseProof(raw)
	r := ProofResult{Proof: p}
	if err != nil {
		r.Err = err
		return r
	}
	switch {
	case p.Type == TypeDataIntegrity && (p.Cryptosuite == SuiteEdDSARDFC2022 || p.Cryptosuite == SuiteEdDSA2022):
	case p.Type == TypeEd25519Signature2020:
	case p.Type == TypeDataIntegrity:
		r.Err = fmt.Errorf("%w: cryptosuite %q", ErrUnsupportedCryptosuite, clip(p.Cryptosuite))
		return r
	default:
		r.Err = fmt.Errorf("%w: proof type %q", ErrUnsupportedCryptosuite, clip(p.Type))
		return r
	}
	if r.Err = p.checkRequired(); r.Err != nil {
		return r
	}
	sig, err := decodeProofValue(p.ProofValue)
	if err != nil {
		r.Err = err
		return r
	}
	if r.Err = v.checkOptions(p); r.Err != nil {
		return r
	}
	matching, idx, err := matchingProofs(v.all, p.PreviousProof)
	if err != nil {
		r.Err = err
		return r
	}

	key := v.resolve(ctx, p.VerificationMethod)
	r.VerificationMethod, r.Controller = key.id, key.controller
	if key.err != nil {
		r.Err = key.err
		return r
	}

	// The document's @context, or the proof's own when it has one, which
	// must then begin the document's (eddsa-rdfc-2022 §3.3.2 step 4).
	docCtx, hasCtx := v.doc["@context"]
	if !hasCtx {
		r.Err = fmt.Errorf("%w: document has no @context", ErrNotCanonicalizable)
		return r
	}
	cfgCtx := docCtx
	if pc, ok := p.Raw["@context"]; ok {
		if !contextPrefix(pc, docCtx) {
			r.Err = ErrContextMismatch
			return r
		}
		cfgCtx = pc
	}
	var replaceCtx any
	if !contextEqual(cfgCtx, docCtx) {
		replaceCtx = cfgCtx
	}
	docHash, err := v.documentHash(matching, idx, replaceCtx)
	if err != nil {
		r.Err = err
		return r
	}
	cfgHash, err := canonicalHash(proofConfig(p.Raw, cfgCtx), v.opts.Loader)
	if err != nil {
		r.Err = fmt.Errorf("proof configuration: %w", err)
		return r
	}
	if !ed25519.Verify(key.key, hashData(cfgHash, docHash), sig) {
		r.Err = ErrInvalidSignature
	}
	return r
}

// checkOptions checks purpose, time, domain and challenge (VC Data
// Integrity §4.4 and the proof's own constraints).
func (v *verifier) checkOptions(p *Proof) error {
	if p.ProofPurpose != v.opts.Purpose {
		return fmt.Errorf("%w: proof is for %q, expected %q", ErrPurposeMismatch, clip(p.ProofPurpose), v.opts.Purpose)
	}
	if !p.Created.IsZero() && p.Created.After(v.opts.Now.Add(v.opts.ClockSkew)) {
		return fmt.Errorf("%w: created %s", ErrProofNotYetValid, FormatDateTime(p.Created))
	}
	if !p.Expires.IsZero() && !v.opts.Now.Before(p.Expires) {
		return fmt.Errorf("%w: expired %s", ErrProofExpired, FormatDateTime(p.Expires))
	}
	if v.opts.Domain != "" {
		ok := false
		for _, d := range p.Domain {
			ok = ok || d == v.opts.Domain
		}
		if !ok {
			return fmt.Errorf("%w: expected %q", ErrDomainMismatch, v.opts.Domain)
		}
	}
	if v.opts.Challenge != "" && p.Challenge != v.opts.Challenge {
		return fmt.Errorf("%w: expected %q", ErrChallengeMismatch, v.opts.Challenge)
	}
	return nil
}

// documentHash canonicalizes and hashes the document without its proofs,
// with the matching previous proofs bound to it for a chained proof, and
// with the proof's @context in place of the document's when ctx is not nil.
func (v *verifier) documentHash(matching []any, idx []int, ctx any) ([sha256.Size]byte, error) {
	var key strings.Builder
	for _, i := range idx {
		key.WriteString(strconv.Itoa(i))
		key.WriteByte(',')
	}
	k := key.String()
	if ctx == nil { // a proof with its own, shorter @context is rare: no caching
		if h, ok := v.docHash[k]; ok {
			return h, nil
		}
		if err, ok := v.docErr[k]; ok {
			return [sha256.Size]byte{}, err
		}
	}
	d := withoutProof(v.doc, matching)
	if ctx != nil {
		d["@context"] = ctx
	}
	h, err := canonicalHash(d, v.opts.Loader)
	if err != nil {
		err = fmt.Errorf("document: %w", err)
		if ctx == nil {
			v.docErr[k] = err
		}
		return [sha256.Size]byte{}, err
	}
	if ctx == nil {
		v.docHash[k] = h
	}
	return h, nil
}

// resolve dereferences a verification method to an Ed25519 key, checking
// that its controller lists it under the expected relationship.
func (v *verifier) resolve(ctx context.Context, method string) resolvedKey {
	if k, ok := v.resolved[method]; ok {
		return k
	}
	k := v.resolveUncached(ctx, method)
	v.resolved[method] = k
	return k
}

func (v *verifier) resolveUncached(ctx context.Context, method string) resolvedKey {
	if v.opts.Resolver == nil {
		return resolvedKey{err: fmt.Errorf("%w: no resolver for %q", ErrKeyNotFound, clip(method))}
	}
	url := method
	// A bare did:key names its one key; 1EdTech fixtures use that form. The
	// key is the identifier itself, so reading it as did:key:X#X is safe.
	if strings.HasPrefix(url, "did:key:") && !strings.Contains(url, "#") {
		url = url + "#" + strings.TrimPrefix(url, "did:key:")
	}
	vm, err := did.Dereference(ctx, v.opts.Resolver, url, v.opts.Purpose)
	if err != nil {
		if errors.Is(err, did.ErrNotAuthorized) {
			return resolvedKey{id: url, err: fmt.Errorf("%w: %w", ErrPurposeNotAuthorized, err)}
		}
		return resolvedKey{id: url, err: fmt.Errorf("%w: %w", ErrKeyNotFound, err)}
	}
	k := resolvedKey{id: vm.ID, controller: vm.Controller}
	pub, err := vm.PublicKey()
	if err != nil {
		k.err = fmt.Errorf("%w: %w", ErrKeyNotFound, err)
		return k
	}
	ed, ok := pub.(ed25519.PublicKey)
	if !ok {
		k.err = fmt.Errorf("%w: %s is a %s key, not Ed25519", ErrKeyNotFound, clip(vm.ID), keyKind(pub))
		return k
	}
	k.key = ed
	return k
}

func keyKind(k crypto.PublicKey) string {
	return strings.TrimPrefix(fmt.Sprintf("%T", k), "*")
}

// contextPrefix reports whether the proof's @context (a value or a list)
// is the document's @context or its first entries, in order.
func contextPrefix(proofCtx, docCtx any) bool {
	pl, dl := asList(proofCtx), asList(docCtx)
	if len(pl) > len(dl) {
		return false
	}
	for i := range pl {
		if !sameValue(pl[i], dl[i]) {
			return false
		}
	}
	return true
}

func asList(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func contextEqual(a, b any) bool {
	al, bl := asList(a), asList(b)
	if len(al) != len(bl) {
		return false
	}
	for i := range al {
		if !sameValue(al[i], bl[i]) {
			return false
		}
	}
	return true
}

func sameValue(a, b any) bool {
	if sa, ok := a.(string); ok {
		sb, ok := b.(string)
		return ok && sa == sb
	}
	return reflect.DeepEqual(a, b)
}
