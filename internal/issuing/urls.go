package issuing

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/sceau/sceau/internal/keys"
)

// The public URL layout of issuing, in one place so that the web layer
// serves exactly what the credentials point at. Slugs and ids are
// validated by package badge (letters, digits, '-'), so they need no
// escaping; path segments from elsewhere are escaped all the same.
type urls struct{ base string }

func newURLs(base string) urls { return urls{base: strings.TrimRight(base, "/")} }

func seg(s string) string { return url.PathEscape(s) }

// issuerDID is the issuer's did:web; its document is served at
// BASE/issuers/{slug}/did.json.
func (u urls) issuerDID(slug string) (string, error) { return keys.IssuerDID(u.base, slug) }

// DIDDocumentURL is where the issuer's DID document is served.
func (u urls) didDocument(slug string) string { return u.issuer(slug) + "/did.json" }

// issuer is the issuer Profile's URL (its JSON form and its page).
func (u urls) issuer(slug string) string { return u.base + "/issuers/" + seg(slug) }

// issuerImage serves the issuer's logo.
func (u urls) issuerImage(slug string) string { return u.issuer(slug) + "/image" }

// achievement is a badge definition's id.
func (u urls) achievement(issuerSlug, badgeSlug string) string {
	return u.issuer(issuerSlug) + "/badges/" + seg(badgeSlug)
}

// achievementImage serves a badge definition's image.
func (u urls) achievementImage(issuerSlug, badgeSlug string) string {
	return u.achievement(issuerSlug, badgeSlug) + "/image"
}

// award is an award's credential id and permanent address.
func (u urls) award(awardID string) string { return u.base + "/awards/" + seg(awardID) }

// evidenceFile serves the n-th (from 1) uploaded evidence file of an award.
func (u urls) evidenceFile(awardID string, n int) string {
	return u.award(awardID) + "/evidence/" + strconv.Itoa(n)
}

// statusList is the issuer's Bitstring Status List credential for purpose
// ("revocation" or "suspension").
func (u urls) statusList(slug, purpose string) string {
	return u.issuer(slug) + "/status/" + purpose
}

// revocationList is the issuer's 1EdTech revocation list.
func (u urls) revocationList(slug string) string { return u.issuer(slug) + "/revocations" }
