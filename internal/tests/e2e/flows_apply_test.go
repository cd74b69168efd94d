package e2e

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/mail/smtptest"
)

// TestApplicationFlow is issue 4's earning by application: the owner
// opens a badge to applications and invites a reviewer by e-mail; the
// reviewer signs up with that address and joins; a teacher applies from
// the catalogue with text and a PDF; the reviewer returns it with
// comments; the teacher reads them and resubmits with a second PDF; the
// reviewer accepts; the teacher is told by e-mail, and the award's
// evidence serves both PDFs, byte for byte, to anyone.
func TestApplicationFlow(t *testing.T) {
	runFlow(t, applicationFlow, flowCase{sqlite, "en"})
}

func applicationFlow(t *testing.T, db dbKind, lang string) {
	srv := startServer(t, db)
	owner := newBrowser(t, srv, lang)
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	u := unique()

	ownerAcc := newAccount("Nadia Ouellet")
	owner.signUp(ownerAcc)
	owner.confirmEmail(ownerAcc)
	o := org{Name: "Institut de formation " + u, Slug: "if-" + u}
	owner.createOrg(o, lang)
	d := badgeDef{
		Name:        "Universal design for learning " + u,
		Slug:        "udl-" + u,
		Description: "Plan a unit with universal design for learning.",
		Criteria:    "Submit **one** unit plan.\n\n- the plan\n- the end-of-training certificate (PDF)",
		Bold:        "one",
		Image:       writePNG(t, "badge.png"),

		ApplicationsOpen: true,
	}
	owner.createBadge(o, d, lang)

	// The owner invites a reviewer, who signs up with the invited address
	// and accepts at the e-mail's link.
	revAcc := newAccount("Rémi Caron")
	owner.open("/workspace/" + o.Slug + "/members")
	owner.fill("#f-email", revAcc.Email)
	owner.choose("#f-role", "reviewer")
	owner.choose("#f-language", lang)
	owner.click("#invite-submit", "#flash")
	if flash := owner.text("#flash"); !strings.Contains(flash, revAcc.Email) {
		t.Errorf("flash after inviting = %q, want it to name %s", flash, revAcc.Email)
	}
	invite := srv.waitMailWhere(t, revAcc.Email, "invitation", func(m smtptest.Message) bool {
		return m.Link(srv.URL+"/invitations/") != ""
	})
	if !strings.Contains(invite.Subject+invite.Text, o.Name) {
		t.Errorf("invitation %q does not name the organisation:\n%s", invite.Subject, invite.Text)
	}
	reviewer := owner.newPerson("reviewer", lang)
	reviewer.signUp(revAcc)
	reviewer.confirmEmail(revAcc)
	reviewer.open(invite.Link(srv.URL + "/invitations/"))
	if got, want := reviewer.text("#invitation-text"), T("invitation.body", o.Name, T("role.reviewer")); got != want {
		t.Errorf("invitation page says %q, want %q", got, want)
	}
	reviewer.click("#accept-invitation", "#org-name")
	if got, want := reviewer.path(), "/workspace/"+o.Slug; got != want {
		t.Errorf("after accepting the invitation: at %s, want %s", got, want)
	}
	reviewer.open("/workspace/" + o.Slug + "/applications")
	reviewer.waitVisible("#queue-empty")

	// A teacher finds the badge in the catalogue and applies with a PDF.
	teacherAcc := newAccount("Léa Fortin")
	teacher := owner.newPerson("teacher", lang)
	teacher.signUp(teacherAcc)
	teacher.confirmEmail(teacherAcc)
	teacher.open("/catalogue/" + o.Slug + "/" + d.Slug)
	if got, want := teacher.text("#how-to-earn"), T("catalogue.earn_apply"); got != want {
		t.Errorf("how to earn = %q, want %q", got, want)
	}
	teacher.click("#apply-link", "#apply-form")
	if got := teacher.value("#f-email"); got != teacherAcc.Email {
		t.Errorf("application address = %q, want %q", got, teacherAcc.Email)
	}
	pdf1, pdf2 := pdfWith("Attestation de fin de formation "+u), pdfWith("Plan de la séquence, version 2 "+u)
	firstText := "My unit plan for grade 5 science, with the training certificate attached."
	teacher.fill("#f-text", firstText)
	teacher.upload("#f-files", writeFile(t, "certificate.pdf", pdf1))
	teacher.click("#apply-submit", `#application-state[data-state="submitted"]`)
	appID := strings.TrimPrefix(teacher.path(), "/applications/")
	if !isID(appID) {
		t.Fatalf("after applying: at %s, want /applications/ID", teacher.path())
	}
	if got, want := teacher.text("#flash"), T("flash.applied"); got != want {
		t.Errorf("flash after applying = %q, want %q", got, want)
	}
	teacher.open("/applications")
	if got := teacher.attr(`#my-applications tr[data-application="`+appID+`"]`, "data-state"); got != "submitted" {
		t.Errorf("my applications list it as %q, want submitted", got)
	}

	// The reviewer finds it in the queue, with its text and the PDF, and
	// returns it with comments.
	openReview := func() {
		t.Helper()
		reviewer.open("/workspace/" + o.Slug + "/applications")
		reviewer.click(`#review-queue tr[data-application="`+appID+`"] a`, "#decision-form")
	}
	openReview()
	if got := reviewer.text("#review-applicant"); got != teacherAcc.Name {
		t.Errorf("applicant = %q, want %q", got, teacherAcc.Name)
	}
	if got := reviewer.text("#submission-text"); got != firstText {
		t.Errorf("submission text = %q, want %q", got, firstText)
	}
	if files := reviewer.pageFetchAll("#submission-files a"); len(files) != 1 || files[0] != string(pdf1) {
		t.Errorf("reviewer sees %d files, want the one PDF", len(files))
	}
	// Until the badge is awarded, the files are private.
	fileURL := reviewer.attr("#submission-files a", "href")
	if status, _, body := srv.fetch(t, fileURL); status == http.StatusOK && string(body) == string(pdf1) {
		t.Errorf("%s served to a visitor without a session before any award", fileURL)
	}
	comments := "Please add the certificate's second page (signatures) " + u + "."
	reviewer.click("#decision-returned", "#decision-returned:checked")
	reviewer.fill("#f-comments", comments)
	reviewer.click("#decision-submit", "#queue-empty")
	if got, want := reviewer.text("#flash"), T("flash.decided.returned"); got != want {
		t.Errorf("flash after returning = %q, want %q", got, want)
	}

	// The teacher is told, reads the comments and resubmits.
	returned := srv.waitMailWhere(t, teacherAcc.Email, "application returned", func(m smtptest.Message) bool {
		return strings.Contains(m.Text, comments)
	})
	link := returned.Link(srv.URL + "/applications/" + appID)
	if link == "" {
		t.Fatalf("returned-application e-mail %q has no link to the application:\n%s", returned.Subject, returned.Text)
	}
	teacher.open(link)
	teacher.waitVisible(`#application-state[data-state="returned"]`)
	if got := teacher.text(`#application-history li[data-state="returned"] .comments`); got != comments {
		t.Errorf("teacher reads comments %q, want %q", got, comments)
	}
	if got := teacher.value("#f-text"); got != firstText {
		t.Errorf("resubmission form starts with %q, want the first text", got)
	}
	secondText := firstText + " The second page is now attached."
	teacher.fill("#f-text", secondText)
	teacher.upload("#f-files", writeFile(t, "certificate-complete.pdf", pdf2))
	teacher.click("#resubmit-submit", `#application-state[data-state="submitted"]`)
	if n := teacher.count("#resubmit-form"); n != 0 {
		t.Errorf("resubmission form still offered while the application waits")
	}

	// The reviewer sees the new text and both files, and accepts.
	openReview()
	if got := reviewer.text("#submission-text"); got != secondText {
		t.Errorf("resubmitted text = %q, want %q", got, secondText)
	}
	if files := reviewer.pageFetchAll("#submission-files a"); len(files) != 2 || files[0] != string(pdf1) || files[1] != string(pdf2) {
		t.Errorf("reviewer sees %d files after the resubmission, want both PDFs in order", len(files))
	}
	reviewer.click("#decision-accepted", "#decision-accepted:checked")
	reviewer.click("#decision-submit", "#queue-empty")
	if got, want := reviewer.text("#flash"), T("flash.decided.accepted"); got != want {
		t.Errorf("flash after accepting = %q, want %q", got, want)
	}

	// The teacher's decision e-mail leads to the award, whose evidence is
	// the submission: both PDFs, public now, byte for byte.
	accepted := srv.waitMailWhere(t, teacherAcc.Email, "application accepted", func(m smtptest.Message) bool {
		return m.Link(srv.URL+"/awards/") != ""
	})
	if !strings.Contains(accepted.Subject+accepted.Text, d.Name) {
		t.Errorf("decision e-mail %q does not name the badge:\n%s", accepted.Subject, accepted.Text)
	}
	awardURL := accepted.Link(srv.URL + "/awards/")
	srv.waitMailWhere(t, teacherAcc.Email, "award announcement", func(m smtptest.Message) bool {
		return m.Link(srv.URL+"/claim/") != ""
	})
	teacher.open("/applications/" + appID)
	teacher.waitVisible(`#application-state[data-state="accepted"]`)
	teacher.click("#application-award", "#evidence")
	if got := teacher.location(); got != awardURL {
		t.Errorf("application's award link leads to %s, the e-mail to %s", got, awardURL)
	}
	if got := teacher.text("#badge-name"); got != d.Name {
		t.Errorf("award page names %q, want %q", got, d.Name)
	}
	hrefs := eval[[]string](teacher, `[...document.querySelectorAll("#evidence a")].map(a => a.getAttribute("href"))`)
	var served []string
	for _, h := range hrefs {
		status, hdr, body := srv.fetch(t, h)
		if status != http.StatusOK {
			t.Errorf("evidence %s: status %d", h, status)
			continue
		}
		if ct := hdr.Get("Content-Type"); ct != "application/pdf" {
			t.Errorf("evidence %s served as %q", h, ct)
		}
		served = append(served, string(body))
	}
	if len(served) != 2 || served[0] != string(pdf1) || served[1] != string(pdf2) {
		t.Errorf("award evidence serves %d files %v; want the two PDFs in order", len(served), hrefs)
	}
	owner.checkVerdict(strings.TrimPrefix(awardURL, srv.URL+"/awards/"), "valid", lang)
}

