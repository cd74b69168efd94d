package web

import (
	"bytes"
	"context"
	stdhtml "html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// mailbox records what accounts would e-mail (the SMTP path has its own
// tests in internal/mail; these tests follow the links).
type mailbox struct {
	mu    sync.Mutex
	links map[string]string // "kind to" -> last link
}

func (m *mailbox) put(kind, to, link string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.links == nil {
		m.links = map[string]string{}
	}
	m.links[kind+" "+to] = link
	return nil
}

func (m *mailbox) ConfirmEmail(_ context.Context, to, _, _, link string) error {
	return m.put("confirm", to, link)
}

func (m *mailbox) ResetPassword(_ context.Context, to, _, _, link string) error {
	return m.put("reset", to, link)
}

func (m *mailbox) Invitation(_ context.Context, to, _, _, _ string, _ badge.Role, link string) error {
	return m.put("invite", to, link)
}

// link returns the path and query of the last link of a kind sent to to.
func (m *mailbox) link(t *testing.T, kind, to string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[kind+" "+to]
	if !ok {
		t.Fatalf("no %s e-mail to %s", kind, to)
	}
	u, err := url.Parse(l)
	if err != nil {
		t.Fatal(err)
	}
	if u.Scheme+"://"+u.Host != testBase {
		t.Errorf("link %s not on the base URL", l)
	}
	return u.RequestURI()
}

// browser is a client with its own cookies, as one person's browser.
type browser struct {
	t    *testing.T
	f    *fixture
	c    *http.Client
	lang string
}

func (f *fixture) browser(t *testing.T, lang string) *browser {
	jar, _ := cookiejar.New(nil)
	c := *f.srv.Client()
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &browser{t: t, f: f, c: &c, lang: lang}
}

func (b *browser) do(req *http.Request) (*http.Response, string) {
	b.t.Helper()
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", b.lang)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func (b *browser) get(path string) (*http.Response, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.f.srv.URL+path, nil)
	return b.do(req)
}

// post sends a URL-encoded form.
func (b *browser) post(path string, kv ...string) (*http.Response, string) {
	b.t.Helper()
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	req, _ := http.NewRequest("POST", b.f.srv.URL+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// postMultipart sends a form with files: files maps a field to name and
// content.
func (b *browser) postMultipart(path string, fields map[string]string, files map[string][2]string) (*http.Response, string) {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for k, f := range files {
		w, _ := mw.CreateFormFile(k, f[0])
		w.Write([]byte(f[1]))
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.f.srv.URL+path, &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

// wantRedirect checks a 303 to a path starting with prefix.
func wantRedirect(t *testing.T, resp *http.Response, body, prefix string) string {
	t.Helper()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, prefix) {
		t.Fatalf("got %s Location %q, want 303 to %s…; body: %.600s", resp.Status, loc, prefix, body)
	}
	return loc
}

// fieldError returns the message shown next to a field.
func fieldError(page, field string) string { return stdhtml.UnescapeString(byID(page, "e-"+field)) }

// signUp creates a confirmed account through the pages and returns its
// signed-in browser.
func (f *fixture) signUp(t *testing.T, lang, name, email string) *browser {
	t.Helper()
	b := f.browser(t, lang)
	resp, body := b.post("/signup", "name", name, "email", email, "password", "un mot de passe solide", "password2", "un mot de passe solide")
	wantRedirect(t, resp, body, "/check-email")
	resp, body = b.get(f.mail.link(t, "confirm", email))
	wantRedirect(t, resp, body, "/workspace")
	return b
}

func TestAccountPages(t *testing.T) { storetest.ForEach(t, testAccountPages) }

func testAccountPages(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)

	t.Run("sign-up refused keeps input and says why by the field", func(t *testing.T) {
		b := f.browser(t, "fr")
		resp, page := b.post("/signup", "name", "Julie Roy", "email", "julie@exemple.ca", "password", "court", "password2", "court")
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("status %s", resp.Status)
		}
		if got := fieldError(page, "password"); got != locale.T("fr", "error.password.too_short") {
			t.Errorf("password error %q", got)
		}
		if !strings.Contains(page, `value="julie@exemple.ca"`) || strings.Contains(page, `value="court"`) {
			t.Error("the form did not keep the address, or echoed the password")
		}
		if _, err := db.GetUserByEmail(context.Background(), "julie@exemple.ca"); !badge.IsNotFound(err) {
			t.Errorf("a refused sign-up stored an account: %v", err)
		}
		resp, page = b.post("/signup", "name", "Julie Roy", "email", "julie@exemple.ca", "password", "un long mot de passe", "password2", "un autre mot de passe")
		if resp.StatusCode != 422 || fieldError(page, "password2") != locale.T("fr", "error.password.mismatch") {
			t.Errorf("mismatch: %s %q", resp.Status, fieldError(page, "password2"))
		}
		resp, page = b.post("/signup", "name", "Julie Roy", "email", "pas-une-adresse", "password", "un long mot de passe", "password2", "un long mot de passe")
		if resp.StatusCode != 422 || fieldError(page, "email") != locale.T("fr", "error.email.invalid") {
			t.Errorf("bad address: %s %q", resp.Status, fieldError(page, "email"))
		}
	})

	t.Run("sign up, confirm, sign out, sign in, reset", func(t *testing.T) {
		b := f.signUp(t, "en", "Julie Roy", "julie@exemple.ca")
		_, page := b.get("/account")
		if byID(page, "account-handle") != "@julie-roy" || !strings.Contains(page, `data-email="julie@exemple.ca"`) ||
			!strings.Contains(page, locale.T("en", "account.verified")) {
			t.Errorf("account page: %.800s", page)
		}
		resp, body := b.post("/signout")
		wantRedirect(t, resp, body, "/")
		resp, body = b.get("/workspace")
		loc := wantRedirect(t, resp, body, "/signin?next=")
		if loc != "/signin?next=%2Fworkspace" {
			t.Errorf("redirect %q", loc)
		}
		resp, page = b.post("/signin", "email", "julie@exemple.ca", "password", "wrong password!")
		if resp.StatusCode != 422 || byID(page, "form-error") == "" && fieldError(page, "password") == "" {
			t.Errorf("wrong password: %s", resp.Status)
		}
		resp, body = b.post("/signin", "email", "JULIE@exemple.ca", "password", "un mot de passe solide", "next", "/account")
		wantRedirect(t, resp, body, "/account")
		// An open redirect through next is refused.
		b2 := f.browser(t, "fr")
		resp, body = b2.post("/signin", "email", "julie@exemple.ca", "password", "un mot de passe solide", "next", "//evil.example/")
		wantRedirect(t, resp, body, "/workspace")

		_, page = b2.post("/reset", "email", "julie@exemple.ca")
		if byID(page, "reset-sent") == "" {
			t.Error("no confirmation of the reset request")
		}
		_, page = b2.post("/reset", "email", "nobody@exemple.ca")
		if byID(page, "reset-sent") == "" {
			t.Error("unknown address answered differently")
		}
		link := f.mail.link(t, "reset", "julie@exemple.ca")
		if resp, _ := b2.get(link); resp.StatusCode != 200 {
			t.Fatalf("reset form: %s", resp.Status)
		}
		resp, body = b2.post(link, "password", "tout nouveau mot de passe", "password2", "tout nouveau mot de passe")
		wantRedirect(t, resp, body, "/workspace")
		if resp, _ := b2.get(link); resp.StatusCode != 404 {
			t.Errorf("used reset link: %s", resp.Status)
		}
	})

	t.Run("language", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			b := f.browser(t, lang)
			_, page := b.get("/signin")
			if !strings.Contains(page, `<html lang="`+lang+`">`) {
				t.Errorf("%s: html lang", lang)
			}
			if !strings.Contains(page, locale.T(lang, "signin.title")) {
				t.Errorf("%s: title not translated", lang)
			}
		}
		b := f.browser(t, "fr")
		resp, page := b.get("/signin?lang=en")
		if !strings.Contains(page, `<html lang="en">`) {
			t.Error("?lang=en not honoured")
		}
		if c := resp.Header.Get("Set-Cookie"); !strings.Contains(c, "lang=en") {
			t.Errorf("language choice not remembered: %q", c)
		}
		_, page = b.get("/catalogue")
		if !strings.Contains(page, `<html lang="en">`) {
			t.Error("language cookie not honoured on the next page")
		}
	})

	t.Run("cross-origin form posts are refused", func(t *testing.T) {
		b := f.browser(t, "fr")
		req, _ := http.NewRequest("POST", f.srv.URL+"/signin", strings.NewReader("email=a%40b.c&password=x"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", "https://evil.example")
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		resp, _ := b.do(req)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("cross-site post: %s", resp.Status)
		}
	})
}

// TestWorkspace walks an issuer through creating an organisation, a badge
// with an image, an award with a PDF, and a revocation; and checks that
// members of other organisations and members without the role are kept
// out of every route.
func TestWorkspace(t *testing.T) { storetest.ForEach(t, testWorkspace) }

func testWorkspace(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	owner := f.signUp(t, "fr", "Anne Gagnon", "anne@formation.example")

	// Create the organisation; a refused form first.
	resp, page := owner.post("/workspace", "name", "Formation Québec", "url", "pas une url", "language", "fr")
	if resp.StatusCode != 422 || fieldError(page, "url") == "" {
		t.Fatalf("bad URL accepted: %s %q", resp.Status, fieldError(page, "url"))
	}
	if _, err := db.GetIssuerBySlug(ctx, "formation-quebec"); !badge.IsNotFound(err) {
		t.Fatalf("refused organisation stored: %v", err)
	}
	resp, body := owner.post("/workspace", "name", "Formation Québec", "url", "https://formation.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/formation-quebec")
	iss, err := db.GetIssuerBySlug(ctx, "formation-quebec")
	if err != nil {
		t.Fatal(err)
	}
	_, page = owner.get("/workspace/formation-quebec")
	if byID(page, "org-name") != "Formation Québec" || byID(page, "new-badge") == "" {
		t.Fatalf("dashboard: %.600s", page)
	}

	// A badge definition: refused without an image or with a fake one.
	base := "/workspace/formation-quebec"
	fields := map[string]string{"name": "Classe inversée", "description": "Concevoir une séquence en classe inversée.",
		"criteria": "- Suivre l'atelier\n- Remettre **une séquence**", "language": "fr", "tags": "pédagogie, numérique",
		"alignments": "Compétence 12 | https://competences.example/12 | C12 | Référentiel 2020"}
	resp, page = owner.postMultipart(base+"/badges", fields, nil)
	if resp.StatusCode != 422 || fieldError(page, "image") != locale.T("fr", "error.badge.image_required") {
		t.Errorf("no image: %s %q", resp.Status, fieldError(page, "image"))
	}
	if !strings.Contains(page, "Concevoir une séquence en classe inversée.") {
		t.Error("refused form lost the description")
	}
	resp, page = owner.postMultipart(base+"/badges", fields, map[string][2]string{"image": {"x.png", "GIF89a not a png"}})
	if resp.StatusCode != 422 || fieldError(page, "image") != locale.T("fr", "error.image.not_image") {
		t.Errorf("fake image: %s %q", resp.Status, fieldError(page, "image"))
	}
	if bs, _ := db.ListBadges(ctx, iss.ID); len(bs) != 0 {
		t.Fatalf("refused badge stored: %d", len(bs))
	}
	resp, body = owner.postMultipart(base+"/badges", fields, map[string][2]string{"image": {"badge.png", string(pngImage(t))}})
	wantRedirect(t, resp, body, base)
	b, err := db.GetBadgeBySlug(ctx, iss.ID, "classe-inversee")
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Tags) != 2 || len(b.Alignments) != 1 || b.Alignments[0].Code != "C12" || b.ImageType != "image/png" {
		t.Errorf("badge stored as %+v", b)
	}

	// Award it with a PDF as evidence.
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	resp, page = owner.postMultipart(base+"/badges/classe-inversee/award", map[string]string{"recipient": "pas une adresse"}, nil)
	if resp.StatusCode != 422 || fieldError(page, "recipient") == "" {
		t.Errorf("bad recipient: %s", resp.Status)
	}
	resp, page = owner.postMultipart(base+"/badges/classe-inversee/award", map[string]string{"recipient": "luc@ecole.example"},
		map[string][2]string{"evidence_file": {"travail.exe", "MZ executable"}})
	if resp.StatusCode != 422 || fieldError(page, "evidence_file") != locale.T("fr", "error.evidence.type") {
		t.Errorf("exe evidence: %s %q", resp.Status, fieldError(page, "evidence_file"))
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{IssuerID: iss.ID}); n != 0 {
		t.Fatalf("refused award stored")
	}
	resp, body = owner.postMultipart(base+"/badges/classe-inversee/award",
		map[string]string{"recipient": "Luc@Ecole.example", "name": "Luc Tremblay", "narrative": "Séquence sur les fractions.", "language": "fr"},
		map[string][2]string{"evidence_file": {"séquence-fractions.pdf", pdf}})
	loc := wantRedirect(t, resp, body, base+"/awards?highlight=")
	awardID := strings.TrimPrefix(loc, base+"/awards?highlight=")
	a, err := db.GetAward(ctx, awardID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Recipient.Email != "luc@ecole.example" || len(a.Evidence) != 1 || a.Evidence[0].ContentType != "application/pdf" ||
		a.Evidence[0].Name != "séquence-fractions.pdf" {
		t.Errorf("award stored as %+v", a)
	}
	if resp, got := f.get(t, "/awards/"+awardID+"/evidence/1"); resp.StatusCode != 200 || string(got) != pdf {
		t.Errorf("evidence served: %s", resp.Status)
	}

	// Announced when awarded; the announcement can be sent again.
	f.mail.link(t, "award", "luc@ecole.example")
	f.mail.mu.Lock()
	delete(f.mail.links, "award luc@ecole.example")
	f.mail.mu.Unlock()
	resp, body = owner.post(base + "/awards/" + awardID + "/resend")
	wantRedirect(t, resp, body, base+"/awards?highlight=")
	f.mail.link(t, "award", "luc@ecole.example")

	// The list shows it; search and filters work; revoke with a reason.
	_, page = owner.get(base + "/awards?q=tremblay")
	if !strings.Contains(page, `data-award="`+awardID+`" data-state="sent"`) {
		t.Errorf("award not listed as sent: %.1000s", page)
	}
	_, page = owner.get(base + "/awards?q=nobody")
	if strings.Contains(page, `data-award="`+awardID+`"`) {
		t.Error("search does not filter")
	}
	resp, _ = owner.post(base+"/awards/"+awardID+"/revoke", "reason", "")
	if resp.StatusCode != 400 {
		t.Errorf("revoke without reason: %s", resp.Status)
	}
	resp, body = owner.post(base+"/awards/"+awardID+"/revoke", "reason", "Attribué par erreur")
	wantRedirect(t, resp, body, base+"/awards")
	_, page = owner.get(base + "/awards?status=revoked")
	if !strings.Contains(page, `data-award="`+awardID+`" data-state="revoked"`) || !strings.Contains(page, "Attribué par erreur") {
		t.Error("revoked award not listed with its reason")
	}

	// An awarder joins by invitation and may award but not edit.
	resp, body = owner.post(base+"/members", "email", "paul@formation.example", "role", "awarder", "language", "en")
	wantRedirect(t, resp, body, base+"/members")
	awarder := f.signUp(t, "en", "Paul Martin", "paul@formation.example")
	invite := f.mail.link(t, "invite", "paul@formation.example")
	resp, body = awarder.post(invite)
	wantRedirect(t, resp, body, base)
	if resp, _ := awarder.get(base + "/badges/classe-inversee/award"); resp.StatusCode != 200 {
		t.Errorf("awarder refused the award form: %s", resp.Status)
	}
	for _, path := range []string{base + "/badges/new", base + "/badges/classe-inversee/edit", base + "/profile", base + "/members"} {
		if resp, _ := awarder.get(path); resp.StatusCode != http.StatusForbidden {
			t.Errorf("awarder GET %s: %s, want 403", path, resp.Status)
		}
	}

	// A member of another organisation sees and changes nothing here.
	other := f.signUp(t, "fr", "Eve Intruse", "eve@autre.example")
	resp, body = other.post("/workspace", "name", "Autre Organisme", "url", "https://autre.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/autre-organisme")
	gets := []string{base, base + "/profile", base + "/members", base + "/badges/new", base + "/badges/classe-inversee/edit",
		base + "/badges/classe-inversee/award", base + "/awards", "/workspace/no-such-org"}
	for _, path := range gets {
		if resp, page := other.get(path); resp.StatusCode != http.StatusForbidden || strings.Contains(page, "Formation Québec") {
			t.Errorf("outsider GET %s: %s", path, resp.Status)
		}
	}
	posts := []string{base + "/profile", base + "/members", base + "/members/" + awardID + "/remove", base + "/badges",
		base + "/badges/classe-inversee/edit", base + "/badges/classe-inversee/award", base + "/awards/" + awardID + "/revoke"}
	for _, path := range posts {
		if resp, _ := other.post(path, "name", "Piraté", "reason", "x", "email", "eve@autre.example", "role", "owner"); resp.StatusCode != http.StatusForbidden {
			t.Errorf("outsider POST %s: %s", path, resp.Status)
		}
	}
	if got, _ := db.GetIssuerBySlug(ctx, "formation-quebec"); got.Name != "Formation Québec" {
		t.Error("outsider changed the profile")
	}
	// Nor may an organisation's awarder revoke another organisation's award
	// through its own workspace.
	resp, _ = other.post("/workspace/autre-organisme/awards/"+f.award.ID+"/revoke", "reason", "x")
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("revoke of another issuer's award through own workspace: %s", resp.Status)
	}

	// Anonymous visitors are sent to sign in.
	anon := f.browser(t, "fr")
	resp, body = anon.get(base + "/awards")
	wantRedirect(t, resp, body, "/signin?next=")
}

