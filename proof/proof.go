// Package proof creates and verifies W3C Data Integrity proofs with the
// eddsa-rdfc-2022 cryptosuite ("Data Integrity EdDSA Cryptosuites v1.0"),
// including proof sets and proof chains ("Verifiable Credential Data
// Integrity 1.0" §4.3–4.5), and verifies the older Ed25519 suites that
// Open Badges 3.0 credentials in the wild still carry: DataIntegrityProof
// with cryptosuite "eddsa-2022", and Ed25519Signature2020.
//
// All three suites sign the same thing: SHA-256 of the RDFC-1.0 canonical
// N-Quads of the proof configuration (the proof without proofValue, under
// the document's @context) followed by SHA-256 of the canonical N-Quads of
// the document without its proof; JSON-LD is deserialized in safe mode, so a
// term the contexts do not define is an error rather than silently unsigned.
//
// The package takes bytes and interfaces: contexts come from a
// jsonld.DocumentLoader (bundled by default, never fetched), keys from a
// did.Resolver, time from the caller.
package proof

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Proof types and cryptosuites.
const (
	TypeDataIntegrity        = "DataIntegrityProof"
	TypeEd25519Signature2020 = "Ed25519Signature2020"

	// SuiteEdDSARDFC2022 is the cryptosuite this package signs with.
	SuiteEdDSARDFC2022 = "eddsa-rdfc-2022"
	// SuiteEdDSA2022 is the pre-Recommendation name of the same algorithm,
	// still found in 1EdTech fixtures and early OB 3.0 credentials.
	SuiteEdDSA2022 = "eddsa-2022"

	// PurposeAssertionMethod is the default proof purpose: a credential's
	// issuer asserts its claims.
	PurposeAssertionMethod = "assertionMethod"
)

// Limits on untrusted input.
const (
	// MaxDocumentSize bounds a credential, in bytes. Badges may embed a
	// data: URL image, hence well above the few KB of a typical badge.
	MaxDocumentSize = 8 << 20
	// MaxProofs bounds the proofs of one proof set or chain.
	MaxProofs = 16
	// maxProofValueLen bounds the multibase proofValue: a 64-byte signature
	// is at most 88 base58 characters plus the 'z'; base58 decoding is
	// quadratic, so longer strings are refused before decoding.
	maxProofValueLen = 96
	// maxFieldLen bounds identifiers and dates quoted from a proof.
	maxFieldLen = 8 << 10
)

// Errors callers branch on; returned errors wrap one of them (errors.Is).
// The verifier maps them to report codes.
var (
	// ErrMalformedDocument: the input is not a JSON object, or is too large.
	ErrMalformedDocument = errors.New("malformed document")
	// ErrNoProof: the document carries no proof.
	ErrNoProof = errors.New("document has no proof")
	// ErrMalformedProof: a proof lacks a required member, has one of the
	// wrong type, or its proofValue, created or expires cannot be decoded
	// (MALFORMED_PROOF_ERROR in VC Data Integrity).
	ErrMalformedProof = errors.New("malformed proof")
	// ErrUnsupportedCryptosuite: the proof type or cryptosuite is not one
	// this package verifies.
	ErrUnsupportedCryptosuite = errors.New("unsupported proof type or cryptosuite")
	// ErrKeyNotFound: the verification method cannot be resolved to an
	// Ed25519 public key (unknown DID method, no such method, no resolver,
	// key document unreachable, not an Ed25519 key).
	ErrKeyNotFound = errors.New("verification method not resolvable")
	// ErrPurposeMismatch: the proof's proofPurpose is not the one expected.
	ErrPurposeMismatch = errors.New("unexpected proof purpose")
	// ErrPurposeNotAuthorized: the controller's document has the method but
	// does not list it under the proof purpose's relationship (for example
	// a key that is not an assertionMethod).
	ErrPurposeNotAuthorized = errors.New("verification method not authorised for the proof purpose")
	// ErrInvalidSignature: the signature does not verify over the document.
	ErrInvalidSignature = errors.New("invalid signature")
	// ErrNotCanonicalizable: JSON-LD deserialization (safe mode) or
	// canonicalization failed: an undefined term, an unknown context, a
	// poison graph. The error also wraps the jsonld or rdfc error.
	ErrNotCanonicalizable = errors.New("document cannot be canonicalized")
	// ErrProofExpired: now is after the proof's expires.
	ErrProofExpired = errors.New("proof expired")
	// ErrProofNotYetValid: the proof's created lies in the future.
	ErrProofNotYetValid = errors.New("proof created in the future")
	// ErrDomainMismatch: the proof's domain is not the expected one.
	ErrDomainMismatch = errors.New("proof domain mismatch")
	// ErrChallengeMismatch: the proof's challenge is not the expected one.
	ErrChallengeMismatch = errors.New("proof challenge mismatch")
	// ErrPreviousProofMissing: previousProof names a proof id that is not
	// in the proof set.
	ErrPreviousProofMissing = errors.New("previous proof not found")
	// ErrContextMismatch: the proof's own @context is not a prefix of the
	// document's @context.
	ErrContextMismatch = errors.New("proof @context does not match the document")
)

