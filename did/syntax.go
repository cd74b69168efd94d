package did

import (
	"fmt"
	"strings"
)

// Parse splits a DID into its method name and method-specific identifier,
// checking the DID Core syntax:
//
//	did = "did:" method-name ":" method-specific-id
//	method-name = 1*( %x61-7A / DIGIT )
//	method-specific-id = *( *idchar ":" ) 1*idchar
//	idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
//
// A DID URL (with path, query or fragment) is refused; see SplitURL.
func Parse(did string) (method, id string, err error) {
	if len(did) > MaxDIDLength {
		return "", "", fmt.Errorf("%w: DID of %d bytes exceeds %d", ErrTooLarge, len(did), MaxDIDLength)
	}
	rest, ok := strings.CutPrefix(did, "did:")
	if !ok {
		return "", "", fmt.Errorf("%w: %q does not start with \"did:\"", ErrInvalidDID, clip(did))
	}
	method, id, ok = strings.Cut(rest, ":")
	if !ok || method == "" {
		return "", "", fmt.Errorf("%w: %q has no method name", ErrInvalidDID, clip(did))
	}
	for i := 0; i < len(method); i++ {
		c := method[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "", "", fmt.Errorf("%w: method name %q must be lower-case letters and digits", ErrInvalidDID, clip(method))
		}
	}
	if id == "" || id[len(id)-1] == ':' {
		return "", "", fmt.Errorf("%w: %q has an empty method-specific identifier", ErrInvalidDID, clip(did))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9',
			c == '.', c == '-', c == '_', c == ':':
		case c == '%':
			if i+2 >= len(id) || !isHex(id[i+1]) || !isHex(id[i+2]) {
				return "", "", fmt.Errorf("%w: bad percent-encoding in %q", ErrInvalidDID, clip(did))
			}
			i += 2
		default:
			return "", "", fmt.Errorf("%w: character %q not allowed in %q", ErrInvalidDID, c, clip(did))
		}
	}
	return method, id, nil
}

// SplitURL splits a DID URL into the DID and the rest (path, query and
// fragment, without the leading '#' of the fragment). The DID part is checked
// with Parse.
func SplitURL(url string) (did, pathQuery, fragment string, err error) {
	if len(url) > MaxDIDLength {
		return "", "", "", fmt.Errorf("%w: DID URL of %d bytes exceeds %d", ErrTooLarge, len(url), MaxDIDLength)
	}
	rest, fragment, _ := strings.Cut(url, "#")
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	did, pathQuery = rest[:end], rest[end:]
	if _, _, err := Parse(did); err != nil {
		return "", "", "", err
	}
	return did, pathQuery, fragment, nil
}

// Method returns the method name of a DID or DID URL ("key", "web", …), or
// "" when the string is not a DID. Handy for messages.
func Method(didOrURL string) string {
	rest, ok := strings.CutPrefix(didOrURL, "did:")
	if !ok {
		return ""
	}
	m, _, _ := strings.Cut(rest, ":")
	return m
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// clip shortens untrusted strings quoted in error messages.
func clip(s string) string {
	const max = 120
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
