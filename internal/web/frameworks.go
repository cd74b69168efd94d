package web

import (
	"bytes"
	"context"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/frameworks"
	"github.com/sceau/sceau/internal/issuing"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/pathways"
	"github.com/sceau/sceau/internal/store"
	"github.com/sceau/sceau/ob3"
)

// Competency frameworks: an organisation's editors import one (CSV or
// CASE JSON) and align their badge definitions to its items; a
// recipient sees their badges mapped onto it, and may show that map on
// a public page. Every framework also has a plain public page,
// /frameworks/{id}, which alignment URLs point to when an item has no
// URL of its own.

// frameworkUpload bounds an import form: the file and a name.
const frameworkUpload = frameworks.MaxBytes + 64<<10

// frameworkListView is /workspace/{org}/frameworks.
type frameworkListView struct {
	Org        *orgContext
	Frameworks []*store.Framework
	// Problems are the refused file's, in the page's language.
	Problems []problemView
}

type problemView struct {
	Line int
	Item string
	Text string
}

func (s *server) orgFrameworks(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	return s.orgFrameworksPage(w, r, o, newForm(nil), nil)
}

func (s *server) orgFrameworksPage(w http.ResponseWriter, r *http.Request, o *orgContext, f *form, problems []problemView) error {
	list, err := s.db.ListFrameworks(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	status := formStatus(f)
	if len(problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(w, r, status, "frameworks", s.newPage(r, f, frameworkListView{Org: o, Frameworks: list, Problems: problems}))
}

// problemText says one problem in lang.
func problemText(lang string, p frameworks.Problem) problemView {
	what := locale.T(lang, "framework.reason."+string(p.Reason))
	if p.Detail != "" {
		what += " (" + p.Detail + ")"
	}
	v := problemView{Line: p.Line, Item: p.Item}
	switch {
	case p.Line > 0:
		v.Text = locale.T(lang, "framework.at_line", p.Line, what)
	case p.Item != "":
		v.Text = locale.T(lang, "framework.at_item", p.Item, what)
	default:
		v.Text = what
	}
	return v
}

// importFramework reads the uploaded file: CASE JSON when it starts
// with "{", else CSV.
func (s *server) importFramework(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	v, f, up, err := s.multipartForm(w, r, frameworkUpload)
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			f = newForm(nil)
			f.Errors["file"] = locale.T(locale.Negotiate(r), "framework.too_large")
			return s.orgFrameworksPage(w, r, o, f, nil)
		}
		return err
	}
	lang := locale.Negotiate(r)
	data, ok, err := up.read("file", frameworks.MaxBytes)
	if err != nil {
		if err := f.fail(lang, err); err != nil {
			return err
		}
		return s.orgFrameworksPage(w, r, o, f, nil)
	}
	if !ok {
		f.Errors["file"] = locale.T(lang, "framework.file_required")
		return s.orgFrameworksPage(w, r, o, f, nil)
	}
	source := "csv"
	var tree *frameworks.Framework
	if trimmed := bytes.TrimLeft(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), " \t\r\n"); len(trimmed) > 0 && trimmed[0] == '{' {
		source = "case"
		tree, err = frameworks.ParseCASE(data)
	} else {
		tree, err = frameworks.ParseCSV(data)
	}
	var probs frameworks.Errors
	if errors.As(err, &probs) {
		views := make([]problemView, 0, len(probs))
		for _, p := range probs {
			views = append(views, problemText(lang, p))
		}
		f.Error = locale.T(lang, "framework.refused", len(probs))
		return s.orgFrameworksPage(w, r, o, f, views)
	}
	if err != nil {
		f.Errors["file"] = locale.T(lang, "framework.too_large")
		return s.orgFrameworksPage(w, r, o, f, nil)
	}
	if name := strings.TrimSpace(v.Get("name")); name != "" {
		tree.Name = name
	}
	if tree.Name == "" || len([]rune(tree.Name)) > frameworks.MaxNameLen {
		f.Errors["name"] = locale.T(lang, "framework.name_required")
		return s.orgFrameworksPage(w, r, o, f, nil)
	}
	fw := &store.Framework{IssuerID: o.Issuer.ID, Source: source, Tree: tree}
	if err := s.db.CreateFramework(r.Context(), fw); err != nil {
		return err
	}
	s.flash(r, "framework.imported", len(tree.Items))
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/frameworks/"+fw.ID)
}

