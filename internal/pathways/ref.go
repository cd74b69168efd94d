package pathways

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/vcjwt"
)

// ErrNoRef means the badge does not say which achievement it is for (an
// Open Badges 1.0 or 2.0 image holding only its assertion's URL).
var ErrNoRef = errors.New("pathways: the badge names no achievement")

// MaxCredentialSize bounds what AchievementRef reads.
const MaxCredentialSize = 8 << 20

// AchievementRef reads, from an imported badge's bytes as received (JSON,
// VC-JWT, baked PNG or SVG; Open Badges 3.0 or 2.0), the reference an
// external requirement names it by: the achievement's id (3.0) or the
// badge class URL (2.0). It does not verify: the import did, and its
// state says whether the badge counts.
func AchievementRef(data []byte) (string, error) {
	payload, err := CredentialPayload(data)
	if err != nil {
		return "", err
	}
	var probe struct {
		Badge json.RawMessage `json:"badge"`
	}
	if err := json.Unmarshal(payload, &probe); err != nil {
		return "", err
	}
	if len(probe.Badge) > 0 {
		return ob2BadgeRef(probe.Badge)
	}
	c, err := ob3.Parse(payload)
	if err != nil {
		return "", err
	}
	if c.CredentialSubject == nil || c.CredentialSubject.Achievement == nil || c.CredentialSubject.Achievement.ID == "" {
		return "", ErrNoRef
	}
	return c.CredentialSubject.Achievement.ID, nil
}

// CredentialPayload returns the JSON inside an imported badge's bytes as
// received (JSON, VC-JWT or signed 2.0 assertion, baked PNG or SVG): an
// Open Badges 3.0 credential or a 2.0 assertion. It does not verify.
func CredentialPayload(data []byte) ([]byte, error) {
	if len(data) > MaxCredentialSize {
		return nil, errors.New("pathways: credential too large")
	}
	payload := bytes.TrimSpace(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	if bytes.HasPrefix(data, []byte("\x89PNG")) || bytes.HasPrefix(payload, []byte("<")) {
		b, err := bake.Unbake(data)
		if err != nil {
			return nil, err
		}
		payload = bytes.TrimSpace(b.Payload)
	}
	if len(payload) > 0 && payload[0] != '{' {
		// A compact JWS: a VC-JWT (3.0) or a signed 2.0 assertion.
		s := string(payload)
		if tok, err := vcjwt.Parse(s); err == nil {
			payload = tok.Credential
		} else if parts := strings.Split(s, "."); len(parts) == 3 {
			body, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
			if err != nil {
				return nil, ErrNoRef
			}
			payload = body
		} else {
			return nil, ErrNoRef
		}
	}
	return payload, nil
}

// ob2BadgeRef reads an assertion's badge: a URL, or an embedded badge
// class with its id.
func ob2BadgeRef(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if s == "" {
			return "", ErrNoRef
		}
		return s, nil
	}
	var obj struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &obj) == nil && obj.ID != "" {
		return obj.ID, nil
	}
	return "", ErrNoRef
}
