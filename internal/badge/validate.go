package badge

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/mail"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Limits on what users type. They bound storage and page sizes, and keep
// signed credentials small enough to bake into images.
const (
	MaxNameLen        = 200
	MaxDescriptionLen = 10000
	MaxNarrativeLen   = 20000
	MaxURLLen         = 2048
	MaxEmailLen       = 254
	MaxSlugLen        = 64
	MaxTags           = 30
	MaxTagLen         = 50
	MaxAlignments     = 50
	MaxResults        = 50
	MaxEvidence       = 20
	MaxValidityDays   = 36500 // a century
)

// Languages lists the languages a credential may be written in.
var Languages = []string{"fr", "en"}

func validLanguage(s string) bool {
	for _, l := range Languages {
		if s == l {
			return true
		}
	}
	return false
}

// checkLen reports whether s has at most max characters (runes, not bytes:
// French names must not be penalised for their accents).
func checkLen(s string, max int) bool { return utf8.RuneCountInString(s) <= max }

// requireText checks a mandatory single-line-or-more text field.
func requireText(field, code, s string, max int) error {
	if strings.TrimSpace(s) == "" {
		return Invalidf(field, code+"_required", "%s is required", field)
	}
	return optionalText(field, code, s, max)
}

func optionalText(field, code, s string, max int) error {
	if !utf8.ValidString(s) {
		return Invalidf(field, code+"_encoding", "%s is not valid UTF-8", field)
	}
	if !checkLen(s, max) {
		return Invalidf(field, code+"_too_long", "%s is longer than %d characters", field, max)
	}
	return nil
}

// ValidURL reports whether s is an absolute http or https URL with a host.
func ValidURL(s string) bool {
	if len(s) > MaxURLLen || strings.ContainsAny(s, " \t\r\n") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	return (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil
}

func optionalURL(field, code, s string) error {
	if s == "" {
		return nil
	}
	if !ValidURL(s) {
		return Invalidf(field, code+"_invalid", "%s must be an absolute http or https address", field)
	}
	return nil
}

// ValidEmail reports whether s is one bare e-mail address (no display name).
func ValidEmail(s string) bool {
	if s == "" || len(s) > MaxEmailLen {
		return false
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return false
	}
	at := strings.LastIndexByte(s, '@')
	return at > 0 && strings.Contains(s[at+1:], ".")
}

// ValidSlug reports whether s is a URL-safe identifier: lower-case ASCII
// letters and digits in groups joined by single hyphens, at most MaxSlugLen.
func ValidSlug(s string) bool {
	if s == "" || len(s) > MaxSlugLen || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-':
			if s[i-1] == '-' {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func checkSlug(field, code, s string) error {
	if s == "" {
		return Invalidf(field, code+"_required", "%s is required", field)
	}
	if !ValidSlug(s) {
		return Invalidf(field, code+"_invalid", "%s may hold only lower-case letters, digits and single hyphens (at most %d)", field, MaxSlugLen)
	}
	return nil
}

// ValidDID reports whether s has the syntax of a DID: did:method:id.
func ValidDID(s string) bool {
	if len(s) > MaxURLLen || !strings.HasPrefix(s, "did:") {
		return false
	}
	rest := s[4:]
	i := strings.IndexByte(rest, ':')
	if i <= 0 || i == len(rest)-1 {
		return false
	}
	for _, c := range rest[:i] {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return !strings.ContainsAny(rest[i+1:], " \t\r\n")
}

// NewID returns a random (version 4) UUID in its canonical form, read from r
// (crypto/rand.Reader when r is nil; tests inject a fixed reader).
func NewID(r io.Reader) (string, error) {
	if r == nil {
		r = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return "", fmt.Errorf("new id: %w", err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var s [36]byte
	hex.Encode(s[0:8], b[0:4])
	s[8] = '-'
	hex.Encode(s[9:13], b[4:6])
	s[13] = '-'
	hex.Encode(s[14:18], b[6:8])
	s[18] = '-'
	hex.Encode(s[19:23], b[8:10])
	s[23] = '-'
	hex.Encode(s[24:], b[10:])
	return string(s[:]), nil
}

// ValidID reports whether s is a UUID in canonical lower-case form.
func ValidID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
				return false
			}
		}
	}
	return true
}
