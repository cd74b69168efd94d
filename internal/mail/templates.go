package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"strings"
	texttemplate "text/template"
)

// Kind names an e-mail template.
type Kind string

// The e-mails Sceau sends.
const (
	KindAward               Kind = "award"
	KindAddressConfirmation Kind = "address_confirmation"
	KindPasswordReset       Kind = "password_reset"
	KindInvitation          Kind = "invitation"
	KindApplicationDecision Kind = "application_decision"
	KindAttestationRequest  Kind = "attestation_request"
)

// Kinds lists every kind; each has a template in every language.
var Kinds = []Kind{KindAward, KindAddressConfirmation, KindPasswordReset, KindInvitation, KindApplicationDecision,
	KindAttestationRequest}

// Languages are the languages templates exist in; the first is the
// fallback for any other.
var Languages = []string{"en", "fr"}

// Data is what a template renders: one struct type per kind.
type Data interface {
	Kind() Kind
	validate() error
}

// Award announces an award to its recipient, with the link to claim it.
type Award struct {
	RecipientName string
	BadgeName     string
	IssuerName    string
	ClaimURL      string // holds the claim token: a secret
	BadgeURL      string // the badge's public page
}

// AddressConfirmation asks a new account holder to confirm the address.
type AddressConfirmation struct {
	Name       string
	ConfirmURL string
}

// PasswordReset carries a password reset link.
type PasswordReset struct {
	Name     string
	ResetURL string
}

// Invitation invites someone to join an organisation with a role.
type Invitation struct {
	OrgName     string
	InviterName string
	Role        string // a role code (badge.Role): owner, editor, reviewer, awarder (others are shown as given)
	AcceptURL   string
}

// Decision is the outcome of a badge application.
type Decision string

// The decisions on an application.
const (
	DecisionAccepted Decision = "accepted"
	DecisionReturned Decision = "returned" // sent back to the applicant for changes
	DecisionRejected Decision = "rejected"
)

// ApplicationDecision tells an applicant what became of their application.
type ApplicationDecision struct {
	Name      string
	BadgeName string
	Decision  Decision
	Comments  string // the reviewer's comments, plain text, possibly several lines
	URL       string // the application (or, once accepted, the award)
}

// AttestationRequest asks a mentor or counsellor to attest a teacher's
// development activity, with a one-time link.
type AttestationRequest struct {
	AttesterName  string
	TeacherName   string
	ActivityTitle string
	URL           string // holds the one-time secret
}

func (AttestationRequest) Kind() Kind { return KindAttestationRequest }
func (d AttestationRequest) validate() error {
	return required(d.Kind(), "TeacherName", d.TeacherName, "ActivityTitle", d.ActivityTitle, "URL", d.URL)
}

func (Award) Kind() Kind               { return KindAward }
func (AddressConfirmation) Kind() Kind { return KindAddressConfirmation }
func (PasswordReset) Kind() Kind       { return KindPasswordReset }
func (Invitation) Kind() Kind          { return KindInvitation }
func (ApplicationDecision) Kind() Kind { return KindApplicationDecision }

func required(kind Kind, fields ...string) error {
	for i := 0; i < len(fields); i += 2 {
		if strings.TrimSpace(fields[i+1]) == "" {
			return fmt.Errorf("%s e-mail: %s is required", kind, fields[i])
		}
	}
	return nil
}

func (d Award) validate() error {
	return required(d.Kind(), "BadgeName", d.BadgeName, "IssuerName", d.IssuerName, "ClaimURL", d.ClaimURL)
}
func (d AddressConfirmation) validate() error { return required(d.Kind(), "ConfirmURL", d.ConfirmURL) }
func (d PasswordReset) validate() error       { return required(d.Kind(), "ResetURL", d.ResetURL) }
func (d Invitation) validate() error {
	return required(d.Kind(), "OrgName", d.OrgName, "Role", d.Role, "AcceptURL", d.AcceptURL)
}
func (d ApplicationDecision) validate() error {
	if err := required(d.Kind(), "BadgeName", d.BadgeName, "URL", d.URL); err != nil {
		return err
	}
	switch d.Decision {
	case DecisionAccepted, DecisionReturned, DecisionRejected:
		return nil
	}
	return fmt.Errorf("%s e-mail: unknown decision %q", d.Kind(), d.Decision)
}

// Content is a rendered e-mail.
type Content struct {
	Subject string
	Text    string
	HTML    string
}

//go:embed templates
var templateFiles embed.FS

// roleNames translates role codes; unknown codes are shown as given.
var roleNames = map[string]map[string]string{
	"en": {"owner": "owner", "editor": "editor", "reviewer": "reviewer", "awarder": "awarder"},
	"fr": {"owner": "propriétaire", "editor": "éditeur", "reviewer": "évaluateur", "awarder": "attributeur"},
}

