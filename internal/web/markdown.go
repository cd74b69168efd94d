package web

import (
	"bytes"
	"html/template"

	"github.com/yuin/goldmark"
)

// markdown renders the criteria narratives issuers write in Markdown.
// goldmark's default renderer leaves raw HTML out (it writes "<!-- raw HTML
// omitted -->") and drops dangerous link schemes such as javascript:, so the
// result is safe to mark as HTML.
var markdown = goldmark.New()

// renderMarkdown returns src as HTML, or the escaped text if it cannot be
// rendered.
func renderMarkdown(src string) template.HTML {
	var buf bytes.Buffer
	if err := markdown.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(buf.String())
}