func TestCatalogueAndIssuerPage(t *testing.T) {
	f := newFixture(t)
	b := f.browser(t, "fr")
	_, page := b.get("/catalogue")
	if !strings.Contains(page, `data-badge="cssdm/secourisme"`) {
		t.Fatalf("catalogue: %.800s", page)
	}
	_, page = b.get("/catalogue?q=inexistant")
	if strings.Contains(page, `data-badge="cssdm/secourisme"`) {
		t.Error("text filter ignored")
	}
	_, page = b.get("/catalogue?language=en")
	if strings.Contains(page, `data-badge="cssdm/secourisme"`) {
		t.Error("language filter ignored")
	}
	_, page = b.get("/catalogue?q=SECOURISME&issuer=cssdm")
	if !strings.Contains(page, `data-badge="cssdm/secourisme"`) {
		t.Error("case-insensitive search failed")
	}
	resp, page := b.get("/catalogue/cssdm/secourisme")
	if resp.StatusCode != 200 || byID(page, "badge-name") != "Secourisme" || byID(page, "how-to-earn") == "" {
		t.Errorf("catalogue badge page: %s", resp.Status)
	}

	resp, page = b.get("/issuers/cssdm")
	if resp.StatusCode != 200 || byID(page, "issuer-name") != "Centre de services scolaire" ||
		!strings.Contains(byID(page, "issuer-did"), "did:web:badges.example.org:issuers:cssdm") {
		t.Errorf("issuer page: %s %.600s", resp.Status, page)
	}
	resp, body := f.get(t, "/issuers/cssdm", "Accept", "application/ld+json")
	if !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/ld+json") || !strings.Contains(string(body), `"Profile"`) {
		t.Errorf("profile JSON: %s %.200s", resp.Header.Get("Content-Type"), body)
	}
	resp, body = f.get(t, "/issuers/cssdm?format=json", "Accept", "text/html")
	if !strings.Contains(string(body), `"Profile"`) {
		t.Errorf("format=json: %s", resp.Header.Get("Content-Type"))
	}
}

