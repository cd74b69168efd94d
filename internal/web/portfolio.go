package web

import (
	"context"
	stdhtml "html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/store"
)

// The portfolio: the signed-in recipient's page (/portfolio) listing the
// badges to accept and every badge held, in themes, with their settings;
// and the public pages (/@handle, /@handle/badges/{slug}), which show
// only what the recipient made public and never an e-mail address.

// itemView is one badge as the portfolio pages list it. It holds nothing
// private: no address, no identity hash.
type itemView struct {
	ID, Slug, AwardID string
	BadgeName         string
	ContentLang       string
	IssuerName        string
	Awarded           string
	// State is active, revoked, suspended or expired, computed now.
	State        string
	ImageURL     string
	Href         string // the public page, when the item is public
	IssuedBy     string // "Issued by …" in the page's language
	StateLabel   string // the state in the page's language
	Public       bool
	ShowEvidence bool
	CollectionID string
	First, Last  bool // first or last of its theme (no move that way)
	// Imported badges: where they came from and when they were last
	// verified.
	Imported  bool
	Source    string // a file's name, or the URL
	SourceURL string // the URL, when it came from one
	CheckedAt string
}

// importLiveState is an imported badge's state now: what the last
// verification found, and expiry by the clock.
func importLiveState(in *store.ImportInfo, now time.Time) string {
	switch in.State {
	case issuing.ImportRevoked, issuing.ImportSuspended, issuing.ImportInvalid, issuing.ImportExpired:
		return in.State
	}
	if in.ValidUntil != nil && !in.ValidUntil.After(now) {
		return "expired"
	}
	return "active"
}

// liveState is an award's state now: revocation and suspension as
// recorded, expiry by the clock.
func liveState(status badge.Status, validUntil *time.Time, now time.Time) string {
	switch {
	case status == badge.StatusRevoked:
		return "revoked"
	case status == badge.StatusSuspended:
		return "suspended"
	case validUntil != nil && !validUntil.After(now):
		return "expired"
	}
	return "active"
}

func badgeImagePath(issuerSlug, badgeSlug, imageKey string) string {
	if imageKey == "" || issuerSlug == "" {
		return ""
	}
	return "/issuers/" + issuerSlug + "/badges/" + badgeSlug + "/image"
}

// entryItem is what the pages show of an entry; the strings the lists
// repeat for each badge are made here rather than in the templates, which
// are slow at it (a public portfolio may list a thousand badges).
func entryItem(lang, handle string, e *store.PortfolioEntry, now time.Time) itemView {
	v := itemView{ID: e.Item.ID, Slug: e.Item.Slug, AwardID: e.Item.AwardID, BadgeName: e.BadgeName, ContentLang: e.BadgeLanguage,
		IssuerName: e.IssuerName, Awarded: formatDate(lang, e.AwardedAt), State: liveState(e.Status, e.ValidUntil, now),
		ImageURL: badgeImagePath(e.IssuerSlug, e.BadgeSlug, e.BadgeImageKey), Public: e.Item.Public,
		ShowEvidence: e.Item.ShowEvidence, CollectionID: e.Item.CollectionID}
	v.IssuedBy = locale.T(lang, "portfolio.issued_by", v.IssuerName)
	if in := e.Item.Import; in != nil {
		v.Imported, v.State = true, importLiveState(in, now)
		v.IssuedBy = locale.T(lang, "import.issued_by", v.IssuerName)
		v.Source, v.SourceURL = e.Item.Source, httpURL(e.Item.Source)
		v.CheckedAt = formatDate(lang, in.CheckedAt)
		// A private badge's image is the owner's to see only.
		if v.Public {
			v.ImageURL = importedImagePath(e, handle)
		} else {
			v.ImageURL = importedImagePath(e, "")
		}
	}
	v.StateLabel = locale.T(lang, "portfolio.state."+v.State)
	if v.Public {
		v.Href = "/@" + handle + "/badges/" + v.Slug
	}
	return v
}

