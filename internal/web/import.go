package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif"  // achievement images embedded as data: URIs
	_ "image/jpeg" // idem
	"image/png"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/fetch"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob2"
	"github.com/sceau/sceau/ob3"
	"github.com/sceau/sceau/verify"
)

// Importing a badge made elsewhere into the portfolio (/portfolio/import):
// a baked PNG or SVG, a JSON or JWT file, or a URL. The badge is verified
// like on the verification page, must have been issued to one of the
// account's verified addresses, and is kept with its bytes unchanged, so
// that exporting it gives back exactly what was imported.
//
// What is accepted: a badge whose verdict is valid, or expired (it was
// earned; the pages say it expired). Refused with the verifier's reason:
// invalid (tampered, wrong key, unverifiable), revoked, suspended, not yet
// valid. A badge issued here is not imported: it is accepted from its
// award, as from the claim link, so that it stays one award.

// maxImportInput bounds an imported file or a fetched badge.
const maxImportInput = 2 << 20

// maxImportPixels bounds the image decoded to show an imported badge.
const maxImportPixels = 2048 * 2048

// importView is what the import page shows besides the form.
type importView struct {
	Emails []string // the account's verified addresses
}

func (s *server) importForm(w http.ResponseWriter, r *http.Request) error {
	return s.importPage(w, r, newForm(nil), http.StatusOK)
}

func (s *server) importPage(w http.ResponseWriter, r *http.Request, f *form, status int) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	emails, err := s.db.VerifiedEmails(r.Context(), u.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, status, "import", s.newPage(r, f, importView{Emails: emails}))
}

// importInput is what the form gave, read and checked.
type importInput struct {
	data   []byte
	field  string // file or url: where a refusal is shown
	source string // the URL, or the file's name
}

// readImportInput reads the form: a file first, else a URL. Refusals are
// recorded on f by field; status is the page's status for them.
func (s *server) readImportInput(w http.ResponseWriter, r *http.Request, lang string) (*importInput, *form, int, error) {
	v, f, files, err := s.multipartForm(w, r, maxImportInput+64<<10)
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		f = newForm(nil)
		f.Errors["file"] = locale.T(lang, "import.too_large", maxImportInput>>20)
		return nil, f, http.StatusRequestEntityTooLarge, nil
	}
	if err != nil {
		return nil, nil, 0, err
	}
	f.Values.Del("file")
	in := &importInput{}
	data, ok, err := files.read("file", maxImportInput)
	switch {
	case err != nil:
		if badge.ErrorKind(err) == badge.Internal {
			return nil, nil, 0, err
		}
		f.Errors["file"] = locale.T(lang, "import.too_large", maxImportInput>>20)
		return nil, f, http.StatusRequestEntityTooLarge, nil
	case ok:
		in.data, in.field, in.source = data, "file", cleanSourceName(files.name("file"))
	case strings.TrimSpace(v.Get("url")) != "":
		raw := strings.TrimSpace(v.Get("url"))
		in.field, in.source = "url", raw
		in.data, err = s.fetchImport(r.Context(), raw)
		if err != nil {
			s.log.Info("import: fetch failed", "err", err)
			switch {
			case errors.Is(err, errNoFetcher):
				f.Errors["url"] = locale.T(lang, "verifypage.url_disabled")
			case errors.Is(err, errBadURL):
				f.Errors["url"] = locale.T(lang, "verifypage.url_invalid")
			case errors.Is(err, fetch.ErrBlocked):
				f.Errors["url"] = locale.T(lang, "import.url_blocked")
			default:
				f.Errors["url"] = locale.T(lang, "verifypage.url_failed")
			}
		}
	default:
		f.Errors["file"] = locale.T(lang, "import.empty")
	}
	return in, f, http.StatusUnprocessableEntity, nil
}

// cleanSourceName keeps a file's base name, bounded, as its source.
func cleanSourceName(name string) string {
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" {
		return ""
	}
	return truncateRunes(name, 200)
}

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// imageGetter is the part of the SSRF-safe client that fetches images as
// well as documents (a URL may point at a baked image).
type imageGetter interface {
	Get(ctx context.Context, rawURL string, req fetch.Request) (*fetch.Response, error)
}

// importAccept is what a badge URL may answer with.
var importAccept = append(append([]string(nil), fetch.JSONTypes...), fetch.ImageTypes...)

