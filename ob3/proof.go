package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
)

// Proof is an embedded proof. Raw holds the proof object exactly as read
// and is what gets written back, so a signature is never disturbed by a
// round trip; the typed fields are a read-only view of the usual Data
// Integrity properties (a non-string value leaves its field empty). A
// Proof built in Go (Raw empty) is written from its fields.
type Proof struct {
	Type               string
	Cryptosuite        string
	Created            string
	Expires            string
	VerificationMethod string
	ProofPurpose       string
	ProofValue         string
	ID                 string
	Challenge          string
	Domain             string
	Nonce              string

	Raw json.RawMessage
}

type proofFields struct {
	Type               string `json:"type,omitempty"`
	Cryptosuite        string `json:"cryptosuite,omitempty"`
	Created            string `json:"created,omitempty"`
	Expires            string `json:"expires,omitempty"`
	VerificationMethod string `json:"verificationMethod,omitempty"`
	ProofPurpose       string `json:"proofPurpose,omitempty"`
	ProofValue         string `json:"proofValue,omitempty"`
	ID                 string `json:"id,omitempty"`
	Challenge          string `json:"challenge,omitempty"`
	Domain             string `json:"domain,omitempty"`
	Nonce              string `json:"nonce,omitempty"`
}

// UnmarshalJSON keeps the raw object and fills the typed view.
func (p *Proof) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || b[0] != '{' {
		return errProofNotObject
	}
	if !json.Valid(b) {
		var m map[string]json.RawMessage
		return json.Unmarshal(b, &m) // its error, as ever
	}
	p.fill(newDecoder(b), b)
	return nil
}

var errProofNotObject = errors.New("expected object")

// fill reads raw, a checked JSON object (as decodeValue hands it), as
// encoding/json would into a map: a repeated member keeps its last value,
// and a member that is not a string leaves its field empty.
func (p *Proof) fill(d *decoder, raw []byte) {
	*p = Proof{Raw: slices.Clone(raw)}
	it := d.members(raw)
	for {
		k, v, ok := it.next()
		if !ok {
			return
		}
		var f *string
		switch d.unquote(k) {
		case "type":
			f = &p.Type
		case "cryptosuite":
			f = &p.Cryptosuite
		case "created":
			f = &p.Created
		case "expires":
			f = &p.Expires
		case "verificationMethod":
			f = &p.VerificationMethod
		case "proofPurpose":
			f = &p.ProofPurpose
		case "proofValue":
			f = &p.ProofValue
		case "id":
			f = &p.ID
		case "challenge":
			f = &p.Challenge
		case "domain":
			f = &p.Domain
		case "nonce":
			f = &p.Nonce
		default:
			continue
		}
		*f = ""
		if firstByte(v) == '"' {
			*f = d.unquote(bytes.TrimSpace(v))
		}
	}
}

// MarshalJSON writes Raw when set, else the typed fields.
func (p Proof) MarshalJSON() ([]byte, error) {
	if len(p.Raw) > 0 {
		return p.Raw, nil
	}
	return json.Marshal(proofFields{
		Type: p.Type, Cryptosuite: p.Cryptosuite, Created: p.Created, Expires: p.Expires,
		VerificationMethod: p.VerificationMethod, ProofPurpose: p.ProofPurpose,
		ProofValue: p.ProofValue, ID: p.ID, Challenge: p.Challenge, Domain: p.Domain, Nonce: p.Nonce,
	})
}
