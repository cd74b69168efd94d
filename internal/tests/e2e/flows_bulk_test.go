package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/sceau/sceau/internal/locale"
)

// TestBulkAwardFlow is issue 4's bulk award: an issuer uploads the kind
// of file a French spreadsheet exports (UTF-8 with a byte order mark,
// semicolons) listing 50 recipients, two of them wrong; the preview lists
// all 50 rows with the two refusals and their messages, and nothing is
// awarded yet; started, the job awards the 48 valid rows while the
// progress bar follows it; the two rows, fixed in a second file, are
// awarded as a second batch, for 50 in all.
func TestBulkAwardFlow(t *testing.T) {
	runFlow(t, bulkAwardFlow, flowCase{sqlite, "fr"}, flowCase{postgres, "fr"})
}

// The two bad rows of the 50, by their line in the file (the header is
// line 1, as spreadsheets number them).
const (
	rowNoEmail  = 17 // the e-mail cell is empty
	rowBadEmail = 38 // the e-mail cell holds no address
)

// bulkRecipient is line row's recipient (rows 2 to 51).
func bulkRecipient(u string, row int) (email, name string) {
	return fmt.Sprintf("enseignant-%s-%02d@ecole.example", u, row), fmt.Sprintf("Zoé Lévesque-Bérubé %02d", row)
}

// bulkCSV is the 50-recipient file, with the two bad rows.
func bulkCSV(u string) []byte {
	var b strings.Builder
	b.WriteString("\uFEFFcourriel;nom;récit\r\n")
	for row := 2; row <= 51; row++ {
		email, name := bulkRecipient(u, row)
		switch row {
		case rowNoEmail:
			email = ""
		case rowBadEmail:
			email = "pas-une-adresse"
		}
		fmt.Fprintf(&b, "%s;%s;\"Atelier suivi; compte rendu remis\"\r\n", email, name)
	}
	return []byte(b.String())
}

// fixedCSV holds the two rows, corrected (with commas this time, as an
// English spreadsheet writes).
func fixedCSV(u string) []byte {
	var b strings.Builder
	b.WriteString("email,name\n")
	for _, row := range []int{rowNoEmail, rowBadEmail} {
		email, name := bulkRecipient(u, row)
		fmt.Fprintf(&b, "%s,%s\n", email, name)
	}
	return []byte(b.String())
}

