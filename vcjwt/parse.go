package vcjwt

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
)

// Parse decodes a VC-JWT without verifying it, for reports and for Verify.
// It checks the compact serialization, the JSON of header and payload
// (duplicate member names are refused, since two readers could then see
// two different values), the types of the registered claims, and finds the
// credential. It does not judge alg, crit, keys or claim agreement.
func Parse(token string) (*Token, error) {
	token = strings.TrimSpace(token)
	if len(token) > MaxTokenSize {
		return nil, fmt.Errorf("%w: %d bytes exceeds %d", ErrTooLarge, len(token), MaxTokenSize)
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("%w: compact JWS has %d parts, want 3", ErrMalformed, len(parts))
	}
	rawHeader, err := b64(parts[0], "header")
	if err != nil {
		return nil, err
	}
	payload, err := b64(parts[1], "payload")
	if err != nil {
		return nil, err
	}
	sig, err := b64(parts[2], "signature")
	if err != nil {
		return nil, err
	}
	t := &Token{
		Payload:      payload,
		signingInput: parts[0] + "." + parts[1],
		signature:    sig,
	}
	if err := parseHeader(rawHeader, &t.Header); err != nil {
		return nil, err
	}
	members, err := objectMembers(payload, "payload")
	if err != nil {
		return nil, err
	}
	if err := parseClaims(members, &t.Claims); err != nil {
		return nil, err
	}
	if vc, ok := members["vc"]; ok {
		if !isObject(vc) {
			return nil, fmt.Errorf("%w: vc claim is not a JSON object", ErrMalformed)
		}
		t.Form, t.Credential = FormVCClaim, vc
	} else {
		_, hasCtx := members["@context"]
		_, hasType := members["type"]
		if !hasCtx || !hasType {
			return nil, fmt.Errorf("%w: payload has neither a vc claim nor a credential (@context and type)", ErrMalformed)
		}
		t.Form, t.Credential = FormVCJOSE, payload
	}
	return t, nil
}

func b64(s, what string) ([]byte, error) {
	b, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %s is not base64url: %v", ErrMalformed, what, err)
	}
	return b, nil
}

func parseHeader(raw []byte, h *Header) error {
	members, err := objectMembers(raw, "header")
	if err != nil {
		return err
	}
	h.Raw = members
	str := func(name string, dst *string) error {
		v, ok := members[name]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return fmt.Errorf("%w: header %s is not a string", ErrMalformed, name)
		}
		return nil
	}
	for name, dst := range map[string]*string{"alg": &h.Alg, "kid": &h.Kid, "typ": &h.Typ, "cty": &h.Cty} {
		if err := str(name, dst); err != nil {
			return err
		}
	}
	if _, ok := members["alg"]; !ok {
		return fmt.Errorf("%w: header has no alg", ErrMalformed)
	}
	if v, ok := members["jwk"]; ok {
		if !isObject(v) || json.Unmarshal(v, &h.JWK) != nil {
			return fmt.Errorf("%w: header jwk is not a JSON object", ErrMalformed)
		}
	}
	if v, ok := members["crit"]; ok {
		if err := json.Unmarshal(v, &h.Crit); err != nil || len(h.Crit) == 0 {
			// RFC 7515 §4.1.11: crit is a non-empty array of strings.
			return fmt.Errorf("%w: header crit is not a non-empty array of strings", ErrMalformed)
		}
	}
	return nil
}

func parseClaims(m map[string]json.RawMessage, c *Claims) error {
	for name, dst := range map[string]*string{"iss": &c.Iss, "jti": &c.Jti, "sub": &c.Sub} {
		if v, ok := m[name]; ok {
			if err := json.Unmarshal(v, dst); err != nil {
				return fmt.Errorf("%w: claim %s is not a string", ErrMalformed, name)
			}
		}
	}
	for name, dst := range map[string]**int64{"nbf": &c.Nbf, "exp": &c.Exp, "iat": &c.Iat} {
		v, ok := m[name]
		if !ok {
			continue
		}
		var f float64
		if err := json.Unmarshal(v, &f); err != nil || math.IsNaN(f) || f < -1e15 || f > 1e15 {
			return fmt.Errorf("%w: claim %s is not a NumericDate", ErrMalformed, name)
		}
		// NumericDate may carry fractions of a second; they are dropped.
		n := int64(math.Floor(f))
		*dst = &n
	}
	return nil
}

// objectMembers decodes a JSON object's members, refusing duplicates and
// anything after the object.
func objectMembers(data []byte, what string) (map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, fmt.Errorf("%w: %s is not a JSON object", ErrMalformed, what)
	}
	m := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
		}
		name := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, fmt.Errorf("%w: %s member %q: %v", ErrMalformed, what, name, err)
		}
		if _, dup := m[name]; dup {
			return nil, fmt.Errorf("%w: %s has member %q twice", ErrMalformed, what, name)
		}
		m[name] = v
	}
	if _, err := dec.Token(); err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: data after the %s object", ErrMalformed, what)
	}
	return m, nil
}

func isObject(v json.RawMessage) bool {
	v = bytes.TrimSpace(v)
	return len(v) > 0 && v[0] == '{'
}
