package web

import (
	"strings"
	"testing"
)

func TestRenderMarkdown(t *testing.T) {
	cases := []struct {
		name, src    string
		want, refuse []string
	}{
		{"emphasis and lists", "Remettre **une** planification :\n\n- module 1\n- module 2",
			[]string{"<strong>une</strong>", "<li>module 1</li>"}, nil},
		{"raw HTML is left out", "Texte <script>alert(1)</script> <img src=x onerror=alert(1)>",
			[]string{"raw HTML omitted"}, []string{"<script", "onerror"}},
		{"javascript links are dropped", "[clic](javascript:alert(1))",
			nil, []string{"javascript:"}},
		{"safe links are kept", "[Référentiel](https://www.quebec.ca/education)",
			[]string{`<a href="https://www.quebec.ca/education">Référentiel</a>`}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := string(renderMarkdown(c.src))
			for _, w := range c.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in %s", w, got)
				}
			}
			for _, r := range c.refuse {
				if strings.Contains(got, r) {
					t.Errorf("found %q in %s", r, got)
				}
			}
		})
	}
}