// completeEntries fills in the badge and issuer of listed entries from
// the cache of definitions: a portfolio names few of them, however many
// badges it holds.
func (s *server) completeEntries(ctx context.Context, entries []*store.PortfolioEntry) error {
	for _, e := range entries {
		if e.BadgeID == "" {
			continue // imported: the item's own name
		}
		b, err := s.defs.badges.get(ctx, e.BadgeID, s.db.GetBadge)
		if err != nil {
			return err
		}
		iss, err := s.defs.issuers.get(ctx, e.IssuerID, s.db.GetIssuer)
		if err != nil {
			return err
		}
		e.BadgeName, e.BadgeSlug, e.BadgeImageKey, e.BadgeLanguage = b.Name, b.Slug, b.ImageKey, b.Language
		e.BadgeDescription, e.IssuerName, e.IssuerSlug = b.Description, iss.Name, iss.Slug
	}
	return nil
}

// awardItem describes an award not yet in a portfolio (claim page, "to
// accept" list).
func (s *server) awardItem(r *http.Request, a *badge.Award) (*itemView, error) {
	ctx := r.Context()
	b, err := s.defs.badges.get(ctx, a.BadgeID, s.db.GetBadge)
	if err != nil {
		return nil, err
	}
	iss, err := s.defs.issuers.get(ctx, a.IssuerID, s.db.GetIssuer)
	if err != nil {
		return nil, err
	}
	lang := locale.Negotiate(r)
	return &itemView{AwardID: a.ID, BadgeName: b.Name, ContentLang: b.Language, IssuerName: iss.Name,
		Awarded: formatDate(lang, a.AwardedAt), State: liveState(a.Status, a.ValidUntil, s.now()),
		ImageURL: badgeImagePath(iss.Slug, b.Slug, b.ImageKey)}, nil
}

// themeView is a theme with its badges.
type themeView struct {
	ID, Name    string
	Items       []itemView
	First, Last bool
	// List is Items as the public page shows them (see publicList).
	List template.HTML
}

// publicList writes the items of a public page as HTML list items. It is
// the one list written outside a template: html/template's escaping costs
// about a microsecond per value, a dozen values per badge, and a public
// portfolio may hold a thousand badges. Every value is escaped here with
// html.EscapeString inside double-quoted attributes or text; the paths
// are made of slugs and handles, which are checked to be [a-z0-9-].
func publicList(items []itemView) template.HTML {
	var b strings.Builder
	b.Grow(len(items) * 400)
	esc := stdhtml.EscapeString
	for _, it := range items {
		b.WriteString(`<li data-slug="` + esc(it.Slug) + `" data-state="` + esc(it.State) + `">`)
		if it.ImageURL != "" {
			b.WriteString(`<img src="` + esc(it.ImageURL) + `" alt="" width="64" height="64">`)
		}
		b.WriteString("\n<div><a href=\"" + esc(it.Href) + `"`)
		if it.ContentLang != "" {
			b.WriteString(` lang="` + esc(it.ContentLang) + `"`)
		}
		b.WriteString(`>` + esc(it.BadgeName) + `</a>`)
		if it.State != "active" {
			b.WriteString(` <span class="state state-` + esc(it.State) + `">` + esc(it.StateLabel) + `</span>`)
		}
		b.WriteString("<br>\n<span class=\"note\">" + esc(it.IssuedBy) + ` · ` + esc(it.Awarded) + "</span></div></li>\n")
	}
	return template.HTML(b.String())
}

// portfolioView is the owner's page.
type portfolioView struct {
	Handle   string
	Pending  []*itemView
	Themes   []*themeView
	Unsorted []itemView
	Count    int
	Public   int
}

// groupEntries sorts a listing (already in order) into its themes, in
// the themes' order, and the badges in no theme. themes may be nil (the
// public page: only themes holding a listed badge show).
func groupEntries(lang, handle string, entries []*store.PortfolioEntry, themes []*store.Collection, now time.Time) ([]*themeView, []itemView) {
	var out []*themeView
	byID := map[string]*themeView{}
	for _, c := range themes {
		t := &themeView{ID: c.ID, Name: c.Name}
		byID[c.ID] = t
		out = append(out, t)
	}
	var unsorted []itemView
	for _, e := range entries {
		it := entryItem(lang, handle, e, now)
		if e.Item.CollectionID == "" {
			unsorted = append(unsorted, it)
			continue
		}
		t := byID[e.Item.CollectionID]
		if t == nil {
			t = &themeView{ID: e.Item.CollectionID, Name: e.CollectionName}
			byID[t.ID] = t
			out = append(out, t)
		}
		t.Items = append(t.Items, it)
	}
	mark := func(items []itemView) {
		if len(items) > 0 {
			items[0].First, items[len(items)-1].Last = true, true
		}
	}
	for i, t := range out {
		mark(t.Items)
		t.First, t.Last = i == 0, i == len(out)-1
	}
	mark(unsorted)
	return out, unsorted
}