// frameworkView is a framework's page: in the workspace (Org set, with
// the alignment form) or public.
type frameworkView struct {
	Org       *orgContext
	Framework *store.Framework
	Rows      []itemRow
	Badges    []*badge.Badge
	// Chosen is the badge whose alignments the form shows checked.
	Chosen  string
	Checked map[string]bool
}

// itemRow is one item in the page's indented list.
type itemRow struct {
	Item  *frameworks.Item
	Depth int
	ID    string // an HTML id for the item's anchor
}

func itemAnchor(code string) string { return "item-" + url.PathEscape(code) }

func frameworkRows(f *frameworks.Framework) []itemRow {
	var rows []itemRow
	var walk func(*frameworks.Item, int)
	walk = func(it *frameworks.Item, depth int) {
		rows = append(rows, itemRow{Item: it, Depth: depth, ID: itemAnchor(it.Code)})
		for _, c := range it.Children {
			walk(c, depth+1)
		}
	}
	for _, root := range f.Roots {
		walk(root, 0)
	}
	return rows
}

// orgFrameworkOf reads the framework of the path, which must be the
// organisation's.
func (s *server) orgFrameworkOf(r *http.Request) (*orgContext, *store.Framework, error) {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return nil, nil, err
	}
	fw, err := s.db.GetFramework(r.Context(), r.PathValue("id"))
	if err != nil {
		return nil, nil, err
	}
	if fw.IssuerID != o.Issuer.ID {
		return nil, nil, badge.NotFoundf("framework.not_found", "framework not found")
	}
	return o, fw, nil
}

