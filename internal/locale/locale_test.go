package locale

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Every key exists in every language (DESIGN.md, convention 13).
func TestCatalogsHaveSameKeys(t *testing.T) {
	ref := Keys(Default)
	if len(ref) == 0 {
		t.Fatal("empty catalogue")
	}
	for _, lang := range Languages {
		m := catalogs[lang]
		for _, k := range ref {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s: key %q missing or empty", lang, k)
			}
		}
		if len(m) != len(ref) {
			for k := range m {
				if _, ok := catalogs[Default][k]; !ok {
					t.Errorf("%s: key %q not in %s", lang, k, Default)
				}
			}
		}
	}
}

// Translations differ from French except for keys that are the same words
// in both languages; an English file copied from French fails here.
func TestCatalogsTranslated(t *testing.T) {
	same := map[string]bool{"site.name": true, "award.description": true, "awards.badge": true, "awards.date": true,
		"badge.description": true, "catalogue.count": true, "invitation.title": true, "members.actions": true,
		"nav.catalogue": true, "org.description": true, "org.image": true}
	for _, k := range Keys(Default) {
		fr, en := catalogs["fr"][k], catalogs["en"][k]
		if same[k] != (fr == en) {
			t.Errorf("key %q: fr %q, en %q (expected same: %v)", k, fr, en, same[k])
		}
		// Both sides take the same formatting verbs.
		if verbs(fr) != verbs(en) {
			t.Errorf("key %q: verbs differ: %q vs %q", k, verbs(fr), verbs(en))
		}
	}
}

func verbs(s string) string {
	var b strings.Builder
	for i := 0; i < len(s)-1; i++ {
		if s[i] == '%' {
			b.WriteByte(s[i+1])
			i++
		}
	}
	return b.String()
}

func TestT(t *testing.T) {
	tests := []struct {
		name, lang, key string
		args            []any
		want            string
	}{
		{"french", "fr", "award.status.revoked", nil, "Révoqué"},
		{"english", "en", "award.status.revoked", nil, "Revoked"},
		{"formatted", "en", "award.evidence_file", []any{2}, "File no. 2"},
		{"unknown language falls back to French", "de", "award.status.active", nil, "Actif"},
		{"unknown key shows itself", "en", "no.such.key", nil, "no.such.key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := T(tc.lang, tc.key, tc.args...); got != tc.want {
				t.Errorf("T = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		name, query, cookie, accept, want string
	}{
		{"nothing", "", "", "", "fr"},
		{"Canadian French", "", "", "fr-CA,fr;q=0.9,en;q=0.5", "fr"},
		{"English", "", "", "en", "en"},
		{"British English", "", "", "en-GB,en;q=0.9", "en"},
		{"English preferred over French", "", "", "en;q=0.9,fr;q=0.2", "en"},
		{"unsupported only", "", "", "de-DE,ja", "fr"},
		{"garbage header", "", "", ";;;q=zz,", "fr"},
		{"cookie beats header", "", "en", "fr", "en"},
		{"query beats cookie", "lang=fr", "en", "en", "fr"},
		{"unsupported query ignored", "lang=de", "", "en", "en"},
		{"oversized header ignored", "", "", strings.Repeat("en,", 400), "fr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/?"+tc.query, nil)
			if tc.cookie != "" {
				r.AddCookie(&http.Cookie{Name: CookieName, Value: tc.cookie})
			}
			if tc.accept != "" {
				r.Header.Set("Accept-Language", tc.accept)
			}
			if got := Negotiate(r); got != tc.want {
				t.Errorf("Negotiate = %q, want %q", got, tc.want)
			}
		})
	}
}

func FuzzFromAcceptLanguage(f *testing.F) {
	for _, s := range []string{"fr-CA,fr;q=0.9,en;q=0.5", "en", "*", "", "x-klingon;q=1", "en;q=0.9,fr;q=0.2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		got := FromAcceptLanguage(h)
		if !Supported(got) {
			t.Fatal(fmt.Sprintf("unsupported result %q", got))
		}
	})
}
