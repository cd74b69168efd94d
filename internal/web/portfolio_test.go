package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// badgeDef adds a badge definition, under a new issuer when issuerSlug is
// not the fixture's.
func (f *fixture) badgeDef(t testing.TB, issuerSlug, slug, name string) *badge.Badge {
	t.Helper()
	ctx := context.Background()
	iss, err := f.db.GetIssuerBySlug(ctx, issuerSlug)
	if badge.IsNotFound(err) {
		iss = &badge.Issuer{Slug: issuerSlug, Name: "Organisme " + issuerSlug, URL: "https://" + issuerSlug + ".example.org", Language: "fr"}
		err = f.svc.CreateIssuer(ctx, iss)
	}
	if err != nil {
		t.Fatal(err)
	}
	b := &badge.Badge{IssuerID: iss.ID, Slug: slug, Name: name, Description: "Description de " + name + ".",
		CriteriaNarrative: "Critères de **" + name + "**.", Language: "fr"}
	if err := f.svc.CreateBadge(ctx, b); err != nil {
		t.Fatal(err)
	}
	return b
}

var itemRe = regexp.MustCompile(`id="item-([0-9a-f-]{36})" data-slug="([^"]+)"`)

// items maps the slugs of the portfolio page's badges to their item IDs.
func items(t *testing.T, b *browser) map[string]string {
	t.Helper()
	_, page := b.get("/portfolio")
	out := map[string]string{}
	for _, m := range itemRe.FindAllStringSubmatch(page, -1) {
		out[m[2]] = m[1]
	}
	return out
}

// marieScenario is a recipient with two verified addresses, public badges
// in two themes, a private badge from another issuer and a declined one.
type marieScenario struct {
	b                     *browser
	handle                string
	emails                []string
	public                map[string]*badge.Award // by slug
	private               *badge.Award
	privateName, privSlug string
	declined              *badge.Award
	themes                map[string]string // name -> id
}

func newMarie(t *testing.T, f *fixture) *marieScenario {
	t.Helper()
	m := &marieScenario{handle: "marie-tremblay", emails: []string{f.email, "marie.perso@exemple.ca"},
		public: map[string]*badge.Award{}, themes: map[string]string{}}
	m.b = f.signUp(t, "fr", "Marie Tremblay", f.email)
	resp, body := m.b.post("/account/emails", "email", m.emails[1])
	wantRedirect(t, resp, body, "/account")
	resp, body = m.b.get(f.mail.link(t, "confirm", m.emails[1]))
	wantRedirect(t, resp, body, "/")

	f.badgeDef(t, "cssdm", "classe-inversee", "Classe inversée")
	f.badgeDef(t, "cssdm", "numerique", "Compétences numériques")
	m.privateName = "Gestion de classe confidentielle"
	priv := f.badgeDef(t, "autre", "gestion", m.privateName)
	ctx := context.Background()
	m.public["secourisme"] = f.award
	m.public["classe-inversee"] = f.awardTo(t, "classe-inversee", m.emails[1])
	m.public["competences-numeriques"] = f.awardTo(t, "numerique", f.email)
	var err error
	m.private, err = f.svc.Award(ctx, issuingInput(priv.ID, f.email))
	if err != nil {
		t.Fatal(err)
	}
	m.declined = f.awardTo(t, "numerique", m.emails[1])

	// Everything awarded to her verified addresses waits in the list.
	_, page := m.b.get("/portfolio")
	for _, a := range []*badge.Award{f.award, m.public["classe-inversee"], m.private, m.declined} {
		if byID(page, "accept-"+a.ID) == "" {
			t.Fatalf("award %s not in the list to accept: %.2000s", a.ID, page)
		}
	}
	for _, a := range []*badge.Award{f.award, m.public["classe-inversee"], m.public["competences-numeriques"], m.private} {
		resp, body := m.b.post("/portfolio/awards/" + a.ID + "/accept")
		wantRedirect(t, resp, body, "/portfolio#item-")
	}
	resp, body = m.b.post("/portfolio/awards/" + m.declined.ID + "/decline")
	wantRedirect(t, resp, body, "/portfolio")

	for _, name := range []string{"Pédagogie", "Numérique"} {
		resp, body := m.b.post("/portfolio/themes", "name", name)
		loc := wantRedirect(t, resp, body, "/portfolio#theme-")
		m.themes[name] = strings.TrimPrefix(loc, "/portfolio#theme-")
	}
	ids := items(t, m.b)
	m.privSlug = "gestion-de-classe-confidentielle"
	set := func(slug string, kv ...string) {
		t.Helper()
		id := ids[slug]
		if id == "" {
			t.Fatalf("no item %s in %v", slug, ids)
		}
		resp, body := m.b.post("/portfolio/items/"+id, kv...)
		wantRedirect(t, resp, body, "/portfolio#item-"+id)
	}
	set("secourisme", "public", "on", "show_evidence", "on", "theme", m.themes["Pédagogie"])
	set("classe-inversee", "public", "on", "theme", m.themes["Pédagogie"])
	set("competences-numeriques", "public", "on", "theme", m.themes["Numérique"])
	set(m.privSlug, "theme", m.themes["Numérique"])
	return m
}

