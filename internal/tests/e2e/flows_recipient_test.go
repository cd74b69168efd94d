package e2e

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/mail/smtptest"
)

// TestRecipientFlow is issue 5's path: an issuer awards a badge to a
// teacher's address; the teacher, signed up with that address, follows
// the e-mail's claim link and accepts, makes the badge public and files it
// under a theme; a visitor without an account opens the public portfolio
// and the badge's page; an appraiser drops the downloaded baked PNG on the
// verification page and reads "valid"; after the issuer revokes the
// award, the same file reads "revoked"; a copy whose credential was
// altered (badge name changed, PNG still well-formed) reads "not valid".
// In French and in English.
func TestRecipientFlow(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"fr", "en"} {
		t.Run("sqlite/"+lang, func(t *testing.T) {
			t.Parallel()
			recipientFlow(t, sqlite, lang)
		})
	}
}

func recipientFlow(t *testing.T, db dbKind, lang string) {
	srv := startServer(t, db)
	issuer := newBrowser(t, srv, lang)
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	u := unique()

	issuerAcc := newAccount("Chantal Roy")
	issuer.signUp(issuerAcc)
	issuer.confirmEmail(issuerAcc)
	o := org{Name: "Ordre des enseignants " + u, Slug: "oe-" + u}
	issuer.createOrg(o, lang)
	d := badgeDef{
		Name:        "Conception universelle de l'apprentissage " + u,
		Slug:        "cua-" + u,
		Description: "Concevoir une séquence selon la CUA.",
		Criteria:    "Remettre **une** séquence.\n\n- le plan\n- une réflexion",
		Bold:        "une",
		Image:       writePNG(t, "badge.png"),
	}
	issuer.createBadge(o, d, lang)

	// The award and its announcement.
	teacherAcc := newAccount("Marie Lemieux")
	awardID := issuer.awardOne(o, d, teacherAcc.Email, teacherAcc.Name, writePDF(t, "attestation.pdf"), lang)
	announce := srv.waitMailWhere(t, teacherAcc.Email, "award announcement", func(m smtptest.Message) bool {
		return m.Link(srv.URL+"/claim/") != ""
	})
	claim := announce.Link(srv.URL + "/claim/")

	// The teacher signs up with the address, then claims.
	teacher := issuer.newPerson("teacher", lang)
	teacher.signUp(teacherAcc)
	teacher.confirmEmail(teacherAcc)
	teacher.open(claim)
	teacher.waitVisible("#claim-question")
	if got := teacher.text("#claim-badge-name"); got != d.Name {
		t.Errorf("claim page names %q, want %q", got, d.Name)
	}
	if got := teacher.attr("#claim-badge", "data-award"); got != awardID {
		t.Errorf("claim page is for award %q, want %q", got, awardID)
	}
	teacher.click("#claim-accept", "#portfolio-title")
	if got := teacher.path(); got != "/portfolio" {
		t.Errorf("after accepting: at %s, want /portfolio", got)
	}
	if got, want := teacher.text("#flash"), T("flash.claim.accepted"); got != want {
		t.Errorf("flash after accepting = %q, want %q", got, want)
	}
	itemID := strings.TrimPrefix(eval[string](teacher, `location.hash`), "#item-")
	item := "#item-" + itemID
	if itemID == "" || teacher.count(item) != 1 {
		t.Fatalf("portfolio has no item %q for the accepted badge", itemID)
	}
	if got := teacher.attr(item, "data-public"); got != "false" {
		t.Errorf("accepted badge starts public=%q, want private", got)
	}

	// Public, in a theme.
	teacher.click("#f-public-"+itemID, "#f-public-"+itemID+":checked")
	teacher.click("#save-"+itemID, item+`[data-public="true"]`)
	theme := "Pratiques inclusives " + u
	teacher.fill("#f-name", theme)
	teacher.click("#theme-submit", `section[data-theme="`+theme+`"]`)
	themeID := strings.TrimPrefix(teacher.attr(`section[data-theme="`+theme+`"]`, "id"), "theme-")
	teacher.choose("#f-theme-of-"+itemID, themeID)
	teacher.click("#save-"+itemID, "#theme-"+themeID+" "+item)
	if got := teacher.attr("#theme-"+themeID+" "+item, "data-public"); got != "true" {
		t.Errorf("moving it into the theme made it public=%q", got)
	}
	portfolioURL := teacher.attr("#public-link", "href")
	badgeURL := teacher.attr("#public-"+itemID, "href")
	if !strings.HasPrefix(portfolioURL, "/@") || !strings.HasPrefix(badgeURL, portfolioURL+"/badges/") {
		t.Fatalf("public links %q and %q, want /@handle and /@handle/badges/slug", portfolioURL, badgeURL)
	}

	// A visitor, signed in nowhere, sees the public portfolio, the theme,
	// and the badge's page; never the teacher's address.
	visitor := issuer.newPerson("visitor", lang)
	visitor.open(portfolioURL)
	visitor.waitVisible("#public-portfolio")
	if got := visitor.text("#owner-name"); got != teacherAcc.Name {
		t.Errorf("public portfolio of %q, want %q", got, teacherAcc.Name)
	}
	inTheme := `.public-theme[data-theme="` + theme + `"] a[href="` + badgeURL + `"]`
	if visitor.count(inTheme) == 0 {
		t.Fatalf("public portfolio has no link to %s under the theme %q", badgeURL, theme)
	}
	visitor.noAddress(teacherAcc.Email)
	visitor.click(inTheme, "#public-badge")
	if got := visitor.text("#badge-name"); got != d.Name {
		t.Errorf("public badge page names %q, want %q", got, d.Name)
	}
	if got := visitor.attr("#award-status", "data-state"); got != "active" {
		t.Errorf("public badge page state %q, want active", got)
	}
	if got := visitor.text("#recipient-name"); got != teacherAcc.Name {
		t.Errorf("public badge page's recipient %q, want %q", got, teacherAcc.Name)
	}
	visitor.noAddress(teacherAcc.Email)

	// The appraiser downloads the baked PNG from the page.
	pngURL := visitor.attr("#download-png", "href")
	status, hdr, png := srv.fetch(t, pngURL)
	if status != http.StatusOK || hdr.Get("Content-Type") != "image/png" {
		t.Fatalf("%s: %d %s", pngURL, status, hdr.Get("Content-Type"))
	}
	baked, err := bake.Unbake(png)
	if err != nil || baked.Format != bake.FormatOB3 {
		t.Fatalf("downloaded PNG holds no OB 3.0 credential: %v", err)
	}
	if !bytes.Contains(baked.Payload, []byte(d.Name)) {
		t.Fatalf("baked credential does not name %q", d.Name)
	}

	// Dropped on the verification page with the address it should
	// belong to: valid, and it is hers.
	visitor.open("/verify")
	visitor.fill("#f-email", teacherAcc.Email)
	visitor.drop("#drop-zone", "badge.png", "image/png", png)
	visitor.checkReport("valid", lang, srv.URL)
	if got := visitor.text("#report-badge-name"); got != d.Name {
		t.Errorf("report names %q, want %q", got, d.Name)
	}
	if visitor.count("#report-recipient .ok") != 1 {
		t.Errorf("report does not say the badge belongs to %s: %q", teacherAcc.Email, visitor.text("#report-recipient"))
	}
	if got := visitor.text("#report-issuer"); !strings.Contains(got, o.Name) {
		t.Errorf("report's issuer %q, want %q", got, o.Name)
	}
	// The criteria read as the issuer wrote them (Markdown with CRLF line
	// ends, as browsers send textareas, and accents before the escapes).
	if n := visitor.count("#report-criteria li"); n != 2 || strings.Contains(visitor.text("#report-criteria"), `\r\n`) {
		t.Errorf("report's criteria render as %q (%d list items), want the two-item list", visitor.text("#report-criteria"), n)
	}

	// A copy with its credential altered, still a well-formed PNG.
	forged := bytes.Replace(baked.Payload, []byte(`"`+d.Name+`"`), []byte(`"`+d.Name+` (avancé)"`), 1)
	if bytes.Equal(forged, baked.Payload) {
		t.Fatalf("the badge name is not a JSON string of the baked credential")
	}
	tampered, err := bake.BakePNG(png, forged, bake.FormatOB3)
	if err != nil {
		t.Fatalf("re-bake the altered credential: %v", err)
	}
	if again, err := bake.Unbake(tampered); err != nil || !bytes.Equal(again.Payload, forged) {
		t.Fatalf("altered PNG does not unbake to the altered credential: %v", err)
	}
	visitor.verifyFile(writeFile(t, "badge-copy.png", tampered))
	visitor.checkReport("invalid", lang, srv.URL)
	if got := visitor.attr(`#checks tr[data-code="proof"]`, "data-outcome"); got != "fail" {
		t.Errorf("altered copy: proof check %q, want fail", got)
	}

	// The issuer revokes; the same file now reads revoked, with why.
	reason := "Dossier incomplet " + u
	issuer.open("/workspace/" + o.Slug + "/awards")
	row := `#award-table tr[data-award="` + awardID + `"]`
	issuer.click(row+" a.manage", "#revoke-form")
	issuer.fill("#f-reason", reason)
	issuer.click("#revoke-submit", row+`[data-state="revoked"]`)

	visitor.verifyFile(writeFile(t, "badge.png", png))
	visitor.checkReport("revoked", lang, srv.URL)
	// A Bitstring Status List carries no reason, so none is asked for
	// here (the award's own page gives it, see TestIssuerFlow); the
	// signature still holds and the status check is what failed.
	if got := visitor.attr(`#checks tr[data-code="status"]`, "data-outcome"); got != "fail" {
		t.Errorf("revoked: status check %q, want fail", got)
	}
	if got := visitor.attr(`#checks tr[data-code="proof"]`, "data-outcome"); got != "pass" {
		t.Errorf("revoked: proof check %q, want pass", got)
	}
	visitor.open(badgeURL)
	if got := visitor.attr("#award-status", "data-state"); got != "revoked" {
		t.Errorf("public badge page after revocation: state %q, want revoked", got)
	}
}

