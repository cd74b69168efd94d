package vcjwt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// SignOptions choose the token form.
type SignOptions struct {
	// Form is FormVCClaim (Open Badges 3.0, the default) or FormVCJOSE.
	Form Form
}

// Sign secures a credential (JSON) as a VC-JWT signed with EdDSA (Ed25519),
// header kid = the verification method id. In FormVCClaim the payload is
// {"vc": credential} with iss, jti, sub, nbf and exp set from issuer.id, id,
// credentialSubject.id, validFrom (or issuanceDate) and validUntil (or
// expirationDate) when the credential has them; in FormVCJOSE the payload is
// the credential unchanged and the header says typ "vc+jwt", cty "vc".
// Ed25519 signatures are deterministic, so one input gives one token.
func Sign(credential []byte, key ed25519.PrivateKey, kid string, opts SignOptions) (string, error) {
	if len(key) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("sign VC-JWT: Ed25519 private key of %d bytes", len(key))
	}
	if kid == "" {
		return "", fmt.Errorf("sign VC-JWT: empty kid")
	}
	var cred bytes.Buffer
	if err := json.Compact(&cred, credential); err != nil {
		return "", fmt.Errorf("sign VC-JWT: credential: %w", err)
	}
	if !isObject(cred.Bytes()) {
		return "", fmt.Errorf("sign VC-JWT: credential is not a JSON object")
	}
	f, err := credentialFacts(cred.Bytes())
	if err != nil {
		return "", fmt.Errorf("sign VC-JWT: %w", err)
	}
	if f.issuer == "" {
		return "", fmt.Errorf("sign VC-JWT: credential has no issuer id")
	}

	var header, payload []byte
	switch opts.Form {
	case FormVCClaim:
		h := struct {
			Alg string `json:"alg"`
			Kid string `json:"kid"`
			Typ string `json:"typ"`
		}{"EdDSA", kid, "JWT"}
		header, err = json.Marshal(h)
		if err != nil {
			return "", fmt.Errorf("sign VC-JWT: header: %w", err)
		}
		p := struct {
			VC  json.RawMessage `json:"vc"`
			Iss string          `json:"iss"`
			Jti string          `json:"jti,omitempty"`
			Sub string          `json:"sub,omitempty"`
			Nbf *int64          `json:"nbf,omitempty"`
			Exp *int64          `json:"exp,omitempty"`
		}{VC: cred.Bytes(), Iss: f.issuer, Jti: f.id}
		if len(f.subjects) == 1 {
			p.Sub = f.subjects[0]
		}
		if p.Nbf, err = unixDate(f.validFrom, f.issuance, "validFrom"); err != nil {
			return "", err
		}
		if p.Exp, err = unixDate(f.validUntil, f.expiration, "validUntil"); err != nil {
			return "", err
		}
		payload, err = json.Marshal(p)
		if err != nil {
			return "", fmt.Errorf("sign VC-JWT: payload: %w", err)
		}
	case FormVCJOSE:
		h := struct {
			Alg string `json:"alg"`
			Kid string `json:"kid"`
			Typ string `json:"typ"`
			Cty string `json:"cty"`
		}{"EdDSA", kid, "vc+jwt", "vc"}
		header, err = json.Marshal(h)
		if err != nil {
			return "", fmt.Errorf("sign VC-JWT: header: %w", err)
		}
		payload = cred.Bytes()
	default:
		return "", fmt.Errorf("sign VC-JWT: unknown form %v", opts.Form)
	}
	enc := base64.RawURLEncoding
	input := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	sig := ed25519.Sign(key, []byte(input))
	token := input + "." + enc.EncodeToString(sig)
	if len(token) > MaxTokenSize {
		return "", fmt.Errorf("sign VC-JWT: %w: %d bytes", ErrTooLarge, len(token))
	}
	return token, nil
}

// unixDate converts the VC 2.0 date, or else the VC 1.1 one, to seconds.
func unixDate(v2, v1, prop string) (*int64, error) {
	s := v2
	if s == "" {
		s = v1
	}
	if s == "" {
		return nil, nil
	}
	t, err := parseDate(s)
	if err != nil {
		return nil, fmt.Errorf("sign VC-JWT: %s %q is not an RFC 3339 date-time: %w", prop, s, err)
	}
	n := t.Unix()
	return &n, nil
}
