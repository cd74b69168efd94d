package vcjwt

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// facts are the credential properties the registered claims mirror.
type facts struct {
	issuer     string
	id         string
	subjects   []string // credentialSubject ids (an array of subjects may have several)
	validFrom  string   // VC 2.0
	issuance   string   // VC 1.1
	validUntil string   // VC 2.0
	expiration string   // VC 1.1
}

func credentialFacts(cred json.RawMessage) (*facts, error) {
	var c struct {
		Issuer            json.RawMessage `json:"issuer"`
		ID                any             `json:"id"`
		CredentialSubject json.RawMessage `json:"credentialSubject"`
		ValidFrom         any             `json:"validFrom"`
		IssuanceDate      any             `json:"issuanceDate"`
		ValidUntil        any             `json:"validUntil"`
		ExpirationDate    any             `json:"expirationDate"`
	}
	if err := json.Unmarshal(cred, &c); err != nil {
		return nil, fmt.Errorf("%w: credential: %v", ErrMalformed, err)
	}
	f := &facts{}
	f.id, _ = c.ID.(string)
	f.validFrom, _ = c.ValidFrom.(string)
	f.issuance, _ = c.IssuanceDate.(string)
	f.validUntil, _ = c.ValidUntil.(string)
	f.expiration, _ = c.ExpirationDate.(string)
	// issuer is an IRI or an object with an id.
	if len(c.Issuer) > 0 {
		var s string
		var o struct {
			ID string `json:"id"`
		}
		if json.Unmarshal(c.Issuer, &s) == nil {
			f.issuer = s
		} else if json.Unmarshal(c.Issuer, &o) == nil {
			f.issuer = o.ID
		}
	}
	// credentialSubject is an object or an array of objects.
	var one struct {
		ID string `json:"id"`
	}
	var many []struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(c.CredentialSubject, &one) == nil && one.ID != "" {
		f.subjects = []string{one.ID}
	} else if json.Unmarshal(c.CredentialSubject, &many) == nil {
		for _, s := range many {
			if s.ID != "" {
				f.subjects = append(f.subjects, s.ID)
			}
		}
	}
	return f, nil
}

// checkClaims verifies that each registered claim present agrees with the
// credential: iss = issuer id, jti = id, sub = a credentialSubject id, nbf =
// validFrom (or VC 1.1 issuanceDate), exp = validUntil (or expirationDate),
// dates compared to the second.
func checkClaims(c Claims, f *facts) error {
	if c.Iss != "" && c.Iss != f.issuer {
		return &ClaimMismatchError{Claim: "iss", Property: "issuer.id", Token: c.Iss, Credential: f.issuer}
	}
	if c.Jti != "" && c.Jti != f.id {
		return &ClaimMismatchError{Claim: "jti", Property: "id", Token: c.Jti, Credential: f.id}
	}
	if c.Sub != "" {
		ok := false
		for _, s := range f.subjects {
			ok = ok || s == c.Sub
		}
		if !ok {
			cred := ""
			if len(f.subjects) > 0 {
				cred = f.subjects[0]
			}
			return &ClaimMismatchError{Claim: "sub", Property: "credentialSubject.id", Token: c.Sub, Credential: cred}
		}
	}
	if c.Nbf != nil {
		if err := dateClaim("nbf", *c.Nbf, "validFrom", f.validFrom, "issuanceDate", f.issuance); err != nil {
			return err
		}
	}
	if c.Exp != nil {
		if err := dateClaim("exp", *c.Exp, "validUntil", f.validUntil, "expirationDate", f.expiration); err != nil {
			return err
		}
	}
	return nil
}

// dateClaim accepts the claim when it equals, to the second, either of the
// two credential dates present. A VC 1.1 credential may carry both an
// issuanceDate and a validFrom (the validator's velocity.jwt does, with nbf
// matching issuanceDate), so either is allowed to be the one mirrored.
func dateClaim(claim string, v int64, p1, d1, p2, d2 string) error {
	tok := time.Unix(v, 0).UTC().Format(time.RFC3339) + " (" + strconv.FormatInt(v, 10) + ")"
	if d1 == "" && d2 == "" {
		return &ClaimMismatchError{Claim: claim, Property: p1, Token: tok}
	}
	for _, d := range []string{d1, d2} {
		if d == "" {
			continue
		}
		if t, err := parseDate(d); err == nil && t.Unix() == v {
			return nil
		}
	}
	val, prop := d1, p1
	if d1 == "" {
		val, prop = d2, p2
	}
	return &ClaimMismatchError{Claim: claim, Property: prop, Token: tok, Credential: val}
}

// parseDate reads an XML Schema dateTime as VC uses it: RFC 3339 with a
// time zone, fractions of a second allowed (and dropped by the callers).
func parseDate(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}