// verifyFile chooses a file on the verification page and sends it.
func (b *browser) verifyFile(path string) {
	b.t.Helper()
	b.open("/verify")
	b.upload("#f-file", path)
	b.click("#verify-submit", "#verdict")
}

// checkReport waits for the verification page's report and checks its
// verdict and its translated text; a wrong verdict logs the checks that
// did not pass.
func (b *browser) checkReport(want, lang, base string) {
	b.t.Helper()
	b.waitVisible("#verdict")
	if got := b.attr("#verdict", "data-verdict"); got != want {
		var failed []string
		for _, c := range eval[[]string](b, `[...document.querySelectorAll('#checks tr[data-outcome]:not([data-outcome="pass"]):not([data-outcome="skip"])')].map(r => r.innerText)`) {
			failed = append(failed, c)
		}
		b.t.Errorf("verdict %q, want %q; reason %q; checks not passed: %q", got, want, b.text("#verdict-reason"), failed)
		return
	}
	if got, msg := b.text("#verdict"), locale.T(lang, "verify.verdict."+want); got != msg {
		b.t.Errorf("verdict text %q, want %q", got, msg)
	}
	if got := b.htmlLang(); got != lang {
		b.t.Errorf("report page <html lang> = %q, want %q", got, lang)
	}
}

// noAddress fails the test if the page's HTML holds the address.
func (b *browser) noAddress(addr string) {
	b.t.Helper()
	if html := eval[string](b, `document.documentElement.outerHTML`); strings.Contains(strings.ToLower(html), strings.ToLower(addr)) {
		b.t.Errorf("%s shows the private address %s", b.location(), addr)
	}
}
