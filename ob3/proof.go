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
		return errors.New("expected object")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	str := func(k string) string {
		var s string
		if v, ok := m[k]; ok && json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	}
	*p = Proof{
		Type:               str("type"),
		Cryptosuite:        str("cryptosuite"),
		Created:            str("created"),
		Expires:            str("expires"),
		VerificationMethod: str("verificationMethod"),
		ProofPurpose:       str("proofPurpose"),
		ProofValue:         str("proofValue"),
		ID:                 str("id"),
		Challenge:          str("challenge"),
		Domain:             str("domain"),
		Nonce:              str("nonce"),
		Raw:                slices.Clone(b),
	}
	return nil
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