type langTemplates struct {
	text map[Kind]*texttemplate.Template
	html map[Kind]*htmltemplate.Template
}

// Templates renders e-mails. It is safe for concurrent use.
type Templates struct {
	byLang map[string]*langTemplates
}

// htmlPage is what an HTML layout renders: the kind's data inside a page
// that knows its language and title.
type htmlPage struct {
	Lang    string
	Subject string
	Data    Data
}

// LoadTemplates parses the embedded templates. It fails when a kind lacks a
// template in a language, so that a missing one stops start-up (DESIGN.md,
// convention 12) rather than a send.
func LoadTemplates() (*Templates, error) { return loadTemplates(templateFiles) }

func loadTemplates(fsys fs.FS) (*Templates, error) {
	t := &Templates{byLang: map[string]*langTemplates{}}
	for _, lang := range Languages {
		funcs := map[string]any{
			"role": func(code string) string {
				if n, ok := roleNames[lang][code]; ok {
					return n
				}
				return code
			},
		}
		lt := &langTemplates{text: map[Kind]*texttemplate.Template{}, html: map[Kind]*htmltemplate.Template{}}
		textLayout, err := texttemplate.New("layout.txt").Funcs(funcs).ParseFS(fsys, "templates/"+lang+"/layout.txt")
		if err != nil {
			return nil, fmt.Errorf("mail templates %s: %w", lang, err)
		}
		htmlLayout, err := htmltemplate.New("layout.html").Funcs(funcs).ParseFS(fsys, "templates/"+lang+"/layout.html")
		if err != nil {
			return nil, fmt.Errorf("mail templates %s: %w", lang, err)
		}
		for _, kind := range Kinds {
			base := "templates/" + lang + "/" + string(kind)
			tt, err := texttemplate.Must(textLayout.Clone()).ParseFS(fsys, base+".txt")
			if err != nil {
				return nil, fmt.Errorf("mail template %s.txt: %w", base, err)
			}
			for _, name := range []string{"subject", "text"} {
				if tt.Lookup(name) == nil {
					return nil, fmt.Errorf("mail template %s.txt: no %q template defined", base, name)
				}
			}
			ht, err := htmltemplate.Must(htmlLayout.Clone()).ParseFS(fsys, base+".html")
			if err != nil {
				return nil, fmt.Errorf("mail template %s.html: %w", base, err)
			}
			if ht.Lookup("content") == nil {
				return nil, fmt.Errorf("mail template %s.html: no \"content\" template defined", base)
			}
			lt.text[kind], lt.html[kind] = tt, ht
		}
		t.byLang[lang] = lt
	}
	return t, nil
}

// Language maps a language tag to one templates exist in: "fr-CA" → "fr";
// anything unknown → the first of Languages.
func Language(tag string) string {
	primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
	primary, _, _ = strings.Cut(primary, "_")
	for _, l := range Languages {
		if l == primary {
			return l
		}
	}
	return Languages[0]
}

// Render renders the e-mail of data's kind in lang (see Language).
func (t *Templates) Render(lang string, data Data) (Content, error) {
	if data == nil {
		return Content{}, fmt.Errorf("render e-mail: no data")
	}
	if err := data.validate(); err != nil {
		return Content{}, err
	}
	lang = Language(lang)
	lt := t.byLang[lang]
	kind := data.Kind()
	tt, ht := lt.text[kind], lt.html[kind]
	if tt == nil || ht == nil {
		return Content{}, fmt.Errorf("render %s e-mail: no %s template", kind, lang)
	}
	var subject, text, html bytes.Buffer
	if err := tt.ExecuteTemplate(&subject, "subject", data); err != nil {
		return Content{}, fmt.Errorf("render %s e-mail subject (%s): %w", kind, lang, err)
	}
	if err := tt.ExecuteTemplate(&text, "text", data); err != nil {
		return Content{}, fmt.Errorf("render %s e-mail text (%s): %w", kind, lang, err)
	}
	// A subject is one line: names with line breaks must not split it.
	c := Content{Subject: strings.Join(strings.Fields(subject.String()), " "), Text: tidyText(text.String())}
	if err := ht.ExecuteTemplate(&html, "layout", htmlPage{Lang: lang, Subject: c.Subject, Data: data}); err != nil {
		return Content{}, fmt.Errorf("render %s e-mail HTML (%s): %w", kind, lang, err)
	}
	c.HTML = html.String()
	return c, nil
}

// tidyText trims trailing spaces from lines and runs of blank lines that
// template actions leave, and ends the text with one newline.
func tidyText(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true // drop leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" {
			if blank {
				continue
			}
			blank = true
		} else {
			blank = false
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), "\n") + "\n"
}