// fetchImport gets what a pasted URL points at: this server's awards from
// the database, anything else through the SSRF-safe client, as a document
// or a baked image.
func (s *server) fetchImport(ctx context.Context, raw string) ([]byte, error) {
	if _, own := s.ownAwardID(ctx, raw); own || s.fetcher == nil {
		return s.fetchBadge(ctx, raw)
	}
	g, ok := s.fetcher.(imageGetter)
	if !ok {
		return s.fetchBadge(ctx, raw)
	}
	if _, err := s.fetchBadgeURL(raw); err != nil {
		return nil, err
	}
	resp, err := g.Get(ctx, raw, fetch.Request{Accept: importAccept, MaxBytes: maxImportInput})
	if err != nil {
		return nil, fmt.Errorf("import %.200q: %w", raw, err)
	}
	return resp.Body, nil
}

// fetchBadgeURL checks a pasted URL as fetchBadge does.
func (s *server) fetchBadgeURL(raw string) (string, error) {
	if len(raw) > badge.MaxURLLen || !(strings.HasPrefix(raw, "https://") || strings.HasPrefix(raw, "http://")) || httpURL(raw) == "" {
		return "", fmt.Errorf("import %.200q: %w", raw, errBadURL)
	}
	return raw, nil
}

// importSubmit verifies what the form gave and imports it.
func (s *server) importSubmit(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	in, f, status, err := s.readImportInput(w, r, lang)
	if err != nil {
		return err
	}
	if f.HasErrors() {
		return s.importPage(w, r, f, status)
	}
	ctx := r.Context()
	rep := s.verifyBytes(ctx, in.data, "")
	refuse := func(msg string) error {
		f.Errors[in.field] = msg
		return s.importPage(w, r, f, http.StatusUnprocessableEntity)
	}
	if notABadge(rep) {
		return refuse(locale.T(lang, "import.not_a_badge"))
	}
	state, reason, _ := issuing.ImportState(rep)
	if state != issuing.ImportValid && state != issuing.ImportExpired {
		return refuse(locale.T(lang, "import.refused."+state, rep.Reason.In(lang)))
	}
	if id, ok := s.ownCredential(rep); ok {
		return s.importOwnAward(w, r, u, id, refuse)
	}
	emails, err := s.db.VerifiedEmails(ctx, u.ID)
	if err != nil {
		return err
	}
	switch recipientOf(rep, emails) {
	case recipientDID:
		return refuse(locale.T(lang, "import.recipient_did"))
	case recipientNone:
		return refuse(locale.T(lang, "import.no_recipient"))
	case recipientOther:
		return refuse(locale.T(lang, "import.not_yours"))
	}
	it := &store.PortfolioItem{UserID: u.ID, Credential: in.data, Source: in.source,
		Import: importInfo(rep, in.data, state, reason)}
	it.Name = importName(rep, lang)
	if err := s.db.ImportItem(ctx, it); err != nil {
		if badge.ErrorKind(err) == badge.Conflict {
			return refuse(errorText(lang, asBadgeError(err)))
		}
		return err
	}
	s.checkPathways(ctx, u.ID)
	s.flash(r, "flash.import.done", it.Name)
	return redirect(w, r, "/portfolio#item-"+it.ID)
}

// ownCredential returns the award ID of a credential issued here.
func (s *server) ownCredential(rep *verify.Report) (string, bool) {
	id := credentialID(rep)
	rest, ok := strings.CutPrefix(id, s.baseURL+"/awards/")
	if !ok {
		// An award's OB 2.0 form lives at /ob2/assertions/{id}.
		rest, ok = strings.CutPrefix(id, s.baseURL+"/ob2/assertions/")
	}
	if !ok || !badge.ValidID(rest) {
		return "", false
	}
	return rest, true
}

// importOwnAward accepts an award of this server into the portfolio, as
// its claim link would, when it was made to one of the account's
// verified addresses.
func (s *server) importOwnAward(w http.ResponseWriter, r *http.Request, u *badge.User, awardID string, refuse func(string) error) error {
	lang := locale.Negotiate(r)
	it, err := s.accounts.AcceptAward(r.Context(), u, awardID)
	if err == nil {
		s.flash(r, "flash.import.own_award")
		return redirect(w, r, "/portfolio#item-"+it.ID)
	}
	switch badge.ErrorKind(err) {
	case badge.NotFound, badge.Forbidden:
		return refuse(locale.T(lang, "import.not_yours"))
	case badge.Conflict:
		return refuse(errorText(lang, asBadgeError(err)))
	}
	return err
}

