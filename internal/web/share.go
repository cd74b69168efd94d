package web

import (
	stdhtml "html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// Sharing a public badge: LinkedIn's "add to profile" certification form,
// Open Graph and Twitter card meta (in the page's head), an HTML snippet
// to embed the badge elsewhere, and a QR code of the page's address.

// shareView is what the share section of a public badge page shows.
type shareView struct {
	PageURL     string // absolute address of the public badge page
	LinkedInURL string
	EmbedHTML   string // shown as text, to copy
	QRURL       string
}

// linkedInAddURL is LinkedIn's "Add to profile" form for a certification.
const linkedInAddURL = "https://www.linkedin.com/profile/add"

// linkedInURL fills LinkedIn's certification form: the badge's name, the
// issuer's name, the month of the award (and of expiry, if any), the
// public page as the credential's URL and the award's ID as the
// credential's ID. Parameter names are LinkedIn's (startTask,
// organizationName, issueYear, issueMonth, expirationYear,
// expirationMonth, certUrl, certId).
func linkedInURL(name, organization, pageURL, certID string, a *badge.Award) string {
	q := url.Values{}
	q.Set("startTask", "CERTIFICATION_NAME")
	q.Set("name", name)
	q.Set("organizationName", organization)
	q.Set("issueYear", strconv.Itoa(a.AwardedAt.UTC().Year()))
	q.Set("issueMonth", strconv.Itoa(int(a.AwardedAt.UTC().Month())))
	if a.ValidUntil != nil {
		q.Set("expirationYear", strconv.Itoa(a.ValidUntil.UTC().Year()))
		q.Set("expirationMonth", strconv.Itoa(int(a.ValidUntil.UTC().Month())))
	}
	q.Set("certUrl", pageURL)
	q.Set("certId", certID)
	return linkedInAddURL + "?" + q.Encode()
}

// embedSnippet is HTML that shows the badge's image (or its name) linked
// to its public page, for other sites.
func embedSnippet(pageURL, imageURL, name string) string {
	a := `<a href="` + stdhtml.EscapeString(pageURL) + `">`
	if imageURL == "" {
		return a + stdhtml.EscapeString(name) + `</a>`
	}
	return a + `<img src="` + stdhtml.EscapeString(imageURL) + `" alt="` + stdhtml.EscapeString(name) + `" width="120" height="120"></a>`
}

func (s *server) shareFor(owner *badge.User, e *store.PortfolioEntry, a *badge.Award, iss *badge.Issuer) shareView {
	path := "/@" + owner.Handle + "/badges/" + e.Item.Slug
	page := s.baseURL + path
	image := ""
	if p := badgeImagePath(e.IssuerSlug, e.BadgeSlug, e.BadgeImageKey); p != "" {
		image = s.baseURL + p
	}
	return shareView{PageURL: page, LinkedInURL: linkedInURL(e.BadgeName, iss.Name, page, a.ID, a),
		EmbedHTML: embedSnippet(page, image, e.BadgeName), QRURL: path + "/qr.png"}
}

// maxOGDescription bounds og:description (sites show about 200 characters).
const maxOGDescription = 200

// ogDescription is the one-line summary link previews show.
func ogDescription(lang, badgeName, issuerName, description string) string {
	s := locale.T(lang, "share.og_description", badgeName, issuerName)
	if d := strings.Join(strings.Fields(description), " "); d != "" {
		s += " " + d
	}
	if utf8.RuneCountInString(s) > maxOGDescription {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:maxOGDescription-1])) + "…"
	}
	return s
}

// qrSize is the QR code's side in pixels: scannable on screen and print.
const qrSize = 256

// badgeQR serves a QR code of a public badge page's address.
func (s *server) badgeQR(w http.ResponseWriter, r *http.Request, slug string) error {
	owner, e, err := s.publicEntry(r, slug)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(s.baseURL+"/@"+owner.Handle+"/badges/"+e.Item.Slug, qrcode.Medium, qrSize)
	if err != nil {
		return badge.Internalf(err, "QR code of %s", slug)
	}
	h := w.Header()
	h.Set("Content-Type", "image/png")
	// Short: the badge may be made private.
	h.Set("Cache-Control", "public, max-age=300")
	_, err = w.Write(png)
	return err
}
