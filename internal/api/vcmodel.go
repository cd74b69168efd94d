package api

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The VC Data Model 2.0 rules a credential must meet before this server
// signs it (and that the verifier reports), checked on the decoded JSON.
// JSON-LD rules (every term defined, no protected term redefined) are
// enforced by the signer and verifier themselves, which deserialize in
// safe mode.

const (
	contextV2 = "https://www.w3.org/ns/credentials/v2"
	contextV1 = "https://www.w3.org/2018/credentials/v1"

	typeVC = "VerifiableCredential"
	typeVP = "VerifiablePresentation"

	// maxItems bounds the members checked in one list (subjects, schemas,
	// related resources…): the body limit already bounds the total.
	maxItems = 1000
)

// Problem is one rule a document breaks, with the JSON path of the value
// at fault.
type Problem struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

func (p Problem) String() string { return p.Path + ": " + p.Message }

// checker collects problems.
type checker struct{ problems []Problem }

func (c *checker) add(path, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
}

// checkMode tells which version of the data model is acceptable.
type checkMode int

const (
	// forIssue: VC 2.0 only, as this server signs.
	forIssue checkMode = iota
	// forVerify: VC 2.0, or VC 1.1 (whose own rules are not checked
	// beyond the shared ones: context, type, issuer, subject).
	forVerify
)

// checkCredential returns the VC Data Model rules doc breaks; path is the
// JSON path of doc ("credential", "verifiableCredential[0]").
func checkCredential(doc map[string]any, path string, mode checkMode) []Problem {
	c := &checker{}
	v2 := c.context(doc, path, mode)
	c.types(doc, path, typeVC)
	c.optionalURL(doc, path, "id")
	c.issuer(doc, path)
	c.subjects(doc, path)
	if v2 {
		c.validity(doc, path)
		c.languageText(doc, path, "name")
		c.languageText(doc, path, "description")
	}
	c.typedObjects(doc, path, "credentialStatus", false)
	c.typedObjects(doc, path, "credentialSchema", true)
	c.typedObjects(doc, path, "refreshService", false)
	c.typedObjects(doc, path, "termsOfUse", false)
	c.typedObjects(doc, path, "evidence", false)
	c.relatedResources(doc, path)
	// A proof the client brings stays in the proof set next to ours.
	c.typedObjects(doc, path, "proof", false)
	return c.problems
}

// checkPresentation returns the rules a presentation breaks, leaving its
// credentials to checkCredential.
func checkPresentation(doc map[string]any, path string) []Problem {
	c := &checker{}
	c.context(doc, path, forVerify)
	c.types(doc, path, typeVP)
	c.optionalURL(doc, path, "id")
	c.optionalURL(doc, path, "holder")
	if h, ok := doc["holder"].(map[string]any); ok {
		c.optionalURL(h, path+".holder", "id")
	}
	return c.problems
}

// context checks that @context starts with the VC context and reports
// whether it is the 2.0 one.
func (c *checker) context(doc map[string]any, path string, mode checkMode) bool {
	raw, ok := doc["@context"]
	if !ok {
		c.add(path+".@context", "missing: the first @context must be %s", contextV2)
		return false
	}
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	if len(list) == 0 {
		c.add(path+".@context", "empty: the first @context must be %s", contextV2)
		return false
	}
	for i, item := range list {
		switch item.(type) {
		case string, map[string]any:
		default:
			c.add(fmt.Sprintf("%s.@context[%d]", path, i), "must be a URL or an object")
		}
	}
	switch first, _ := list[0].(string); {
	case first == contextV2:
		return true
	case first == contextV1 && mode == forVerify:
		return false
	default:
		c.add(path+".@context[0]", "must be %s, not %s", contextV2, describe(list[0]))
		return false
	}
}

// types checks that type holds required.
func (c *checker) types(doc map[string]any, path, required string) {
	raw, ok := doc["type"]
	if !ok {
		c.add(path+".type", "missing: must include %s", required)
		return
	}
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	found := false
	for i, t := range list {
		s, ok := t.(string)
		if !ok || s == "" {
			c.add(fmt.Sprintf("%s.type[%d]", path, i), "must be a non-empty string, not %s", describe(t))
			continue
		}
		found = found || s == required
	}
	if !found {
		c.add(path+".type", "must include %s", required)
	}
}

// optionalURL checks that doc[key], when present, is one URL.
func (c *checker) optionalURL(doc map[string]any, path, key string) {
	raw, ok := doc[key]
	if !ok {
		return
	}
	if _, isObj := raw.(map[string]any); isObj && key == "holder" {
		return // checked by the caller
	}
	if s, ok := raw.(string); !ok || !isURL(s) {
		c.add(path+"."+key, "must be a single URL, not %s", describe(raw))
	}
}

