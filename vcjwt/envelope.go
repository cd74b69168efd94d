package vcjwt

import (
	"encoding/json"
	"fmt"
	"strings"
)

// Envelope wraps a VC-JWT as a VC 2.0 EnvelopedVerifiableCredential, the
// form a credential secured with JOSE takes inside JSON (a presentation, an
// API response).
func Envelope(token string) ([]byte, error) {
	return json.Marshal(struct {
		Context string `json:"@context"`
		ID      string `json:"id"`
		Type    string `json:"type"`
	}{"https://www.w3.org/ns/credentials/v2", "data:application/vc+jwt," + token, "EnvelopedVerifiableCredential"})
}

// envelopeMediaTypes are the data: URL media types of an enveloped VC-JWT
// (vc-ld+jwt from earlier VC-JOSE-COSE drafts).
var envelopeMediaTypes = []string{"application/vc+jwt", "application/vc-ld+jwt", "application/vc+ld+jwt"}

// Unenvelope returns the VC-JWT inside an EnvelopedVerifiableCredential
// ({"type": "EnvelopedVerifiableCredential", "id": "data:application/vc+jwt,<jwt>"}).
func Unenvelope(data []byte) (string, error) {
	if len(data) > MaxTokenSize+1024 {
		return "", fmt.Errorf("%w: envelope of %d bytes", ErrTooLarge, len(data))
	}
	var env struct {
		ID   string `json:"id"`
		Type any    `json:"type"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return "", fmt.Errorf("%w: envelope: %v", ErrMalformed, err)
	}
	if !hasType(env.Type, "EnvelopedVerifiableCredential") {
		return "", fmt.Errorf("%w: envelope type is not EnvelopedVerifiableCredential", ErrMalformed)
	}
	rest, ok := strings.CutPrefix(env.ID, "data:")
	if !ok {
		return "", fmt.Errorf("%w: envelope id is not a data: URL", ErrMalformed)
	}
	mediaType, token, ok := strings.Cut(rest, ",")
	if !ok {
		return "", fmt.Errorf("%w: envelope data: URL has no comma", ErrMalformed)
	}
	// Media type parameters (";charset=…") are allowed; base64 is not, a JWT
	// is already text.
	mt, params, _ := strings.Cut(mediaType, ";")
	if strings.Contains(params, "base64") {
		return "", fmt.Errorf("%w: envelope data: URL is base64-encoded", ErrMalformed)
	}
	for _, m := range envelopeMediaTypes {
		if strings.EqualFold(mt, m) {
			return token, nil
		}
	}
	return "", fmt.Errorf("%w: envelope media type %q is not application/vc+jwt", ErrMalformed, clip(mt))
}

func hasType(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return t == want
	case []any:
		for _, e := range t {
			if s, _ := e.(string); s == want {
				return true
			}
		}
	}
	return false
}
