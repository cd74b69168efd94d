package e2e

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp/kb"

	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/mail/smtptest"
)

// The flows: each reads as what a person does, with the harness's
// helpers. Pages are found by the element ids of internal/web/templates.

const testPassword = "correct horse battery staple"

// account is a person who signs up through the browser.
type account struct {
	Name, Email, Password string
}

func newAccount(name string) account {
	return account{Name: name, Email: "person-" + unique() + "@ecole.example", Password: testPassword}
}

// signUp fills the sign-up form and lands on the "check your e-mail" page.
func (b *browser) signUp(a account) {
	b.t.Helper()
	b.open("/signup")
	b.fill("#f-name", a.Name)
	b.fill("#f-email", a.Email)
	b.fill("#f-password", a.Password)
	b.fill("#f-password2", a.Password)
	b.click("#signup-submit", "#check-email")
}

// confirmEmail follows the link of the confirmation e-mail sent to a,
// which signs the browser in and opens the workspace.
func (b *browser) confirmEmail(a account) {
	b.t.Helper()
	// The address may have had other e-mail first (an invitation, an
	// award): the confirmation is the one with a /confirm link.
	msg := b.srv.waitMailWhere(b.t, a.Email, "address confirmation", func(m smtptest.Message) bool {
		return m.Link(b.srv.URL+"/confirm?token=") != ""
	})
	link := msg.Link(b.srv.URL + "/confirm?token=")
	b.open(link)
	b.waitVisible("#org-form")
	if got := b.path(); got != "/workspace" {
		b.t.Errorf("after confirming: at %s, want /workspace", got)
	}
	if flash := b.text("#flash"); !strings.Contains(flash, a.Email) {
		b.t.Errorf("flash after confirming = %q, want it to name %s", flash, a.Email)
	}
}

// org is an organisation created in the workspace.
type org struct{ Name, Slug string }

func (b *browser) createOrg(o org, lang string) {
	b.t.Helper()
	b.open("/workspace")
	b.fill("#f-name", o.Name)
	b.fill("#f-slug", o.Slug)
	b.fill("#f-url", "https://formation.example/")
	b.fill("#f-email", "contact@formation.example")
	b.fill("#f-description", "Formation continue du personnel enseignant.")
	b.choose("#f-language", lang)
	b.click("#org-submit", "#org-name")
	if got, want := b.path(), "/workspace/"+o.Slug; got != want {
		b.t.Fatalf("after creating the organisation: at %s, want %s", got, want)
	}
	if got := b.text("#org-name"); got != o.Name {
		b.t.Errorf("#org-name = %q, want %q", got, o.Name)
	}
}

// badgeDef is a badge definition made with the form.
type badgeDef struct {
	Name, Slug, Description string
	// Criteria is Markdown: its preview must show **bold** as <strong>
	// and a two-item list.
	Criteria, Bold string
	Image          string // path of a PNG file
	// ApplicationsOpen ticks "open to applications from the catalogue".
	ApplicationsOpen bool
}

func (b *browser) createBadge(o org, d badgeDef, lang string) {
	b.t.Helper()
	b.open("/workspace/" + o.Slug)
	b.click("#new-badge", "#badge-form")
	b.fill("#f-name", d.Name)
	b.fill("#f-slug", d.Slug)
	b.fill("#f-description", d.Description)
	b.fill("#f-criteria", d.Criteria)
	// The live preview renders the Markdown through the server.
	b.waitJS("criteria preview renders Markdown", `(() => {
		const p = document.getElementById("criteria-preview");
		const s = p.querySelector("strong");
		return s !== null && s.textContent === `+jsString(d.Bold)+` && p.querySelectorAll("li").length === 2;
	})()`)
	if n := b.count("#criteria-preview script, #criteria-preview [onerror]"); n != 0 {
		b.t.Errorf("criteria preview holds %d script elements or handlers", n)
	}
	if hidden := eval[bool](b, `document.getElementById("image-preview").hidden`); !hidden {
		b.t.Errorf("image preview shown before a file was chosen")
	}
	b.upload("#f-image", d.Image)
	b.waitJS("image preview shows the chosen PNG", `(() => {
		const img = document.getElementById("image-preview");
		return !img.hidden && img.src.startsWith("data:image/png") && img.complete && img.naturalWidth === 64;
	})()`)
	b.choose("#f-language", lang)
	if d.ApplicationsOpen {
		b.click("#f-applications_open", "#f-applications_open:checked")
	}
	b.click("#badge-submit", `#badges li[data-badge="`+d.Slug+`"]`)
	if got := b.text(`#badges li[data-badge="` + d.Slug + `"] span`); got != d.Name {
		b.t.Errorf("badge list shows %q, want %q", got, d.Name)
	}
	if src := b.attr(`#badges li[data-badge="`+d.Slug+`"] img`, "src"); src == "" {
		b.t.Errorf("badge list shows no image for %s", d.Slug)
	}
}