func bulkAwardFlow(t *testing.T, db dbKind, lang string) {
	srv := startServer(t, db)
	b := newBrowser(t, srv, lang)
	T := func(key string, args ...any) string { return locale.T(lang, key, args...) }
	u := unique()

	issuer := newAccount("Mathieu Bouchard")
	b.signUp(issuer)
	b.confirmEmail(issuer)
	o := org{Name: "Service régional " + u, Slug: "sr-" + u}
	b.createOrg(o, lang)
	d := badgeDef{
		Name:        "Atelier de pédagogie inclusive " + u,
		Slug:        "inclusive-" + u,
		Description: "Suivre l'atelier et remettre un compte rendu.",
		Criteria:    "Participer à **tout** l'atelier.\n\n- présence complète\n- compte rendu",
		Bold:        "tout",
		Image:       writePNG(t, "badge.png"),
	}
	b.createBadge(o, d, lang)
	awardPage := "/workspace/" + o.Slug + "/badges/" + d.Slug + "/award"

	// Upload: the preview lists every row, the refused ones with why.
	b.open(awardPage)
	b.upload("#f-file", writeFile(t, "inscriptions.csv", bulkCSV(u)))
	b.click("#csv-submit", "#batch-rows")
	batchURL := b.path()
	if !strings.HasPrefix(batchURL, "/workspace/"+o.Slug+"/batches/") {
		t.Fatalf("after the upload: at %s, want a batch page", batchURL)
	}
	if n := b.count("#batch-rows tr[data-row]"); n != 50 {
		t.Errorf("preview lists %d rows, want 50", n)
	}
	if got, want := b.text("#batch-summary"), T("batch.summary", 48, 2); got != want {
		t.Errorf("preview summary = %q, want %q", got, want)
	}
	if n := b.count("#batch-errors-note"); n != 1 {
		t.Errorf("no note that refused rows are skipped")
	}
	refused := eval[[]string](b, `[...document.querySelectorAll('#batch-rows tr[data-error="true"]')].map(r => r.dataset.row)`)
	if want := []string{strconv.Itoa(rowNoEmail), strconv.Itoa(rowBadEmail)}; strings.Join(refused, ",") != strings.Join(want, ",") {
		t.Errorf("refused rows = %v, want %v", refused, want)
	}
	for row, key := range map[int]string{rowNoEmail: "error.csv.email_missing", rowBadEmail: "error.award.recipient_email_invalid"} {
		sel := fmt.Sprintf(`#batch-rows tr[data-row="%d"] .field-error`, row)
		if got, want := b.text(sel), T(key); !strings.Contains(got, want) {
			t.Errorf("row %d says %q, want it to say %q", row, got, want)
		}
	}
	// The byte order mark did not end up in the first column's name, the
	// semicolons inside quotes did not split the narrative, and accents
	// came through: row 2 reads as written.
	email2, name2 := bulkRecipient(u, 2)
	if got := b.text(`#batch-rows tr[data-row="2"]`); !strings.Contains(got, email2) || !strings.Contains(got, name2) {
		t.Errorf("row 2 reads %q, want %s and %s", got, email2, name2)
	}
	if got, want := b.text("#batch-start"), T("batch.start_skip", 48, 2); got != want {
		t.Errorf("start button = %q, want %q", got, want)
	}

	// Nothing is awarded before the issuer starts.
	b.open("/workspace/" + o.Slug + "/awards")
	if got, want := b.text("#awards-count"), T("awards.count", 0); got != want {
		t.Errorf("before starting: %q, want %q", got, want)
	}

	// Start: the progress bar follows the job to the end.
	b.open(batchURL)
	b.click("#batch-start", "#batch-progress-box")
	waitBatchDone(b, 48)
	if got, want := b.text("#batch-state"), T("batch.state.done"); got != want {
		t.Errorf("batch state = %q, want %q", got, want)
	}
	b.click("#batch-awards", "#award-table")
	if got, want := b.text("#awards-count"), T("awards.count", 48); got != want {
		t.Errorf("awards after the batch: %q, want %q", got, want)
	}
	if n := b.count("#award-table tr[data-award]"); n != 48 {
		t.Errorf("%d awards listed, want 48", n)
	}

	// Each valid row's recipient gets one announcement; the refused rows'
	// people nothing yet.
	var valid []string
	for row := 2; row <= 51; row++ {
		if row != rowNoEmail && row != rowBadEmail {
			email, _ := bulkRecipient(u, row)
			valid = append(valid, email)
		}
	}
	for addr, n := range srv.waitMailCount(t, valid, 30*time.Second) {
		if n != 1 {
			t.Errorf("%s received %d e-mails, want 1", addr, n)
		}
	}
	msg := srv.waitMail(t, email2, "")
	if msg.Link(srv.URL+"/claim/") == "" || !strings.Contains(msg.Subject+msg.Text, d.Name) {
		t.Errorf("announcement to %s: %q without a claim link or the badge's name:\n%s", email2, msg.Subject, msg.Text)
	}
	// The two rows, fixed, as a new batch of their own.
	b.open(awardPage)
	b.upload("#f-file", writeFile(t, "corrections.csv", fixedCSV(u)))
	b.click("#csv-submit", "#batch-rows")
	if n, bad := b.count("#batch-rows tr[data-row]"), b.count(`#batch-rows tr[data-error="true"]`); n != 2 || bad != 0 {
		t.Errorf("fixed file's preview: %d rows, %d refused; want 2 and 0", n, bad)
	}
	if n := b.count("#batch-errors-note"); n != 0 {
		t.Errorf("fixed file's preview warns of refused rows")
	}
	if got, want := b.text("#batch-start"), T("batch.start", 2); got != want {
		t.Errorf("start button = %q, want %q", got, want)
	}
	b.click("#batch-start", "#batch-progress-box")
	waitBatchDone(b, 2)
	b.click("#batch-awards", "#award-table")
	if got, want := b.text("#awards-count"), T("awards.count", 50); got != want {
		t.Errorf("awards after the fix: %q, want %q", got, want)
	}
	if n := b.count("#award-table tr[data-award]"); n != 50 {
		t.Errorf("%d awards listed, want 50", n)
	}
	fixedAddr, _ := bulkRecipient(u, rowBadEmail)
	srv.waitMailCount(t, []string{fixedAddr}, 15*time.Second)
	// The same people are not awarded twice: every recipient shows once.
	recipients := eval[[]string](b, `[...document.querySelectorAll("#award-table tr[data-award] td:first-child .note")].map(e => e.textContent)`)
	seen := map[string]bool{}
	for _, r := range recipients {
		if seen[r] {
			t.Errorf("%s listed twice", r)
		}
		seen[r] = true
	}
}

// waitBatchDone waits on a batch's progress page until the page's own
// polling has seen the job finish (it reloads the page then), and checks
// the bar is full.
func waitBatchDone(b *browser, total int) {
	b.t.Helper()
	// The job may be done before the page first shows: then the bar is
	// full at once and the polling has nothing to do. Either way, the
	// JSON the polling reads must agree with the page.
	b.t.Logf("progress page first shown in state %q", b.attr("#batch-progress-box", "data-state"))
	b.waitVisible(`#batch-progress-box[data-state="done"], #batch-progress-box[data-state="failed"]`)
	if state := b.attr("#batch-progress-box", "data-state"); state != "done" {
		b.fatalf("batch ended %s: %s", state, b.text("#batch-status"))
	}
	type bar struct{ Value, Max float64 }
	got := eval[bar](b, `(() => { const p = document.getElementById("batch-progress"); return {Value: p.value, Max: p.max}; })()`)
	if got.Value != float64(total) || got.Max != float64(total) {
		b.t.Errorf("progress bar at %v of %v, want %d of %d", got.Value, got.Max, total, total)
	}
	type progress struct {
		State       string
		Total, Done int
	}
	p := get(b, "read the progress JSON", chromedp.Evaluate[progress](`fetch(document.getElementById("batch-progress-box").dataset.poll,
		{credentials: "same-origin", headers: {"Accept": "application/json"}}).then(r => r.json())
		.then(j => ({State: j.state, Total: j.total, Done: j.done}))`, chromedp.EvalAwaitPromise))
	if p != (progress{"done", total, total}) {
		b.t.Errorf("progress JSON = %+v, want done %d of %d", p, total, total)
	}
	if n := b.count("#batch-error"); n != 0 {
		b.t.Errorf("batch page shows an error: %s", b.text("#batch-error"))
	}
}
