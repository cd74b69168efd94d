// Package locale holds Sceau's interface translations (French and English)
// as flat keys in two embedded JSON files, and picks a request's language.
package locale

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"

	"golang.org/x/text/language"
)

// Default is the language used when nothing in a request says otherwise.
const Default = "fr"

// Languages are the supported languages, the default first.
var Languages = []string{"fr", "en"}

// CookieName is the cookie that remembers a language chosen by the user.
const CookieName = "lang"

// Each language is a folder of JSON files, one per area of the
// application (core.json, portfolio.json…), merged at load; a key defined
// in two files of one language is a defect.
//
//go:embed fr/*.json en/*.json
var files embed.FS

// catalogs maps a language to its messages; loaded once, at init, because
// a broken translation file is a build defect that must stop start-up.
var catalogs = mustLoad()

func mustLoad() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, lang := range Languages {
		names, err := fs.Glob(files, lang+"/*.json")
		if err != nil || len(names) == 0 {
			panic(fmt.Sprintf("locale: no catalogue files for %s", lang))
		}
		merged := map[string]string{}
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				panic(fmt.Sprintf("locale: read %s: %v", name, err))
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				panic(fmt.Sprintf("locale: decode %s: %v", name, err))
			}
			for k, v := range m {
				if _, dup := merged[k]; dup {
					panic(fmt.Sprintf("locale: key %q defined twice in %s/", k, lang))
				}
				merged[k] = v
			}
		}
		out[lang] = merged
	}
	return out
}

// matcher ranks the supported languages against Accept-Language.
var matcher = language.NewMatcher([]language.Tag{language.French, language.English})

// maxAcceptLanguage bounds the header we parse: browsers send a few dozen
// bytes, and the parser's work grows with the input.
const maxAcceptLanguage = 512

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	_, ok := catalogs[lang]
	return ok
}

// Negotiate picks the language of a response: the "lang" query parameter,
// then the "lang" cookie, then Accept-Language, then Default.
func Negotiate(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); Supported(l) {
		return l
	}
	if c, err := r.Cookie(CookieName); err == nil && Supported(c.Value) {
		return c.Value
	}
	return FromAcceptLanguage(r.Header.Get("Accept-Language"))
}

// FromAcceptLanguage picks a supported language from an Accept-Language
// header value, or Default.
func FromAcceptLanguage(header string) string {
	if header == "" || len(header) > maxAcceptLanguage {
		return Default
	}
	tags, _, err := language.ParseAcceptLanguage(header)
	if err != nil || len(tags) == 0 {
		return Default
	}
	_, i, conf := matcher.Match(tags...)
	if conf == language.No {
		return Default
	}
	return Languages[i]
}

// T returns the message for key in lang, formatted with args when given.
// An unknown language falls back to Default; an unknown key returns the
// key itself, so a missing translation shows up on the page instead of
// an empty string (and the catalogue test fails first).
func T(lang, key string, args ...any) string {
	m, ok := catalogs[lang]
	if !ok {
		m = catalogs[Default]
	}
	s, ok := m[key]
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Keys returns the keys of lang's catalogue, sorted.
func Keys(lang string) []string {
	m := catalogs[lang]
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Lookup returns lang's message for key, and whether there is one.
func Lookup(lang, key string) (string, bool) {
	m, ok := catalogs[lang]
	if !ok {
		m = catalogs[Default]
	}
	s, ok := m[key]
	return s, ok
}