// The PDF proof is served in the asked language; its text (read back with
// poppler when installed) names the badge, the recipient and the issuer.
func TestAwardProofPDF(t *testing.T) {
	f := newFixture(t)
	for _, lang := range []string{"fr", "en"} {
		resp, body := f.get(t, "/awards/"+f.award.ID+"/proof.pdf", "Accept-Language", lang)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(body, []byte("%PDF-")) {
			t.Fatalf("%s: %s %s %.20q", lang, resp.Status, resp.Header.Get("Content-Type"), body)
		}
		if resp.Header.Get("Content-Language") != lang {
			t.Errorf("Content-Language %q", resp.Header.Get("Content-Language"))
		}
		text, ok := pdfText(t, body)
		if !ok {
			continue
		}
		for _, want := range []string{"Secourisme", "Marie T.", "Centre de services scolaire", f.award.ID} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: PDF text lacks %q", lang, want)
			}
		}
	}
	if resp, _ := f.get(t, "/awards/00000000-0000-4000-8000-000000000000/proof.pdf"); resp.StatusCode != 404 {
		t.Errorf("unknown award: %s", resp.Status)
	}
}

// pdfText extracts a PDF's text with pdftotext; ok is false (and the test
// is told) when poppler is not installed, unless SCEAU_REQUIRE_TOOLS=1.
func pdfText(t *testing.T, pdf []byte) (string, bool) {
	t.Helper()
	path, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("SCEAU_REQUIRE_TOOLS") == "1" {
			t.Fatal("pdftotext not installed (Debian poppler-utils)")
		}
		t.Log("pdftotext not installed: PDF text not checked")
		return "", false
	}
	cmd := exec.Command(path, "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out), true
}