// credentialID is the id the credential (or OB 2.0 assertion) gives.
func credentialID(rep *verify.Report) string {
	if len(rep.Credential) == 0 {
		return ""
	}
	if rep.Standard != "" {
		if a, err := ob2.Parse(rep.Credential); err == nil {
			return a.ID
		}
		return ""
	}
	if c, err := ob3.Parse(rep.Credential); err == nil {
		return c.ID
	}
	return ""
}

// recipientMatch says whom a badge was issued to, for an account.
type recipientMatch int

const (
	recipientMine  recipientMatch = iota // one of the account's verified addresses
	recipientOther                       // an address, not one of the account's
	recipientDID                         // a DID or another identifier that is no address
	recipientNone                        // the badge names no recipient
)

// recipientOf matches the badge's recipient against the addresses: OB 2.0
// identities (plain, or md5 / sha256 hashes with or without salt) and OB
// 3.0 identifiers (identityHash) or a mailto: subject id.
func recipientOf(rep *verify.Report, emails []string) recipientMatch {
	if rep.Standard != "" {
		a, err := ob2.Parse(rep.Credential)
		if err != nil || a.Recipient.Identity == "" {
			return recipientNone
		}
		for _, e := range emails {
			ok, err := ob2.MatchRecipient(a.Recipient, e)
			if errors.Is(err, ob2.ErrIdentityType) {
				return recipientDID
			}
			if ok {
				return recipientMine
			}
		}
		return recipientOther
	}
	c, err := ob3.Parse(rep.Credential)
	if err != nil || c.CredentialSubject == nil {
		return recipientNone
	}
	sub := c.CredentialSubject
	byEmail := false
	for _, id := range sub.Identifier {
		if strings.EqualFold(id.IdentityType, "emailAddress") {
			byEmail = true
		}
		for _, e := range emails {
			if id.Matches(e) {
				return recipientMine
			}
		}
	}
	if addr, ok := strings.CutPrefix(strings.ToLower(sub.ID), "mailto:"); ok {
		for _, e := range emails {
			if strings.EqualFold(addr, e) {
				return recipientMine
			}
		}
		return recipientOther
	}
	switch {
	case byEmail:
		return recipientOther
	case sub.ID != "" || len(sub.Identifier) > 0:
		return recipientDID
	}
	return recipientNone
}

// importName is the badge's name, bounded; "Badge" when it has none.
func importName(rep *verify.Report, lang string) string {
	name := ""
	if rep.Achievement != nil {
		name = strings.TrimSpace(rep.Achievement.Name)
	}
	if c, err := ob3.Parse(rep.Credential); name == "" && err == nil && c.CredentialSubject != nil && c.CredentialSubject.Achievement != nil {
		name = strings.TrimSpace(c.CredentialSubject.Achievement.Name)
	}
	if name == "" {
		name = locale.T(lang, "import.unnamed")
	}
	return truncateRunes(name, badge.MaxNameLen)
}

// importInfo is what the portfolio keeps of a verified badge.
func importInfo(rep *verify.Report, data []byte, state, reason string) *store.ImportInfo {
	in := &store.ImportInfo{Key: credentialID(rep), Format: rep.Format, Standard: rep.Standard, State: state, StateReason: reason,
		ValidUntil: rep.ValidUntil}
	if in.Key == "" {
		sum := sha256.Sum256(data)
		in.Key = "sha256:" + hex.EncodeToString(sum[:])
	}
	in.Key = truncateRunes(in.Key, badge.MaxURLLen)
	if p := rep.Issuer; p != nil {
		in.IssuerName = truncateRunes(firstNonEmpty(p.Name, p.ID), 500)
		in.IssuerURL = truncateRunes(httpURL(p.URL), badge.MaxURLLen)
	}
	if p := rep.Achievement; p != nil {
		in.Description = truncateRunes(p.Description, 5000)
	}
	var achievementImage string
	if rep.Achievement != nil {
		achievementImage = rep.Achievement.Image
	}
	if c, err := ob3.Parse(rep.Credential); err == nil && rep.Standard == "" {
		if t, err := c.AwardedDate.Time(); err == nil && c.AwardedDate != "" {
			in.IssuedAt = &t
		}
		if s := c.CredentialSubject; s != nil && s.Achievement != nil {
			in.Description = truncateRunes(firstNonEmpty(in.Description, s.Achievement.Description), 5000)
			if s.Achievement.Image != nil {
				achievementImage = s.Achievement.Image.ID
			}
		}
	}
	if in.IssuedAt == nil && rep.ValidFrom != nil {
		t := *rep.ValidFrom
		in.IssuedAt = &t
	}
	var img []byte
	switch {
	case rep.Format == "png":
		img = data
	case strings.HasPrefix(achievementImage, "data:image/"):
		img = decodeDataImage(achievementImage)
	}
	if clean := displayImage(img); clean != nil {
		in.Image, in.ImageType = clean, "image/png"
	}
	return in
}

