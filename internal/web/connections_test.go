package web

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sceau/sceau/did"
	"github.com/sceau/sceau/internal/accounts"
	"github.com/sceau/sceau/internal/api"
	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/blob"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/jobs"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// Two Sceau servers on loopback, each with its own store: A awards a
// badge; on B the same person connects their portfolio to A (OAuth with
// PKCE through A's consent page) and B pulls the badge from A's OB 3.0
// API. A answers as https://example.com:port (the name the httptest
// certificate covers, resolved to 127.0.0.1), B as https://127.0.0.1:port,
// so that the browser keeps one session cookie for each.

// cnClock is the clock both servers share.
type cnClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *cnClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *cnClock) add(d time.Duration) { c.mu.Lock(); c.now = c.now.Add(d); c.mu.Unlock() }

// cnNode is one server: its pages and its OB 3.0 API on one TLS listener.
type cnNode struct {
	db    *store.DB
	svc   *issuing.Service
	mail  *mailbox
	srv   *httptest.Server
	base  string
	badge *badge.Badge
	// puller pulls the node's connections in the background.
	puller *ConnectionPuller
}

func newCNNode(t *testing.T, db *store.DB, host string, clock *cnClock, fetcher did.Fetcher) *cnNode {
	t.Helper()
	ctx := context.Background()
	n := &cnNode{db: db, mail: &mailbox{}, srv: httptest.NewUnstartedServer(nil), puller: &ConnectionPuller{}}
	_, port, _ := net.SplitHostPort(n.srv.Listener.Addr().String())
	n.base = "https://" + host + ":" + port
	db.SetClock(clock.Now)
	blobs, err := blob.NewDisk(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { blobs.Close() })
	master, err := keys.NewMasterKey(bytes.Repeat([]byte{9}, 32), "test")
	if err != nil {
		t.Fatal(err)
	}
	noAnnounce := func(context.Context, *sql.Tx, *badge.Award, string, string) error { return nil }
	n.svc, err = issuing.New(issuing.Config{Store: db, Blobs: blobs, Master: master, BaseURL: n.base, Now: clock.Now, Announce: noAnnounce})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := accounts.New(accounts.Config{DB: db, Notifier: n.mail, BaseURL: n.base, Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	pages, err := New(Options{Service: n.svc, Accounts: acc, Store: db, Blobs: blobs, BaseURL: n.base, Now: clock.Now, Logger: quiet, Fetcher: fetcher,
		Connections: n.puller})
	if err != nil {
		t.Fatal(err)
	}
	ob3, err := api.NewOB3(api.OB3Options{Store: db, BaseURL: n.base, Accounts: acc, Now: clock.Now, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(api.OB3Prefix+"/", ob3)
	for _, p := range api.OAuthPaths {
		mux.Handle(p, ob3)
	}
	mux.Handle("/", pages)
	n.srv.Config.Handler = mux
	n.srv.StartTLS()
	t.Cleanup(n.srv.Close)

	iss := &badge.Issuer{Slug: "formation", Name: "Formation " + host, URL: "https://formation.example", Language: "fr"}
	if err := n.svc.CreateIssuer(ctx, iss); err != nil {
		t.Fatal(err)
	}
	info, err := blobs.PutAddressed(ctx, "images", bytes.NewReader(pngImage(t)), "image/png")
	if err != nil {
		t.Fatal(err)
	}
	n.badge = &badge.Badge{IssuerID: iss.ID, Slug: "secourisme", Name: "Secourisme", Description: "Premiers soins.",
		CriteriaNarrative: "Réussir la formation.", Language: "fr", ImageKey: info.Key, ImageType: "image/png"}
	if err := n.svc.CreateBadge(ctx, n.badge); err != nil {
		t.Fatal(err)
	}
	return n
}

// award makes an award of the node's badge to email.
func (n *cnNode) award(t *testing.T, email, name string) *badge.Award {
	t.Helper()
	a, err := n.svc.Award(context.Background(), issuing.AwardInput{BadgeID: n.badge.ID, Email: email, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// cnBrowser is one person's browser, reaching both servers by absolute
// URL with one cookie jar.
type cnBrowser struct {
	t    *testing.T
	c    *http.Client
	lang string
}

func newCNBrowser(t *testing.T, roots *x509.CertPool, lang string) *cnBrowser {
	jar, _ := cookiejar.New(nil)
	tr := &http.Transport{DialContext: cnDial, TLSClientConfig: &tls.Config{RootCAs: roots}}
	return &cnBrowser{t: t, lang: lang, c: &http.Client{Jar: jar, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// cnDial sends example.com to loopback.
func cnDial(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, _ := net.SplitHostPort(addr)
	if host == "example.com" {
		addr = net.JoinHostPort("127.0.0.1", port)
	}
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func (b *cnBrowser) do(method, u string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("Accept-Language", b.lang)
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp, string(data)
}

func (b *cnBrowser) get(u string) (*http.Response, string) { return b.do("GET", u, nil) }

func (b *cnBrowser) post(u string, kv ...string) (*http.Response, string) {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return b.do("POST", u, v)
}

// signUp creates a confirmed account on n and signs the browser in.
func (b *cnBrowser) signUp(n *cnNode, name, email string) {
	b.t.Helper()
	resp, body := b.post(n.base+"/signup", "name", name, "email", email, "password", "un mot de passe solide", "password2", "un mot de passe solide")
	wantRedirect(b.t, resp, body, "/check-email")
	n.mail.mu.Lock()
	link := n.mail.links["confirm "+email]
	n.mail.mu.Unlock()
	if !strings.HasPrefix(link, n.base+"/") {
		b.t.Fatalf("confirmation link %q", link)
	}
	resp, body = b.get(link)
	wantRedirect(b.t, resp, body, "/workspace")
}

// connect posts the connection form on b to host and, when the host
// sends the browser to a consent page, answers it with decision. It
// returns the last answer: B's page after the callback, or B's refusal.
func (b *cnBrowser) connect(t *testing.T, on *cnNode, host, decision string) (*http.Response, string) {
	t.Helper()
	resp, body := b.post(on.base+"/portfolio/connections", "url", host)
	if resp.StatusCode != http.StatusSeeOther {
		return resp, body
	}
	authorize := resp.Header.Get("Location")
	if !strings.HasPrefix(authorize, host+api.OAuthAuthorizePath+"?") {
		t.Fatalf("sent to %q, want the host's consent page", authorize)
	}
	q, _ := url.Parse(authorize)
	if q.Query().Get("code_challenge_method") != "S256" || q.Query().Get("redirect_uri") != on.base+"/portfolio/connections/callback" {
		t.Errorf("authorization request %v", q.Query())
	}
	resp, page := b.get(authorize)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("consent page: %s %.400s", resp.Status, page)
	}
	if got := byID(page, "oauth-client"); !strings.Contains(got, "Sceau 127.0.0.1") {
		t.Errorf("consent page names the client %q", got)
	}
	form := url.Values{"decision": {decision}}
	for _, m := range hiddenInput.FindAllStringSubmatch(page, -1) {
		form.Add(m[1], unescapeHTML(m[2]))
	}
	resp, body = b.do("POST", host+api.OAuthAuthorizePath, form)
	back := wantRedirect(t, resp, body, on.base+"/portfolio/connections/callback?")
	return b.get(back)
}

func TestConnections(t *testing.T) { storetest.ForEach(t, testConnections) }

// newCNPair starts A (the other host, on dbA) and B (the portfolio that
// connects to A, on a store of the same kind), sharing one clock; roots
// trusts A's certificate.
func newCNPair(t *testing.T, dbA *store.DB) (a, b *cnNode, clock *cnClock, roots *x509.CertPool) {
	t.Helper()
	dbB := storetest.SQLite(t)
	if strings.HasSuffix(t.Name(), "postgres") {
		dbB = storetest.Postgres(t)
	}
	clock = &cnClock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
	a = newCNNode(t, dbA, "example.com", clock, nil)
	roots = x509.NewCertPool()
	roots.AddCert(a.srv.Certificate())
	allow, err := fetch.ParseAllowList("127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	fetcher := fetch.New(fetch.Options{Allow: allow, RootCAs: roots, CacheEntries: -1,
		Resolver: func(_ context.Context, host string) ([]netip.Addr, error) {
			if host == "example.com" {
				return []netip.Addr{netip.MustParseAddr("127.0.0.1")}, nil
			}
			return nil, &net.DNSError{Err: "no such host (test)", Name: host, IsNotFound: true}
		}})
	t.Cleanup(fetcher.CloseIdleConnections)
	b = newCNNode(t, dbB, "127.0.0.1", clock, fetcher)
	return a, b, clock, roots
}

func testConnections(t *testing.T, dbA *store.DB) {
	ctx := context.Background()
	a, b, clock, roots := newCNPair(t, dbA)
	dbB := b.db

	const email = "marie.tremblay@exemple.ca"
	first := a.award(t, email, "Marie T.")
	br := newCNBrowser(t, roots, "fr")
	br.signUp(a, "Marie Tremblay", email)
	resp, body := br.post(a.base + "/portfolio/awards/" + first.ID + "/accept")
	wantRedirect(t, resp, body, "/portfolio")
	br.signUp(b, "Marie Tremblay", email)
	userB, err := dbB.GetUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	imported := func() []*store.PortfolioEntry {
		t.Helper()
		entries, err := dbB.ListPortfolio(ctx, userB.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		return entries
	}
	connection := func() *store.Connection {
		t.Helper()
		list, err := dbB.ListConnections(ctx, userB.ID)
		if err != nil || len(list) != 1 {
			t.Fatalf("connections %v %v", list, err)
		}
		return list[0]
	}

	t.Run("empty page", func(t *testing.T) {
		resp, page := br.get(b.base + "/portfolio/connections")
		if resp.StatusCode != 200 || byID(page, "connections-empty") == "" || byID(page, "connect-form") == "" {
			t.Fatalf("%s %.600s", resp.Status, page)
		}
	})

	t.Run("denied consent", func(t *testing.T) {
		resp, page := br.connect(t, b, a.base, "deny")
		if resp.StatusCode != 200 || byID(page, "connection-notice") != htmlEscape(locale.T("fr", "connections.denied")) {
			t.Errorf("%s notice %q", resp.Status, byID(page, "connection-notice"))
		}
		if c := connection(); c.Authorized() || c.ClientID == "" {
			t.Errorf("after a denial: %+v", c)
		}
		if len(imported()) != 0 {
			t.Error("a denied connection imported badges")
		}
	})

	t.Run("connect and pull", func(t *testing.T) {
		resp, page := br.connect(t, b, a.base, "approve")
		if resp.StatusCode != 200 || byID(page, "pull-summary") == "" {
			t.Fatalf("%s %.800s", resp.Status, page)
		}
		if !strings.Contains(page, `id="pull-imported" data-count="1"`) || !strings.Contains(page, `id="pull-skipped" data-count="0"`) {
			t.Errorf("summary: %.1500s", page)
		}
		entries := imported()
		if len(entries) != 1 || entries[0].Item.Import == nil {
			t.Fatalf("B's portfolio: %v", entries)
		}
		it := entries[0].Item
		if it.Source != a.base || it.Import.State != issuing.ImportValid || it.Import.Key != a.base+"/awards/"+first.ID || it.Name != "Secourisme" {
			t.Errorf("imported item %+v %+v", it, it.Import)
		}
		c := connection()
		if !c.Authorized() || c.RefreshToken == "" || c.PulledCount != 1 || c.LastPullAt == nil || c.LastError != "" ||
			c.RevokeURL != a.base+api.OAuthRevokePath {
			t.Errorf("connection %+v", c)
		}
		_, page = br.get(b.base + "/portfolio/connections")
		if !strings.Contains(page, `id="connection-`+c.ID+`"`) || byID(page, "pull-"+c.ID) != locale.T("fr", "connections.pull") {
			t.Errorf("list: %.1500s", page)
		}
		if strings.Contains(page, c.ClientSecret) || strings.Contains(page, c.AccessToken) || strings.Contains(page, c.RefreshToken) {
			t.Error("the page shows a secret")
		}
	})

	t.Run("pull again imports nothing new", func(t *testing.T) {
		c := connection()
		resp, page := br.post(b.base + "/portfolio/connections/" + c.ID + "/pull")
		if resp.StatusCode != 200 || !strings.Contains(page, `id="pull-imported" data-count="0"`) || !strings.Contains(page, `id="pull-skipped" data-count="0"`) {
			t.Errorf("%s %.1500s", resp.Status, page)
		}
		if n := len(imported()); n != 1 {
			t.Errorf("%d items after a second pull", n)
		}
	})

	t.Run("a second award, an expired token, pull now", func(t *testing.T) {
		second := a.award(t, email, "Marie T.")
		resp, body := br.post(a.base + "/portfolio/awards/" + second.ID + "/accept")
		wantRedirect(t, resp, body, "/portfolio")
		before := connection()
		clock.add(2 * time.Hour) // past the access token's hour
		resp, page := br.post(b.base + "/portfolio/connections/" + before.ID + "/pull")
		if resp.StatusCode != 200 || !strings.Contains(page, `id="pull-imported" data-count="1"`) {
			t.Fatalf("%s %.1500s", resp.Status, page)
		}
		after := connection()
		if after.AccessToken == before.AccessToken || after.RefreshToken == before.RefreshToken || after.PulledCount != 2 {
			t.Errorf("tokens not refreshed: %+v", after)
		}
		if n := len(imported()); n != 2 {
			t.Errorf("%d items, want 2", n)
		}
	})

	t.Run("a badge of someone else is skipped with its reason", func(t *testing.T) {
		// Julie's badge, pushed into Marie's portfolio on A through the
		// API is impossible; instead Marie's account on A gets a second
		// address that B does not know.
		c := connection()
		other := "marie.perso@exemple.ca"
		u, err := dbA.GetUserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		if err := dbA.AddEmail(ctx, u.ID, other); err != nil {
			t.Skipf("cannot add an address on A: %v", err)
		}
		if err := dbA.VerifyEmail(ctx, u.ID, other); err != nil {
			t.Fatal(err)
		}
		third := a.award(t, other, "Marie")
		resp, body := br.post(a.base + "/portfolio/awards/" + third.ID + "/accept")
		wantRedirect(t, resp, body, "/portfolio")
		resp, page := br.post(b.base + "/portfolio/connections/" + c.ID + "/pull")
		if resp.StatusCode != 200 || !strings.Contains(page, `id="pull-skipped" data-count="1"`) ||
			!strings.Contains(page, htmlEscape(locale.T("fr", "import.not_yours"))) {
			t.Errorf("%s %.1500s", resp.Status, page)
		}
	})

	t.Run("state mismatch", func(t *testing.T) {
		resp, page := br.get(b.base + "/portfolio/connections/callback?code=abc&state=forged")
		if resp.StatusCode != 400 || byID(page, "connection-notice") != htmlEscape(locale.T("fr", "connections.state_mismatch")) {
			t.Errorf("%s %q", resp.Status, byID(page, "connection-notice"))
		}
		// A real state, from another browser's session, is refused too.
		other := newCNBrowser(t, roots, "en")
		other.signUp(b, "Julie Roy", "julie@exemple.ca")
		resp, _ = br.post(b.base+"/portfolio/connections", "url", a.base)
		loc, _ := url.Parse(resp.Header.Get("Location"))
		resp, page = other.get(b.base + "/portfolio/connections/callback?code=abc&state=" + url.QueryEscape(loc.Query().Get("state")))
		if resp.StatusCode != 400 || byID(page, "connection-notice") != htmlEscape(locale.T("en", "connections.state_mismatch")) {
			t.Errorf("state of another session: %s %q", resp.Status, byID(page, "connection-notice"))
		}
	})

	t.Run("refused hosts", func(t *testing.T) {
		bare := httptest.NewTLSServer(http.NotFoundHandler())
		t.Cleanup(bare.Close)
		cases := []struct{ name, url, key string }{
			{"no discovery", bare.URL, "connections.no_discovery"},
			{"link-local metadata address", "https://169.254.169.254", "connections.blocked"},
			{"plain http", "http://example.org", "connections.https_only"},
			{"not a URL", "ftp://example.org/x", "connections.url_invalid"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				resp, page := br.post(b.base+"/portfolio/connections", "url", c.url)
				if resp.StatusCode != 422 || fieldError(page, "url") != locale.T("fr", c.key) {
					t.Errorf("%s %q, want %q", resp.Status, fieldError(page, "url"), locale.T("fr", c.key))
				}
			})
		}
	})

	t.Run("English page", func(t *testing.T) {
		en := newCNBrowser(t, roots, "en")
		en.signUp(b, "Anne Gagnon", "anne@exemple.ca")
		resp, page := en.get(b.base + "/portfolio/connections")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Language") != "en" || byID(page, "connect-submit") != "Connect" ||
			byID(page, "connections-title") != locale.T("en", "connections.title") {
			t.Errorf("%s %s %q", resp.Status, resp.Header.Get("Content-Language"), byID(page, "connect-submit"))
		}
	})

	t.Run("disconnect", func(t *testing.T) {
		c := connection()
		resp, body := br.post(b.base + "/portfolio/connections/" + c.ID + "/delete")
		wantRedirect(t, resp, body, "/portfolio/connections")
		if list, _ := dbB.ListConnections(ctx, userB.ID); len(list) != 0 {
			t.Errorf("connection kept: %+v", list)
		}
		if len(imported()) < 2 {
			t.Error("disconnecting removed imported badges")
		}
		// The grant is revoked on A: its tokens no longer read anything.
		req, _ := http.NewRequest("GET", a.base+api.OB3Prefix+"/credentials", nil)
		req.Header.Set("Authorization", "Bearer "+c.AccessToken)
		resp, err := br.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("B's access token still works on A: %s", resp.Status)
		}
	})
}

func htmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "'", "&#39;", "<", "&lt;", ">", "&gt;", `"`, "&#34;").Replace(s)
}

func TestConnectionBase(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://Badges.Example.org/", "https://badges.example.org"},
		{"badges.example.org", "https://badges.example.org"},
		{"https://badges.example.org/sceau/ims/ob/v3p0/discovery", "https://badges.example.org/sceau"},
		{"https://badges.example.org:8443/ims/ob/v3p0", "https://badges.example.org:8443"},
		{"http://127.0.0.1:8080", "http://127.0.0.1:8080"},
		{"ftp://example.org", ""},
		{"https://user:pw@example.org", ""},
		{"", ""},
	} {
		got, ok := connectionBase(c.in)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("connectionBase(%q) = %q %v, want %q", c.in, got, ok, c.want)
		}
	}
}

func TestNextPage(t *testing.T) {
	const cur = "https://a.example/ims/ob/v3p0/credentials?limit=2&offset=0"
	for _, c := range []struct {
		name, link, total string
		got               int
		want              string
	}{
		{"Link next", `<https://a.example/ims/ob/v3p0/credentials?limit=2&offset=2>; rel="next", <https://a.example/x>; rel="last"`, "", 2,
			"https://a.example/ims/ob/v3p0/credentials?limit=2&offset=2"},
		{"Link next on another origin", `<https://evil.example/steal>; rel="next"`, "9", 2, ""},
		{"Link without next, total says more", `<https://a.example/x>; rel="first"`, "5", 2,
			"https://a.example/ims/ob/v3p0/credentials?limit=2&offset=2"},
		{"total reached", "", "2", 2, ""},
		{"empty page", "", "10", 0, ""},
		{"no headers", "", "", 2, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := http.Header{}
			if c.link != "" {
				h.Set("Link", c.link)
			}
			if c.total != "" {
				h.Set("X-Total-Count", c.total)
			}
			if got := nextPage(&fetch.Response{Header: h}, "https://a.example", cur, c.got); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func FuzzParseDiscovery(f *testing.F) {
	seed, err := os.ReadFile("testdata/ob3_discovery.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add([]byte(`{"components":{"securitySchemes":{"x":{"type":"oauth2","flows":{"authorizationCode":{}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := parseDiscovery(data)
		if err == nil && (!webURLOK(d.authorize) || !webURLOK(d.token) || !webURLOK(d.register) || !webURLOK(d.refresh)) {
			t.Errorf("accepted endpoints %+v", d)
		}
	})
}

func FuzzNextPage(f *testing.F) {
	f.Add(`<https://a.example/c?offset=2>; rel="next"`, "5", 2)
	f.Add(`<https://a.example/c?offset=2>; rel=next; title="x,y", <x>`, "", 0)
	f.Fuzz(func(t *testing.T, link, total string, got int) {
		h := http.Header{"Link": {link}, "X-Total-Count": {total}}
		const cur = "https://a.example/c?limit=2&offset=0"
		if next := nextPage(&fetch.Response{Header: h}, "https://a.example", cur, got); next != "" && originOfURL(next) != "https://a.example" {
			t.Errorf("next page %q leaves the host", next)
		}
	})
}

func TestParseDiscovery(t *testing.T) {
	doc, err := os.ReadFile("testdata/ob3_discovery.json")
	if err != nil {
		t.Fatal(err)
	}
	d, err := parseDiscovery(doc)
	if err != nil {
		t.Fatal(err)
	}
	want := discovered{authorize: "https://badges.example.org/oauth/authorize", token: "https://badges.example.org/oauth/token",
		refresh: "https://badges.example.org/oauth/token", register: "https://badges.example.org/oauth/register",
		revoke: "https://badges.example.org/oauth/revoke"}
	if *d != want {
		t.Errorf("got %+v", *d)
	}
	for name, bad := range map[string]string{
		"not JSON":             `<html>`,
		"no OAuth scheme":      `{"components":{"securitySchemes":{"k":{"type":"apiKey"}}}}`,
		"no registration URL":  `{"components":{"securitySchemes":{"k":{"type":"oauth2","flows":{"authorizationCode":{"authorizationUrl":"https://a/x","tokenUrl":"https://a/t"}}}}}}`,
		"javascript: endpoint": `{"components":{"securitySchemes":{"k":{"type":"oauth2","x-imssf-registrationUrl":"https://a/r","flows":{"authorizationCode":{"authorizationUrl":"javascript:alert(1)","tokenUrl":"https://a/t"}}}}}}`,
		"no credential scope":  `{"components":{"securitySchemes":{"k":{"type":"oauth2","x-imssf-registrationUrl":"https://a/r","flows":{"authorizationCode":{"authorizationUrl":"https://a/x","tokenUrl":"https://a/t","scopes":{"other":""}}}}}}}`,
	} {
		if _, err := parseDiscovery([]byte(bad)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The background pull (ConnectionPuller, issue 6): run as its job would
// be, it brings what A published since the last pull, goes past a host
// that is down, and drops a grant A no longer honours.
func TestConnectionPullJob(t *testing.T) { storetest.ForEach(t, testConnectionPullJob) }

func testConnectionPullJob(t *testing.T, dbA *store.DB) {
	ctx := context.Background()
	a, b, clock, roots := newCNPair(t, dbA)
	const email = "marie.tremblay@exemple.ca"
	first := a.award(t, email, "Marie T.")
	br := newCNBrowser(t, roots, "fr")
	br.signUp(a, "Marie Tremblay", email)
	resp, body := br.post(a.base + "/portfolio/awards/" + first.ID + "/accept")
	wantRedirect(t, resp, body, "/portfolio")
	br.signUp(b, "Marie Tremblay", email)
	if resp, page := br.connect(t, b, a.base, "approve"); resp.StatusCode != 200 || !strings.Contains(page, `id="pull-imported" data-count="1"`) {
		t.Fatalf("connect: %s %.800s", resp.Status, page)
	}
	userB, err := b.db.GetUserByEmail(ctx, email)
	if err != nil {
		t.Fatal(err)
	}
	toA, err := b.db.GetConnectionByURL(ctx, userB.ID, a.base)
	if err != nil {
		t.Fatal(err)
	}
	items := func() int {
		t.Helper()
		entries, err := b.db.ListPortfolio(ctx, userB.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		return len(entries)
	}
	get := func(id string) *store.Connection {
		t.Helper()
		c, err := b.db.GetConnection(ctx, userB.ID, id)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// A host that is down: a connection with a grant, to a port nobody
	// listens on any more. Never pulled, it comes first in the run.
	gone := httptest.NewTLSServer(http.NotFoundHandler())
	gone.Close()
	down := &store.Connection{UserID: userB.ID, BaseURL: gone.URL, Name: "down.example", AuthorizeURL: gone.URL + "/oauth/authorize",
		TokenURL: gone.URL + "/oauth/token", ClientID: "client", ClientSecret: "secret", AuthMethod: "client_secret_basic"}
	if err := b.db.CreateConnection(ctx, down); err != nil {
		t.Fatal(err)
	}
	exp := clock.Now().Add(100 * time.Hour)
	if err := b.db.SetConnectionTokens(ctx, userB.ID, down.ID, "at-down", &exp, "rt-down", "s"); err != nil {
		t.Fatal(err)
	}

	t.Run("not due yet", func(t *testing.T) {
		// A was pulled at the connection, down never: only down is due.
		run, err := b.puller.PullDue(ctx)
		if err != nil || run.Due != 1 || run.Failed != 1 || run.Pulled != 0 {
			t.Errorf("run %+v %v", run, err)
		}
	})

	t.Run("a new badge on A, a host down", func(t *testing.T) {
		second := a.award(t, email, "Marie T.")
		resp, body := br.post(a.base + "/portfolio/awards/" + second.ID + "/accept")
		wantRedirect(t, resp, body, "/portfolio")
		clock.add(13 * time.Hour) // half a day since the last pulls: due again
		if err := b.puller.RunJob(ctx, nil); err != nil {
			t.Fatal(err)
		}
		if n := items(); n != 2 {
			t.Errorf("%d items in B's portfolio, want 2", n)
		}
		c := get(toA.ID)
		if c.PulledCount != 2 || c.LastError != "" || !c.LastPullAt.Equal(clock.Now()) || !c.Authorized() {
			t.Errorf("connection to A: %+v", c)
		}
		d := get(down.ID)
		if d.LastError != "connections.pull_failed" || d.LastPullAt == nil || !d.LastPullAt.Equal(clock.Now()) || !d.Authorized() {
			t.Errorf("connection to the host down: %+v", d)
		}
		// The next slot is queued: the job keeps itself going.
		next := clock.Now().Truncate(24 * time.Hour).Add(24 * time.Hour)
		j, err := b.db.GetJob(ctx, "connections-pull-"+next.Format("20060102T150405Z"))
		if err != nil || j.Kind != ConnectionPullJobKind || j.State != store.JobQueued || !j.RunAt.Equal(next) {
			t.Errorf("next run: %+v %v", j, err)
		}
		for _, lang := range []string{"fr", "en"} {
			_, page := br.get(b.base + "/portfolio/connections?lang=" + lang)
			if got := byID(page, "connection-error-"+down.ID); got != htmlEscape(locale.T(lang, "connections.pull_failed")) ||
				byID(page, "pull-"+down.ID) != locale.T(lang, "connections.pull") {
				t.Errorf("%s: the host down's error %q", lang, got)
			}
		}
	})

	t.Run("a grant revoked on A", func(t *testing.T) {
		c := get(toA.ID)
		// As B's disconnection would: RFC 7009 at A with B's client.
		rc := *c
		rc.TokenURL = c.RevokeURL
		if _, err := b.puller.s.revokeAt(ctx, b.puller.s.connector(), &rc, c.RefreshToken, "refresh_token"); err != nil {
			t.Fatal(err)
		}
		clock.add(13 * time.Hour)
		run, err := b.puller.PullDue(ctx)
		if err != nil || run.Due != 2 || run.Reauthorize != 1 || run.Failed != 2 {
			t.Errorf("run %+v %v", run, err)
		}
		c = get(toA.ID)
		if c.Authorized() || c.AccessToken != "" || c.RefreshToken != "" || c.LastError != "connections.reauthorize" || c.PulledCount != 2 {
			t.Errorf("connection to A after the refusal: %+v", c)
		}
		for _, lang := range []string{"fr", "en"} {
			_, page := br.get(b.base + "/portfolio/connections?lang=" + lang)
			if got := byID(page, "connection-error-"+toA.ID); got != htmlEscape(locale.T(lang, "connections.reauthorize")) ||
				byID(page, "reconnect-"+toA.ID) != locale.T(lang, "connections.reconnect") || byID(page, "pull-"+toA.ID) != "" {
				t.Errorf("%s: A's error %q", lang, got)
			}
		}
		// Not tried again at the next runs: it waits for the recipient.
		pulled := *c.LastPullAt
		clock.add(13 * time.Hour)
		run, err = b.puller.PullDue(ctx)
		if err != nil || run.Due != 1 || run.Reauthorize != 0 {
			t.Errorf("next run %+v %v", run, err)
		}
		if c := get(toA.ID); !c.LastPullAt.Equal(pulled) {
			t.Errorf("the connection was pulled again at %v", c.LastPullAt)
		}
	})

	t.Run("authorized again, pulled again", func(t *testing.T) {
		third := a.award(t, email, "Marie T.")
		resp, body := br.post(a.base + "/portfolio/awards/" + third.ID + "/accept")
		wantRedirect(t, resp, body, "/portfolio")
		if resp, page := br.connect(t, b, a.base, "approve"); resp.StatusCode != 200 || !strings.Contains(page, `id="pull-imported" data-count="1"`) {
			t.Fatalf("reconnect: %s %.800s", resp.Status, page)
		}
		if c := get(toA.ID); !c.Authorized() || c.LastError != "" || c.PulledCount != 3 {
			t.Errorf("connection to A after reconnecting: %+v", c)
		}
		if n := items(); n != 3 {
			t.Errorf("%d items, want 3", n)
		}
	})
}

// Several servers run the job: each schedules the current slot at
// start-up and runs a job runner on the same database, yet each slot's
// pull runs once, and exactly one next slot is queued.
func TestConnectionPullJobOncePerSlot(t *testing.T) {
	storetest.ForEach(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clock := &cnClock{now: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}
		n := newCNNode(t, db, "127.0.0.1", clock, nil)
		var runs atomic.Int32
		handler := func(ctx context.Context, payload []byte) error {
			runs.Add(1)
			return n.puller.RunJob(ctx, payload)
		}
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		runCtx, stop := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			r := jobs.New(db, jobs.Options{PollInterval: 5 * time.Millisecond, Logger: quiet})
			r.Handle(ConnectionPullJobKind, handler)
			if err := n.puller.Schedule(ctx); err != nil {
				t.Fatal(err)
			}
			wg.Go(func() { r.Run(runCtx) })
		}
		slot := "connections-pull-20260301T000000Z"
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(5 * time.Millisecond) {
			j, err := db.GetJob(ctx, slot)
			if err != nil {
				t.Fatal(err)
			}
			if j.State == store.JobDone {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("slot job still %s: %s", j.State, j.LastError)
			}
		}
		stop()
		wg.Wait()
		if got := runs.Load(); got != 1 {
			t.Errorf("the slot ran %d times", got)
		}
		list, err := db.ListJobs(ctx, store.JobFilter{Kind: ConnectionPullJobKind})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, j := range list {
			ids = append(ids, j.ID+" "+string(j.State))
		}
		slices.Sort(ids)
		if want := []string{slot + " done", "connections-pull-20260302T000000Z queued"}; !slices.Equal(ids, want) {
			t.Errorf("jobs %v, want %v", ids, want)
		}
	})
}