func TestPortfolioPages(t *testing.T) { storetest.ForEach(t, testPortfolioPages) }

func testPortfolioPages(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	m := newMarie(t, f)
	ids := items(t, m.b)
	if len(ids) != 4 {
		t.Fatalf("items %v", ids)
	}

	t.Run("owner's page", func(t *testing.T) {
		_, page := m.b.get("/portfolio")
		if strings.Contains(page, "pending-") {
			t.Error("accepted or declined awards still to accept")
		}
		if strings.Contains(page, m.declined.ID) {
			t.Error("declined award in the portfolio")
		}
		if got := byID(page, "portfolio-summary"); !strings.Contains(got, "4 badges, dont 3 publics") {
			t.Errorf("summary %q", got)
		}
		for slug, want := range map[string]string{"secourisme": `data-public="true" data-evidence="true"`,
			"classe-inversee": `data-public="true" data-evidence="false"`, m.privSlug: `data-public="false" data-evidence="false"`} {
			if !strings.Contains(page, `id="item-`+ids[slug]+`" data-slug="`+slug+`" `+want) {
				t.Errorf("%s: not %s", slug, want)
			}
		}
		en := *m.b
		en.lang = "en"
		_, page = en.get("/portfolio")
		if got := byID(page, "portfolio-title"); got != locale.T("en", "portfolio.title") {
			t.Errorf("English title %q", got)
		}
	})

	t.Run("themes: refused name, order, rename, moves", func(t *testing.T) {
		resp, page := m.b.post("/portfolio/themes", "name", "  ")
		if resp.StatusCode != 422 || fieldError(page, "name") != locale.T("fr", "error.portfolio.collection_name_required") {
			t.Errorf("empty name: %s %q", resp.Status, fieldError(page, "name"))
		}
		resp, page = m.b.post("/portfolio/themes/"+m.themes["Numérique"], "name", strings.Repeat("x", 101))
		if resp.StatusCode != 422 || fieldError(page, "theme-"+m.themes["Numérique"]) == "" {
			t.Errorf("long rename: %s", resp.Status)
		}
		resp, body := m.b.post("/portfolio/themes/"+m.themes["Numérique"]+"/move", "dir", "up")
		wantRedirect(t, resp, body, "/portfolio#theme-")
		resp, body = m.b.post("/portfolio/themes/"+m.themes["Numérique"], "name", "Outils numériques")
		wantRedirect(t, resp, body, "/portfolio#theme-")
		_, page = m.b.get("/portfolio")
		if i, j := strings.Index(page, `data-theme="Outils numériques"`), strings.Index(page, `data-theme="Pédagogie"`); i < 0 || j < 0 || i > j {
			t.Errorf("theme order: %d %d", i, j)
		}
		// Within Pédagogie: secourisme then classe-inversee; move it down.
		if strings.Index(page, `data-slug="secourisme"`) > strings.Index(page, `data-slug="classe-inversee"`) {
			t.Error("item order")
		}
		resp, body = m.b.post("/portfolio/items/"+ids["secourisme"]+"/move", "dir", "down")
		wantRedirect(t, resp, body, "/portfolio#item-")
		_, page = m.b.get("/portfolio")
		if strings.Index(page, `data-slug="secourisme"`) < strings.Index(page, `data-slug="classe-inversee"`) {
			t.Error("item not moved down")
		}
		if resp, _ := m.b.post("/portfolio/items/"+ids["secourisme"]+"/move", "dir", "sideways"); resp.StatusCode != 400 {
			t.Errorf("bad direction: %s", resp.Status)
		}
		// Delete a theme: its badges stay, with no theme.
		resp, body = m.b.post("/portfolio/themes", "name", "Temporaire")
		tmp := strings.TrimPrefix(wantRedirect(t, resp, body, "/portfolio#theme-"), "/portfolio#theme-")
		resp, body = m.b.post("/portfolio/items/"+ids["classe-inversee"], "public", "on", "theme", tmp)
		wantRedirect(t, resp, body, "/portfolio#item-")
		resp, body = m.b.post("/portfolio/themes/" + tmp + "/delete")
		wantRedirect(t, resp, body, "/portfolio")
		_, page = m.b.get("/portfolio")
		if strings.Contains(page, "Temporaire") || !strings.Contains(page, `id="unsorted"`) || !strings.Contains(page, `data-slug="classe-inversee"`) {
			t.Error("deleting a theme lost its badge or kept the theme")
		}
		resp, body = m.b.post("/portfolio/items/"+ids["classe-inversee"], "public", "on", "theme", m.themes["Pédagogie"])
		wantRedirect(t, resp, body, "/portfolio#item-")
	})

	t.Run("another account changes nothing", func(t *testing.T) {
		eve := f.signUp(t, "fr", "Eve Intruse", "eve@autre.example")
		for _, path := range []string{"/portfolio/items/" + ids[m.privSlug], "/portfolio/items/" + ids[m.privSlug] + "/move",
			"/portfolio/themes/" + m.themes["Pédagogie"], "/portfolio/themes/" + m.themes["Pédagogie"] + "/move",
			"/portfolio/themes/" + m.themes["Pédagogie"] + "/delete"} {
			if resp, _ := eve.post(path, "public", "on", "name", "Piraté", "dir", "up"); resp.StatusCode != 404 {
				t.Errorf("POST %s by another account: %s", path, resp.Status)
			}
		}
		_, page := f.browser(t, "fr").get("/@" + m.handle)
		if strings.Contains(page, m.privateName) || strings.Contains(page, "Piraté") {
			t.Error("another account changed the portfolio")
		}
		anon := f.browser(t, "fr")
		resp, body := anon.get("/portfolio")
		wantRedirect(t, resp, body, "/signin?next=%2Fportfolio")
	})

	t.Run("public portfolio", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			resp, page := f.browser(t, lang).get("/@" + m.handle)
			if resp.StatusCode != 200 || byID(page, "owner-name") != "Marie Tremblay" {
				t.Fatalf("%s: %s %.500s", lang, resp.Status, page)
			}
			if got := byID(page, "owner-handle"); !strings.Contains(got, locale.T(lang, "public.count", 3)) {
				t.Errorf("%s: count %q", lang, got)
			}
			for _, slug := range []string{"secourisme", "classe-inversee", "competences-numeriques"} {
				if !strings.Contains(page, `href="/@`+m.handle+`/badges/`+slug+`"`) {
					t.Errorf("%s: public badge %s not listed", lang, slug)
				}
			}
			if strings.Contains(page, m.privSlug) || strings.Contains(page, m.privateName) {
				t.Errorf("%s: private badge on the public page", lang)
			}
			if i, j := strings.Index(page, `data-theme="Outils numériques"`), strings.Index(page, `data-theme="Pédagogie"`); i < 0 || j < 0 || i > j {
				t.Errorf("%s: theme order %d %d", lang, i, j)
			}
		}
		for _, path := range []string{"/@nobody-here", "/@" + m.handle + "/badges/" + m.privSlug, "/@" + m.handle + "/badges/" + m.privSlug + "/qr.png",
			"/@" + m.handle + "/badges/nope", "/@" + m.handle + "/other", "/marie-tremblay", "/@" + m.handle + "/badges/Bad_Slug",
			"/nothing"} {
			resp, page := f.browser(t, "fr").get(path)
			if resp.StatusCode != 404 || strings.Contains(page, m.privateName) {
				t.Errorf("GET %s: %s, want 404", path, resp.Status)
			}
		}
		// Routes of the site still win over /{at}.
		for _, path := range []string{"/catalogue", "/signin", "/verify", "/awards/" + f.award.ID} {
			if resp, _ := f.browser(t, "fr").get(path); resp.StatusCode != 200 {
				t.Errorf("GET %s: %s", path, resp.Status)
			}
		}
	})

	t.Run("public badge page and evidence toggle", func(t *testing.T) {
		for _, lang := range []string{"fr", "en"} {
			resp, page := f.browser(t, lang).get("/@" + m.handle + "/badges/secourisme")
			if resp.StatusCode != 200 || byID(page, "badge-name") != "Secourisme" {
				t.Fatalf("%s: %s", lang, resp.Status)
			}
			if got := byID(page, "award-status"); !strings.Contains(got, locale.T(lang, "portfolio.state.active")) {
				t.Errorf("%s: status %q", lang, got)
			}
			if byID(page, "issuer-name") == "" || byID(page, "awarded-on") == "" || byID(page, "badge-criteria") == "" {
				t.Errorf("%s: details missing", lang)
			}
			if !strings.Contains(byID(page, "evidence"), "Attestation") {
				t.Errorf("%s: evidence chosen but not shown: %q", lang, byID(page, "evidence"))
			}
			if !strings.Contains(page, `href="/awards/`+f.award.ID+`/verify?lang=`+lang+`"`) {
				t.Errorf("%s: no verify button", lang)
			}
			for _, id := range []string{"download-png", "download-svg", "download-json", "download-jwt", "download-pdf"} {
				if byID(page, id) == "" {
					t.Errorf("%s: no #%s", lang, id)
				}
			}
		}
		_, page := f.browser(t, "fr").get("/@" + m.handle + "/badges/classe-inversee")
		if byID(page, "evidence") != "" || byID(page, "narrative") != "" || strings.Contains(page, "Stage réussi.") {
			t.Error("evidence shown though not chosen")
		}
		// Status is live: revoked shows at once.
		if err := f.svc.Revoke(context.Background(), m.public["classe-inversee"].ID, "erreur"); err != nil {
			t.Fatal(err)
		}
		_, page = f.browser(t, "en").get("/@" + m.handle + "/badges/classe-inversee")
		if got := byID(page, "award-status"); !strings.Contains(got, "Revoked") || byID(page, "status-reason") == "" {
			t.Errorf("revoked badge status %q", got)
		}
		// Anonymous visitors' public portfolio is kept for definitionTTL.
		f.now = f.now.Add(definitionTTL)
		_, page = f.browser(t, "en").get("/@" + m.handle)
		if !strings.Contains(page, `data-slug="classe-inversee" data-state="revoked"`) {
			t.Error("public portfolio does not show the revocation")
		}
	})
}