// decodeDataImage returns the bytes of a base64 data: URI of an image,
// nil for anything else or anything too large.
func decodeDataImage(uri string) []byte {
	head, body, ok := strings.Cut(uri, ",")
	if !ok || !strings.HasSuffix(head, ";base64") || base64.StdEncoding.DecodedLen(len(body)) > maxImportInput {
		return nil
	}
	b, err := base64.StdEncoding.DecodeString(body)
	if err != nil {
		return nil
	}
	return b
}

// displayImage re-encodes an image as a plain PNG: what is shown holds no
// baked credential (which may name the recipient's address) and no other
// metadata, and is an image whatever the upload claimed. nil when the
// input is not a PNG, JPEG or GIF image of reasonable size.
func displayImage(data []byte) []byte {
	if len(data) == 0 {
		return nil
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || int64(cfg.Width)*int64(cfg.Height) > maxImportPixels {
		return nil
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return nil
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil || buf.Len() > store.MaxImportImage {
		return nil
	}
	return buf.Bytes()
}

// itemImage serves the image of one of the account's imported badges.
func (s *server) itemImage(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	return s.serveImportImage(w, r, u.ID, r.PathValue("id"), "private, max-age=300")
}

func (s *server) serveImportImage(w http.ResponseWriter, r *http.Request, userID, itemID, cache string) error {
	ctype, data, err := s.db.ImportImage(r.Context(), userID, itemID)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", cache)
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = w.Write(data)
	return err
}

// importedImagePath is where an imported badge's image is served: the
// owner's path, or the public one when handle is set.
func importedImagePath(e *store.PortfolioEntry, handle string) string {
	if e.Item.Import == nil || e.Item.Import.ImageType == "" {
		return ""
	}
	if handle != "" {
		return "/@" + handle + "/badges/" + e.Item.Slug + "/image"
	}
	return "/portfolio/items/" + e.Item.ID + "/image"
}

// importedBadgeView is the public page of an imported badge.
type importedBadgeView struct {
	Owner, Handle string
	Item          itemView
	Description   string
	IssuerURL     string
	Standard      string
	ValidUntil    string
	StateReason   string
	PortfolioURL  string
	PageURL       string
	QRURL         string
	OGDescription string
	ImageAbsURL   string
}

// publicImportedBadge shows a public imported badge: what it certifies,
// who issued it, where it was imported from and what its last
// verification found. Its file is not offered: a badge made elsewhere may
// carry its recipient's address in clear.
func (s *server) publicImportedBadge(w http.ResponseWriter, r *http.Request, owner *badge.User, e *store.PortfolioEntry) error {
	lang := locale.Negotiate(r)
	in := e.Item.Import
	path := "/@" + owner.Handle + "/badges/" + e.Item.Slug
	v := importedBadgeView{Owner: owner.Name, Handle: owner.Handle, Item: entryItem(lang, owner.Handle, e, s.now()),
		Description: in.Description, IssuerURL: in.IssuerURL, Standard: firstNonEmpty(in.Standard, "Open Badges 3.0"),
		PortfolioURL: "/@" + owner.Handle, PageURL: s.baseURL + path, QRURL: path + "/qr.png"}
	if in.ValidUntil != nil {
		v.ValidUntil = formatDate(lang, *in.ValidUntil)
	}
	if v.Item.State == issuing.ImportRevoked || v.Item.State == issuing.ImportSuspended {
		v.StateReason = in.StateReason
	}
	if v.Item.ImageURL != "" {
		v.ImageAbsURL = s.baseURL + v.Item.ImageURL
	}
	v.OGDescription = ogDescription(lang, e.BadgeName, v.Item.IssuerName, in.Description)
	return s.renderPublic(w, r, "portfolio_imported", s.newPage(r, nil, v))
}