func (s *server) portfolio(w http.ResponseWriter, r *http.Request) error {
	return s.portfolioPage(w, r, newForm(nil), http.StatusOK)
}

func (s *server) portfolioPage(w http.ResponseWriter, r *http.Request, f *form, status int) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	lang := locale.Negotiate(r)
	pending, err := s.db.PendingAwards(ctx, u.ID)
	if err != nil {
		return err
	}
	entries, err := s.db.ListPortfolio(ctx, u.ID, false)
	if err != nil {
		return err
	}
	if err := s.completeEntries(ctx, entries); err != nil {
		return err
	}
	themes, err := s.db.ListCollections(ctx, u.ID)
	if err != nil {
		return err
	}
	v := portfolioView{Handle: u.Handle, Count: len(entries)}
	for _, a := range pending {
		it, err := s.awardItem(r, a)
		if err != nil {
			return err
		}
		v.Pending = append(v.Pending, it)
	}
	for _, e := range entries {
		if e.Item.Public {
			v.Public++
		}
	}
	v.Themes, v.Unsorted = groupEntries(lang, u.Handle, entries, themes, s.now())
	return s.render(w, r, status, "portfolio", s.newPage(r, f, v))
}

// portfolioDecision accepts or declines an award of the "to accept" list.
func (s *server) portfolioDecision(accept bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		u, err := signedIn(r)
		if err != nil {
			return err
		}
		id := r.PathValue("id")
		if accept {
			it, err := s.accounts.AcceptAward(r.Context(), u, id)
			if err != nil {
				return err
			}
			s.checkPathways(r.Context(), u.ID)
			s.flash(r, "flash.claim.accepted")
			return redirect(w, r, "/portfolio#item-"+it.ID)
		}
		if err := s.accounts.DeclineAward(r.Context(), u, id); err != nil {
			return err
		}
		s.flash(r, "flash.claim.declined")
		return redirect(w, r, "/portfolio")
	}
}

// itemSettings saves an item's public, evidence and theme choices.
func (s *server) itemSettings(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	set := store.ItemSettings{Public: v.Get("public") == "on", ShowEvidence: v.Get("show_evidence") == "on",
		CollectionID: v.Get("theme")}
	if err := s.db.UpdatePortfolioItem(r.Context(), u.ID, id, set); err != nil {
		return err
	}
	s.flash(r, "flash.saved")
	return redirect(w, r, "/portfolio#item-"+id)
}

// moveDelta reads the direction of a move button.
func moveDelta(r *http.Request) (int, error) {
	v, err := parseForm(r)
	if err != nil {
		return 0, err
	}
	switch v.Get("dir") {
	case "up":
		return -1, nil
	case "down":
		return 1, nil
	}
	return 0, badge.Invalidf("dir", "portfolio.direction", "move up or down")
}