func (c *checker) issuer(doc map[string]any, path string) {
	raw, ok := doc["issuer"]
	switch v := raw.(type) {
	case string:
		if !isURL(v) {
			c.add(path+".issuer", "must be a URL, not %s", describe(raw))
		}
	case map[string]any:
		id, ok := v["id"].(string)
		if !ok || !isURL(id) {
			c.add(path+".issuer.id", "must be a URL, not %s", describe(v["id"]))
		}
		c.languageText(v, path+".issuer", "name")
		c.languageText(v, path+".issuer", "description")
	default:
		if !ok {
			c.add(path+".issuer", "missing: a credential must have an issuer")
		} else {
			c.add(path+".issuer", "must be a URL or an object with an id, not %s", describe(raw))
		}
	}
}

func (c *checker) subjects(doc map[string]any, path string) {
	raw, ok := doc["credentialSubject"]
	if !ok {
		c.add(path+".credentialSubject", "missing: a credential must have a subject")
		return
	}
	c.eachObject(raw, path+".credentialSubject", func(obj map[string]any, p string) {
		if len(obj) == 0 {
			c.add(p, "a subject must be the subject of at least one claim")
		}
		c.optionalURL(obj, p, "id")
	})
}

// eachObject calls fn on raw when it is an object, or on each element of
// raw when it is a non-empty list of objects; anything else is a problem.
func (c *checker) eachObject(raw any, path string, fn func(obj map[string]any, path string)) {
	switch v := raw.(type) {
	case map[string]any:
		fn(v, path)
	case []any:
		if len(v) == 0 {
			c.add(path, "must be one or more objects, not an empty list")
		}
		if len(v) > maxItems {
			c.add(path, "more than %d items", maxItems)
			return
		}
		for i, item := range v {
			p := fmt.Sprintf("%s[%d]", path, i)
			if obj, ok := item.(map[string]any); ok {
				fn(obj, p)
			} else {
				c.add(p, "must be an object, not %s", describe(item))
			}
		}
	default:
		c.add(path, "must be an object or a list of objects, not %s", describe(raw))
	}
}

// typedObjects checks a property whose values must each have a type (and,
// when idRequired, an id); an id, when present, must be a URL.
func (c *checker) typedObjects(doc map[string]any, path, key string, idRequired bool) {
	raw, ok := doc[key]
	if !ok {
		return
	}
	c.eachObject(raw, path+"."+key, func(obj map[string]any, p string) {
		if !hasType(obj["type"]) {
			c.add(p+".type", "missing or not a string: each %s must specify its type", key)
		}
		if _, has := obj["id"]; has || idRequired {
			if s, ok := obj["id"].(string); !ok || !isURL(s) {
				c.add(p+".id", "must be a URL, not %s", describe(obj["id"]))
			}
		}
	})
}

func hasType(raw any) bool {
	switch v := raw.(type) {
	case string:
		return v != ""
	case []any:
		if len(v) == 0 {
			return false
		}
		for _, t := range v {
			if s, ok := t.(string); !ok || s == "" {
				return false
			}
		}
		return true
	}
	return false
}

// sriDigest is the hash-expression of Subresource Integrity §3.5, for the
// algorithms it allows.
var sriDigest = regexp.MustCompile(`^(sha256|sha384|sha512)-[A-Za-z0-9+/]+={0,2}(\?[!-~]*)?$`)

// relatedResources checks relatedResource (VC 2.0 §5.3): each item has a
// URL id, unique in the list, and a digestSRI or digestMultibase.
func (c *checker) relatedResources(doc map[string]any, path string) {
	raw, ok := doc["relatedResource"]
	if !ok {
		return
	}
	seen := map[string]bool{}
	c.eachObject(raw, path+".relatedResource", func(obj map[string]any, p string) {
		id, ok := obj["id"].(string)
		switch {
		case !ok || !isURL(id):
			c.add(p+".id", "must be a URL, not %s", describe(obj["id"]))
		case seen[id]:
			c.add(p+".id", "%s is listed more than once", id)
		default:
			seen[id] = true
		}
		sri, hasSRI := obj["digestSRI"]
		mb, hasMB := obj["digestMultibase"]
		if !hasSRI && !hasMB {
			c.add(p, "must have a digestSRI or a digestMultibase")
		}
		if hasSRI {
			c.eachString(sri, p+".digestSRI", func(s string) bool { return sriDigest.MatchString(s) }, "a Subresource Integrity digest such as sha384-…")
		}
		if hasMB {
			c.eachString(mb, p+".digestMultibase", isMultibase, "a multibase digest (z… or u…)")
		}
		if mt, has := obj["mediaType"]; has {
			if s, ok := mt.(string); !ok || !strings.Contains(s, "/") {
				c.add(p+".mediaType", "must be a media type, not %s", describe(mt))
			}
		}
	})
}