// Proof is a parsed proof object. Raw holds every member as decoded, for
// the proof configuration hashes everything but proofValue.
type Proof struct {
	Type               string
	Cryptosuite        string
	ID                 string
	Created            time.Time // zero when absent
	Expires            time.Time // zero when absent
	VerificationMethod string
	ProofPurpose       string
	Domain             []string
	Challenge          string
	Nonce              string
	PreviousProof      []string
	ProofValue         string
	Raw                map[string]any
}

// parseProof reads a proof object, checking types of the members this
// package interprets. Unsupported types are reported by the caller.
func parseProof(v any) (*Proof, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: proof is a %s, not an object", ErrMalformedProof, jsonKind(v))
	}
	p := &Proof{Raw: m}
	var err error
	str := func(name string, required bool) string {
		if err != nil {
			return ""
		}
		x, present := m[name]
		if !present {
			if required {
				err = fmt.Errorf("%w: missing %s", ErrMalformedProof, name)
			}
			return ""
		}
		s, ok := x.(string)
		if !ok {
			err = fmt.Errorf("%w: %s is a %s, not a string", ErrMalformedProof, name, jsonKind(x))
			return ""
		}
		if len(s) > maxFieldLen {
			err = fmt.Errorf("%w: %s too long", ErrMalformedProof, name)
			return ""
		}
		return s
	}
	p.Type = str("type", true)
	p.Cryptosuite = str("cryptosuite", false)
	p.ID = str("id", false)
	p.VerificationMethod = str("verificationMethod", false)
	p.ProofPurpose = str("proofPurpose", false)
	p.Challenge = str("challenge", false)
	p.Nonce = str("nonce", false)
	p.ProofValue = str("proofValue", false)
	created := str("created", false)
	expires := str("expires", false)
	if err != nil {
		return p, err
	}
	if created != "" {
		if p.Created, err = parseDateTime(created); err != nil {
			return p, fmt.Errorf("%w: created: %v", ErrMalformedProof, err)
		}
	}
	if expires != "" {
		if p.Expires, err = parseDateTime(expires); err != nil {
			return p, fmt.Errorf("%w: expires: %v", ErrMalformedProof, err)
		}
	}
	if p.Domain, err = stringOrList(m, "domain"); err != nil {
		return p, err
	}
	if p.PreviousProof, err = stringOrList(m, "previousProof"); err != nil {
		return p, err
	}
	return p, nil
}

// checkRequired enforces the members VC Data Integrity requires of a proof
// that is to be verified.
func (p *Proof) checkRequired() error {
	switch {
	case p.VerificationMethod == "":
		return fmt.Errorf("%w: missing verificationMethod", ErrMalformedProof)
	case p.ProofPurpose == "":
		return fmt.Errorf("%w: missing proofPurpose", ErrMalformedProof)
	case p.ProofValue == "":
		return fmt.Errorf("%w: missing proofValue", ErrMalformedProof)
	}
	return nil
}

func stringOrList(m map[string]any, name string) ([]string, error) {
	x, ok := m[name]
	if !ok {
		return nil, nil
	}
	switch v := x.(type) {
	case string:
		return []string{v}, nil
	case []any:
		if len(v) > MaxProofs*4 {
			return nil, fmt.Errorf("%w: %s has %d entries", ErrMalformedProof, name, len(v))
		}
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%w: %s holds a %s, not a string", ErrMalformedProof, name, jsonKind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%w: %s is a %s, not a string or list", ErrMalformedProof, name, jsonKind(x))
}

// dateTimeLayout is the form this package writes: XML Schema dateTime in
// UTC to the second, as in every published vector.
const dateTimeLayout = "2006-01-02T15:04:05Z"

// FormatDateTime formats t as proofs carry it: "2023-02-24T23:36:38Z".
func FormatDateTime(t time.Time) string { return t.UTC().Format(dateTimeLayout) }

// parseDateTime accepts an XML Schema dateTimeStamp (RFC 3339 with a time
// zone, optional fractional seconds). A dateTime without zone is accepted as
// UTC, as the older suites' implementations did.
func parseDateTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if !strings.ContainsAny(s[min(len(s), 19):], "Z+-") {
		if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not an XML Schema dateTime", clip(s))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number, float64:
		return "number"
	}
	return fmt.Sprintf("%T", v)
}

// clip shortens untrusted strings quoted in error messages.
func clip(s string) string {
	const max = 100
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
