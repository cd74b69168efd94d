package status

import (
	"encoding/json"
	"fmt"
)

// MaxRevokedCredentials bounds the entries of a 1EdTech revocation list.
const MaxRevokedCredentials = 1 << 20

// RevocationList is a 1EdTech Revocation List (credentialStatus type
// 1EdTechRevocationList, https://purl.imsglobal.org/spec/vcrl/v1p0/): a
// JSON document listing revoked credential ids. It is not a verifiable
// credential and carries no proof; it is trusted as far as the HTTPS
// origin serving it is.
type RevocationList struct {
	ID      string
	Issuer  string // issuer id, when given
	Revoked []RevokedCredential
	byID    map[string]int // index in Revoked of the entry that decides
}

// RevokedCredential is one element of revokedCredentials.
type RevokedCredential struct {
	ID      string
	Revoked bool   // the "revoked" member; true when absent
	Reason  string // revocationReason, when given
}

// ParseRevocationList parses a 1EdTech revocation list document.
func ParseRevocationList(data []byte) (*RevocationList, error) {
	if len(data) > MaxDocumentSize {
		return nil, fmt.Errorf("%w: revocation list of %d bytes", ErrTooLarge, len(data))
	}
	var raw struct {
		ID                 *string         `json:"id"`
		Issuer             json.RawMessage `json:"issuer"`
		RevokedCredentials json.RawMessage `json:"revokedCredentials"`
	}
	if err := decodeObject(data, &raw); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedRevocations, err)
	}
	l := &RevocationList{Issuer: idOf(raw.Issuer), byID: map[string]int{}}
	if raw.ID != nil {
		l.ID = *raw.ID
	}
	if len(raw.RevokedCredentials) == 0 || string(raw.RevokedCredentials) == "null" {
		return l, nil // nothing revoked
	}
	var items []struct {
		ID               *string `json:"id"`
		Revoked          *bool   `json:"revoked"`
		RevocationReason *string `json:"revocationReason"`
	}
	if err := json.Unmarshal(raw.RevokedCredentials, &items); err != nil {
		return nil, fmt.Errorf("%w: revokedCredentials: %v", ErrMalformedRevocations, err)
	}
	if len(items) > MaxRevokedCredentials {
		return nil, fmt.Errorf("%w: %d revoked credentials (limit %d)", ErrTooLarge, len(items), MaxRevokedCredentials)
	}
	for i, it := range items {
		if it.ID == nil || *it.ID == "" {
			return nil, fmt.Errorf("%w: revokedCredentials[%d] has no id", ErrMalformedRevocations, i)
		}
		rc := RevokedCredential{ID: *it.ID, Revoked: it.Revoked == nil || *it.Revoked}
		if it.RevocationReason != nil {
			rc.Reason = *it.RevocationReason
		}
		l.Revoked = append(l.Revoked, rc)
		// When an id appears more than once, a revoking entry wins: the
		// list cannot un-revoke by repeating an id.
		if j, ok := l.byID[rc.ID]; !ok || (!l.Revoked[j].Revoked && rc.Revoked) {
			l.byID[rc.ID] = i
		}
	}
	return l, nil
}

// Lookup says whether credentialID is revoked by the list, and why when
// the list gives a reason. Ids are compared as exact strings.
func (l *RevocationList) Lookup(credentialID string) (revoked bool, reason string) {
	i, ok := l.byID[credentialID]
	if !ok || credentialID == "" {
		return false, ""
	}
	rc := l.Revoked[i]
	if !rc.Revoked {
		return false, ""
	}
	return true, rc.Reason
}
