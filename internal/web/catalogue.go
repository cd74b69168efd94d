package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/httpx"
	"github.com/sceau/sceau/internal/keys"
	"github.com/sceau/sceau/internal/locale"
)

// catalogueEntry is one badge definition in the public catalogue.
type catalogueEntry struct {
	Issuer  *badge.Issuer
	Badge   *badge.Badge
	Summary string
}

type catalogueView struct {
	Entries []catalogueEntry
	Issuers []*badge.Issuer
	Tags    []string
	Types   []string
	Query   url.Values
}

// catalogue lists every issuer's badge definitions, filtered by text,
// issuer, tag, achievement type (the theme) and language. Definitions are
// few next to awards (hundreds, not millions): they are read whole and
// filtered here.
func (s *server) catalogue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	issuers, err := s.db.ListIssuers(ctx)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	text := strings.ToLower(strings.TrimSpace(q.Get("q")))
	if len(text) > 200 {
		text = text[:200]
	}
	v := catalogueView{Issuers: issuers, Query: q}
	tags := map[string]bool{}
	types := map[string]bool{}
	for _, iss := range issuers {
		if f := q.Get("issuer"); f != "" && f != iss.Slug {
			continue
		}
		badges, err := s.db.ListBadges(ctx, iss.ID)
		if err != nil {
			return err
		}
		for _, b := range badges {
			for _, t := range b.Tags {
				tags[t] = true
			}
			if b.AchievementType != "" {
				types[b.AchievementType] = true
			}
			if !matchesCatalogue(b, q, text) {
				continue
			}
			v.Entries = append(v.Entries, catalogueEntry{Issuer: iss, Badge: b, Summary: summary(b.Description, 240)})
		}
	}
	for t := range tags {
		v.Tags = append(v.Tags, t)
	}
	sort.Strings(v.Tags)
	for t := range types {
		v.Types = append(v.Types, t)
	}
	sort.Strings(v.Types)
	sort.SliceStable(v.Entries, func(i, j int) bool {
		return strings.ToLower(v.Entries[i].Badge.Name) < strings.ToLower(v.Entries[j].Badge.Name)
	})
	p := s.newPage(r, nil, v)
	w.Header().Set("Cache-Control", "no-store")
	return s.render(w, r, http.StatusOK, "catalogue", p)
}

func matchesCatalogue(b *badge.Badge, q url.Values, text string) bool {
	if l := q.Get("language"); l != "" && l != b.Language {
		return false
	}
	if t := q.Get("type"); t != "" && t != b.AchievementType {
		return false
	}
	if tag := q.Get("tag"); tag != "" {
		found := false
		for _, t := range b.Tags {
			found = found || t == tag
		}
		if !found {
			return false
		}
	}
	if text != "" {
		hay := strings.ToLower(b.Name + "\n" + b.Description + "\n" + b.CriteriaNarrative + "\n" + strings.Join(b.Tags, "\n"))
		if !strings.Contains(hay, text) && !strings.Contains(badge.Slugify(hay), badge.Slugify(text)) {
			return false
		}
	}
	return true
}

// summary cuts text to about n characters, at a word boundary.
func summary(text string, n int) string {
	if utf8.RuneCountInString(text) <= n {
		return text
	}
	r := []rune(text)[:n]
	cut := strings.LastIndexByte(string(r), ' ')
	if cut < n/2 {
		cut = len(string(r))
	}
	return strings.TrimSpace(string(r)[:cut]) + "…"
}

type catalogueBadgeView struct {
	Issuer   *badge.Issuer
	Badge    *badge.Badge
	Criteria template.HTML
}

func (s *server) catalogueBadge(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("issuer"))
	if err != nil {
		return err
	}
	b, err := s.db.GetBadgeBySlug(r.Context(), iss.ID, r.PathValue("badge"))
	if err != nil {
		return err
	}
	v := catalogueBadgeView{Issuer: iss, Badge: b, Criteria: renderMarkdown(b.CriteriaNarrative)}
	return s.render(w, r, http.StatusOK, "catalogue_badge", s.newPage(r, nil, v))
}

type issuerView struct {
	Issuer       *badge.Issuer
	Badges       []*badge.Badge
	DID          string
	Endorsements []issuerEndorsement // issuers.go
}

// issuer answers an issuer's id URL: its OB 3.0 Profile for machines,
// a page for people (by Accept; ?format=json forces the profile).
func (s *server) issuer(w http.ResponseWriter, r *http.Request) error {
	w.Header().Add("Vary", "Accept")
	if r.URL.Query().Get("format") == "json" ||
		httpx.Negotiate(r.Header.Get("Accept"), "application/ld+json", "application/json", "text/html") != "text/html" {
		return s.issuerProfile(w, r)
	}
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	badges, err := s.db.ListBadges(r.Context(), iss.ID)
	if err != nil {
		return err
	}
	did, err := keys.IssuerDID(s.baseURL, iss.Slug)
	if err != nil {
		return badge.Internalf(err, "DID of issuer %s", iss.Slug)
	}
	endorsements, err := s.issuerEndorsements(r, iss.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "issuer", s.newPage(r, nil, issuerView{Issuer: iss, Badges: badges, DID: did, Endorsements: endorsements}))
}

// markdownPreview renders criteria Markdown for the badge form's preview,
// with the same renderer (and the same refusal of raw HTML) as the pages.
func (s *server) markdownPreview(w http.ResponseWriter, r *http.Request) error {
	if _, err := signedIn(r); err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	src := v.Get("text")
	if utf8.RuneCountInString(src) > badge.MaxNarrativeLen {
		return badge.Invalidf("text", "badge.criteria_too_long", "%s", locale.T(locale.Negotiate(r), "error.badge.criteria_too_long"))
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write([]byte(renderMarkdown(src)))
	return err
}