// The recipient's e-mail addresses and her private badge never appear on
// any public page or document: everything reachable from her public
// portfolio (pages, credentials as JSON and JWT, issuer documents) is
// crawled anonymously.
func TestPrivacyCrawl(t *testing.T) { storetest.ForEach(t, testPrivacyCrawl) }

var linkRe = regexp.MustCompile(`(?:href|src|content)="([^"]+)"`)

func testPrivacyCrawl(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	m := newMarie(t, f)
	ctx := context.Background()
	privItem, err := db.GetPortfolioItemByAward(ctx, m.private.ID)
	if err != nil {
		t.Fatal(err)
	}
	// The credentials hold the salted hash of the address and its salt,
	// never the address. The private badge's definition is public
	// (catalogue, issuer page): what must not show is that she holds it,
	// so its name is checked on every page but those listing definitions,
	// and its award, item and slug everywhere.
	secrets := []string{m.emails[0], m.emails[1], "marie.tremblay@", "marie.perso", m.private.ID, m.privSlug,
		privItem.Item.ID, m.declined.ID}
	listsDefinitions := func(path string) bool {
		return strings.HasPrefix(path, "/catalogue") || strings.HasPrefix(path, "/issuers/autre")
	}

	seen := map[string]bool{}
	queue := []string{"/@" + m.handle, "/awards/" + f.award.ID, "/issuers/cssdm", "/verify"}
	// Each page is read as HTML and, where it has one, as JSON.
	accepts := []string{"text/html", "application/json"}
	pages := 0
	for len(queue) > 0 && pages < 400 {
		path := queue[0]
		queue = queue[1:]
		if seen[path] {
			continue
		}
		seen[path] = true
		for _, accept := range accepts {
			resp, body := f.get(t, path, "Accept", accept, "Accept-Language", "fr")
			pages++
			text := string(body)
			for _, s := range secrets {
				if s != "" && strings.Contains(strings.ToLower(text), strings.ToLower(s)) {
					t.Errorf("GET %s (%s, %s) shows private data %q", path, accept, resp.Status, s)
				}
			}
			if !listsDefinitions(path) && strings.Contains(text, m.privateName) {
				t.Errorf("GET %s (%s) names the private badge", path, accept)
			}
			if !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				continue
			}
			for _, mm := range linkRe.FindAllStringSubmatch(text, -1) {
				link := strings.ReplaceAll(mm[1], "&amp;", "&")
				link = strings.TrimPrefix(link, testBase)
				if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") {
					continue
				}
				if i := strings.IndexAny(link, "?#"); i >= 0 {
					link = link[:i]
				}
				if !seen[link] {
					queue = append(queue, link)
				}
			}
		}
	}
	// The crawl reached the public badges and their credentials.
	for _, want := range []string{"/@" + m.handle + "/badges/secourisme", "/awards/" + f.award.ID + "/credential.json",
		"/awards/" + f.award.ID + "/credential.jwt", "/@" + m.handle + "/badges/secourisme/qr.png", "/issuers/cssdm/did.json"} {
		if !seen[want] {
			t.Errorf("crawl never reached %s", want)
		}
	}
	t.Logf("crawled %d paths (%d requests)", len(seen), pages)
}