// awardOne awards the badge to one recipient with a PDF as evidence and
// returns the award's id, from the list it lands on.
func (b *browser) awardOne(o org, d badgeDef, recipient, name, pdf, lang string) string {
	b.t.Helper()
	b.open("/workspace/" + o.Slug)
	b.click(`#badges li[data-badge="`+d.Slug+`"] a.award-link`, "#award-form")
	b.fill("#f-recipient", recipient)
	b.fill("#f-name", name)
	b.fill("#f-narrative", "A observé deux séances et remis son compte rendu.")
	b.upload("#f-evidence_file", pdf)
	b.choose("#f-language", lang)
	b.click("#award-submit", "#award-table tr[data-award]")
	u, err := url.Parse(b.location())
	if err != nil {
		b.t.Fatal(err)
	}
	id := u.Query().Get("highlight")
	if u.Path != "/workspace/"+o.Slug+"/awards" || id == "" {
		b.t.Fatalf("after awarding: at %s, want the award list with highlight=ID", u)
	}
	if flash := b.text("#flash"); !strings.Contains(flash, recipient) {
		b.t.Errorf("flash after awarding = %q, want it to name %s", flash, recipient)
	}
	return id
}

// TestIssuerFlow is issue 4's main path: an issuer signs up, confirms the
// address from the e-mail, creates an organisation and a badge with an
// image, awards it with a PDF as evidence; the recipient's e-mail holds a
// claim link; the award verifies, is revoked from the list, and then
// verifies as revoked. It runs in French (Accept-Language) and in English
// (chosen with the language switch), and in French on PostgreSQL.
func TestIssuerFlow(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		db   dbKind
		// accept is the browser's Accept-Language; lang the language the
		// flow runs in (switched to with #lang-switch when they differ).
		accept, lang string
	}{
		{"sqlite/fr", sqlite, "fr", "fr"},
		{"sqlite/en-by-switch", sqlite, "fr", "en"},
		{"postgres/fr", postgres, "fr", "fr"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if c.db == postgres {
				requirePostgres(t)
			}
			issuerFlow(t, c.db, c.accept, c.lang)
		})
	}
}