// eachString checks that raw is one string, or a non-empty list of
// strings, each accepted by valid.
func (c *checker) eachString(raw any, path string, valid func(string) bool, what string) {
	list, ok := raw.([]any)
	if !ok {
		list = []any{raw}
	}
	if len(list) == 0 {
		c.add(path, "must be %s, not an empty list", what)
	}
	for _, item := range list {
		if s, ok := item.(string); !ok || !valid(s) {
			c.add(path, "must be %s, not %s", what, describe(item))
			return
		}
	}
}

func isMultibase(s string) bool {
	if len(s) < 2 {
		return false
	}
	switch s[0] {
	case 'z', 'u', 'm', 'M', 'f', 'F', 'b', 'B':
	default:
		return false
	}
	for _, r := range s[1:] {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

// dateTimeStamp is the XML Schema dateTimeStamp lexical form: a dateTime
// with a mandatory time zone.
var dateTimeStamp = regexp.MustCompile(`^-?[0-9]{4,}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$`)

// parseDateTimeStamp parses s when it is a dateTimeStamp Go can represent.
func parseDateTimeStamp(s string) (time.Time, bool) {
	if !dateTimeStamp.MatchString(s) {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	return t, err == nil
}

func (c *checker) validity(doc map[string]any, path string) {
	var times [2]time.Time
	var have [2]bool
	for i, key := range []string{"validFrom", "validUntil"} {
		raw, ok := doc[key]
		if !ok {
			continue
		}
		s, _ := raw.(string)
		t, ok := parseDateTimeStamp(s)
		if !ok {
			c.add(path+"."+key, "must be an XML Schema dateTimeStamp with a time zone (2026-03-01T10:00:00Z), not %s", describe(raw))
			continue
		}
		times[i], have[i] = t, true
	}
	if have[0] && have[1] && times[1].Before(times[0]) {
		c.add(path+".validUntil", "is before validFrom")
	}
}

// languageText checks name or description: a string, a language value
// object, or a list of language value objects.
func (c *checker) languageText(doc map[string]any, path, key string) {
	raw, ok := doc[key]
	if !ok {
		return
	}
	p := path + "." + key
	switch v := raw.(type) {
	case string:
	case map[string]any:
		c.languageValue(v, p)
	case []any:
		if len(v) == 0 {
			c.add(p, "must not be an empty list")
		}
		for i, item := range v {
			obj, ok := item.(map[string]any)
			if !ok {
				c.add(fmt.Sprintf("%s[%d]", p, i), "must be a language value object, not %s", describe(item))
				continue
			}
			c.languageValue(obj, fmt.Sprintf("%s[%d]", p, i))
		}
	default:
		c.add(p, "must be a string or language value objects, not %s", describe(raw))
	}
}

// languageValue checks {"@value": …, "@language": …, "@direction": …}.
func (c *checker) languageValue(obj map[string]any, path string) {
	if _, ok := obj["@value"].(string); !ok {
		c.add(path+".@value", "must be a string, not %s", describe(obj["@value"]))
	}
	for k, v := range obj {
		switch k {
		case "@value":
		case "@language":
			if s, ok := v.(string); !ok || !isLanguageTag(s) {
				c.add(path+".@language", "must be a BCP 47 language tag, not %s", describe(v))
			}
		case "@direction":
			if v != "ltr" && v != "rtl" {
				c.add(path+".@direction", `must be "ltr" or "rtl", not %s`, describe(v))
			}
		default:
			c.add(path+"."+k, "not allowed in a language value object")
		}
	}
}

// languageTag is the shape of a BCP 47 tag (JSON-LD checks no more).
var languageTag = regexp.MustCompile(`^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$`)

func isLanguageTag(s string) bool { return languageTag.MatchString(s) }

// isURL reports whether s is an absolute URL (any scheme, DIDs and URNs
// included) without spaces, as VC 2.0 identifiers must be.
func isURL(s string) bool {
	if s == "" || len(s) > 8192 || strings.ContainsAny(s, " \t\r\n<>\"{}|\\^`") {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return false
	}
	return u.Opaque != "" || u.Host != "" || u.Path != ""
}

// describe names a JSON value in a message, briefly.
func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		if len(x) > 80 {
			x = x[:80] + "…"
		}
		return fmt.Sprintf("%q", x)
	case bool:
		return "a boolean"
	case map[string]any:
		return "an object"
	case []any:
		return "a list"
	default:
		return "a number"
	}
}
