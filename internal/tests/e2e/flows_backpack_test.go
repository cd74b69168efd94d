package e2e

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/mail/smtptest"
)

// Issue 8's flows in a browser: a pathway's progress picture and its
// automatic completion badge; a development activity attested by a mentor
// from an e-mail link, in one click, into a signed credential.

// TestPathwayFlow: an organisation defines a pathway in its workspace
// ("all of" two of its badges, with a completion badge) and awards both
// badges to a teacher by e-mail. The teacher claims the first from the
// e-mail's link: the portfolio's pathway picture shows one badge earned,
// the other to earn with the link to where to earn it, and "1 of 2". Once
// the second is claimed the pathway is complete, its completion badge has
// been awarded at once (in the "to accept" list and by e-mail), it cites
// both badges as evidence, and the picture shows everything earned.
// Each flow runs in both languages and on both databases, in two cases
// rather than four: the package stays under two minutes.
func TestPathwayFlow(t *testing.T) {
	runFlow(t, pathwayFlow, flowCase{sqlite, "fr"}, flowCase{postgres, "en"})
}

func pathwayFlow(t *testing.T, db dbKind, lang string) {
	srv := startServer(t, db)
	issuer := newBrowser(t, srv, lang)
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	u := unique()

	issuerAcc := newAccount("Sylvie Bergeron")
	issuer.signUp(issuerAcc)
	issuer.confirmEmail(issuerAcc)
	o := org{Name: "Réseau des écoles " + u, Slug: "re-" + u}
	issuer.createOrg(o, lang)
	badge := func(name, slug string) badgeDef {
		return badgeDef{Name: name + " " + u, Slug: slug + "-" + u, Description: "Atelier de formation continue.",
			Criteria: "Participer à **trois** séances.\n\n- une présence\n- une réflexion", Bold: "trois",
			Image: writePNG(t, slug+".png")}
	}
	first, second := badge("Lecture professionnelle", "lecture"), badge("Communauté d'apprentissage", "communaute")
	done := badge("Parcours numérique complété", "parcours")
	for _, d := range []badgeDef{first, second, done} {
		issuer.createBadge(o, d, lang)
	}

	// The pathway, from the workspace: its requirements as text.
	pw := struct{ Name, Slug string }{"Parcours numérique " + u, "numerique-" + u}
	issuer.open("/workspace/" + o.Slug + "/pathways")
	issuer.fill("#f-name", pw.Name)
	issuer.fill("#f-slug", pw.Slug)
	issuer.fill("#f-description", "Deux ateliers, puis le badge du parcours.")
	issuer.choose("#f-language", lang)
	issuer.fill("#f-tree", "all\n  badge "+o.Slug+"/"+first.Slug+"\n  badge "+o.Slug+"/"+second.Slug+"\n")
	issuer.chooseText("#f-completion_badge", done.Name)
	issuer.click("#pathway-submit", "#pathway-name")
	if got, want := issuer.path(), "/workspace/"+o.Slug+"/pathways/"+o.Slug+"/"+pw.Slug; got != want {
		t.Fatalf("after creating the pathway: at %s, want %s", got, want)
	}
	// The owner's picture: two requirements, no progress (no one's).
	if n := issuer.count("svg.pathway-diagram g.node:not(.group)"); n != 2 {
		t.Errorf("the pathway's picture shows %d badges, want 2", n)
	}
	if got, want := issuer.textContent("svg.pathway-diagram desc"), T("pathway.diagram_desc", 2); got != want {
		t.Errorf("picture's description %q, want %q", got, want)
	}

	// Both badges awarded to the teacher's address.
	teacherAcc := newAccount("Julien Pelletier")
	claimLink := func(d badgeDef) string {
		msg := srv.waitMailWhere(t, teacherAcc.Email, "award of "+d.Name, func(m smtptest.Message) bool {
			return m.Link(srv.URL+"/claim/") != "" && strings.Contains(m.Subject+m.Text, d.Name)
		})
		return msg.Link(srv.URL + "/claim/")
	}
	issuer.awardOne(o, first, teacherAcc.Email, teacherAcc.Name, writePDF(t, "presence.pdf"), lang)
	issuer.awardOne(o, second, teacherAcc.Email, teacherAcc.Name, writePDF(t, "presence.pdf"), lang)
	claimFirst, claimSecond := claimLink(first), claimLink(second)

	teacher := issuer.newPerson("teacher", lang)
	teacher.signUp(teacherAcc)
	teacher.confirmEmail(teacherAcc)
	teacher.claim(claimFirst, first.Name)

	// The progress picture: one earned, one to earn, and where.
	progress := "#progress-" + o.Slug + "-" + pw.Slug
	teacher.click("#pathways-link", progress)
	if got := teacher.attr(progress, "data-done"); got != "false" {
		t.Errorf("pathway with one badge of two: data-done=%q", got)
	}
	if got := teacher.attr(progress+" meter", "value") + "/" + teacher.attr(progress+" meter", "max"); got != "1/2" {
		t.Errorf("progress meter %s, want 1/2", got)
	}
	if got, want := teacher.text(progress+" .summary"), T("pathway.progress_desc", 1, 2); !strings.Contains(got, want) {
		t.Errorf("progress summary %q, want it to say %q", got, want)
	}
	svg := progress + " svg.pathway-diagram"
	if got, want := teacher.textContent(svg+" desc"), T("pathway.progress_desc", 1, 2); got != want {
		t.Errorf("picture's text alternative %q, want %q", got, want)
	}
	if got, want := teacher.attr(svg, "role"), "img"; got != want {
		t.Errorf("picture's role %q, want %q", got, want)
	}
	nodes := teacher.diagram(svg)
	want := []diagramNode{
		{Group: true, Status: "todo", Text: T("pathway.all_of") + " " + T("pathway.group_progress", 1, 2)},
		{Status: "done", Text: first.Name + " — " + o.Name},
		{Status: "todo", Text: second.Name + " — " + o.Name, Earn: "/catalogue/" + o.Slug + "/" + second.Slug},
	}
	if fmt.Sprint(nodes) != fmt.Sprint(want) {
		t.Errorf("pathway picture:\n got %+v\nwant %+v", nodes, want)
	}
	// The text version says the same, in words.
	text := progress + " ul.pathway-text"
	if n := teacher.count(text + ` li.requirement[data-status="done"]`); n != 1 {
		t.Errorf("text version: %d badges earned, want 1", n)
	}
	todo := text + ` li.requirement[data-status="todo"]`
	if got := teacher.textContent(todo); !strings.Contains(got, T("pathway.todo")) || !strings.Contains(got, second.Name) {
		t.Errorf("text version's badge to earn reads %q, want %q and %q", got, T("pathway.todo"), second.Name)
	}
	if got, want := teacher.attr(todo+" a.earn", "href"), "/catalogue/"+o.Slug+"/"+second.Slug; got != want {
		t.Errorf("text version's where-to-earn link %q, want %q", got, want)
	}
	// Following the picture's link leads to the badge's catalogue page.
	teacher.click(svg+` a[href="/catalogue/`+o.Slug+"/"+second.Slug+`"] text`, "#how-to-earn")
	if got := teacher.text("#badge-name"); got != second.Name {
		t.Errorf("where-to-earn link opened %q, want %q", got, second.Name)
	}

	// The second badge completes the pathway: the completion badge is
	// awarded at once, to the teacher's address, waiting to be accepted.
	teacher.claim(claimSecond, second.Name)
	pending := eval[string](teacher, `(() => {
		for (const li of document.querySelectorAll("#pending li[data-award]")) {
			if (li.querySelector("strong").textContent === `+jsString(done.Name)+`) { return li.dataset.award; }
		}
		return "";
	})()`)
	if pending == "" {
		t.Fatalf("completion badge %q not in the portfolio's list to accept", done.Name)
	}
	srv.waitMailWhere(t, teacherAcc.Email, "award of the completion badge", func(m smtptest.Message) bool {
		return m.Link(srv.URL+"/claim/") != "" && strings.Contains(m.Subject+m.Text, done.Name)
	})

	teacher.click("#pathways-link", progress+`[data-done="true"]`)
	if got := teacher.text(progress + " .summary"); !strings.Contains(got, T("pathway.progress_desc", 2, 2)) || !strings.Contains(got, T("pathway.completed")) {
		t.Errorf("complete pathway's summary %q, want %q and %q", got, T("pathway.progress_desc", 2, 2), T("pathway.completed"))
	}
	if got, want := teacher.attr(progress+" a.completion-award", "href"), "/awards/"+pending; got != want {
		t.Errorf("completion link %q, want %q", got, want)
	}
	if got, want := teacher.textContent(svg+" desc"), T("pathway.progress_desc", 2, 2)+" "+T("pathway.complete"); got != want {
		t.Errorf("complete picture's text alternative %q, want %q", got, want)
	}
	want = []diagramNode{
		{Group: true, Status: "done", Text: T("pathway.all_of") + " " + T("pathway.group_progress", 2, 2)},
		{Status: "done", Text: first.Name + " — " + o.Name},
		{Status: "done", Text: second.Name + " — " + o.Name},
	}
	if nodes := teacher.diagram(svg); fmt.Sprint(nodes) != fmt.Sprint(want) {
		t.Errorf("complete pathway's picture:\n got %+v\nwant %+v", nodes, want)
	}

	// Accepted, it is in the portfolio; its credential cites both badges.
	teacher.open("/portfolio")
	teacher.click("#accept-"+pending, "#flash")
	item := "#item-" + strings.TrimPrefix(eval[string](teacher, `location.hash`), "#item-")
	if teacher.count(item) != 1 || teacher.text(item+" strong") != done.Name {
		t.Errorf("accepted completion badge: no portfolio item %s named %q", item, done.Name)
	}
	teacher.open("/awards/" + pending)
	teacher.waitVisible("#badge-name")
	evidence := teacher.text("#evidence")
	if n := teacher.count("#evidence li"); n != 2 || !strings.Contains(evidence, first.Name) || !strings.Contains(evidence, second.Name) {
		t.Errorf("completion badge's evidence (%d items) %q, want the two badges %q and %q", n, evidence, first.Name, second.Name)
	}
	teacher.checkVerdict(pending, "valid", lang)
}

