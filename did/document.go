package did

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// UnmarshalJSON reads a relationship entry: a string (a reference to a
// method, possibly relative such as "#key-1") or an embedded method object.
func (r *MethodRef) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) > 0 && data[0] == '"':
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		if s == "" {
			return fmt.Errorf("%w: empty verification method reference", ErrInvalidDocument)
		}
		*r = MethodRef{Ref: s}
		return nil
	case len(data) > 0 && data[0] == '{':
		var m VerificationMethod
		if err := json.Unmarshal(data, &m); err != nil {
			return err
		}
		*r = MethodRef{Embedded: &m}
		return nil
	default:
		return fmt.Errorf("%w: verification relationship entry must be a string or an object", ErrInvalidDocument)
	}
}

// MarshalJSON writes the reference as a string or the embedded method as an object.
func (r MethodRef) MarshalJSON() ([]byte, error) {
	if r.Embedded != nil {
		return json.Marshal(r.Embedded)
	}
	return json.Marshal(r.Ref)
}

// ID returns the id of the referenced or embedded method, as written.
func (r MethodRef) ID() string {
	if r.Embedded != nil {
		return r.Embedded.ID
	}
	return r.Ref
}

// ParseDocument decodes and checks a DID document: size limit, a valid DID
// as id, every verification method with an id and a type.
func ParseDocument(data []byte) (*Document, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: DID document of %d bytes exceeds %d", ErrTooLarge, len(data), MaxDocumentSize)
	}
	var doc Document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidDocument, err)
	}
	if err := doc.check(); err != nil {
		return nil, err
	}
	return &doc, nil
}

func (d *Document) check() error {
	if _, _, err := Parse(d.ID); err != nil {
		return fmt.Errorf("%w: id: %w", ErrInvalidDocument, err)
	}
	for i := range d.VerificationMethod {
		if err := checkMethod(&d.VerificationMethod[i]); err != nil {
			return fmt.Errorf("%w: verificationMethod[%d]: %v", ErrInvalidDocument, i, err)
		}
	}
	for rel, refs := range d.relationships() {
		for i, r := range refs {
			if r.Embedded != nil {
				if err := checkMethod(r.Embedded); err != nil {
					return fmt.Errorf("%w: %s[%d]: %v", ErrInvalidDocument, rel, i, err)
				}
			}
		}
	}
	return nil
}

func checkMethod(m *VerificationMethod) error {
	if m.ID == "" {
		return fmt.Errorf("missing id")
	}
	if m.Type == "" {
		return fmt.Errorf("method %q has no type", clip(m.ID))
	}
	return nil
}

func (d *Document) relationships() map[string][]MethodRef {
	return map[string][]MethodRef{
		AssertionMethod:      d.AssertionMethod,
		Authentication:       d.Authentication,
		CapabilityInvocation: d.CapabilityInvocation,
		CapabilityDelegation: d.CapabilityDelegation,
		KeyAgreement:         d.KeyAgreement,
	}
}

// absolute resolves a method id relative to the document id: "#key-1"
// becomes "did:web:example.com#key-1". Only fragment-relative references
// occur in practice; other relative forms are taken as they are.
func (d *Document) absolute(id string) string {
	if strings.HasPrefix(id, "#") {
		return d.ID + id
	}
	return id
}

// Method returns the verification method id (absolute, or relative to the
// document such as "#key-1") if, and only if, the document lists it under
// the given relationship (AssertionMethod, Authentication, …), either by
// reference or embedded. The returned copy has an absolute id, and the
// document id as controller when the method names none.
//
// It returns an error wrapping ErrMethodNotFound when the document has no
// such method, and ErrNotAuthorized when the method exists but is not
// listed under that relationship.
func (d *Document) Method(id, relationship string) (*VerificationMethod, error) {
	refs, ok := d.relationships()[relationship]
	if !ok {
		return nil, fmt.Errorf("unknown verification relationship %q", relationship)
	}
	want := d.absolute(id)
	if did, _, _, err := SplitURL(want); err != nil || did != d.ID {
		return nil, fmt.Errorf("%w: %q is not a method of %s", ErrMethodNotFound, clip(id), clip(d.ID))
	}
	for _, r := range refs {
		if r.Embedded != nil {
			if d.absolute(r.Embedded.ID) == want {
				return d.finish(r.Embedded, want), nil
			}
			continue
		}
		if d.absolute(r.Ref) == want {
			if m := d.lookup(want); m != nil {
				return d.finish(m, want), nil
			}
			return nil, fmt.Errorf("%w: %s lists %q under %s but does not define it", ErrMethodNotFound, clip(d.ID), clip(id), relationship)
		}
	}
	if d.lookup(want) != nil {
		return nil, fmt.Errorf("%w: %q is not listed under %s in %s", ErrNotAuthorized, clip(id), relationship, clip(d.ID))
	}
	return nil, fmt.Errorf("%w: %q in %s", ErrMethodNotFound, clip(id), clip(d.ID))
}

// lookup finds a method by absolute id in verificationMethod or embedded in
// any relationship.
func (d *Document) lookup(abs string) *VerificationMethod {
	for i := range d.VerificationMethod {
		if d.absolute(d.VerificationMethod[i].ID) == abs {
			return &d.VerificationMethod[i]
		}
	}
	for _, refs := range d.relationships() {
		for _, r := range refs {
			if r.Embedded != nil && d.absolute(r.Embedded.ID) == abs {
				return r.Embedded
			}
		}
	}
	return nil
}

func (d *Document) finish(m *VerificationMethod, abs string) *VerificationMethod {
	c := *m
	c.ID = abs
	if c.Controller == "" {
		c.Controller = d.ID
	} else {
		c.Controller = d.absolute(c.Controller)
	}
	return &c
}