func issuingInput(badgeID, email string) issuing.AwardInput {
	return issuing.AwardInput{BadgeID: badgeID, Email: email, Name: "Marie T."}
}

// newBenchFixture is newFixtureOn for benchmarks: the server on db with
// the issuer "cssdm" and its badge.
func newBenchFixture(b *testing.B, db *store.DB) *fixture {
	b.Helper()
	ctx := context.Background()
	blobs, err := blob.NewDisk(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { blobs.Close() })
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{7}, 32), "test")
	if err != nil {
		b.Fatal(err)
	}
	f := &fixture{db: db, mail: &mailbox{}, now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	clock := func() time.Time { return f.now }
	db.SetClock(clock)
	if f.svc, err = issuing.New(issuing.Config{Store: db, Blobs: blobs, Master: master, BaseURL: testBase, Now: clock}); err != nil {
		b.Fatal(err)
	}
	iss := &badge.Issuer{Slug: "cssdm", Name: "Centre de services scolaire", URL: "https://cssdm.example.org", Language: "fr"}
	if err := f.svc.CreateIssuer(ctx, iss); err != nil {
		b.Fatal(err)
	}
	if f.acc, err = accounts.New(accounts.Config{DB: db, Notifier: f.mail, BaseURL: testBase, Now: clock}); err != nil {
		b.Fatal(err)
	}
	h, err := New(Options{Service: f.svc, Accounts: f.acc, Store: db, Blobs: blobs, BaseURL: testBase, Now: clock,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	f.srv = httptest.NewUnstartedServer(h)
	return f
}

// BenchmarkPublicPortfolio renders the public portfolio of a recipient
// with 1,000 public badges in 10 themes, and one public badge page, in
// process. SCEAU_BENCH_AWARDS adds that many other awards to the store
// first (the figure is 100,000).
func BenchmarkPublicPortfolio(b *testing.B) {
	db := storetest.SQLite(b)
	f := newBenchFixture(b, db)
	ctx := context.Background()
	u := &badge.User{Handle: "julie-roy", Name: "Julie Roy", Language: "fr", PasswordHash: "$argon2id$x"}
	if err := db.CreateUser(ctx, u, "julie@exemple.ca"); err != nil {
		b.Fatal(err)
	}
	bd := f.badgeDef(b, "cssdm", "bench", "Badge de performance")
	mk := func(n int, email string) []*badge.Award {
		awards := make([]*badge.Award, n)
		for i := range awards {
			awards[i] = &badge.Award{BadgeID: bd.ID, IssuerID: bd.IssuerID, Recipient: badge.Recipient{Email: email}}
		}
		if _, err := db.CreateAwards(ctx, awards, func(a *badge.Award) error {
			a.Credential = []byte(`{"id":"` + testBase + `/awards/` + a.ID + `"}`)
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		return awards
	}
	if n, _ := strconv.Atoi(os.Getenv("SCEAU_BENCH_AWARDS")); n > 0 {
		for done := 0; done < n; done += 10000 {
			mk(min(10000, n-done), "autre"+strconv.Itoa(done)+"@exemple.ca")
		}
	}
	var themes []string
	for i := range 10 {
		c, err := db.CreateCollection(ctx, u.ID, fmt.Sprintf("Thème %d", i))
		if err != nil {
			b.Fatal(err)
		}
		themes = append(themes, c.ID)
	}
	var slug string
	for i, a := range mk(1000, "julie@exemple.ca") {
		it, err := db.ClaimAward(ctx, a.ID, u.ID)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.UpdatePortfolioItem(ctx, u.ID, it.ID, store.ItemSettings{Public: true, CollectionID: themes[i%10]}); err != nil {
			b.Fatal(err)
		}
		slug = it.Slug
	}
	h := f.srv.Config.Handler
	run := func(b *testing.B, path string) {
		req := httptest.NewRequest("GET", path, nil)
		req.Header.Set("Accept-Language", "fr")
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("GET %s: %d", path, w.Code)
			}
		}
	}
	b.Run("portfolio-1000", func(b *testing.B) { run(b, "/@julie-roy") })
	b.Run("badge-page", func(b *testing.B) { run(b, "/@julie-roy/badges/"+slug) })
}

// The public list is written without html/template: everything in it is
// escaped.
func TestPublicListEscapes(t *testing.T) {
	got := string(publicList([]itemView{{Slug: "a", State: "revoked", StateLabel: "Révoqué <b>", ImageURL: `/i"x`, Href: "/@m/badges/a",
		ContentLang: "fr", BadgeName: `<script>alert("x")</script>`, IssuedBy: "Émis par R&D", Awarded: "1er mars 2026"}}))
	want := `<li data-slug="a" data-state="revoked"><img src="/i&#34;x" alt="" width="64" height="64">` + "\n" +
		`<div><a href="/@m/badges/a" lang="fr">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</a> <span class="state state-revoked">Révoqué &lt;b&gt;</span><br>` + "\n" +
		`<span class="note">Émis par R&amp;D · 1er mars 2026</span></div></li>` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// Anonymous visitors get the public portfolio from a short cache; what
// the owner changes shows to them at once all the same.
func TestPublicPortfolioCache(t *testing.T) {
	f := newFixture(t)
	m := newMarie(t, f)
	anon := f.browser(t, "fr")
	_, first := anon.get("/@" + m.handle)
	if !strings.Contains(first, `data-slug="classe-inversee"`) {
		t.Fatalf("public badge not listed: %.500s", first)
	}
	// A change made behind the pages' back (straight in the store) is
	// not seen before the cache expires…
	owner, err := f.db.GetUserByHandle(context.Background(), m.handle)
	if err != nil {
		t.Fatal(err)
	}
	ids := items(t, m.b)
	if err := f.db.UpdatePortfolioItem(context.Background(), owner.ID, ids["classe-inversee"], store.ItemSettings{}); err != nil {
		t.Fatal(err)
	}
	if _, again := anon.get("/@" + m.handle); again != first {
		t.Error("the second anonymous view was built again")
	}
	f.now = f.now.Add(definitionTTL)
	if _, later := anon.get("/@" + m.handle); strings.Contains(later, `data-slug="classe-inversee"`) {
		t.Error("private badge still listed after the cache expired")
	}
	// …whereas the owner's own change shows at once.
	resp, body := m.b.post("/portfolio/items/" + ids["competences-numeriques"])
	wantRedirect(t, resp, body, "/portfolio#item-")
	if _, now := anon.get("/@" + m.handle); strings.Contains(now, `data-slug="competences-numeriques"`) {
		t.Error("a badge the owner made private is still shown to visitors")
	}
}