// claim accepts an award from its e-mail's claim link and lands on the
// portfolio.
func (b *browser) claim(link, name string) {
	b.t.Helper()
	b.open(link)
	b.waitVisible("#claim-question")
	if got := b.text("#claim-badge-name"); got != name {
		b.t.Errorf("claim page names %q, want %q", got, name)
	}
	b.click("#claim-accept", "#portfolio-title")
}

// textContent returns the text of the first element matching sel, shown
// or not (innerText is empty inside a closed <details>, and SVG elements
// have none).
func (b *browser) textContent(sel string) string {
	b.t.Helper()
	return strings.Join(strings.Fields(b.read(sel, "text content", `e.textContent`)), " ")
}

// chooseText selects the option of a <select> whose text is text (when
// its value is an id the test does not know).
func (b *browser) chooseText(sel, text string) {
	b.t.Helper()
	script := fmt.Sprintf(`(() => {
		const s = document.querySelector(%s);
		const o = s && [...s.options].find(o => o.textContent.trim() === %s);
		if (!o) { return false; }
		s.value = o.value;
		s.dispatchEvent(new Event("change", {bubbles: true}));
		return true;
	})()`, jsString(sel), jsString(text))
	if !eval[bool](b, script) {
		b.fatalf("no option %q in %s", text, sel)
	}
}