// pageFetchAll fetches, from the page (with its session), the targets of
// the links matching sel, and returns their bodies in order.
func (b *browser) pageFetchAll(sel string) []string {
	b.t.Helper()
	type result struct {
		Status int
		Body   string
	}
	got := get(b, "fetch the links of "+sel, chromedp.Evaluate[[]result](fmt.Sprintf(`Promise.all(
		[...document.querySelectorAll(%s)].map(a => fetch(a.href, {credentials: "same-origin"})
			.then(r => r.arrayBuffer().then(buf => ({Status: r.status,
				Body: btoa(String.fromCharCode(...new Uint8Array(buf)))}))))
	)`, jsString(sel)), chromedp.EvalAwaitPromise))
	var bodies []string
	for i, r := range got {
		if r.Status != http.StatusOK {
			b.t.Errorf("link %d of %s: status %d", i+1, sel, r.Status)
		}
		body, err := base64.StdEncoding.DecodeString(r.Body)
		if err != nil {
			b.t.Fatalf("link %d of %s: %v", i+1, sel, err)
		}
		bodies = append(bodies, string(body))
	}
	return bodies
}

// isID says whether s looks like one of the server's ids (a UUID).
func isID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, r := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if r != '-' {
				return false
			}
		case r >= '0' && r <= '9', r >= 'a' && r <= 'f':
		default:
			return false
		}
	}
	return true
}
