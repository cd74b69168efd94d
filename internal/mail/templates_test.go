package mail

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// samples are one or more named data values per kind; every kind appears.
var samples = []struct {
	name string
	data Data
}{
	{"award", Award{RecipientName: "Léa Dupré", BadgeName: "Écologie numérique", IssuerName: "Université de Liège",
		ClaimURL: "https://sceau.example/claim/tok_3fj29XkQ", BadgeURL: "https://sceau.example/badges/ecologie"}},
	{"award-no-name", Award{BadgeName: "Safety <first>", IssuerName: "R&D Lab", ClaimURL: "https://sceau.example/claim/x?a=1&b=2"}},
	{"address_confirmation", AddressConfirmation{Name: "Léa", ConfirmURL: "https://sceau.example/confirm/c0nf"}},
	{"password_reset", PasswordReset{Name: "Léa", ResetURL: "https://sceau.example/reset/r3set"}},
	{"invitation", Invitation{OrgName: "Fab Lab Gembloux", InviterName: "Marc", Role: "awarder", AcceptURL: "https://sceau.example/invitations/inv"}},
	{"attestation_request", AttestationRequest{AttesterName: "Louise Côté", TeacherName: "Marie Lemieux", ActivityTitle: "Lecture : « La classe inversée »", URL: "https://sceau.example/attest/sec"}},
	{"invitation-unknown-role", Invitation{OrgName: "Fab Lab", Role: "treasurer", AcceptURL: "https://sceau.example/invitations/inv"}},
	{"application_decision-accepted", ApplicationDecision{Name: "Léa", BadgeName: "Soudure", Decision: DecisionAccepted, URL: "https://sceau.example/awards/a1"}},
	{"application_decision-returned", ApplicationDecision{Name: "Léa", BadgeName: "Soudure", Decision: DecisionReturned,
		Comments: "Merci d’ajouter une photo.\nEt la date <exacte>.", URL: "https://sceau.example/applications/p1"}},
	{"application_decision-rejected", ApplicationDecision{BadgeName: "Soudure", Decision: DecisionRejected, URL: "https://sceau.example/applications/p1"}},
}

func TestTemplatesGolden(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	covered := map[Kind]bool{}
	for _, lang := range Languages {
		for _, s := range samples {
			covered[s.data.Kind()] = true
			t.Run(lang+"/"+s.name, func(t *testing.T) {
				c, err := tpl.Render(lang, s.data)
				if err != nil {
					t.Fatal(err)
				}
				if c.Subject == "" || strings.Contains(c.Subject, "\n") || c.Text == "" || !strings.Contains(c.HTML, `<html lang="`+lang+`">`) {
					t.Fatalf("rendered %+v", c)
				}
				got := "Subject: " + c.Subject + "\n\n" + c.Text + "\n===== HTML =====\n" + c.HTML
				path := filepath.Join("testdata", "golden", lang, s.name+".txt")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run go test -update to create it)", err)
				}
				if diff := cmp.Diff(string(want), got); diff != "" {
					t.Errorf("%s differs from the golden file (-want +got):\n%s", path, diff)
				}
			})
		}
	}
	for _, k := range Kinds {
		if !covered[k] {
			t.Errorf("no sample for kind %s", k)
		}
	}
}

// The French and English versions differ: a kind copied without translation
// would pass the golden test.
func TestTemplatesTranslated(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		en, _ := tpl.Render("en", s.data)
		fr, _ := tpl.Render("fr", s.data)
		if en.Subject == fr.Subject || en.Text == fr.Text {
			t.Errorf("%s: French and English are the same", s.name)
		}
	}
}

func TestTemplatesEscapeHTML(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	c, err := tpl.Render("en", Award{BadgeName: `<script>alert(1)</script>`, IssuerName: "A&B",
		ClaimURL: `javascript:alert(1)`})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(c.HTML, "<script>") || !strings.Contains(c.HTML, "&lt;script&gt;") || strings.Contains(c.HTML, `href="javascript:`) {
		t.Errorf("HTML not escaped:\n%s", c.HTML)
	}
	if !strings.Contains(c.Text, "<script>alert(1)</script>") {
		t.Errorf("text body escaped, want it verbatim:\n%s", c.Text)
	}
}

func TestRenderRejectsIncompleteData(t *testing.T) {
	tpl, err := LoadTemplates()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		data Data
	}{
		{"award without claim link", Award{BadgeName: "b", IssuerName: "i"}},
		{"award without badge name", Award{IssuerName: "i", ClaimURL: "https://x/c"}},
		{"confirmation without link", AddressConfirmation{Name: "n"}},
		{"reset without link", PasswordReset{}},
		{"invitation without role", Invitation{OrgName: "o", AcceptURL: "https://x/a"}},
		{"decision unknown", ApplicationDecision{BadgeName: "b", URL: "https://x/a", Decision: "maybe"}},
		{"nil", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tpl.Render("en", tc.data); err == nil {
				t.Fatal("rendered incomplete data")
			}
		})
	}
}

// A kind missing in one language stops start-up.
func TestLoadTemplatesMissing(t *testing.T) {
	full := fstest.MapFS{}
	for _, lang := range Languages {
		for _, name := range []string{"layout.txt", "layout.html"} {
			b, err := templateFiles.ReadFile("templates/" + lang + "/" + name)
			if err != nil {
				t.Fatal(err)
			}
			full["templates/"+lang+"/"+name] = &fstest.MapFile{Data: b}
		}
		for _, k := range Kinds {
			for _, ext := range []string{".txt", ".html"} {
				b, err := templateFiles.ReadFile("templates/" + lang + "/" + string(k) + ext)
				if err != nil {
					t.Fatalf("embedded templates lack %s/%s%s", lang, k, ext)
				}
				full["templates/"+lang+"/"+string(k)+ext] = &fstest.MapFile{Data: b}
			}
		}
	}
	if _, err := loadTemplates(full); err != nil {
		t.Fatalf("complete set: %v", err)
	}
	for name := range full {
		t.Run(name, func(t *testing.T) {
			partial := fstest.MapFS{}
			for n, f := range full {
				if n != name {
					partial[n] = f
				}
			}
			if _, err := loadTemplates(partial); err == nil {
				t.Fatalf("loaded without %s", name)
			}
		})
	}
	broken := fstest.MapFS{}
	for n, f := range full {
		broken[n] = f
	}
	broken["templates/fr/award.txt"] = &fstest.MapFile{Data: []byte(`{{define "subject"}}x{{end}}`)}
	if _, err := loadTemplates(broken); err == nil || !strings.Contains(err.Error(), `"text"`) {
		t.Fatalf("award.txt without a text template: %v", err)
	}
}

func TestLanguage(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"fr", "fr"}, {"fr-BE", "fr"}, {"FR_ca", "fr"}, {"en", "en"}, {"en-GB", "en"}, {"de", "en"}, {"", "en"}, {"french", "en"},
	} {
		if got := Language(tc.in); got != tc.want {
			t.Errorf("Language(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
