package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

// attestMail records the attestation links sent, by address.
type attestMail struct {
	mu    sync.Mutex
	links map[string]string
}

func (m *attestMail) AttestationRequest(_ context.Context, to, _, _, _, _, link string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.links[to] = link
	return nil
}

func (m *attestMail) link(t *testing.T, to string) string {
	t.Helper()
	m.mu.Lock()
	defer m.mu.Unlock()
	l, ok := m.links[to]
	if !ok {
		t.Fatalf("no attestation link sent to %s", to)
	}
	u, err := url.Parse(l)
	if err != nil || u.Scheme+"://"+u.Host != testBase || !strings.HasPrefix(u.Path, "/attest/") {
		t.Fatalf("attestation link %q", l)
	}
	return u.Path
}

var sentAttestations = &attestMail{links: map[string]string{}}

// The fixture's server signs attestations as cssdm and sends requests to
// sentAttestations (web_test.go).
func TestActivities(t *testing.T) { storetest.ForEach(t, testActivities) }

func testActivities(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	ctx := context.Background()
	for _, lang := range []string{"fr", "en"} {
		t.Run(lang, func(t *testing.T) {
			email := "lise." + lang + "@ecole.example"
			b := f.signUp(t, lang, "Lise "+lang, email)
			resp, body := b.get("/portfolio/activities")
			if resp.StatusCode != http.StatusOK || byID(body, "activities-none") == "" || byID(body, "activity-form") == "" {
				t.Fatalf("empty page: %s %.400s", resp.Status, body)
			}
			good := map[string]string{"kind": "conference", "title": "Colloque AQUOPS", "date": "2025-11-20",
				"hours": "6,5", "reflection": "La rétroaction.", "links": "https://aquops.example/2025\n"}
			// Refusals, by field.
			for _, c := range []struct{ name, field, value string }{
				{"zero hours", "hours", "0"},
				{"too many hours", "hours", "500.01"},
				{"not a number", "hours", "six"},
				{"infinite", "hours", "Inf"},
				{"no title", "title", " "},
				{"bad date", "date", "2025-13-01"},
				{"unknown kind", "kind", "party"},
				{"script link", "links", "javascript:alert(1)"},
			} {
				fields := map[string]string{}
				for k, v := range good {
					fields[k] = v
				}
				fields[c.field] = c.value
				resp, body := b.postMultipart("/portfolio/activities", fields, nil)
				if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, c.field) == "" {
					t.Errorf("%s: %s, error on %s %q", c.name, resp.Status, c.field, fieldError(body, c.field))
				}
			}
			resp, body = b.postMultipart("/portfolio/activities", good, map[string][2]string{"files": {"notes.txt", "plain text"}})
			if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "files") == "" {
				t.Errorf("text file accepted: %s", resp.Status)
			}

			resp, body = b.postMultipart("/portfolio/activities", good, map[string][2]string{"files": {"notes.png", string(pngImage(t))}})
			loc := wantRedirect(t, resp, body, "/portfolio/activities#activity-")
			id := strings.TrimPrefix(loc, "/portfolio/activities#activity-")
			second := map[string]string{"kind": "reading", "title": "Visible Learning", "date": "2026-01-05", "hours": "2"}
			resp, body = b.postMultipart("/portfolio/activities", second, nil)
			wantRedirect(t, resp, body, "/portfolio/activities#")
			_, body = b.get("/portfolio/activities")
			wantTotal := map[string]string{"fr": "Total : 8,5 h", "en": "Total: 8.5 h"}[lang]
			if !strings.Contains(body, wantTotal) || byID(body, "year-2025") == "" || byID(body, "year-2026") == "" ||
				byID(body, "activity-"+id) == "" {
				t.Errorf("list: want %q and two years; %.2000s", wantTotal, body)
			}
			if got := byID(body, "year-2025-hours"); got == "" {
				t.Errorf("no hours for 2025")
			}
			resp, _ = b.get("/portfolio/activities/" + id + "/files/1")
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/png" {
				t.Errorf("file: %s %s", resp.Status, resp.Header.Get("Content-Type"))
			}
			// Another account sees none of it.
			other := f.signUp(t, lang, "Paul", "paul."+lang+"@ecole.example")
			for _, p := range []string{"/portfolio/activities/" + id, "/portfolio/activities/" + id + "/files/1"} {
				if resp, _ := other.get(p); resp.StatusCode != http.StatusNotFound {
					t.Errorf("%s by another: %s", p, resp.Status)
				}
			}
			if resp, _ := other.post("/portfolio/activities/" + id + "/delete"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("delete by another: %s", resp.Status)
			}

			// Edit.
			edit := map[string]string{"kind": "conference", "title": "Colloque AQUOPS 2025", "date": "2025-11-20", "hours": "7"}
			resp, body = b.postMultipart("/portfolio/activities/"+id, map[string]string{"kind": "conference", "title": "x", "date": "2025-11-20", "hours": "-1"}, nil)
			if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "hours") == "" {
				t.Errorf("bad edit: %s", resp.Status)
			}
			resp, body = b.postMultipart("/portfolio/activities/"+id, edit, nil)
			wantRedirect(t, resp, body, "/portfolio/activities#activity-"+id)
			a, err := db.GetActivity(ctx, "", id)
			if err != nil || a.Title != "Colloque AQUOPS 2025" || a.HoursCenti != 700 || len(a.Files) != 1 {
				t.Fatalf("edited: %+v %v", a, err)
			}

			// Attestation: bad input by field, then a request.
			resp, body = b.post("/portfolio/activities/"+id+"/attest", "attester_name", "Nadia", "attester_email", "nadia")
			if resp.StatusCode != http.StatusUnprocessableEntity || fieldError(body, "attester_email") == "" {
				t.Errorf("bad attester address: %s", resp.Status)
			}
			attester := "nadia." + lang + "@css.example"
			resp, body = b.post("/portfolio/activities/"+id+"/attest", "attester_name", "Nadia Roy", "attester_email", attester)
			wantRedirect(t, resp, body, "/portfolio/activities/"+id)
			link := sentAttestations.link(t, attester)

			anon := f.browser(t, lang)
			resp, body = anon.get(link)
			if resp.StatusCode != http.StatusOK || byID(body, "attest-confirm") == "" || !strings.Contains(body, "Colloque AQUOPS 2025") {
				t.Fatalf("attester page: %s %.600s", resp.Status, body)
			}
			resp, body = anon.post(link + "/confirm")
			if resp.StatusCode != http.StatusOK || byID(body, "attest-confirmed") == "" {
				t.Fatalf("confirm: %s %.600s", resp.Status, body)
			}
			// The portfolio holds a credential that verifies.
			reqs, _ := db.ListAttestations(ctx, a.UserID, id)
			if len(reqs) != 1 || reqs[0].ItemID == "" {
				t.Fatalf("requests %+v", reqs)
			}
			e, err := db.GetPortfolioEntry(ctx, a.UserID, reqs[0].ItemID)
			if err != nil {
				t.Fatal(err)
			}
			cred := e.Item.Credential
			if len(cred) == 0 {
				t.Fatalf("attestation %s has no credential", reqs[0].ItemID)
			}
			if rep := verify.Verify(ctx, cred, verify.Options{Now: f.now.Add(time.Hour)}); rep.Verdict != verify.Valid {
				t.Errorf("attestation verdict %s: %v", rep.Verdict, rep.Reason)
			}
			_, body = b.get("/portfolio")
			if !strings.Contains(body, "Colloque AQUOPS 2025") {
				t.Errorf("attestation not on /portfolio")
			}
			// Used: refused.
			for _, p := range []string{link, link + "/confirm", link + "/decline"} {
				var resp *http.Response
				var body string
				if p != link {
					resp, body = anon.post(p)
				} else {
					resp, body = anon.get(p)
				}
				if resp.StatusCode != http.StatusNotFound || byID(body, "attest-gone") == "" {
					t.Errorf("used link %s: %s", p, resp.Status)
				}
			}

			// Declined.
			resp, body = b.post("/portfolio/activities/"+id+"/attest", "attester_name", "Marc", "attester_email", "marc."+lang+"@css.example")
			wantRedirect(t, resp, body, "/portfolio/activities/"+id)
			link2 := sentAttestations.link(t, "marc."+lang+"@css.example")
			resp, body = anon.post(link2 + "/decline")
			if resp.StatusCode != http.StatusOK || byID(body, "attest-declined") == "" {
				t.Errorf("decline: %s", resp.Status)
			}
			if resp, _ := anon.post(link2 + "/confirm"); resp.StatusCode != http.StatusNotFound {
				t.Errorf("declined link confirmed: %s", resp.Status)
			}
			// Expired.
			resp, body = b.post("/portfolio/activities/"+id+"/attest", "attester_name", "Léa", "attester_email", "lea."+lang+"@css.example")
			wantRedirect(t, resp, body, "/portfolio/activities/"+id)
			link3 := sentAttestations.link(t, "lea."+lang+"@css.example")
			saved := f.now
			f.now = f.now.Add(31 * 24 * time.Hour)
			resp, _ = anon.post(link3 + "/confirm")
			f.now = saved
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("expired link: %s", resp.Status)
			}
			_, body = b.get("/portfolio/activities/" + id)
			for _, st := range []string{"confirmed", "declined", "pending"} {
				if !strings.Contains(body, `data-state="`+st+`"`) {
					t.Errorf("request state %s not listed", st)
				}
			}

			// Delete.
			resp, body = b.post("/portfolio/activities/" + id + "/delete")
			wantRedirect(t, resp, body, "/portfolio/activities")
			if resp, _ := b.get("/portfolio/activities/" + id); resp.StatusCode != http.StatusNotFound {
				t.Errorf("deleted activity: %s", resp.Status)
			}
		})
	}
}

func TestParseHours(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
		ok   bool
	}{
		{"2", 200, true}, {"1,5", 150, true}, {" 0.25 ", 25, true}, {"0.004", 0, true}, {"-1", -100, true},
		{"", 0, false}, {"deux", 0, false}, {"NaN", 0, false}, {"Inf", 0, false}, {"1e300", 0, false}, {"1,5,2", 0, false},
	} {
		got, ok := parseHours(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("parseHours(%q) = %d, %v; want %d, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func FuzzParseHours(f *testing.F) {
	for _, s := range []string{"2", "1,5", "0.25", "NaN", "1e300", "-0", "500.005"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		centi, ok := parseHours(s)
		if !ok {
			return
		}
		if centi > 1e9 || centi < -1e9 {
			t.Fatalf("parseHours(%q) = %d: out of the bound", s, centi)
		}
		// What is shown reads back as the same value.
		if back, ok := parseHours(hoursText("fr", centi)); !ok || back != centi {
			t.Fatalf("parseHours(%q) = %d, shown %q, read back %d %v", s, centi, hoursText("fr", centi), back, ok)
		}
	})
}