func (s *server) moveItem(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	d, err := moveDelta(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.db.MovePortfolioItem(r.Context(), u.ID, id, d); err != nil {
		return err
	}
	return redirect(w, r, "/portfolio#item-"+id)
}

func (s *server) createTheme(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	c, err := s.db.CreateCollection(r.Context(), u.ID, v.Get("name"))
	if err != nil {
		f := newForm(v)
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.portfolioPage(w, r, f, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/portfolio#theme-"+c.ID)
}

func (s *server) renameTheme(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.db.RenameCollection(r.Context(), u.ID, id, v.Get("name")); err != nil {
		if badge.ErrorKind(err) != badge.Invalid {
			return err
		}
		// The error shows by the theme's own name field.
		f := newForm(v)
		f.Errors["theme-"+id] = errorText(locale.Negotiate(r), asBadgeError(err))
		return s.portfolioPage(w, r, f, http.StatusUnprocessableEntity)
	}
	return redirect(w, r, "/portfolio#theme-"+id)
}

func (s *server) moveTheme(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	d, err := moveDelta(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.db.MoveCollection(r.Context(), u.ID, id, d); err != nil {
		return err
	}
	return redirect(w, r, "/portfolio#theme-"+id)
}

func (s *server) deleteTheme(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	if err := s.db.DeleteCollection(r.Context(), u.ID, r.PathValue("id")); err != nil {
		return err
	}
	s.flash(r, "flash.portfolio.theme_deleted")
	return redirect(w, r, "/portfolio")
}

// Public pages.

// publicOwner reads the account named by an "@handle" path segment. Any
// other first segment is not a page: the same 404 as an unknown route.
func (s *server) publicOwner(ctx context.Context, at string) (*badge.User, error) {
	handle, ok := strings.CutPrefix(at, "@")
	if !ok || len(handle) < badge.MinHandleLen || !badge.ValidSlug(handle) {
		return nil, badge.NotFoundf("page.not_found", "no page %q", at)
	}
	return s.db.GetUserByHandle(ctx, handle)
}

// publicPortfolioView is /@handle.
type publicPortfolioView struct {
	Name, Handle string
	URL          string // absolute, for og:url
	Themes       []*themeView
	Others       []itemView
	OthersList   template.HTML
	Count        int
}

func (s *server) publicPortfolio(w http.ResponseWriter, r *http.Request) error {
	// Anonymous visitors (an appraiser, a search engine, a LinkedIn
	// preview) all see the same page: it is kept for definitionTTL, as
	// badge definitions are, so a portfolio of a thousand badges is built
	// once every few seconds rather than on every view. A badge made
	// private or revoked shows within that delay; signed-in visitors
	// (the owner checking a change) always get a fresh page.
	lang := locale.Negotiate(r)
	key := r.PathValue("at") + "|" + lang
	if userOf(r) == nil {
		if body, ok := s.publicPages.peek(key); ok {
			return writePage(w, http.StatusOK, lang, body)
		}
	}
	owner, err := s.publicOwner(r.Context(), r.PathValue("at"))
	if err != nil {
		return err
	}
	entries, err := s.db.ListPortfolio(r.Context(), owner.ID, true)
	if err != nil {
		return err
	}
	if err := s.completeEntries(r.Context(), entries); err != nil {
		return err
	}
	v := publicPortfolioView{Name: owner.Name, Handle: owner.Handle, URL: s.baseURL + "/@" + owner.Handle, Count: len(entries)}
	v.Themes, v.Others = groupEntries(lang, owner.Handle, entries, nil, s.now())
	for _, t := range v.Themes {
		t.List = publicList(t.Items)
	}
	v.OthersList = publicList(v.Others)
	p := s.newPage(r, nil, v)
	body, err := s.renderBody("portfolio_public", p)
	if err != nil {
		return err
	}
	if p.User == nil && p.Flash == "" {
		s.publicPages.put(key, body)
	}
	return writePage(w, http.StatusOK, lang, body)
}

// publicSubpage serves what lies under /@handle/: badges/{slug} and its
// QR code. ServeMux wildcards cannot follow "@" inside a segment, so the
// route is /{at}/{rest...} and the rest is read here.
func (s *server) publicSubpage(w http.ResponseWriter, r *http.Request) error {
	parts := strings.Split(r.PathValue("rest"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "badges":
		return s.publicBadge(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "badges" && parts[2] == "qr.png":
		return s.badgeQR(w, r, parts[1])
	case len(parts) == 3 && parts[0] == "badges" && parts[2] == "image":
		owner, e, err := s.publicEntry(r, parts[1])
		if err != nil {
			return err
		}
		// Short: the badge may be made private.
		return s.serveImportImage(w, r, owner.ID, e.Item.ID, "public, max-age=300")
	}
	return badge.NotFoundf("page.not_found", "no page %q", r.URL.Path)
}

// publicEntry reads a public item of the owner; a private one is as
// unknown as a missing one.
func (s *server) publicEntry(r *http.Request, slug string) (*badge.User, *store.PortfolioEntry, error) {
	owner, err := s.publicOwner(r.Context(), r.PathValue("at"))
	if err != nil {
		return nil, nil, err
	}
	if !badge.ValidSlug(slug) {
		return nil, nil, badge.NotFoundf("portfolio.item_not_found", "no badge %q", slug)
	}
	e, err := s.db.GetPortfolioEntryBySlug(r.Context(), owner.ID, slug)
	if err != nil {
		return nil, nil, err
	}
	if !e.Item.Public || e.Item.AwardID == "" && e.Item.Import == nil {
		return nil, nil, badge.NotFoundf("portfolio.item_not_found", "no badge %q", slug)
	}
	return owner, e, nil
}

// publicBadgeView is /@handle/badges/{slug}.
type publicBadgeView struct {
	Owner, Handle   string
	Item            itemView
	Description     string
	Criteria        template.HTML
	CriteriaURL     string
	IssuerURL       string
	IssuerPage      string
	RecipientName   string
	ValidFrom       string
	ValidUntil      string
	StatusReason    string
	Narrative       string
	Evidence        []evidenceView
	Share           shareView
	PortfolioURL    string
	OGDescription   string
	ImageAbsURL     string
	StatusSinceDate string
}

func (s *server) publicBadge(w http.ResponseWriter, r *http.Request, slug string) error {
	owner, e, err := s.publicEntry(r, slug)
	if err != nil {
		return err
	}
	if e.Item.AwardID == "" {
		return s.publicImportedBadge(w, r, owner, e)
	}
	ctx := r.Context()
	a, err := s.db.GetAward(ctx, e.Item.AwardID)
	if err != nil {
		return err
	}
	b, err := s.defs.badges.get(ctx, a.BadgeID, s.db.GetBadge)
	if err != nil {
		return err
	}
	iss, err := s.defs.issuers.get(ctx, a.IssuerID, s.db.GetIssuer)
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	now := s.now()
	v := publicBadgeView{Owner: owner.Name, Handle: owner.Handle, Item: entryItem(lang, owner.Handle, e, now), Description: b.Description,
		Criteria: renderMarkdown(b.CriteriaNarrative), CriteriaURL: b.CriteriaURL, IssuerURL: iss.URL,
		IssuerPage: "/issuers/" + iss.Slug, RecipientName: a.Recipient.Name, ValidFrom: formatDate(lang, a.ValidFrom),
		PortfolioURL: "/@" + owner.Handle}
	// Live status from the award row just read (the listing may be a
	// moment older).
	v.Item.State = liveState(a.Status, a.ValidUntil, now)
	v.Item.StateLabel = locale.T(lang, "portfolio.state."+v.Item.State)
	if v.RecipientName == "" {
		v.RecipientName = owner.Name
	}
	if a.ValidUntil != nil {
		v.ValidUntil = formatDate(lang, *a.ValidUntil)
	}
	if a.Status != badge.StatusActive && a.Status != "" {
		v.StatusReason = a.StatusReason
		if a.StatusChangedAt != nil {
			v.StatusSinceDate = formatDate(lang, *a.StatusChangedAt)
		}
	}
	if e.Item.ShowEvidence {
		v.Narrative = a.Narrative
		for i, ev := range a.Evidence {
			item := evidenceView{Name: ev.Name, Narrative: ev.Narrative, URL: ev.URL}
			if ev.BlobKey != "" {
				item.URL = "/awards/" + a.ID + "/evidence/" + strconv.Itoa(i+1)
				if item.Name == "" {
					item.Name = locale.T(lang, "award.evidence_file", i+1)
				}
			}
			v.Evidence = append(v.Evidence, item)
		}
	}
	if v.Item.ImageURL != "" {
		v.ImageAbsURL = s.baseURL + v.Item.ImageURL
	}
	v.OGDescription = ogDescription(lang, b.Name, iss.Name, b.Description)
	v.Share = s.shareFor(owner, e, a, iss)
	return s.renderPublic(w, r, "portfolio_badge", s.newPage(r, nil, v))
}

// renderPublic renders a public portfolio page. Like every page with the
// session's header it is not shared by caches.
func (s *server) renderPublic(w http.ResponseWriter, r *http.Request, name string, p *page) error {
	return s.render(w, r, http.StatusOK, name, p)
}
