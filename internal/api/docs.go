package api

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/sceau/sceau/internal/locale"
)

// openAPIDoc is the OpenAPI 3.0 document of the integration API and the
// VC API, written by hand next to the routes it describes (routes.go);
// a test checks the two agree.
//
//go:embed openapi.json
var openAPIDoc []byte

//go:embed templates/docs.html
var docsFS embed.FS

// spec is the part of the OpenAPI document the docs page shows. French
// texts are in x-…-fr members beside the English ones.
type spec struct {
	Info struct {
		Title         string `json:"title"`
		Version       string `json:"version"`
		Description   string `json:"description"`
		DescriptionFr string `json:"x-description-fr"`
	} `json:"info"`
	Tags []struct {
		Name          string `json:"name"`
		Description   string `json:"description"`
		DescriptionFr string `json:"x-description-fr"`
	} `json:"tags"`
	Paths      map[string]map[string]operation `json:"paths"`
	Components struct {
		Parameters map[string]parameter      `json:"parameters"`
		Responses  map[string]response       `json:"responses"`
		Schemas    map[string]schema         `json:"schemas"`
		Security   map[string]describedThing `json:"securitySchemes"`
	} `json:"components"`
	Webhooks describedThing `json:"x-webhooks"`
}

type describedThing struct {
	Description   string `json:"description"`
	DescriptionFr string `json:"x-description-fr"`
}

type operation struct {
	Tags          []string    `json:"tags"`
	ID            string      `json:"operationId"`
	Summary       string      `json:"summary"`
	SummaryFr     string      `json:"x-summary-fr"`
	Description   string      `json:"description"`
	DescriptionFr string      `json:"x-description-fr"`
	Parameters    []parameter `json:"parameters"`
	RequestBody   *struct {
		Required bool `json:"required"`
		Content  map[string]struct {
			Schema schema `json:"schema"`
		} `json:"content"`
	} `json:"requestBody"`
	Responses map[string]response    `json:"responses"`
	Security  *[]map[string][]string `json:"security"`
}

type parameter struct {
	Ref           string `json:"$ref"`
	Name          string `json:"name"`
	In            string `json:"in"`
	Required      bool   `json:"required"`
	Description   string `json:"description"`
	DescriptionFr string `json:"x-description-fr"`
	Schema        schema `json:"schema"`
}

type response struct {
	Ref           string `json:"$ref"`
	Description   string `json:"description"`
	DescriptionFr string `json:"x-description-fr"`
	Content       map[string]struct {
		Schema schema `json:"schema"`
	} `json:"content"`
}

type schema struct {
	Ref           string            `json:"$ref"`
	Type          string            `json:"type"`
	Format        string            `json:"format"`
	Enum          []string          `json:"enum"`
	Required      []string          `json:"required"`
	Properties    map[string]schema `json:"properties"`
	Items         *schema           `json:"items"`
	Description   string            `json:"description"`
	DescriptionFr string            `json:"x-description-fr"`
}

// Views of the docs page, in one language.
type docsView struct {
	Lang, OtherLang string
	Title, Version  string
	Intro           string
	Auth            string
	Webhooks        string
	Groups          []docsGroup
	Schemas         []docsSchema
}

type docsGroup struct {
	Name, Description string
	Ops               []docsOp
}

type docsOp struct {
	Anchor, Method, Path string
	Summary, Description string
	Auth                 bool
	Params               []docsField
	Body                 string // schema name of the JSON body
	BodyRequired         bool
	Responses            []docsField
}

type docsField struct {
	Name, Where, Type, Description string
	Required                       bool
}

type docsSchema struct {
	Name, Description string
	Fields            []docsField
}

// docsSite renders the docs page from the document, once per language.
type docsSite struct {
	pages map[string][]byte
}

func newDocsSite() (*docsSite, error) {
	var sp spec
	if err := json.Unmarshal(openAPIDoc, &sp); err != nil {
		return nil, fmt.Errorf("api: decode openapi.json: %w", err)
	}
	t, err := template.New("docs.html").Funcs(template.FuncMap{
		"t":     locale.T,
		"lower": strings.ToLower,
	}).ParseFS(docsFS, "templates/docs.html")
	if err != nil {
		return nil, fmt.Errorf("api: parse docs template: %w", err)
	}
	d := &docsSite{pages: map[string][]byte{}}
	for _, lang := range locale.Languages {
		var buf bytes.Buffer
		if err := t.Execute(&buf, sp.view(lang)); err != nil {
			return nil, fmt.Errorf("api: render docs (%s): %w", lang, err)
		}
		d.pages[lang] = buf.Bytes()
	}
	return d, nil
}

