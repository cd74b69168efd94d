package ob3

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"slices"
)

// JSON-LD context URLs the package knows.
const (
	ContextVC2          = "https://www.w3.org/ns/credentials/v2"
	ContextVC1          = "https://www.w3.org/2018/credentials/v1"
	ContextOB           = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" // current
	ContextOBExtensions = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
)

// Credential types.
const (
	TypeVerifiableCredential  = "VerifiableCredential"
	TypeOpenBadgeCredential   = "OpenBadgeCredential"
	TypeAchievementCredential = "AchievementCredential"
	TypeEndorsementCredential = "EndorsementCredential"
)

// obContextRe matches the OB 3.0 context URLs: context.json (3.0.0) and
// context-3.x.y.json. The same pattern as the 1EdTech schema's.
var obContextRe = regexp.MustCompile(`^https://purl\.imsglobal\.org/spec/ob/v3p0/context(?:-(3\.\d+\.\d+))?\.json$`)

// Context is one entry of `@context`: a URL, or an inline context object
// kept as raw JSON.
type Context struct {
	URL    string
	Inline json.RawMessage
}

// MarshalJSON writes the URL as a string, or the inline object.
func (c Context) MarshalJSON() ([]byte, error) {
	if len(c.Inline) > 0 {
		return c.Inline, nil
	}
	return json.Marshal(c.URL)
}

// UnmarshalJSON reads a string or an object.
func (c *Context) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) > 0 && b[0] == '"':
		*c = Context{}
		return json.Unmarshal(b, &c.URL)
	case len(b) > 0 && b[0] == '{':
		*c = Context{Inline: slices.Clone(b)}
		return nil
	}
	return errors.New("expected string or object")
}

// Contexts builds a context list from URLs.
func Contexts(urls ...string) []Context {
	out := make([]Context, len(urls))
	for i, u := range urls {
		out[i] = Context{URL: u}
	}
	return out
}

// ContextURLs returns the URL entries of `@context`, in order.
func (c *Credential) ContextURLs() []string {
	var out []string
	for _, x := range c.Context {
		if x.URL != "" {
			out = append(out, x.URL)
		}
	}
	return out
}

// IsVC1 reports whether the credential uses the VC Data Model 1.1 form
// (first context https://www.w3.org/2018/credentials/v1), as OB 3.0.0–3.0.2
// issuers did: issuanceDate/expirationDate instead of validFrom/validUntil.
func (c *Credential) IsVC1() bool {
	return len(c.Context) > 0 && c.Context[0].URL == ContextVC1
}

// IsVC2 reports whether the first context is the VC Data Model 2.0 one.
func (c *Credential) IsVC2() bool {
	return len(c.Context) > 0 && c.Context[0].URL == ContextVC2
}

// ContextVersion returns the version of the OB 3.0 context the credential
// uses: "3.0.3", "3.0.2", "3.0.1", "3.0.0" (the unversioned context.json),
// or "" when there is no OB 3.0 context.
func (c *Credential) ContextVersion() string {
	for _, x := range c.Context {
		if m := obContextRe.FindStringSubmatch(x.URL); m != nil {
			if m[1] == "" {
				return "3.0.0"
			}
			return m[1]
		}
	}
	return ""
}

// HasType reports whether t is one of the credential's types.
func (c *Credential) HasType(t string) bool { return slices.Contains(c.Type, t) }

// IsOpenBadge reports whether the credential is an OpenBadgeCredential (or
// its alias AchievementCredential).
func (c *Credential) IsOpenBadge() bool {
	return c.HasType(TypeOpenBadgeCredential) || c.HasType(TypeAchievementCredential)
}

// IsEndorsement reports whether the credential is an EndorsementCredential.
func (c *Credential) IsEndorsement() bool { return c.HasType(TypeEndorsementCredential) }