func issuerFlow(t *testing.T, db dbKind, accept, lang string) {
	srv := startServer(t, db)
	b := newBrowser(t, srv, accept)
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }

	b.open("/signup")
	if got := b.htmlLang(); got != accept {
		t.Errorf("<html lang> = %q with Accept-Language %s", got, accept)
	}
	if lang != accept {
		b.click("#lang-switch", `html[lang="`+lang+`"] #signup-form`)
	}
	if got := b.text("h1"); got != T("signup.title") {
		t.Errorf("sign-up heading = %q, want %q", got, T("signup.title"))
	}

	u := unique()
	issuer := newAccount("Élise Tremblay")
	b.signUp(issuer)
	b.confirmEmail(issuer)

	o := org{Name: "Centre de formation " + u, Slug: "cf-" + u}
	b.createOrg(o, lang)

	d := badgeDef{
		Name:        "Observation de classe " + u,
		Slug:        "observation-" + u,
		Description: "Observer deux séances d'un collègue et en rendre compte.",
		Criteria:    "Observer **deux** séances complètes.\n\n- un compte rendu écrit\n- une réflexion sur sa pratique",
		Bold:        "deux",
		Image:       writePNG(t, "badge.png"),
	}
	b.createBadge(o, d, lang)

	recipient := "luc-" + u + "@ecole.example"
	id := b.awardOne(o, d, recipient, "Luc Gagnon", writePDF(t, "attestation-"+u+".pdf"), lang)
	row := `#award-table tr[data-award="` + id + `"]`
	if got := b.attr(row, "data-state"); got != "sent" {
		t.Errorf("award %s listed as %q, want sent", id, got)
	}
	if got := b.text(row + " .state"); got != T("state.sent") {
		t.Errorf("state shown as %q, want %q", got, T("state.sent"))
	}

	// The announcement reaches the recipient, with a claim link.
	msg := srv.waitMail(t, recipient, "")
	if link := msg.Link(srv.URL + "/claim/"); link == "" {
		t.Errorf("award e-mail %q has no claim link:\n%s", msg.Subject, msg.Text)
	}
	if !strings.Contains(msg.Subject+msg.Text, d.Name) {
		t.Errorf("award e-mail does not name the badge %q: %q\n%s", d.Name, msg.Subject, msg.Text)
	}

	// The award's page, in the flow's language, with the PDF as evidence.
	b.open("/awards/" + id)
	if got := b.htmlLang(); got != lang {
		t.Errorf("award page <html lang> = %q, want %q", got, lang)
	}
	if got := b.text("#badge-name"); got != d.Name {
		t.Errorf("#badge-name = %q, want %q", got, d.Name)
	}
	if cls := b.attr("#award-status", "class"); !strings.Contains(cls, "status-active") {
		t.Errorf("#award-status class = %q, want status-active", cls)
	}
	if n := b.count("#evidence li"); n != 1 {
		t.Errorf("%d evidence items on the award page, want 1", n)
	}
	if href := b.attr("#evidence a", "href"); href == "" {
		t.Errorf("evidence has no link")
	} else {
		checkPDF(t, srv.URL, href)
	}
	if n := b.count("#download-png"); n != 1 {
		t.Errorf("no baked PNG download on the award page")
	}

	b.checkVerdict(id, "valid", lang)

	// Revoke from the list, with a reason.
	b.open("/workspace/" + o.Slug + "/awards")
	b.click(row+" a.manage", "#revoke-form")
	reason := "Attribué par erreur " + u
	b.fill("#f-reason", reason)
	b.click("#revoke-submit", row+`[data-state="revoked"]`)
	if n := b.count("#revoke-form"); n != 0 {
		t.Errorf("revoke form still offered for a revoked award")
	}
	if got := b.text(row); !strings.Contains(got, reason) {
		t.Errorf("revoked row %q does not show the reason", got)
	}

	b.checkVerdict(id, "revoked", lang)
	// The award's page, seen again after the revocation, says so and why.
	b.open("/awards/" + id)
	if cls := b.attr("#award-status", "class"); !strings.Contains(cls, "status-revoked") {
		t.Errorf("#award-status class after revocation = %q, want status-revoked", cls)
	} else if got := b.text("#status-reason"); !strings.Contains(got, reason) {
		t.Errorf("award page status reason = %q, want it to hold %q", got, reason)
	}
}

// checkVerdict opens the award's verification page and checks its
// verdict, in lang; when it differs, the checks that did not pass are
// logged from the page's JSON report.
func (b *browser) checkVerdict(id, want, lang string) {
	b.t.Helper()
	b.open("/awards/" + id + "/verify")
	b.waitVisible("#verdict")
	got := b.attr("#verdict", "data-verdict")
	if got != want {
		b.t.Errorf("verdict of award %s = %q, want %q, at %s; page says %q; its status check: %q", id, got, want,
			b.location(), b.text("#verdict-reason"), b.text(`#checks tr[data-code="status"]`))
		logFailedChecks(b.t, b.srv.URL+"/awards/"+id+"/verify?format=json")
		return
	}
	if text, msg := b.text("#verdict"), locale.T(lang, "verify.verdict."+want); text != msg {
		b.t.Errorf("verdict text = %q, want %q", text, msg)
	}
}

// logFailedChecks logs the checks of a JSON verification report that did
// not pass, with their details (what a person debugging needs).
func logFailedChecks(t *testing.T, reportURL string) {
	t.Helper()
	resp, err := http.Get(reportURL)
	if err != nil {
		t.Logf("report %s: %v", reportURL, err)
		return
	}
	defer resp.Body.Close()
	var rep struct {
		Checks []struct{ Code, Outcome, Detail string }
	}
	if err := json.NewDecoder(resp.Body).Decode(&rep); err != nil {
		t.Logf("report %s: %v", reportURL, err)
		return
	}
	for _, c := range rep.Checks {
		if c.Outcome != "pass" && c.Outcome != "skip" {
			t.Logf("check %s: %s: %s", c.Code, c.Outcome, c.Detail)
		}
	}
}