func (s *server) orgFramework(w http.ResponseWriter, r *http.Request) error {
	o, fw, err := s.orgFrameworkOf(r)
	if err != nil {
		return err
	}
	badges, err := s.db.ListBadges(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	v := frameworkView{Org: o, Framework: fw, Rows: frameworkRows(fw.Tree), Badges: badges, Checked: map[string]bool{}}
	v.Chosen = r.URL.Query().Get("badge")
	for _, b := range badges {
		if b.ID == v.Chosen {
			for _, a := range b.Alignments {
				if a.Framework == fw.Tree.Name {
					v.Checked[a.Code] = true
				}
			}
		}
	}
	return s.render(w, r, http.StatusOK, "framework", s.newPage(r, newForm(nil), v))
}

// itemURL is the alignment URL of an item: its own, else its anchor on
// the framework's public page.
func (s *server) itemURL(fw *store.Framework, it *frameworks.Item) string {
	if it.URL != "" {
		return it.URL
	}
	return s.baseURL + "/frameworks/" + fw.ID + "#" + itemAnchor(it.Code)
}

// alignFramework replaces the badge's alignments to this framework by
// the chosen items, keeping its other alignments.
func (s *server) alignFramework(w http.ResponseWriter, r *http.Request) error {
	o, fw, err := s.orgFrameworkOf(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	b, err := s.db.GetBadge(r.Context(), v.Get("badge"))
	if err != nil || b.IssuerID != o.Issuer.ID {
		return badge.Invalidf("badge", "framework.badge_unknown", "choose a badge of the organisation")
	}
	var kept []badge.Alignment
	for _, a := range b.Alignments {
		if a.Framework != fw.Tree.Name {
			kept = append(kept, a)
		}
	}
	for _, code := range v["item"] {
		it := fw.Tree.Find(code)
		if it == nil {
			return badge.Invalidf("item", "framework.item_unknown", "no item %q in this framework", code)
		}
		kept = append(kept, badge.Alignment{Name: it.Name, URL: s.itemURL(fw, it), Code: it.Code, Framework: fw.Tree.Name})
	}
	b.Alignments = kept
	if err := s.db.UpdateBadge(r.Context(), b); err != nil {
		return err
	}
	s.defs.badges.forget(b.ID)
	s.flash(r, "framework.aligned", len(v["item"]))
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/frameworks/"+fw.ID+"?badge="+url.QueryEscape(b.ID))
}

// publicFrameworkPage is /frameworks/{id}: the items, where alignment
// URLs lead.
func (s *server) publicFrameworkPage(w http.ResponseWriter, r *http.Request) error {
	fw, err := s.db.GetFramework(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "framework", s.newPage(r, nil, frameworkView{Framework: fw, Rows: frameworkRows(fw.Tree)}))
}

// Coverage.

// coverageView is a recipient's coverage of a framework.
type coverageView struct {
	Framework  *store.Framework
	Dimensions []dimensionRow
	// Counted is the number of badges counted: awards of this server
	// and imported Open Badges 3.0 credentials that are valid now.
	// Imported is the number of imported badges left out (revoked,
	// expired, no longer verifying, or Open Badges 2.0, whose alignments
	// are not read).
	Counted, Imported int
	SVG               template.HTML
	Public            bool
	Handle            string
	PublicURL         string
}

type dimensionRow struct {
	Code, Name       string
	Covered, Total   int
	Percent          int
	CoveredNames     []string
	Y, BarWidth, TxY int // the chart's geometry
}

// coverage maps the user's valid badges (public ones only when
// publicOnly) onto the framework: an item is covered when one of the
// badges' alignments has its URL (its own or its anchor here), or its
// code under the framework's name (or under no framework name). Awards
// made here count when active and unexpired, with their definition's
// alignments; imported Open Badges 3.0 credentials when they count as
// pathways count them (issuing.ImportCounts: valid at their last
// verification, unexpired), with their achievement's alignments.
func (s *server) coverage(ctx context.Context, lang string, fw *store.Framework, userID string, publicOnly bool) (*coverageView, error) {
	entries, err := s.db.ListPortfolio(ctx, userID, publicOnly)
	if err != nil {
		return nil, err
	}
	urls, codes := map[string]bool{}, map[string]bool{}
	align := func(url, code, framework string) {
		if url != "" {
			urls[url] = true
		}
		if code != "" && (framework == "" || framework == fw.Tree.Name) {
			codes[code] = true
		}
	}
	v := &coverageView{Framework: fw}
	now := s.now()
	imports := map[string]bool{} // items whose credential is read below
	for _, e := range entries {
		if e.Item.AwardID == "" {
			in := e.Item.Import
			switch {
			case e.Item.Source == "attestation":
				// An attestation of an activity, not a badge: no alignment.
			case in != nil && in.Standard == "" && issuing.ImportCounts(in.State, in.ValidUntil, now):
				imports[e.Item.ID] = true
			default:
				v.Imported++
			}
			continue
		}
		if liveState(e.Status, e.ValidUntil, now) != "active" {
			continue
		}
		b, err := s.defs.badges.get(ctx, e.BadgeID, s.db.GetBadge)
		if err != nil {
			return nil, err
		}
		v.Counted++
		for _, a := range b.Alignments {
			align(a.URL, a.Code, a.Framework)
		}
	}
	if len(imports) > 0 {
		// Listings leave credentials out; one read brings those of every
		// import, of which only the counting ones (public ones, for a
		// public page) are read.
		hs, err := s.db.Holdings(ctx, userID)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			if h.Kind != "import" || !imports[h.ID] {
				continue
			}
			as, err := importedAlignments(h.Credential)
			if err != nil {
				// It verified when imported, so this is unexpected.
				s.log.Warn("framework coverage: unreadable imported credential", "item", h.ID, "err", err)
				v.Imported++
				continue
			}
			v.Counted++
			for _, a := range as {
				align(a.TargetURL, a.TargetCode, a.TargetFramework)
			}
		}
	}
	covered := func(it *frameworks.Item) bool {
		return codes[it.Code] || (it.URL != "" && urls[it.URL]) || urls[s.itemURL(fw, it)]
	}
	for i, d := range frameworks.Coverage(fw.Tree, covered) {
		row := dimensionRow{Code: d.Dimension.Code, Name: d.Dimension.Name, Covered: len(d.Covered), Total: len(d.Items)}
		row.Percent = 100 * row.Covered / row.Total
		for _, it := range d.Covered {
			row.CoveredNames = append(row.CoveredNames, it.Name)
		}
		row.Y = 10 + i*chartRow
		row.TxY = row.Y + 17
		row.BarWidth = chartBar * row.Covered / row.Total
		v.Dimensions = append(v.Dimensions, row)
	}
	return v, v.draw(lang)
}

// importedAlignments reads the alignments of an imported Open Badges 3.0
// credential's achievement from its bytes as received (JSON, VC-JWT,
// baked image). It does not verify: the import and re-checks did.
func importedAlignments(data []byte) ([]ob3.Alignment, error) {
	payload, err := pathways.CredentialPayload(data)
	if err != nil {
		return nil, err
	}
	c, err := ob3.Parse(payload)
	if err != nil {
		return nil, err
	}
	if c.CredentialSubject == nil || c.CredentialSubject.Achievement == nil {
		return nil, nil
	}
	return c.CredentialSubject.Achievement.Alignment, nil
}

// The chart's geometry: one row per dimension, a label on the left, a
// bar out of chartBar wide.
const (
	chartRow   = 34
	chartLabel = 380
	chartBar   = 300
)

var coverageChart = template.Must(template.New("chart").Funcs(funcs).Funcs(template.FuncMap{
	"add": func(a, b int) int { return a + b },
	"short": func(s string) string {
		r := []rune(s)
		if len(r) > 48 {
			return string(r[:47]) + "…"
		}
		return s
	},
}).Parse(`<svg class="coverage-chart" id="coverage-chart" role="img" aria-labelledby="coverage-title coverage-desc" viewBox="0 0 {{.Width}} {{.Height}}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title id="coverage-title">{{.Title}}</title>
<desc id="coverage-desc">{{.Desc}}</desc>
{{range .Rows}}<g class="dimension" data-code="{{.Code}}" data-covered="{{.Covered}}" data-total="{{.Total}}">
<text x="0" y="{{.TxY}}" font-size="14" fill="#1f1f1f">{{.Code}} {{short .Name}}</text>
<rect x="{{$.Label}}" y="{{add .Y 2}}" width="{{$.Bar}}" height="22" fill="#e6e6e6"/>
<rect x="{{$.Label}}" y="{{add .Y 2}}" width="{{.BarWidth}}" height="22" fill="#1a7f37"/>
<text x="{{add $.Label (add $.Bar 8)}}" y="{{.TxY}}" font-size="14" fill="#1f1f1f">{{.Covered}}/{{.Total}}</text>
</g>
{{end}}</svg>`))

func (v *coverageView) draw(lang string) error {
	covered, total := 0, 0
	for _, d := range v.Dimensions {
		covered += d.Covered
		total += d.Total
	}
	var buf bytes.Buffer
	err := coverageChart.Execute(&buf, map[string]any{
		"Width": chartLabel + chartBar + 60, "Height": 20 + len(v.Dimensions)*chartRow, "Label": chartLabel, "Bar": chartBar,
		"Rows": v.Dimensions, "Title": locale.T(lang, "framework.chart_title", v.Framework.Tree.Name),
		"Desc": locale.T(lang, "framework.chart_desc", covered, total, len(v.Dimensions)),
	})
	if err != nil {
		return badge.Internalf(err, "draw coverage")
	}
	v.SVG = template.HTML(buf.String())
	return nil
}

// myFrameworks lists every framework, for a recipient to choose one.
func (s *server) myFrameworks(w http.ResponseWriter, r *http.Request) error {
	if _, err := signedIn(r); err != nil {
		return err
	}
	list, err := s.db.ListFrameworks(r.Context(), "")
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "framework_list", s.newPage(r, nil, list))
}