// diagramNode is one row of a pathway's SVG picture as a person sees it:
// a group or a badge, its state (filled when done), its text, and the
// link to where to earn it.
type diagramNode struct {
	Group        bool
	Status, Text string
	Earn         string
}

func (b *browser) diagram(svg string) []diagramNode {
	b.t.Helper()
	return eval[[]diagramNode](b, fmt.Sprintf(`[...document.querySelectorAll(%s)].map(g => {
		const a = g.querySelector("a");
		return {Group: g.classList.contains("group"), Status: g.dataset.status, Text: g.querySelector("text").textContent,
			Earn: a ? a.getAttribute("href") : ""};
	})`, jsString(svg+" g.node")))
}

// TestAttestationFlow: a teacher records a development activity (kind,
// title, date, hours, reflection, a PDF) and asks a mentor by e-mail to
// attest it. The mentor, who has no account, opens the e-mail's link,
// sees the activity and its file, and confirms in one click. The teacher
// sees the activity attested and the attestation in the portfolio as a
// credential that the verification page reads valid and hers. The link
// used again, or the form of a second tab sent after the first, is
// refused with the page that says the link is no longer valid. Before the
// organisation the server signs attestations with exists, the activity's
// page says attestations are not available rather than offering a request
// no confirmation could sign.
func TestAttestationFlow(t *testing.T) {
	runFlow(t, attestationFlow, flowCase{sqlite, "en"}, flowCase{postgres, "fr"})
}

