package web

import (
	"bytes"
	stdhtml "html"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/internal/store/storetest"
)

// meta returns the content of a <meta property|name="key"> tag.
func meta(page, key string) string {
	m := regexp.MustCompile(`<meta (?:property|name)="` + regexp.QuoteMeta(key) + `" content="([^"]*)">`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return stdhtml.UnescapeString(m[1])
}

func attr(page, id, name string) string {
	m := regexp.MustCompile(`<\w+[^>]*\bid="` + regexp.QuoteMeta(id) + `"[^>]*\b` + name + `="([^"]*)"`).FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return stdhtml.UnescapeString(m[1])
}

func TestLinkedInURL(t *testing.T) {
	until := time.Date(2029, 6, 30, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		award *badge.Award
		want  url.Values
	}{
		{"no expiry", &badge.Award{AwardedAt: time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)}, url.Values{
			"startTask": {"CERTIFICATION_NAME"}, "name": {"Classe inversée & co"}, "organizationName": {"CSS « Montréal »"},
			"issueYear": {"2026"}, "issueMonth": {"3"}, "certUrl": {"https://b.example/@marie/badges/x"}, "certId": {"id-1"}}},
		{"with expiry", &badge.Award{AwardedAt: time.Date(2025, 12, 31, 23, 0, 0, 0, time.UTC), ValidUntil: &until}, url.Values{
			"startTask": {"CERTIFICATION_NAME"}, "name": {"Classe inversée & co"}, "organizationName": {"CSS « Montréal »"},
			"issueYear": {"2025"}, "issueMonth": {"12"}, "expirationYear": {"2029"}, "expirationMonth": {"6"},
			"certUrl": {"https://b.example/@marie/badges/x"}, "certId": {"id-1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw := linkedInURL("Classe inversée & co", "CSS « Montréal »", "https://b.example/@marie/badges/x", "id-1", tc.award)
			u, err := url.Parse(raw)
			if err != nil {
				t.Fatal(err)
			}
			if u.Scheme != "https" || u.Host != "www.linkedin.com" || u.Path != "/profile/add" {
				t.Errorf("URL %s", raw)
			}
			got := u.Query()
			if len(got) != len(tc.want) {
				t.Errorf("parameters %v, want %v", got, tc.want)
			}
			for k, v := range tc.want {
				if got.Get(k) != v[0] {
					t.Errorf("%s = %q, want %q", k, got.Get(k), v[0])
				}
			}
		})
	}
}

func TestEmbedSnippet(t *testing.T) {
	got := embedSnippet(`https://b.example/@m/badges/a"b`, "https://b.example/i.png", `Badge <"x">`)
	want := `<a href="https://b.example/@m/badges/a&#34;b"><img src="https://b.example/i.png" alt="Badge &lt;&#34;x&#34;&gt;" width="120" height="120"></a>`
	if got != want {
		t.Errorf("snippet\n got %s\nwant %s", got, want)
	}
	if got := embedSnippet("https://b.example/p", "", "Nom & co"); got != `<a href="https://b.example/p">Nom &amp; co</a>` {
		t.Errorf("without image: %s", got)
	}
}

func TestShareOnPublicBadgePage(t *testing.T) { storetest.ForEach(t, testShareOnPublicBadgePage) }

func testShareOnPublicBadgePage(t *testing.T, db *store.DB) {
	f := newFixtureOn(t, db)
	m := newMarie(t, f)
	path := "/@" + m.handle + "/badges/secourisme"
	pageURL := testBase + path
	for _, lang := range []string{"fr", "en"} {
		_, page := f.browser(t, lang).get(path)

		// Open Graph and Twitter card.
		wantTitle := map[string]string{"fr": "Secourisme — badge de Marie Tremblay", "en": "Secourisme — badge of Marie Tremblay"}[lang]
		for key, want := range map[string]string{"og:title": wantTitle, "og:url": pageURL, "og:type": "website",
			"og:image": testBase + "/issuers/cssdm/badges/secourisme/image", "twitter:card": "summary", "twitter:title": wantTitle} {
			if got := meta(page, key); got != want {
				t.Errorf("%s: %s = %q, want %q", lang, key, got, want)
			}
		}
		if d := meta(page, "og:description"); !strings.Contains(d, "Secourisme") || !strings.Contains(d, "Centre de services scolaire") ||
			!strings.Contains(d, "Premiers soins") {
			t.Errorf("%s: og:description %q", lang, d)
		}
		if i, j := strings.Index(page, `property="og:title"`), strings.Index(page, "</head>"); i < 0 || i > j {
			t.Errorf("%s: meta not in the head", lang)
		}

		// LinkedIn.
		u, err := url.Parse(attr(page, "share-linkedin", "href"))
		if err != nil || u.Host != "www.linkedin.com" {
			t.Fatalf("%s: LinkedIn link %v %v", lang, u, err)
		}
		q := u.Query()
		for k, want := range map[string]string{"startTask": "CERTIFICATION_NAME", "name": "Secourisme",
			"organizationName": "Centre de services scolaire", "issueYear": "2026", "issueMonth": "3", "certUrl": pageURL,
			"certId": f.award.ID} {
			if q.Get(k) != want {
				t.Errorf("%s: LinkedIn %s = %q, want %q", lang, k, q.Get(k), want)
			}
		}

		// Embed snippet: HTML shown as text, linking to the page.
		embed := stdhtml.UnescapeString(byID(page, "share-embed"))
		if embed != `<a href="`+pageURL+`"><img src="`+testBase+`/issuers/cssdm/badges/secourisme/image" alt="Secourisme" width="120" height="120"></a>` {
			t.Errorf("%s: embed %q", lang, embed)
		}
		if attr(page, "share-qr", "src") != path+"/qr.png" {
			t.Errorf("%s: QR image %q", lang, attr(page, "share-qr", "src"))
		}
	}

	// The QR code is a PNG of the page's address.
	resp, body := f.get(t, path+"/qr.png")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("QR: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	img, err := png.Decode(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != qrSize || b.Dy() != qrSize {
		t.Errorf("QR size %v", b)
	}
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		if os.Getenv("SCEAU_REQUIRE_TOOLS") == "1" {
			t.Fatal("zbarimg not installed (Debian zbar-tools)")
		}
		t.Skip("zbarimg not installed: QR content not decoded")
	}
	file := filepath.Join(t.TempDir(), "qr.png")
	if err := os.WriteFile(file, body, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbar, "--raw", "-q", file).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != pageURL {
		t.Errorf("QR decodes to %q, want %q", got, pageURL)
	}
}

func TestOGDescriptionBounded(t *testing.T) {
	d := ogDescription("fr", "Nom", "Émetteur", strings.Repeat("très long ", 100))
	if n := len([]rune(d)); n > maxOGDescription || !strings.HasSuffix(d, "…") {
		t.Errorf("%d characters: %q", n, d)
	}
	if d := ogDescription("en", "Name", "Issuer", "Short\n\ntext."); d != "Badge “Name” issued by Issuer. Short text." {
		t.Errorf("%q", d)
	}
}