// A recipients file of 50 with two bad rows: every row is shown with its
// errors before anything is awarded; started, the job awards the 48 valid
// rows; the progress answers as JSON for the bar.
func TestBulkAwardPages(t *testing.T) { storetest.ForEach(t, testBulkAwardPages) }

func testBulkAwardPages(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	owner := f.signUp(t, "en", "Anne Gagnon", "anne@formation.example")
	resp, body := owner.post("/workspace", "name", "Formation Québec", "url", "https://formation.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/formation-quebec")
	base := "/workspace/formation-quebec"
	resp, body = owner.postMultipart(base+"/badges", map[string]string{"name": "Atelier", "description": "Atelier de 3 h.",
		"criteria": "Participer.", "language": "fr"}, map[string][2]string{"image": {"b.png", string(pngImage(t))}})
	wantRedirect(t, resp, body, base)

	var csv strings.Builder
	csv.WriteString("\uFEFFcourriel;nom\r\n")
	for i := 1; i <= 50; i++ {
		switch i {
		case 10:
			csv.WriteString("pas-une-adresse;Paul\r\n")
		case 30:
			csv.WriteString(";Vide\r\n")
		default:
			csv.WriteString("p" + strconv.Itoa(i) + "@ecole.example;Personne " + strconv.Itoa(i) + "\r\n")
		}
	}
	// No file, and a file without an e-mail column: refused by the field.
	resp, page := owner.postMultipart(base+"/badges/atelier/batches", nil, nil)
	if resp.StatusCode != 422 || fieldError(page, "file") != locale.T("en", "error.csv.no_file") {
		t.Errorf("no file: %s %q", resp.Status, fieldError(page, "file"))
	}
	resp, page = owner.postMultipart(base+"/badges/atelier/batches", nil, map[string][2]string{"file": {"x.csv", "nom\nPaul\n"}})
	if resp.StatusCode != 422 || fieldError(page, "file") != locale.T("en", "error.csv.file") {
		t.Errorf("no e-mail column: %s %q", resp.Status, fieldError(page, "file"))
	}

	resp, body = owner.postMultipart(base+"/badges/atelier/batches", nil, map[string][2]string{"file": {"inscrits.csv", csv.String()}})
	loc := wantRedirect(t, resp, body, base+"/batches/")
	_, page = owner.get(loc)
	if n := strings.Count(page, `<tr data-row=`); n != 50 {
		t.Errorf("preview lists %d rows, want 50", n)
	}
	if n := strings.Count(page, `data-error="true"`); n != 2 {
		t.Errorf("preview marks %d rows refused, want 2", n)
	}
	if !strings.Contains(page, `<tr data-row="11" class="row-error" data-error="true">`) || !strings.Contains(page, locale.T("en", "error.csv.email_missing")) {
		t.Errorf("refused rows not shown with their errors: %.2000s", page)
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{Search: "ecole.example"}); n != 0 {
		t.Fatal("the preview awarded")
	}

	resp, body = owner.post(loc + "/start")
	wantRedirect(t, resp, body, loc)
	resp, _ = owner.post(loc + "/start")
	if resp.StatusCode != http.StatusConflict {
		t.Errorf("second start: %s", resp.Status)
	}
	_, page = owner.get(loc)
	if !strings.Contains(page, `id="batch-progress"`) {
		t.Error("no progress bar")
	}
	// The runner's part, done here: claim the job and run it.
	job, err := db.ClaimJob(ctx, []string{issuing.BatchJobKind}, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RunBatchJob(ctx, job.Payload); err != nil {
		t.Fatal(err)
	}
	resp, body = f.browserGetJSON(t, owner, loc+"?format=json")
	if !strings.Contains(body, `"state":"done"`) || !strings.Contains(body, `"done":48`) || !strings.Contains(body, `"total":48`) {
		t.Errorf("progress JSON: %s %s", resp.Status, body)
	}
	if n, _ := db.CountAwards(ctx, store.AwardFilter{Search: "ecole.example"}); n != 48 {
		t.Errorf("%d awards, want 48", n)
	}
	// Another organisation's member cannot see the batch.
	other := f.signUp(t, "fr", "Eve Intruse", "eve@autre.example")
	if resp, _ := other.get(loc); resp.StatusCode != http.StatusForbidden {
		t.Errorf("outsider sees the batch: %s", resp.Status)
	}
}

func (f *fixture) browserGetJSON(t *testing.T, b *browser, path string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", f.srv.URL+path, nil)
	resp, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// Earning by application: a teacher applies with a PDF, a reviewer
// returns it with comments, the teacher sends it again, the reviewer
// accepts, and the award's evidence is the PDF.
func TestApplications(t *testing.T) { storetest.ForEach(t, testApplications) }

func testApplications(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	owner := f.signUp(t, "fr", "Anne Gagnon", "anne@formation.example")
	resp, body := owner.post("/workspace", "name", "Formation Québec", "url", "https://formation.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/formation-quebec")
	base := "/workspace/formation-quebec"
	resp, body = owner.postMultipart(base+"/badges", map[string]string{"name": "Lecture professionnelle",
		"description": "Lire et résumer un ouvrage.", "criteria": "Remettre une **fiche de lecture** (PDF).", "language": "fr",
		"applications_open": "on"}, map[string][2]string{"image": {"b.png", string(pngImage(t))}})
	wantRedirect(t, resp, body, base)
	resp, body = owner.postMultipart(base+"/badges", map[string]string{"name": "Fermé", "description": "Sur invitation.",
		"criteria": "Aucun.", "language": "fr"}, map[string][2]string{"image": {"b.png", string(pngImage(t))}})
	wantRedirect(t, resp, body, base)
	owner.post(base+"/members", "email", "rita@formation.example", "role", "reviewer", "language", "fr")
	reviewer := f.signUp(t, "fr", "Rita Lévesque", "rita@formation.example")
	resp, body = reviewer.post(f.mail.link(t, "invite", "rita@formation.example"))
	wantRedirect(t, resp, body, base)

	teacher := f.signUp(t, "fr", "Marie Lemieux", "marie@ecole.example")
	_, page := teacher.get("/catalogue/formation-quebec/lecture-professionnelle")
	if byID(page, "apply-link") == "" {
		t.Fatal("no apply link on an open badge")
	}
	if resp, page := teacher.postMultipart("/catalogue/formation-quebec/ferme/apply", map[string]string{"email": "marie@ecole.example", "text": "x"}, nil); resp.StatusCode != 422 ||
		stdhtml.UnescapeString(byID(page, "apply-closed")) != locale.T("fr", "apply.closed") {
		t.Errorf("applied to a closed badge: %s", resp.Status)
	}
	resp, page = teacher.postMultipart("/catalogue/formation-quebec/lecture-professionnelle/apply", map[string]string{"email": "marie@ecole.example"}, nil)
	if resp.StatusCode != 422 || fieldError(page, "text") != locale.T("fr", "error.application.empty") {
		t.Errorf("empty application: %s %q", resp.Status, fieldError(page, "text"))
	}
	resp, page = teacher.postMultipart("/catalogue/formation-quebec/lecture-professionnelle/apply", map[string]string{"email": "autre@ecole.example", "text": "x"}, nil)
	if resp.StatusCode != 422 || fieldError(page, "email") == "" {
		t.Errorf("unverified address accepted: %s", resp.Status)
	}
	pdf1 := "%PDF-1.4\n% fiche v1\n%%EOF\n"
	resp, body = teacher.postMultipart("/catalogue/formation-quebec/lecture-professionnelle/apply",
		map[string]string{"email": "marie@ecole.example", "text": "J'ai lu « La classe inversée ».", "links": "https://blogue.example/fiche"},
		map[string][2]string{"files": {"fiche.pdf", pdf1}})
	loc := wantRedirect(t, resp, body, "/applications/")
	appID := strings.TrimPrefix(loc, "/applications/")

	// Only the applicant and the organisation's reviewers see it.
	if resp, _ := owner.get(loc); resp.StatusCode != 404 {
		t.Errorf("another account sees the application: %s", resp.Status)
	}
	outsider := f.signUp(t, "en", "Eve Intruse", "eve@autre.example")
	if resp, _ := outsider.get(base + "/applications/" + appID); resp.StatusCode != 403 {
		t.Errorf("outsider sees the review page: %s", resp.Status)
	}
	if resp, got := teacher.get(loc + "/files/1"); resp.StatusCode != 200 || got != pdf1 {
		t.Errorf("applicant's file: %s", resp.Status)
	}

	_, page = reviewer.get(base + "/applications")
	if !strings.Contains(page, `data-application="`+appID+`" data-state="submitted"`) {
		t.Fatalf("not in the queue: %.1500s", page)
	}
	reviewPath := base + "/applications/" + appID
	if resp, got := reviewer.get(reviewPath + "/files/1"); resp.StatusCode != 200 || got != pdf1 {
		t.Errorf("reviewer's view of the file: %s", resp.Status)
	}
	resp, page = reviewer.post(reviewPath, "decision", "returned", "comments", "")
	if resp.StatusCode != 422 || fieldError(page, "comments") == "" {
		t.Errorf("returned without comments: %s", resp.Status)
	}
	resp, body = reviewer.post(reviewPath, "decision", "returned", "comments", "Ajoutez une réflexion sur votre pratique.")
	wantRedirect(t, resp, body, base+"/applications")

	_, page = teacher.get(loc)
	if !strings.Contains(page, `id="application-state" data-state="returned"`) || !strings.Contains(page, "Ajoutez une réflexion sur votre pratique.") {
		t.Errorf("returned application page: %.1500s", page)
	}
	pdf2 := "%PDF-1.4\n% fiche v2 avec réflexion\n%%EOF\n"
	resp, body = teacher.postMultipart(loc, map[string]string{"text": "Fiche et réflexion jointes."}, map[string][2]string{"files": {"fiche-v2.pdf", pdf2}})
	wantRedirect(t, resp, body, loc)
	resp, body = reviewer.post(reviewPath, "decision", "accepted", "comments", "Bravo !")
	wantRedirect(t, resp, body, base+"/applications")
	resp, page = reviewer.post(reviewPath, "decision", "rejected")
	if resp.StatusCode != 422 || stdhtml.UnescapeString(byID(page, "form-error")) != locale.T("fr", "error.application.not_submitted") {
		t.Errorf("second decision: %s %q", resp.Status, byID(page, "form-error"))
	}

	a, err := db.GetApplication(ctx, appID)
	if err != nil || a.State != badge.ApplicationAccepted || a.AwardID == "" || len(a.History) != 4 {
		t.Fatalf("application %+v %v", a, err)
	}
	award, err := db.GetAward(ctx, a.AwardID)
	if err != nil {
		t.Fatal(err)
	}
	if award.Recipient.Email != "marie@ecole.example" || award.Narrative != "Fiche et réflexion jointes." || len(award.Evidence) != 2 {
		t.Fatalf("award %+v", award)
	}
	// The PDFs are now the award's public evidence; the last is the new one.
	if resp, got := f.get(t, "/awards/"+award.ID+"/evidence/2"); resp.StatusCode != 200 || string(got) != pdf2 {
		t.Errorf("evidence 2: %s %q", resp.Status, got)
	}
	if !strings.Contains(string(award.Credential), "evidence") {
		t.Error("the signed credential carries no evidence")
	}
	_, page = teacher.get("/applications")
	if !strings.Contains(page, `data-application="`+appID+`" data-state="accepted"`) {
		t.Error("my applications does not show the acceptance")
	}
}

// Every workspace route, read from routes.go so that a new one is covered
// the day it is added, refuses a member of another organisation (and
// anonymous visitors are sent to sign in).
func TestEveryWorkspaceRouteIsMembersOnly(t *testing.T) {
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	var routes [][2]string
	for _, line := range strings.Split(string(src), "\n") {
		i := strings.Index(line, `"GET /workspace/{org}`)
		if i < 0 {
			i = strings.Index(line, `"POST /workspace/{org}`)
		}
		if i < 0 {
			continue
		}
		pattern := line[i+1 : i+1+strings.Index(line[i+1:], `"`)]
		method, path, _ := strings.Cut(pattern, " ")
		routes = append(routes, [2]string{method, path})
	}
	if len(routes) < 20 {
		t.Fatalf("found only %d workspace routes in routes.go", len(routes))
	}
	f := newFixture(t)
	owner := f.signUp(t, "fr", "Anne Gagnon", "anne@formation.example")
	resp, body := owner.post("/workspace", "name", "Victime", "url", "https://victime.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/victime")
	other := f.signUp(t, "fr", "Eve Intruse", "eve@autre.example")
	resp, body = other.post("/workspace", "name", "Autre", "url", "https://autre.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/autre")
	anon := f.browser(t, "fr")

	fill := strings.NewReplacer("{org}", "victime", "{badge}", "secourisme", "{id}", f.award.ID, "{user}", f.award.ID, "{n}", "1")
	for _, r := range routes {
		path := fill.Replace(r[1])
		t.Run(r[0]+" "+r[1], func(t *testing.T) {
			var resp *http.Response
			if r[0] == "GET" {
				resp, _ = other.get(path)
			} else {
				resp, _ = other.post(path, "name", "x", "email", "eve@autre.example", "role", "owner", "reason", "x")
			}
			if resp.StatusCode != http.StatusForbidden {
				t.Errorf("outsider: %s, want 403", resp.Status)
			}
			if r[0] == "GET" {
				resp, _ = anon.get(path)
				if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/signin") {
					t.Errorf("anonymous: %s %s, want a redirect to sign in", resp.Status, resp.Header.Get("Location"))
				}
			}
		})
	}
}

// Every application page renders, in both languages, with its main
// element; a missing template or a broken field shows here.
func TestEveryPageRenders(t *testing.T) {
	f := newFixture(t)
	owner := f.signUp(t, "fr", "Anne Gagnon", "anne@formation.example")
	resp, body := owner.post("/workspace", "name", "Formation Québec", "url", "https://formation.example", "language", "fr")
	wantRedirect(t, resp, body, "/workspace/formation-quebec")
	base := "/workspace/formation-quebec"
	resp, body = owner.postMultipart(base+"/badges", map[string]string{"name": "Atelier", "description": "Atelier.",
		"criteria": "Participer.", "language": "fr", "applications_open": "on"}, map[string][2]string{"image": {"b.png", string(pngImage(t))}})
	wantRedirect(t, resp, body, base)
	pages := []struct{ path, id string }{
		{"/", "home-title"},
		{"/signup", "signup-form"},
		{"/signin", "signin-form"},
		{"/check-email", "check-email"},
		{"/reset", "reset-request-form"},
		{"/account", "add-email-form"},
		{"/workspace", "org-form"},
		{base, "org-name"},
		{base + "/profile", "profile-form"},
		{base + "/members", "invite-form"},
		{base + "/badges/new", "badge-form"},
		{base + "/badges/atelier/edit", "badge-form"},
		{base + "/badges/atelier/award", "csv-form"},
		{base + "/awards", "awards-filter"},
		{base + "/applications", "queue-empty"},
		{base + "/api-tokens", ""},
		{base + "/webhooks", ""},
		{"/applications", "no-applications"},
		{"/catalogue", "catalogue"},
		{"/catalogue/formation-quebec/atelier", "apply-link"},
		{"/catalogue/formation-quebec/atelier/apply", "apply-form"},
		{"/issuers/formation-quebec", "issuer-name"},
		{"/portfolio", ""},
		{"/portfolio/import", ""},
		{"/verify", ""},
	}
	for _, lang := range []string{"fr", "en"} {
		owner.lang = lang
		for _, p := range pages {
			resp, page := owner.get(p.path)
			if resp.StatusCode != 200 {
				t.Errorf("%s %s: %s", lang, p.path, resp.Status)
				continue
			}
			if !strings.Contains(page, `<html lang="`+lang+`">`) || !strings.Contains(page, `id="lang-switch"`) {
				t.Errorf("%s %s: no <html lang> or language switch", lang, p.path)
			}
			if p.id != "" && !strings.Contains(page, `id="`+p.id+`"`) {
				t.Errorf("%s %s: no #%s", lang, p.path, p.id)
			}
			if strings.Contains(page, "error.") || strings.Contains(page, "%!") {
				t.Errorf("%s %s: an untranslated key or a formatting error is shown", lang, p.path)
			}
		}
	}
}

// The award list pages by cursor: next, then previous, gives back the
// first page.
func TestAwardListPages(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	owner := f.signUp(t, "en", "Anne Gagnon", "anne@formation.example")
	iss, err := f.db.GetIssuerBySlug(ctx, "cssdm")
	if err != nil {
		t.Fatal(err)
	}
	u, _ := f.db.GetUserByEmail(ctx, "anne@formation.example")
	if err := f.db.AddMember(ctx, &badge.Membership{IssuerID: iss.ID, UserID: u.ID, Role: badge.RoleOwner}); err != nil {
		t.Fatal(err)
	}
	var ins []issuing.AwardInput
	for i := 0; i < 55; i++ {
		ins = append(ins, issuing.AwardInput{BadgeID: f.award.BadgeID, Email: "p" + strconv.Itoa(i) + "@ecole.example"})
	}
	if _, err := f.svc.AwardMany(ctx, ins); err != nil {
		t.Fatal(err)
	}
	_, first := owner.get("/workspace/cssdm/awards")
	if n := strings.Count(first, "<tr data-award="); n != 50 || strings.Contains(first, `rel="prev"`) {
		t.Fatalf("first page: %d rows, prev link %v", n, strings.Contains(first, `rel="prev"`))
	}
	next := attr(first, "pager-next", "href")
	_, second := owner.get("/workspace/cssdm/awards" + next)
	if n := strings.Count(second, "<tr data-award="); n != 6 || strings.Contains(second, `rel="next"`) {
		t.Fatalf("second page: %d rows", n)
	}
	prev := attr(second, "pager-prev", "href")
	_, back := owner.get("/workspace/cssdm/awards" + prev)
	if rowsOf(back) != rowsOf(first) {
		t.Error("previous page differs from the first")
	}
	if resp, _ := owner.get("/workspace/cssdm/awards?after=garbage"); resp.StatusCode != 400 {
		t.Errorf("malformed cursor: %s", resp.Status)
	}
}

func rowsOf(page string) string {
	var ids []string
	for _, part := range strings.Split(page, `<tr data-award="`)[1:] {
		ids = append(ids, part[:36])
	}
	return strings.Join(ids, ",")
}