func attestationFlow(t *testing.T, db dbKind, lang string) {
	u := unique()
	// The operator names the organisation that signs attestations; it is
	// created once the teacher has seen that, without it, none can be
	// asked for.
	o := org{Name: "Centre de services scolaire " + u, Slug: "css-" + u}
	srv := startServer(t, db, "--vc-issuer", o.Slug)
	operator := newBrowser(t, srv, lang)
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	opAcc := newAccount("Hélène Dubé")
	operator.signUp(opAcc)
	operator.confirmEmail(opAcc)

	teacherAcc := newAccount("Camille Nadeau")
	teacher := operator.newPerson("teacher", lang)
	teacher.signUp(teacherAcc)
	teacher.confirmEmail(teacherAcc)

	// The activity, with a PDF as evidence.
	teacher.open("/portfolio")
	teacher.click("#activities-link", "#activity-form")
	title := "Communauté de pratique en lecture " + u
	hours := "2.5" // typed and shown with the language's decimal sign
	if lang == "fr" {
		hours = "2,5"
	}
	pdf := pdfWith("Compte rendu de la communaute " + u)
	teacher.choose("#f-kind", "community")
	teacher.fill("#f-title", title)
	teacher.choose("#f-date", "2026-03-14") // a date input's value is ISO whatever the locale shows
	teacher.fill("#f-hours", hours)
	teacher.fill("#f-reflection", "J'ai essayé les cercles de lecture avec mes élèves de 4e année.")
	teacher.upload("#f-files", writeFile(t, "compte-rendu.pdf", pdf))
	teacher.click("#activity-submit", `#year-2026 li[data-kind="community"]`)
	activityID := strings.TrimPrefix(eval[string](teacher, `location.hash`), "#activity-")
	row := "#activity-" + activityID
	if !isID(activityID) || teacher.count(row) != 1 {
		t.Fatalf("after saving the activity: at %s, no row %s", teacher.location(), row)
	}
	if got, want := teacher.text("#flash"), T("flash.activity.saved"); got != want {
		t.Errorf("flash after saving = %q, want %q", got, want)
	}
	if got, want := teacher.text("#activities-total"), T("activities.total", hours); got != want {
		t.Errorf("total %q, want %q", got, want)
	}
	if got := teacher.text(row); !strings.Contains(got, title) || !strings.Contains(got, T("activity.kind.community")) ||
		!strings.Contains(got, T("activities.hours_short", hours)) {
		t.Errorf("activity row %q, want its title, kind and %s hours", got, hours)
	}

	teacher.click(row+" a", "#activity-title")
	if n := teacher.count("#activity-files a"); n != 1 {
		t.Errorf("activity page lists %d files, want 1", n)
	}
	if got, want := teacher.text("#attest-unavailable"), T("error.attestation.unavailable"); got != want || teacher.count("#attest-form") != 0 {
		t.Errorf("before the signing organisation exists: %q and %d request forms; want %q and none", got, teacher.count("#attest-form"), want)
	}

	// The request to the mentor, once the organisation exists.
	operator.createOrg(o, lang)
	teacher.open("/portfolio/activities/" + activityID)
	mentorName, mentorEmail := "Marc-André Gauthier", "mentor-"+u+"@ecole.example"
	teacher.fill("#f-attester_name", mentorName)
	teacher.fill("#f-attester_email", mentorEmail)
	teacher.click("#attest-submit", `#attestations li[data-state="pending"]`)
	if got, want := teacher.text("#flash"), T("flash.attestation.requested"); got != want {
		t.Errorf("flash after asking = %q, want %q", got, want)
	}
	msg := srv.waitMailWhere(t, mentorEmail, "attestation request", func(m smtptest.Message) bool {
		return m.Link(srv.URL+"/attest/") != ""
	})
	if !strings.Contains(msg.Text, teacherAcc.Name) || !strings.Contains(msg.Subject+msg.Text, title) {
		t.Errorf("attestation request %q does not name the teacher and the activity:\n%s", msg.Subject, msg.Text)
	}
	link := msg.Link(srv.URL + "/attest/")

	// The mentor, without an account, reads the activity and its file and
	// confirms in one click; a second tab opened on the same link keeps
	// the form.
	mentor := operator.newPerson("mentor", lang)
	mentor.open(link)
	mentor.waitVisible("#attest-ask")
	if got, want := mentor.text("#attest-ask"), T("attest.request", teacherAcc.Name, mentorName); got != want {
		t.Errorf("attestation page asks %q, want %q", got, want)
	}
	if got := mentor.text("#attest-activity h2"); got != title {
		t.Errorf("attestation page shows %q, want %q", got, title)
	}
	fileURL := mentor.attr("#attest-activity a[href*='/files/']", "href")
	if status, hdr, body := srv.fetch(t, fileURL); status != 200 || hdr.Get("Content-Type") != "application/pdf" || string(body) != string(pdf) {
		t.Errorf("activity file at the attester's link: %d %s, %d bytes; want the teacher's PDF", status, hdr.Get("Content-Type"), len(body))
	}
	stale := operator.newPerson("mentor-again", lang)
	stale.open(link)
	stale.waitVisible("#attest-confirm")
	mentor.click("#attest-confirm button", "#attest-confirmed")
	if got, want := mentor.text("#attest-confirmed"), T("attest.confirmed", teacherAcc.Name); got != want {
		t.Errorf("after confirming: %q, want %q", got, want)
	}

	// Used once, the link is refused: opened again, or sent from the
	// form of the tab opened before.
	mentor.open(link)
	mentor.waitVisible("#attest-gone")
	if got, want := mentor.text("#attest-gone"), T("attest.gone"); got != want {
		t.Errorf("link opened again: %q, want %q", got, want)
	}
	if n := mentor.count("#attest-confirm"); n != 0 {
		t.Errorf("link opened again still offers to confirm")
	}
	if status, _, _ := srv.fetch(t, link); status != 404 {
		t.Errorf("GET of a used attestation link: %d, want 404", status)
	}
	stale.click("#attest-confirm button", "#attest-gone")
	if got, want := stale.text("#attest-gone"), T("attest.gone"); got != want {
		t.Errorf("second confirmation: %q, want %q", got, want)
	}

	// The teacher sees it attested, and the credential in the portfolio.
	teacher.open("/portfolio/activities/" + activityID)
	if got := teacher.text(`#attestations li[data-state="confirmed"]`); !strings.Contains(got, mentorName) || !strings.Contains(got, T("attest.state.confirmed")) {
		t.Errorf("attestation listed as %q, want %s %q", got, mentorName, T("attest.state.confirmed"))
	}
	if n := teacher.count("#attestations li"); n != 1 {
		t.Errorf("%d attestations listed, want 1 (confirmed once)", n)
	}
	teacher.open("/portfolio")
	teacher.waitVisible("#portfolio-title")
	itemIDs := eval[[]string](teacher, `[...document.querySelectorAll("li[id^='item-']")].filter(li => li.querySelector("strong").textContent === `+jsString(title)+`).map(li => li.id.slice(5))`)
	if len(itemIDs) != 1 {
		t.Fatalf("%d portfolio items named %q, want the one attestation", len(itemIDs), title)
	}
	item := "#item-" + itemIDs[0]
	if got := teacher.attr(item, "data-state"); got != "active" {
		t.Errorf("attestation in the portfolio: state %q, want active", got)
	}
	type download struct {
		Status      int
		ContentType string
		Body        string
	}
	d := get(teacher, "download the attestation", chromedp.Evaluate[download](fmt.Sprintf(`fetch(%s).then(async r => ({Status: r.status, ContentType: r.headers.get("Content-Type"), Body: await r.text()}))`,
		jsString(teacher.attr("#download-"+itemIDs[0], "href"))), chromedp.EvalAwaitPromise))
	if d.Status != 200 {
		t.Fatalf("download of the attestation: %d %s", d.Status, d.ContentType)
	}
	var cred struct {
		Type   []string
		Issuer struct{ Name string }
		Proof  json.RawMessage
		Subj   struct {
			Achievement struct{ Name string }
		} `json:"credentialSubject"`
	}
	if err := json.Unmarshal([]byte(d.Body), &cred); err != nil {
		t.Fatalf("downloaded attestation (%s) is not JSON: %v\n%.300s", d.ContentType, err, d.Body)
	}
	if !slices.Contains(cred.Type, "OpenBadgeCredential") || cred.Subj.Achievement.Name != title || cred.Issuer.Name != o.Name || len(cred.Proof) == 0 {
		t.Errorf("attestation credential: %v, achievement %q by %q (proof %d bytes); want an OpenBadgeCredential for %q by %q, signed",
			cred.Type, cred.Subj.Achievement.Name, cred.Issuer.Name, len(cred.Proof), title, o.Name)
	}

	// Dropped on the verification page with her address: valid, hers.
	teacher.open("/verify")
	teacher.fill("#f-email", teacherAcc.Email)
	teacher.drop("#drop-zone", "attestation.json", "application/json", []byte(d.Body))
	teacher.checkReport("valid", lang, srv.URL)
	if teacher.count("#report-recipient .ok") != 1 {
		t.Errorf("report does not say the attestation belongs to %s: %q", teacherAcc.Email, teacher.text("#report-recipient"))
	}
	if got := teacher.text("#report-badge-name"); got != title {
		t.Errorf("report names %q, want %q", got, title)
	}
}
