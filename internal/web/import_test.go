package web

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	stdhtml "html"
	"image"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sceau/sceau/bake"
	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
	"github.com/sceau/sceau/verify"
)

// remoteSceau is another Sceau server, at https://remote.example.com:PORT,
// whose awards the fixture's users import.
type remoteSceau struct {
	base  string
	srv   *httptest.Server
	svc   *issuing.Service
	badge *badge.Badge
}

// newRemoteSceau starts another server on its own SQLite store, with one
// issuer and one badge, on the fixture's clock.
func newRemoteSceau(t *testing.T, now func() time.Time) *remoteSceau {
	t.Helper()
	ctx := context.Background()
	srv := httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	rs := &remoteSceau{base: "https://remote.example.com:" + port, srv: srv}
	db := storetest.SQLite(t)
	db.SetClock(now)
	blobs, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{9}, 32), "remote")
	if err != nil {
		t.Fatal(err)
	}
	rs.svc, err = issuing.New(issuing.Config{Store: db, Blobs: blobs, Master: master, BaseURL: rs.base, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	iss := &badge.Issuer{Slug: "lycee", Name: "Lycée du Parc", URL: "https://lycee.example.org", Language: "fr"}
	if err := rs.svc.CreateIssuer(ctx, iss); err != nil {
		t.Fatal(err)
	}
	info, err := blobs.PutAddressed(ctx, "images", bytes.NewReader(pngImage(t)), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	rs.badge = &badge.Badge{IssuerID: iss.ID, Slug: "robotique", Name: "Robotique éducative", Description: "Anime un atelier de robotique.",
		CriteriaNarrative: "Animer trois ateliers.", Language: "fr", ImageKey: info.Key, ImageType: "image/png"}
	if err := rs.svc.CreateBadge(ctx, rs.badge); err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(accounts.Config{DB: db, Notifier: &mailbox{}, BaseURL: rs.base, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	h, err := New(Options{Service: rs.svc, Accounts: acc, Store: db, Blobs: blobs, BaseURL: rs.base, Now: now,
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return rs
}

// award awards the remote badge to email.
func (rs *remoteSceau) award(t *testing.T, email string) *badge.Award {
	t.Helper()
	a, err := rs.svc.Award(context.Background(), issuing.AwardInput{BadgeID: rs.badge.ID, Email: email, Name: "Titulaire"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// get reads one of the remote server's documents.
func (rs *remoteSceau) get(t *testing.T, path string) []byte {
	t.Helper()
	resp, err := rs.srv.Client().Get(rs.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	return body
}

// badgrSite serves the OB 2.0 fixtures of testdata/ob2/badgr at
// https://badgr.example.com:PORT; once revoked, the assertion's URL
// answers with the revoked stub (revoked: true and the reason).
type badgrSite struct {
	base      string
	srv       *httptest.Server
	docs      map[string][]byte
	mu        sync.Mutex
	gone      bool
	assertion string // the assertion's URL
}

func newBadgrSite(t *testing.T) *badgrSite {
	t.Helper()
	srv := httptest.NewUnstartedServer(nil)
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	bs := &badgrSite{base: "https://badgr.example.com:" + port, srv: srv, docs: map[string][]byte{}}
	for _, name := range []string{"assertion", "badgeclass", "issuer"} {
		b, err := os.ReadFile("testdata/ob2/badgr/" + name + ".json")
		if err != nil {
			t.Fatal(err)
		}
		b = bytes.ReplaceAll(b, []byte("https://api.badgr.io"), []byte(bs.base))
		var head struct{ ID string }
		if err := json.Unmarshal(b, &head); err != nil {
			t.Fatal(err)
		}
		bs.docs[strings.TrimPrefix(head.ID, bs.base)] = b
		if name == "assertion" {
			bs.assertion = head.ID
		}
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bs.mu.Lock()
		defer bs.mu.Unlock()
		doc, ok := bs.docs[r.URL.RequestURI()]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/ld+json")
		if bs.gone && r.URL.RequestURI() == strings.TrimPrefix(bs.assertion, bs.base) {
			w.Write([]byte(`{"@context":"https://w3id.org/openbadges/v2","id":"` + bs.assertion + `","revoked":true,"revocationReason":"Fraude"}`))
			return
		}
		w.Write(doc)
	})
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return bs
}

func (bs *badgrSite) setGone(gone bool) {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	bs.gone = gone
}

// testFetchClient is the SSRF-safe client as the server builds it, with
// *.example.com pointing at the local test servers; allow lists what it
// may reach there. Caching is off: the tests change documents.
func testFetchClient(t *testing.T, cert *x509.Certificate, allow string) *fetch.Client {
	t.Helper()
	al, err := fetch.ParseAllowList(allow)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c := fetch.New(fetch.Options{Allow: al, RootCAs: pool, CacheEntries: -1, Timeout: 5 * time.Second,
		Resolver: func(_ context.Context, host string) ([]netip.Addr, error) {
			return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
		}})
	t.Cleanup(c.CloseIdleConnections)
	return c
}

// useFetcher rebuilds the fixture's handler with the fetcher (the
// fixture's own has none); sessions live in the store and survive.
func (f *fixture) useFetcher(t *testing.T, fetcher *fetch.Client) {
	t.Helper()
	h, err := New(Options{Service: f.svc, Accounts: f.acc, Store: f.db, BaseURL: testBase, Now: func() time.Time { return f.now },
		Fetcher: fetcher, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	f.srv.Config.Handler = h
}

// importFile posts a file to the import form.
func (b *browser) importFile(name string, data []byte) (*http.Response, string) {
	b.t.Helper()
	return b.postMultipart("/portfolio/import", nil, map[string][2]string{"file": {name, string(data)}})
}

func (b *browser) importURL(u string) (*http.Response, string) {
	b.t.Helper()
	return b.postMultipart("/portfolio/import", map[string]string{"url": u}, nil)
}

// imported follows a successful import to the item's ID:
// imported(t)(b.importFile(…)).
func imported(t *testing.T) func(*http.Response, string) string {
	return func(resp *http.Response, body string) string {
		t.Helper()
		loc := wantRedirect(t, resp, body, "/portfolio#item-")
		return strings.TrimPrefix(loc, "/portfolio#item-")
	}
}

// itemState reads an item's data-state on the portfolio page.
func itemState(t *testing.T, page, id string) string {
	t.Helper()
	i := strings.Index(page, `<li id="item-`+id+`"`)
	if i < 0 {
		t.Fatalf("no item %s on the page", id)
	}
	rest := page[i:]
	j := strings.Index(rest, `data-state="`)
	rest = rest[j+len(`data-state="`):]
	return rest[:strings.Index(rest, `"`)]
}

func TestImport(t *testing.T) { storetest.ForEach(t, testImport) }

func testImport(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	clock := func() time.Time { return f.now }
	remote := newRemoteSceau(t, clock)
	badgr := newBadgrSite(t)
	host := func(base string) string { return strings.TrimPrefix(base, "https://") }
	client := testFetchClient(t, remote.srv.Certificate(), host(remote.base)+","+host(badgr.base))
	f.useFetcher(t, client)
	ctx := context.Background()

	julie := f.signUp(t, "en", "Julie Roy", "julie.roy@exemple.ca")
	fromRemote := remote.award(t, "julie.roy@exemple.ca")
	baked := remote.get(t, "/awards/"+fromRemote.ID+"/badge.png")
	var pngItem string

	t.Run("baked PNG from another Sceau server", func(t *testing.T) {
		pngItem = imported(t)(julie.importFile("robotique.png", baked))
		_, page := julie.get("/portfolio")
		if got := itemState(t, page, pngItem); got != "active" {
			t.Errorf("state %q", got)
		}
		if got := byID(page, "imported-"+pngItem); !strings.Contains(got, "Imported from robotique.png") || !strings.Contains(got, "verified on March 1, 2026") {
			t.Errorf("imported note %q", got)
		}
		if !strings.Contains(page, "Issued by Lycée du Parc (imported)") || !strings.Contains(page, "Robotique éducative") {
			t.Error("the portfolio does not show the badge's name and issuer")
		}
		// Exported unchanged.
		resp, body := julie.get("/portfolio/items/" + pngItem + "/download")
		if resp.StatusCode != 200 || body != string(baked) || resp.Header.Get("Content-Type") != "image/png" ||
			resp.Header.Get("Content-Disposition") != `attachment; filename="robotique-educative.png"` {
			t.Errorf("download: %s %s %s, same bytes %v", resp.Status, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), body == string(baked))
		}
		// The image shown is the picture without the baked credential.
		resp, img := julie.get("/portfolio/items/" + pngItem + "/image")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img, "\x89PNG") {
			t.Fatalf("image: %s %s", resp.Status, resp.Header.Get("Content-Type"))
		}
		if _, err := bake.Unbake([]byte(img)); err == nil {
			t.Error("the image shown still carries the credential")
		}
		// Another account cannot read it.
		other := f.signUp(t, "en", "Paul Roy", "paul.roy@exemple.ca")
		if resp, _ := other.get("/portfolio/items/" + pngItem + "/download"); resp.StatusCode != 404 {
			t.Errorf("another account's download: %s", resp.Status)
		}
		if resp, _ := other.get("/portfolio/items/" + pngItem + "/image"); resp.StatusCode != 404 {
			t.Errorf("another account's image: %s", resp.Status)
		}
		// Importing the same badge again is refused.
		resp, page = julie.importFile("again.png", baked)
		if resp.StatusCode != 422 || fieldError(page, "file") != locale.T("en", "error.portfolio.already_imported") {
			t.Errorf("again: %s %q", resp.Status, fieldError(page, "file"))
		}
	})

	t.Run("JSON and JWT files of OB 3.0 credentials, and a URL to a baked image", func(t *testing.T) {
		for _, c := range []struct{ name, path, file, ctype string }{
			{"json", "/credential.json", "badge.json", "application/vc+ld+json"},
			{"jwt", "/credential.jwt", "badge.jwt", "application/vc+jwt"},
		} {
			a := remote.award(t, "julie.roy@exemple.ca")
			data := remote.get(t, "/awards/"+a.ID+c.path)
			id := imported(t)(julie.importFile(c.file, data))
			resp, body := julie.get("/portfolio/items/" + id + "/download")
			if body != string(data) || resp.Header.Get("Content-Type") != c.ctype {
				t.Errorf("%s: download %s, same bytes %v", c.name, resp.Header.Get("Content-Type"), body == string(data))
			}
		}
		a := remote.award(t, "julie.roy@exemple.ca")
		u := remote.base + "/awards/" + a.ID + "/badge.png"
		id := imported(t)(julie.importURL(u))
		e, err := db.GetPortfolioEntry(ctx, e2u(t, db, "julie-roy"), id)
		if err != nil || e.Item.Source != u || e.Item.Import.Format != "png" || e.Item.Import.Key != remote.base+"/awards/"+a.ID {
			t.Errorf("imported from a URL: %+v %v", e, err)
		}
	})

	camille := f.signUp(t, "fr", "Camille Martin", "camille.martin@exemple.fr")
	var ob2Item string
	t.Run("OB 2.0 hosted badge by its URL, then its JSON again", func(t *testing.T) {
		ob2Item = imported(t)(camille.importURL(badgr.assertion))
		e, err := db.GetPortfolioEntry(ctx, e2u(t, db, "camille-martin"), ob2Item)
		if err != nil || e.Item.Import.Standard != "Open Badges 2.0" || e.Item.Import.IssuerName != "Centre de formation Exemple" ||
			e.BadgeName != "Sécurité des données personnelles" || e.Item.Import.State != "valid" {
			t.Fatalf("entry %+v %+v %v", e, e.Item.Import, err)
		}
		_, page := camille.get("/portfolio")
		if itemState(t, page, ob2Item) != "active" || !strings.Contains(byID(page, "imported-"+ob2Item), "Importé depuis "+badgr.assertion) {
			t.Errorf("portfolio: %q", byID(page, "imported-"+ob2Item))
		}
		resp, page := camille.importFile("assertion.json", badgr.docs[strings.TrimPrefix(badgr.assertion, badgr.base)])
		if resp.StatusCode != 422 || fieldError(page, "file") != locale.T("fr", "error.portfolio.already_imported") {
			t.Errorf("the same assertion as JSON: %s %q", resp.Status, fieldError(page, "file"))
		}
	})

	t.Run("refusals", func(t *testing.T) {
		toOther := remote.get(t, "/awards/"+remote.award(t, "quelquun@exemple.ca").ID+"/credential.json")
		tampered := bytes.Replace(remote.get(t, "/awards/"+remote.award(t, "julie.roy@exemple.ca").ID+"/credential.json"),
			[]byte("Robotique éducative"), []byte("Robotique avancée"), 1)
		revoked := remote.award(t, "julie.roy@exemple.ca")
		if err := remote.svc.Revoke(ctx, revoked.ID, "Erreur de saisie"); err != nil {
			t.Fatal(err)
		}
		revokedJSON := remote.get(t, "/awards/"+revoked.ID+"/credential.json")
		cases := []struct {
			name   string
			file   []byte
			url    string
			status int
			field  string
			want   string // prefix of the message by the field
		}{
			{name: "someone else's badge", file: toOther, status: 422, field: "file", want: locale.T("en", "import.not_yours")},
			{name: "tampered", file: tampered, status: 422, field: "file", want: strings.TrimSuffix(locale.T("en", "import.refused.invalid", ""), " ")},
			{name: "revoked", file: revokedJSON, status: 422, field: "file", want: strings.TrimSuffix(locale.T("en", "import.refused.revoked", ""), " ")},
			{name: "not a badge", file: []byte("bonjour"), status: 422, field: "file", want: locale.T("en", "import.not_a_badge")},
			{name: "an image without a badge", file: pngImage(t), status: 422, field: "file", want: locale.T("en", "import.not_a_badge")},
			{name: "too large", file: bytes.Repeat([]byte("x"), 3<<20), status: 413, field: "file", want: locale.T("en", "import.too_large", 2)},
			{name: "nothing", status: 422, field: "file", want: locale.T("en", "import.empty")},
			{name: "not a URL", url: "javascript:alert(1)", status: 422, field: "url", want: locale.T("en", "verifypage.url_invalid")},
			{name: "unknown URL", url: remote.base + "/awards/nope/credential.json", status: 422, field: "url", want: locale.T("en", "verifypage.url_failed")},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				var resp *http.Response
				var page string
				if c.url != "" {
					resp, page = julie.importURL(c.url)
				} else if c.file != nil {
					resp, page = julie.importFile("badge", c.file)
				} else {
					resp, page = julie.postMultipart("/portfolio/import", nil, nil)
				}
				if resp.StatusCode != c.status || !strings.HasPrefix(fieldError(page, c.field), c.want) {
					t.Errorf("%s, %q; want %d, %q", resp.Status, fieldError(page, c.field), c.status, c.want)
				}
			})
		}
		if c := strings.Count(mustPage(t, julie, "/portfolio"), `data-state="`); c != 4 {
			t.Errorf("%d items after the refusals, want the 4 imported", c)
		}
	})

	t.Run("a badge issued here is accepted from its award", func(t *testing.T) {
		marie := f.signUp(t, "fr", "Marie Tremblay", f.email)
		_, own := f.get(t, "/awards/"+f.award.ID+"/badge.png")
		resp, body := marie.importFile("secourisme.png", own)
		wantRedirect(t, resp, body, "/portfolio#item-")
		e, err := db.GetPortfolioItemByAward(ctx, f.award.ID)
		if err != nil || e.Item.Import != nil || e.Item.Credential != nil {
			t.Fatalf("own award: %+v %v", e, err)
		}
		_, page := marie.get("/portfolio")
		if !strings.Contains(page, locale.T("fr", "flash.import.own_award")) {
			t.Error("no message saying the badge came from its award")
		}
		// Its file is the baked PNG.
		resp, png := marie.get("/portfolio/items/" + e.Item.ID + "/download")
		if resp.StatusCode != 200 || !strings.HasPrefix(png, "\x89PNG") {
			t.Errorf("download of an award: %s", resp.Status)
		}
		// Someone else's award of this server is refused.
		resp, page = julie.importFile("secourisme.png", own)
		if resp.StatusCode != 422 || fieldError(page, "file") != locale.T("en", "import.not_yours") {
			t.Errorf("another's award here: %s %q", resp.Status, fieldError(page, "file"))
		}
	})

	t.Run("public pages show imported badges", func(t *testing.T) {
		resp, body := julie.post("/portfolio/items/"+pngItem, "public", "on")
		wantRedirect(t, resp, body, "/portfolio")
		_, page := f.browser(t, "en").get("/@julie-roy")
		if !strings.Contains(page, `data-slug="robotique-educative"`) || !strings.Contains(page, "Issued by Lycée du Parc (imported)") {
			t.Errorf("public portfolio: %.2000s", page)
		}
		resp, page = f.browser(t, "fr").get("/@julie-roy/badges/robotique-educative")
		if resp.StatusCode != 200 || byID(page, "badge-name") != "Robotique éducative" || !strings.Contains(byID(page, "imported-from"), "Badge importé (Open Badges 3.0)") ||
			!strings.Contains(page, `data-state="active"`) || byID(page, "checked-at") != "vérifié le 1er mars 2026" {
			t.Errorf("public page: %s %q %q", resp.Status, byID(page, "imported-from"), byID(page, "checked-at"))
		}
		if strings.Contains(page, "julie.roy@exemple.ca") {
			t.Error("the public page shows the address")
		}
		resp, img := f.browser(t, "en").get("/@julie-roy/badges/robotique-educative/image")
		if resp.StatusCode != 200 || !strings.HasPrefix(img, "\x89PNG") {
			t.Errorf("public image: %s", resp.Status)
		}
		// A private imported badge is not shown.
		resp, _ = f.browser(t, "en").get("/@camille-martin/badges/securite-des-donnees-personnelles")
		if resp.StatusCode != 404 {
			t.Errorf("private imported badge: %s", resp.Status)
		}
	})

	t.Run("the re-check flags a badge revoked at its source", func(t *testing.T) {
		if err := remote.svc.Revoke(ctx, fromRemote.ID, "Attribué par erreur"); err != nil {
			t.Fatal(err)
		}
		badgr.setGone(true)
		opts := issuing.RecheckOptions{Fetcher: client, Now: clock}
		if n, err := issuing.RecheckImports(ctx, db, opts); err != nil || n != 0 {
			t.Fatalf("checked %d (%v) within 24 h of the import", n, err)
		}
		f.now = f.now.Add(25 * time.Hour)
		defer func() { f.now = f.now.Add(-25 * time.Hour) }()
		n, err := issuing.RecheckImports(ctx, db, opts)
		if err != nil || n != 5 {
			t.Fatalf("checked %d, %v; want the 5 imported badges", n, err)
		}
		_, page := julie.get("/portfolio")
		if got := itemState(t, page, pngItem); got != "revoked" {
			t.Errorf("portfolio state %q", got)
		}
		_, page = f.browser(t, "en").get("/@julie-roy/badges/robotique-educative")
		if !strings.Contains(page, `data-state="revoked"`) {
			t.Error("the public page does not say revoked")
		}
		_, page = f.browser(t, "en").get("/@julie-roy")
		if !strings.Contains(page, `data-state="revoked"`) {
			t.Error("the public portfolio does not flag the revoked badge")
		}
		_, page = camille.get("/portfolio")
		if got := itemState(t, page, ob2Item); got != "revoked" {
			t.Errorf("OB 2.0 badge revoked at its host: state %q", got)
		}
		// The issuer's reason is kept, and shown once the badge is public.
		resp, body := camille.post("/portfolio/items/"+ob2Item, "public", "on")
		wantRedirect(t, resp, body, "/portfolio")
		_, page = f.browser(t, "fr").get("/@camille-martin/badges/securite-des-donnees-personnelles")
		if !strings.Contains(page, `data-state="revoked"`) || !strings.HasSuffix(byID(page, "status-reason"), " Fraude") {
			t.Errorf("public page of the revoked OB 2.0 badge: reason %q", byID(page, "status-reason"))
		}
	})

	t.Run("export as a ZIP with an index", func(t *testing.T) {
		// One badge in a theme, to see it in the index.
		resp, body := julie.post("/portfolio/themes", "name", "Numérique")
		loc := wantRedirect(t, resp, body, "/portfolio#theme-")
		theme := strings.TrimPrefix(loc, "/portfolio#theme-")
		resp, body = julie.post("/portfolio/items/"+pngItem, "theme", theme, "public", "on")
		wantRedirect(t, resp, body, "/portfolio")

		resp, body = julie.get("/portfolio/export.zip")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("export: %s %s", resp.Status, resp.Header.Get("Content-Type"))
		}
		zr, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, zf := range zr.File {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			files[zf.Name], _ = io.ReadAll(rc)
			rc.Close()
		}
		var index exportIndex
		if err := json.Unmarshal(files["index.json"], &index); err != nil {
			t.Fatal(err)
		}
		if len(index.Badges) != 4 || index.Handle != "julie-roy" {
			t.Fatalf("index: %+v", index)
		}
		for _, b := range index.Badges {
			got, ok := files[b.File]
			if !ok || b.Origin != "imported" || b.Issuer != "Lycée du Parc" || b.Name != "Robotique éducative" || b.Issued == nil {
				t.Errorf("index entry %+v (file present %v)", b, ok)
			}
			// Each file is what the single download gives.
			id := ""
			es, _ := db.ListPortfolio(ctx, e2u(t, db, "julie-roy"), false)
			for _, e := range es {
				if "badges/"+e.Item.Slug+"."+strings.TrimPrefix(b.File[strings.LastIndex(b.File, "."):], ".") == b.File {
					id = e.Item.ID
				}
			}
			if _, want := julie.get("/portfolio/items/" + id + "/download"); want != string(got) {
				t.Errorf("%s differs from the item's download", b.File)
			}
		}
		first := index.Badges[0]
		if first.Theme != "Numérique" || first.State != "revoked" || first.File != "badges/robotique-educative.png" ||
			string(files[first.File]) != string(baked) || first.Source != "robotique.png" {
			t.Errorf("first entry %+v", first)
		}
		if len(files) != 4+2 {
			t.Errorf("%d files in the archive", len(files))
		}
		html := string(files["index.html"])
		if !strings.Contains(html, `<a href="badges/robotique-educative.png">`) || !strings.Contains(html, "Lycée du Parc") || !strings.Contains(html, `data-state="revoked"`) {
			t.Errorf("index.html: %.1500s", html)
		}
	})
}

// e2u returns the user ID of a handle.
func e2u(t *testing.T, db *store.DB, handle string) string {
	t.Helper()
	u, err := db.GetUserByHandle(context.Background(), handle)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

func mustPage(t *testing.T, b *browser, path string) string {
	t.Helper()
	resp, page := b.get(path)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	return page
}

// Without an allow-list, the server's own client refuses addresses on
// the loopback network, whatever the URL names (SSRF).
func TestImportRefusesPrivateAddresses(t *testing.T) {
	f := newFixture(t)
	remote := newRemoteSceau(t, func() time.Time { return f.now })
	f.useFetcher(t, testFetchClient(t, remote.srv.Certificate(), ""))
	julie := f.signUp(t, "fr", "Julie Roy", "julie.roy@exemple.ca")
	a := remote.award(t, "julie.roy@exemple.ca")
	for _, u := range []string{
		remote.base + "/awards/" + a.ID + "/credential.json",    // a name resolving to 127.0.0.1
		remote.srv.URL + "/awards/" + a.ID + "/credential.json", // 127.0.0.1 itself
		"https://169.254.169.254/latest/meta-data/",
	} {
		resp, page := julie.importURL(u)
		if resp.StatusCode != 422 || fieldError(page, "url") != locale.T("fr", "import.url_blocked") {
			t.Errorf("%s: %s %q", u, resp.Status, fieldError(page, "url"))
		}
	}
	_, page := julie.get("/portfolio")
	if strings.Contains(page, `data-state="`) {
		t.Error("a refused URL was imported")
	}
}

// The import page lists the account's confirmed addresses, in both
// languages, and asks to sign in first.
func TestImportPage(t *testing.T) {
	f := newFixture(t)
	resp, body := f.browser(t, "fr").get("/portfolio/import")
	wantRedirect(t, resp, body, "/signin")
	for _, lang := range []string{"fr", "en"} {
		b := f.signUp(t, lang, "Julie "+lang, "julie."+lang+"@exemple.ca")
		resp, page := b.get("/portfolio/import")
		if resp.StatusCode != 200 || byID(page, "import-title") != locale.T(lang, "import.title") ||
			!strings.Contains(byID(page, "import-emails"), "julie."+lang+"@exemple.ca") {
			t.Errorf("%s: %s %q", lang, resp.Status, byID(page, "import-emails"))
		}
		if _, page := b.get("/portfolio"); stdhtml.UnescapeString(byID(page, "import-link")) != locale.T(lang, "import.link") || byID(page, "export-link") != "" {
			t.Errorf("%s: portfolio links %q %q", lang, byID(page, "import-link"), byID(page, "export-link"))
		}
	}
}

// FuzzImportInfo feeds anything to what the import reads of a badge: the
// recipient match, the key, the dates and the image shown. None may
// panic, and the image shown is always a PNG within bounds.
func FuzzImportInfo(f *testing.F) {
	for _, name := range []string{"assertion", "badgeclass", "issuer"} {
		b, err := os.ReadFile("testdata/ob2/badgr/" + name + ".json")
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	var buf bytes.Buffer
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	png.Encode(&buf, img)
	f.Add(buf.Bytes())
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential","OpenBadgeCredential"],` +
		`"credentialSubject":{"id":"did:example:1","achievement":{"name":"x","image":{"id":"data:image/png;base64,` +
		base64.StdEncoding.EncodeToString(buf.Bytes()) + `"}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 64<<10 {
			return
		}
		rep := verify.Verify(context.Background(), data, verify.Options{Now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
		recipientOf(rep, []string{"camille.martin@exemple.fr"})
		in := importInfo(rep, data, issuing.ImportValid, "")
		if in.Key == "" {
			t.Error("no key")
		}
		if in.Image != nil && (!bytes.HasPrefix(in.Image, []byte("\x89PNG")) || len(in.Image) > store.MaxImportImage) {
			t.Errorf("image shown: %d bytes", len(in.Image))
		}
		importName(rep, "fr")
		displayImage(data)
	})
}