func (s *server) myFramework(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	fw, err := s.db.GetFramework(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	lang := locale.Negotiate(r)
	v, err := s.coverage(r.Context(), lang, fw, u.ID, false)
	if err != nil {
		return err
	}
	if v.Public, err = s.db.FrameworkPublic(r.Context(), u.ID, fw.ID); err != nil {
		return err
	}
	v.Handle, v.PublicURL = u.Handle, "/frameworks/"+fw.ID+"/public/"+u.Handle
	return s.render(w, r, http.StatusOK, "framework_coverage", s.newPage(r, nil, v))
}

func (s *server) shareFramework(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if err := s.db.SetFrameworkPublic(r.Context(), u.ID, id, v.Get("public") == "on"); err != nil {
		return err
	}
	s.flash(r, "framework.share_saved")
	return redirect(w, r, "/portfolio/frameworks/"+id)
}

// publicCoverage is /frameworks/{id}/public/{handle}: 404 unless the
// account chose to show it. Only the account's public badges count.
func (s *server) publicCoverage(w http.ResponseWriter, r *http.Request) error {
	notFound := badge.NotFoundf("page.not_found", "no such page")
	handle := r.PathValue("handle")
	if !badge.ValidSlug(handle) {
		return notFound
	}
	u, err := s.db.GetUserByHandle(r.Context(), handle)
	if err != nil {
		return notFound
	}
	fw, err := s.db.GetFramework(r.Context(), r.PathValue("id"))
	if err != nil {
		return notFound
	}
	if public, err := s.db.FrameworkPublic(r.Context(), u.ID, fw.ID); err != nil {
		return err
	} else if !public {
		return notFound
	}
	v, err := s.coverage(r.Context(), locale.Negotiate(r), fw, u.ID, true)
	if err != nil {
		return err
	}
	v.Handle = u.Handle
	return s.render(w, r, http.StatusOK, "framework_public", s.newPage(r, nil, publicCoverageView{V: v, Name: u.Name}))
}

// publicCoverageView is the public page of a recipient's coverage.
type publicCoverageView struct {
	V    *coverageView
	Name string
}