// pick returns the French text in French when there is one.
func pick(lang, en, fr string) string {
	if lang == "fr" && fr != "" {
		return fr
	}
	return en
}

func refName(ref string) string { return ref[strings.LastIndex(ref, "/")+1:] }

func (sc schema) typeName() string {
	switch {
	case sc.Ref != "":
		return refName(sc.Ref)
	case sc.Type == "array" && sc.Items != nil:
		return "[" + sc.Items.typeName() + "]"
	case len(sc.Enum) > 0:
		return sc.Type + ": " + strings.Join(sc.Enum, " | ")
	case sc.Format != "":
		return sc.Type + " (" + sc.Format + ")"
	}
	return sc.Type
}

func (sp *spec) view(lang string) docsView {
	v := docsView{Lang: lang, OtherLang: "en", Title: sp.Info.Title, Version: sp.Info.Version,
		Intro:    pick(lang, sp.Info.Description, sp.Info.DescriptionFr),
		Auth:     pick(lang, sp.Components.Security["bearer"].Description, sp.Components.Security["bearer"].DescriptionFr),
		Webhooks: pick(lang, sp.Webhooks.Description, sp.Webhooks.DescriptionFr)}
	if lang == "en" {
		v.OtherLang = "fr"
	}
	paths := make([]string, 0, len(sp.Paths))
	for p := range sp.Paths {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, tag := range sp.Tags {
		g := docsGroup{Name: tag.Name, Description: pick(lang, tag.Description, tag.DescriptionFr)}
		for _, p := range paths {
			for _, method := range []string{"get", "post", "put", "delete"} {
				op, ok := sp.Paths[p][method]
				if !ok || len(op.Tags) == 0 || op.Tags[0] != tag.Name {
					continue
				}
				g.Ops = append(g.Ops, sp.opView(lang, method, p, op))
			}
		}
		v.Groups = append(v.Groups, g)
	}
	names := make([]string, 0, len(sp.Components.Schemas))
	for n := range sp.Components.Schemas {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		sc := sp.Components.Schemas[n]
		ds := docsSchema{Name: n, Description: pick(lang, sc.Description, sc.DescriptionFr)}
		props := make([]string, 0, len(sc.Properties))
		for p := range sc.Properties {
			props = append(props, p)
		}
		sort.Strings(props)
		for _, p := range props {
			f := sc.Properties[p]
			req := false
			for _, r := range sc.Required {
				req = req || r == p
			}
			ds.Fields = append(ds.Fields, docsField{Name: p, Type: f.typeName(), Required: req, Description: pick(lang, f.Description, f.DescriptionFr)})
		}
		v.Schemas = append(v.Schemas, ds)
	}
	return v
}

func (sp *spec) opView(lang, method, path string, op operation) docsOp {
	o := docsOp{Anchor: op.ID, Method: strings.ToUpper(method), Path: path, Summary: pick(lang, op.Summary, op.SummaryFr),
		Description: pick(lang, op.Description, op.DescriptionFr), Auth: op.Security == nil || len(*op.Security) > 0}
	for _, p := range op.Parameters {
		if p.Ref != "" {
			p = sp.Components.Parameters[refName(p.Ref)]
		}
		o.Params = append(o.Params, docsField{Name: p.Name, Where: p.In, Type: p.Schema.typeName(), Required: p.Required,
			Description: pick(lang, p.Description, p.DescriptionFr)})
	}
	if op.RequestBody != nil {
		if c, ok := op.RequestBody.Content["application/json"]; ok {
			o.Body, o.BodyRequired = c.Schema.typeName(), op.RequestBody.Required
		}
	}
	codes := make([]string, 0, len(op.Responses))
	for c := range op.Responses {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		r := op.Responses[c]
		if r.Ref != "" {
			r = sp.Components.Responses[refName(r.Ref)]
		}
		typ := ""
		if ct, ok := r.Content["application/json"]; ok {
			typ = ct.Schema.typeName()
		}
		o.Responses = append(o.Responses, docsField{Name: c, Type: typ, Description: pick(lang, r.Description, r.DescriptionFr)})
	}
	return o
}

// openAPI serves the OpenAPI document.
func (s *integration) openAPI(w http.ResponseWriter, r *http.Request) error {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Access-Control-Allow-Origin", "*")
	_, err := w.Write(openAPIDoc)
	return err
}

// docsPage serves the docs page in the request's language.
func (s *integration) docsPage(w http.ResponseWriter, r *http.Request) error {
	lang := locale.Negotiate(r)
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "public, max-age=3600")
	h.Add("Vary", "Accept-Language, Cookie")
	_, err := w.Write(s.docs.pages[lang])
	return err
}