// checkPDF fetches an evidence link and checks it serves the uploaded PDF.
func checkPDF(t *testing.T, base, href string) {
	t.Helper()
	if strings.HasPrefix(href, "/") {
		href = base + href
	}
	resp, err := http.Get(href)
	if err != nil {
		t.Errorf("evidence %s: %v", href, err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || string(body) != minimalPDF {
		t.Errorf("evidence %s: %s %s, %d bytes; want the uploaded PDF", href, resp.Status, resp.Header.Get("Content-Type"), len(body))
	}
}

// TestSignUpErrorsInBrowser: a password too short is refused with the
// message next to its field, and the name and e-mail stay filled in; with
// a good password the same form goes through.
func TestSignUpErrorsInBrowser(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqlite)
	b := newBrowser(t, srv, "fr")
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			parent := b.t
			b.t = t
			defer func() { b.t = parent }()
			a := newAccount("Anne Martel")
			b.open("/signup?lang=" + lang)
			b.fill("#f-name", a.Name)
			b.fill("#f-email", a.Email)
			b.fill("#f-password", "court")
			b.fill("#f-password2", "court")
			b.click("#signup-submit", "#e-password")
			if got := b.htmlLang(); got != lang {
				t.Errorf("<html lang> = %q, want %q", got, lang)
			}
			if got, want := b.text("#e-password"), locale.T(lang, "error.password.too_short"); got != want {
				t.Errorf("password error = %q, want %q", got, want)
			}
			if next := eval[bool](b, `document.getElementById("e-password").closest(".field").contains(document.getElementById("f-password"))`); !next {
				t.Errorf("password error is not in the password field's block")
			}
			if got := b.attr("#f-password", "aria-invalid"); got != "true" {
				t.Errorf("password aria-invalid = %q", got)
			}
			if got := b.attr("#f-password", "aria-describedby"); got != "e-password" {
				t.Errorf("password aria-describedby = %q, want e-password", got)
			}
			if got := b.value("#f-name"); got != a.Name {
				t.Errorf("name after the error = %q, want %q kept", got, a.Name)
			}
			if got := b.value("#f-email"); got != a.Email {
				t.Errorf("e-mail after the error = %q, want %q kept", got, a.Email)
			}
			if got := b.value("#f-password"); got != "" {
				t.Errorf("password sent back into the page")
			}
			// The rest of the form was fine: no other field is marked.
			if n := b.count(".field-error"); n != 1 {
				t.Errorf("%d field errors, want 1", n)
			}
			// Nothing was saved: the same address can sign up now.
			b.fill("#f-password", a.Password)
			b.fill("#f-password2", a.Password)
			b.click("#signup-submit", "#check-email")
			srv.waitMail(t, a.Email, "")
			b.click("#signout", "#nav-signin")
		})
	}
}

// TestKeyboardSignIn: the sign-in form is reached, filled and sent with
// the keyboard alone, and the focused submit button shows a focus ring.
func TestKeyboardSignIn(t *testing.T) {
	t.Parallel()
	srv := startServer(t, sqlite)
	b := newBrowser(t, srv, "en")
	a := newAccount("Keyboard User")
	b.signUp(a)
	b.confirmEmail(a)
	b.click("#signout", "#nav-signin")

	b.open("/signin")
	// Tab from the top of the page until the e-mail field has the focus;
	// the header's links come first.
	for i := 0; b.focused() != "f-email"; i++ {
		if i == 20 {
			t.Fatalf("the e-mail field was not reached with 20 Tabs; focus on %q", b.focused())
		}
		b.key(kb.Tab)
	}
	b.key(a.Email)
	b.key(kb.Tab)
	if got := b.focused(); got != "f-password" {
		t.Fatalf("Tab from the e-mail field went to %q, want f-password", got)
	}
	b.key(a.Password)
	b.key(kb.Tab)
	if got := b.focused(); got != "signin-submit" {
		t.Fatalf("Tab from the password went to %q, want signin-submit", got)
	}
	type outline struct {
		Style, Width, Color string
		Visible             bool
	}
	o := eval[outline](b, `(() => {
		const e = document.activeElement, s = getComputedStyle(e);
		return {Style: s.outlineStyle, Width: s.outlineWidth, Color: s.outlineColor, Visible: e.matches(":focus-visible")};
	})()`)
	if o.Style == "none" || o.Width == "0px" || o.Width == "" {
		t.Errorf("focused submit button has no visible outline: %+v", o)
	}
	if !o.Visible {
		t.Errorf("keyboard focus on the submit button does not match :focus-visible")
	}
	// Enter on the focused button sends the form.
	b.key(kb.Enter)
	b.waitVisible("#nav-workspace")
	if got := b.path(); got != "/workspace" {
		t.Errorf("after signing in with the keyboard: at %s, want /workspace", got)
	}
}
