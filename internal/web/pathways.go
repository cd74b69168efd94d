package web

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/internal/locale"
	"github.com/sceau/sceau/internal/pathways"
	"github.com/sceau/sceau/internal/store"
)

// Pathways: editors define them in the workspace (partners add
// requirements), everyone reads them at /pathways/{issuer}/{slug},
// recipients follow their progress at /portfolio/pathways, and the owner
// reviews completions whose badges stopped counting.
//
// The public address is /pathways/… rather than /catalogue/pathways/…:
// the latter would overlap /catalogue/{issuer}/{badge}/apply in the
// router (neither pattern more specific), which refuses to start.

// namer resolves badge and issuer ids for one request.
type namer struct {
	ctx     context.Context
	db      *store.DB
	badges  map[string]*badge.Badge
	issuers map[string]*badge.Issuer
}

func (s *server) newNamer(ctx context.Context) *namer {
	return &namer{ctx: ctx, db: s.db, badges: map[string]*badge.Badge{}, issuers: map[string]*badge.Issuer{}}
}

func (n *namer) badge(id string) (*badge.Badge, *badge.Issuer) {
	b, ok := n.badges[id]
	if !ok {
		b, _ = n.db.GetBadge(n.ctx, id)
		n.badges[id] = b
	}
	if b == nil {
		return nil, nil
	}
	return b, n.issuer(b.IssuerID)
}

func (n *namer) issuer(id string) *badge.Issuer {
	i, ok := n.issuers[id]
	if !ok {
		i, _ = n.db.GetIssuer(n.ctx, id)
		n.issuers[id] = i
	}
	return i
}

// address is a badge's "issuer/badge" for the text form of a tree.
func (n *namer) address(id string) (string, bool) {
	b, i := n.badge(id)
	if b == nil || i == nil {
		return "", false
	}
	return i.Slug + "/" + b.Slug, true
}

// resolve is the inverse of address.
func (n *namer) resolve(issuerSlug, badgeSlug string) (string, error) {
	i, err := n.db.GetIssuerBySlug(n.ctx, issuerSlug)
	if err != nil {
		return "", err
	}
	b, err := n.db.GetBadgeBySlug(n.ctx, i.ID, badgeSlug)
	if err != nil {
		return "", err
	}
	return b.ID, nil
}

// nodeView is one node of a pathway as pages show it.
type nodeView struct {
	Path   string
	Group  bool
	Kind   string
	Label  string
	Need   int
	Count  int // children (groups)
	DoneN  int // children done (groups)
	Done   bool
	Name   string
	Issuer string
	// Earn is where to earn the badge: its catalogue page, or the
	// external badge's address.
	Earn     string
	Partner  string // the partner that added it, when not the owner
	Children []*nodeView
}

// treeView builds the view of a tree, with progress when res is set.
func (n *namer) treeView(lang string, p *pathways.Pathway, node *pathways.Node, res *pathways.Result, path string) *nodeView {
	v := &nodeView{Path: path, Group: node.Group(), Kind: node.Kind, Label: node.Label, Need: node.Need(), Count: len(node.Children)}
	if res != nil {
		v.Done, v.DoneN = res.Done, res.DoneChildren
	}
	switch node.Kind {
	case pathways.KindBadge:
		if b, i := n.badge(node.BadgeID); b != nil && i != nil {
			v.Name, v.Issuer, v.Earn = b.Name, i.Name, "/catalogue/"+i.Slug+"/"+b.Slug
		} else {
			v.Name = locale.T(lang, "pathway.unknown_badge")
		}
	case pathways.KindExternal:
		v.Name = node.Name
		if v.Name == "" {
			v.Name = node.Ref
		}
		v.Issuer = locale.T(lang, "pathway.external")
		switch {
		case node.EarnURL != "":
			v.Earn = node.EarnURL
		case strings.HasPrefix(node.Ref, "https://") || strings.HasPrefix(node.Ref, "http://"):
			v.Earn = node.Ref
		}
	}
	if node.AddedBy != "" && node.AddedBy != p.IssuerID {
		if i := n.issuer(node.AddedBy); i != nil {
			v.Partner = i.Name
		}
	}
	for k, c := range node.Children {
		var cr *pathways.Result
		if res != nil && k < len(res.Children) {
			cr = res.Children[k]
		}
		cp := fmt.Sprint(k)
		if path != "" {
			cp = path + "." + cp
		}
		v.Children = append(v.Children, n.treeView(lang, p, c, cr, cp))
	}
	return v
}

// groupText is a group's heading: "All of (2 of 3 done)".
func groupText(lang string, v *nodeView, progress bool) string {
	var s string
	if v.Kind == pathways.KindAll {
		s = locale.T(lang, "pathway.all_of")
	} else {
		s = locale.T(lang, "pathway.any_of", v.Need, v.Count)
	}
	if v.Label != "" {
		s = v.Label + " — " + s
	}
	if progress {
		s += " " + locale.T(lang, "pathway.group_progress", v.DoneN, v.Need)
	}
	return s
}

// diagram is the SVG picture of a tree: one row per node, indented by
// depth, joined to its group by an elbow line; done nodes are filled.
type diagram struct {
	Width, Height int
	Rows          []diagramRow
	Lines         []string // SVG path data
}

type diagramRow struct {
	X, Y   int
	Text   string
	Group  bool
	Done   bool
	Earn   string
	Status string // "done", "todo" or "" (no progress shown)
}

const (
	rowHeight = 34
	indent    = 30
)

func buildDiagram(lang string, root *nodeView, progress bool) *diagram {
	d := &diagram{Width: 760}
	var walk func(v *nodeView, depth int) (int, int)
	walk = func(v *nodeView, depth int) (int, int) {
		x, y := 14+depth*indent, 20+len(d.Rows)*rowHeight
		row := diagramRow{X: x, Y: y, Group: v.Group, Done: v.Done}
		if v.Group {
			row.Text = groupText(lang, v, progress)
		} else {
			row.Text = v.Name
			if v.Issuer != "" {
				row.Text += " — " + v.Issuer
			}
			if !v.Done || !progress {
				row.Earn = v.Earn
			}
		}
		if progress {
			row.Status = "todo"
			if v.Done {
				row.Status = "done"
			}
		}
		d.Rows = append(d.Rows, row)
		for _, c := range v.Children {
			cx, cy := walk(c, depth+1)
			d.Lines = append(d.Lines, fmt.Sprintf("M%d %d V%d H%d", x, y+9, cy, cx-9))
		}
		return x, y
	}
	walk(root, 0)
	d.Height = 20 + len(d.Rows)*rowHeight
	return d
}

// pathwayCard is a pathway with its picture (and progress, for a
// recipient).
type pathwayCard struct {
	Pathway    *pathways.Pathway
	Owner      *badge.Issuer
	Partners   []*badge.Issuer
	Completion *badge.Badge
	Tree       *nodeView
	Diagram    *diagram
	Progress   bool
	Done       bool
	DoneLeaves int
	Leaves     int
	Completed  bool   // a completion is recorded
	AwardID    string // the completion badge's award
	// SVG is the picture; Text the same tree as nested lists.
	SVG, Text template.HTML
}

func (s *server) pathwayCard(lang string, n *namer, p *pathways.Pathway, res *pathways.Result) *pathwayCard {
	c := &pathwayCard{Pathway: p, Owner: n.issuer(p.IssuerID), Progress: res != nil}
	for _, id := range p.Partners {
		if i := n.issuer(id); i != nil {
			c.Partners = append(c.Partners, i)
		}
	}
	if p.CompletionBadgeID != "" {
		c.Completion, _ = n.badge(p.CompletionBadgeID)
	}
	c.Tree = n.treeView(lang, p, p.Root, res, "")
	c.Diagram = buildDiagram(lang, c.Tree, res != nil)
	if res != nil {
		c.Done, c.DoneLeaves, c.Leaves = res.Done, res.DoneLeaves, res.Leaves
	}
	if err := c.pictures(lang); err != nil {
		s.log.Error("draw pathway", "err", err)
	}
	return c
}

// --- Public pages ---

type pathwaysListView struct {
	Cards []*pathwayCard
}

func (s *server) cataloguePathways(w http.ResponseWriter, r *http.Request) error {
	ps, err := s.db.ListAllPathways(r.Context())
	if err != nil {
		return err
	}
	lang, n := locale.Negotiate(r), s.newNamer(r.Context())
	v := pathwaysListView{}
	for _, p := range ps {
		v.Cards = append(v.Cards, s.pathwayCard(lang, n, p, nil))
	}
	return s.render(w, r, http.StatusOK, "pathways", s.newPage(r, nil, v))
}

func (s *server) cataloguePathway(w http.ResponseWriter, r *http.Request) error {
	iss, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("issuer"))
	if err != nil {
		return err
	}
	p, err := s.db.GetPathwayBySlug(r.Context(), iss.ID, r.PathValue("slug"))
	if err != nil {
		return err
	}
	lang, n := locale.Negotiate(r), s.newNamer(r.Context())
	var res *pathways.Result
	if u := userOf(r); u != nil {
		if res, err = s.svc.EvaluatePathway(r.Context(), p, u.ID); err != nil {
			return err
		}
	}
	return s.render(w, r, http.StatusOK, "pathway", s.newPage(r, nil, s.pathwayCard(lang, n, p, res)))
}

// myPathways is the recipient's progress on every pathway that concerns
// them.
func (s *server) myPathways(w http.ResponseWriter, r *http.Request) error {
	u, err := signedIn(r)
	if err != nil {
		return err
	}
	progress, err := s.svc.PathwayProgress(r.Context(), u.ID)
	if err != nil {
		return err
	}
	lang, n := locale.Negotiate(r), s.newNamer(r.Context())
	v := pathwaysListView{}
	for _, pr := range progress {
		c := s.pathwayCard(lang, n, pr.Pathway, pr.Result)
		if pr.Completion != nil {
			c.Completed, c.AwardID = true, pr.Completion.AwardID
		}
		v.Cards = append(v.Cards, c)
	}
	return s.render(w, r, http.StatusOK, "pathway_progress", s.newPage(r, nil, v))
}

// --- Workspace ---

type orgPathwaysView struct {
	Org    *orgContext
	Cards  []*pathwayCard
	Badges []*badge.Badge
}

func (s *server) orgPathways(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"language": {o.Issuer.Language}, "tree": {"all\n"}})
	return s.orgPathwaysPage(w, r, o, f)
}

func (s *server) orgPathwaysPage(w http.ResponseWriter, r *http.Request, o *orgContext, f *form) error {
	ps, err := s.db.ListPathways(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	badges, err := s.db.ListBadges(r.Context(), o.Issuer.ID)
	if err != nil {
		return err
	}
	lang, n := locale.Negotiate(r), s.newNamer(r.Context())
	v := orgPathwaysView{Org: o, Badges: badges}
	for _, p := range ps {
		v.Cards = append(v.Cards, s.pathwayCard(lang, n, p, nil))
	}
	return s.render(w, r, formStatus(f), "pathway_list", s.newPage(r, f, v))
}

// pathwayFromForm reads the owner's form into p (tree parsed from text).
func (s *server) pathwayFromForm(ctx context.Context, v url.Values, p *pathways.Pathway, n *namer) error {
	p.Name = strings.TrimSpace(v.Get("name"))
	p.Description = strings.TrimSpace(v.Get("description"))
	p.Language = v.Get("language")
	p.CompletionBadgeID = v.Get("completion_badge")
	p.Partners = nil
	for _, slug := range strings.FieldsFunc(v.Get("partners"), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
		i, err := s.db.GetIssuerBySlug(ctx, strings.TrimSpace(slug))
		if err != nil {
			return badge.Invalidf("partners", "pathway.partner_not_found", "no organisation has the address %q", slug)
		}
		p.Partners = append(p.Partners, i.ID)
	}
	root, err := pathways.ParseText(v.Get("tree"), n.resolve)
	if err != nil {
		return err
	}
	pathways.CarryAddedBy(p.Root, root, p.IssuerID)
	p.Root = root
	return nil
}

func (s *server) createPathway(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	p := &pathways.Pathway{IssuerID: o.Issuer.ID, Slug: strings.TrimSpace(v.Get("slug"))}
	err = s.pathwayFromForm(r.Context(), v, p, s.newNamer(r.Context()))
	if p.Slug == "" {
		p.Slug = badge.Slugify(p.Name)
	}
	if err == nil {
		err = s.db.CreatePathway(r.Context(), p)
	}
	if err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.orgPathwaysPage(w, r, o, f)
	}
	s.flash(r, "flash.pathway_saved")
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/pathways/"+o.Issuer.Slug+"/"+p.Slug)
}

// orgPathway resolves /workspace/{org}/pathways/{owner}/{slug}: the
// organisation must own the pathway or be one of its partners.
func (s *server) orgPathway(r *http.Request) (*orgContext, *pathways.Pathway, bool, error) {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return nil, nil, false, err
	}
	owner, err := s.db.GetIssuerBySlug(r.Context(), r.PathValue("owner"))
	if err != nil {
		return nil, nil, false, err
	}
	p, err := s.db.GetPathwayBySlug(r.Context(), owner.ID, r.PathValue("slug"))
	if err != nil {
		return nil, nil, false, err
	}
	if p.IssuerID == o.Issuer.ID {
		return o, p, true, nil
	}
	for _, id := range p.Partners {
		if id == o.Issuer.ID {
			return o, p, false, nil
		}
	}
	return nil, nil, false, badge.NotFoundf("pathway.not_found", "pathway not found")
}

type pathwayEditView struct {
	Org    *orgContext
	Owner  bool
	Card   *pathwayCard
	Badges []*badge.Badge
	Groups []groupOption
}

type groupOption struct {
	Path, Text string
}

func groupOptions(lang string, v *nodeView, depth int, out *[]groupOption) {
	if !v.Group {
		return
	}
	*out = append(*out, groupOption{Path: v.Path, Text: strings.Repeat("— ", depth) + groupText(lang, v, false)})
	for _, c := range v.Children {
		groupOptions(lang, c, depth+1, out)
	}
}

func (s *server) editPathwayForm(w http.ResponseWriter, r *http.Request) error {
	o, p, owner, err := s.orgPathway(r)
	if err != nil {
		return err
	}
	n := s.newNamer(r.Context())
	var partners []string
	for _, id := range p.Partners {
		if i := n.issuer(id); i != nil {
			partners = append(partners, i.Slug)
		}
	}
	f := newForm(url.Values{"name": {p.Name}, "description": {p.Description}, "language": {p.Language},
		"completion_badge": {p.CompletionBadgeID}, "partners": {strings.Join(partners, ", ")},
		"tree": {pathways.FormatText(p.Root, n.address)}})
	return s.editPathwayPage(w, r, o, p, owner, f)
}

func (s *server) editPathwayPage(w http.ResponseWriter, r *http.Request, o *orgContext, p *pathways.Pathway, owner bool, f *form) error {
	lang, n := locale.Negotiate(r), s.newNamer(r.Context())
	v := pathwayEditView{Org: o, Owner: owner, Card: s.pathwayCard(lang, n, p, nil)}
	groupOptions(lang, v.Card.Tree, 0, &v.Groups)
	if owner {
		var err error
		if v.Badges, err = s.db.ListBadges(r.Context(), o.Issuer.ID); err != nil {
			return err
		}
	}
	return s.render(w, r, formStatus(f), "pathway_edit", s.newPage(r, f, v))
}

// savePathway saves the owner's form.
func (s *server) savePathway(w http.ResponseWriter, r *http.Request) error {
	o, p, owner, err := s.orgPathway(r)
	if err != nil {
		return err
	}
	if !owner {
		return badge.Forbiddenf("pathway.owner_only", "only the pathway's issuer changes it; partners add requirements")
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	orig := *p
	err = s.pathwayFromForm(r.Context(), v, p, s.newNamer(r.Context()))
	if err == nil {
		err = s.db.UpdatePathway(r.Context(), p)
	}
	if err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		return s.editPathwayPage(w, r, o, &orig, owner, f)
	}
	s.flash(r, "flash.pathway_saved")
	return redirect(w, r, r.URL.Path)
}

// addRequirement adds one badge to a group: the owner or a partner.
func (s *server) addRequirement(w http.ResponseWriter, r *http.Request) error {
	o, p, owner, err := s.orgPathway(r)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	f := newForm(v)
	err = s.addLeaf(r.Context(), p, o.Issuer.ID, v)
	if err == nil {
		err = s.db.UpdatePathway(r.Context(), p)
	}
	if err != nil {
		if err := f.fail(locale.Negotiate(r), err); err != nil {
			return err
		}
		fresh, gerr := s.db.GetPathway(r.Context(), p.ID)
		if gerr != nil {
			return gerr
		}
		return s.editPathwayPage(w, r, o, fresh, owner, f)
	}
	s.flash(r, "flash.requirement_added")
	return redirect(w, r, strings.TrimSuffix(r.URL.Path, "/requirements"))
}

func (s *server) addLeaf(ctx context.Context, p *pathways.Pathway, by string, v url.Values) error {
	path, err := pathways.ParsePath(v.Get("group"))
	if err != nil {
		return badge.Invalidf("group", "pathway.node_not_found", "no group there")
	}
	leaf := &pathways.Node{AddedBy: by}
	switch v.Get("kind") {
	case pathways.KindBadge:
		iss, b, _ := strings.Cut(strings.TrimSpace(v.Get("badge")), "/")
		id, err := s.newNamer(ctx).resolve(iss, b)
		if err != nil {
			return badge.Invalidf("badge", "pathway.badge_not_found", "no badge has the address %q", v.Get("badge"))
		}
		leaf.Kind, leaf.BadgeID = pathways.KindBadge, id
	case pathways.KindExternal:
		leaf.Kind = pathways.KindExternal
		leaf.Ref, leaf.Name, leaf.EarnURL = strings.TrimSpace(v.Get("ref")), strings.TrimSpace(v.Get("ref_name")), strings.TrimSpace(v.Get("earn_url"))
	default:
		return badge.Invalidf("kind", "pathway.kind_invalid", "choose a badge of this server or one from elsewhere")
	}
	err = pathways.AddLeaf(p.Root, path, leaf)
	if err != nil && badge.ErrorCode(err) == "pathway.ref_invalid" {
		return badge.Invalidf("ref", "pathway.ref_invalid", "an external badge is named by its achievement id or badge class URL")
	}
	return err
}

// pathwayDeleteView is the confirmation page of a deletion.
type pathwayDeleteView struct {
	Org     *orgContext
	Pathway *pathways.Pathway
	// Awarded is how many completion badges were awarded: they stay.
	Awarded int
}

// ownedPathway resolves the pathway of a deletion: the owner's only (a
// partner adds requirements, it does not delete).
func (s *server) ownedPathway(r *http.Request) (*orgContext, *pathways.Pathway, error) {
	o, p, owner, err := s.orgPathway(r)
	if err != nil {
		return nil, nil, err
	}
	if !owner {
		return nil, nil, badge.Forbiddenf("pathway.owner_only", "only the pathway's issuer deletes it")
	}
	return o, p, nil
}

// deletePathwayForm asks the owner to confirm, saying what stays.
func (s *server) deletePathwayForm(w http.ResponseWriter, r *http.Request) error {
	o, p, err := s.ownedPathway(r)
	if err != nil {
		return err
	}
	_, awarded, err := s.db.PathwayCompletions(r.Context(), p.ID)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "pathway_delete", s.newPage(r, nil, pathwayDeleteView{Org: o, Pathway: p, Awarded: awarded}))
}

// deletePathway deletes the pathway: recipients no longer see it, the
// completion badges already awarded stay valid.
func (s *server) deletePathway(w http.ResponseWriter, r *http.Request) error {
	o, p, err := s.ownedPathway(r)
	if err != nil {
		return err
	}
	if _, err := s.svc.DeletePathway(r.Context(), o.Issuer.ID, p.ID); err != nil {
		return err
	}
	s.flash(r, "flash.pathway_deleted", p.Name)
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/pathways")
}

// --- Completions to review ---

type completionsView struct {
	Org     *orgContext
	Flagged []*store.FlaggedCompletion
}

func (s *server) completions(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleEditor)
	if err != nil {
		return err
	}
	flagged, err := s.db.FlaggedCompletions(r.Context(), o.Issuer.ID, s.now())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, "pathway_review", s.newPage(r, nil, completionsView{Org: o, Flagged: flagged}))
}

// reviewCompletion keeps a flagged completion or revokes its badge; an
// awarder's decision (revoking is theirs).
func (s *server) reviewCompletion(w http.ResponseWriter, r *http.Request) error {
	o, err := s.member(r, badge.RoleAwarder)
	if err != nil {
		return err
	}
	v, err := parseForm(r)
	if err != nil {
		return err
	}
	decision := store.ReviewKept
	if v.Get("decision") == "revoke" {
		decision = store.ReviewRevoked
	}
	if err := s.svc.ReviewCompletion(r.Context(), o.Issuer.ID, r.PathValue("id"), decision, o.User.ID, v.Get("reason")); err != nil {
		return err
	}
	s.flash(r, "flash.completion_"+decision)
	return redirect(w, r, "/workspace/"+o.Issuer.Slug+"/completions")
}

// checkPathways runs issuing.Service.CheckPathways for the signed-in
// user, logging rather than failing the page it follows (a claim, an
// import): the badge is theirs whatever happens to the pathway check.
func (s *server) checkPathways(ctx context.Context, userID string) {
	if _, err := s.svc.CheckPathways(ctx, userID); err != nil {
		s.log.Error("check pathways", "user", userID, "err", err)
	}
}

// The picture of a tree is built here, once, rather than in each page's
// template: every page showing a pathway includes the same SVG (with its
// title and description as text alternative) and the same text version.
// Colours are SVG presentation attributes, which the Content Security
// Policy allows (it refuses style attributes).
var diagramTemplate = template.Must(template.New("diagram").Funcs(funcs).Funcs(template.FuncMap{"add": func(a, b int) int { return a + b }}).Parse(`
<svg class="pathway-diagram" id="diagram-{{.ID}}" role="img" aria-labelledby="diagram-{{.ID}}-title diagram-{{.ID}}-desc" viewBox="0 0 {{.D.Width}} {{.D.Height}}" width="100%" xmlns="http://www.w3.org/2000/svg">
<title id="diagram-{{.ID}}-title">{{.Title}}</title>
<desc id="diagram-{{.ID}}-desc">{{.Desc}}</desc>
<g fill="none" stroke="#8a8a8a" stroke-width="1.5">{{range .D.Lines}}<path d="{{.}}"/>{{end}}</g>
{{range .D.Rows}}<g class="node{{if .Group}} group{{end}}" data-status="{{.Status}}">
{{if .Group}}<rect x="{{add .X -8}}" y="{{add .Y -8}}" width="16" height="16" rx="3" fill="{{if eq .Status "done"}}#1a7f37{{else}}#ffffff{{end}}" stroke="{{if eq .Status "done"}}#1a7f37{{else}}#555555{{end}}" stroke-width="2"/>
{{else}}<circle cx="{{.X}}" cy="{{.Y}}" r="8" fill="{{if eq .Status "done"}}#1a7f37{{else}}#ffffff{{end}}" stroke="{{if eq .Status "done"}}#1a7f37{{else}}#555555{{end}}" stroke-width="2"/>{{end}}
{{if eq .Status "done"}}<path d="M{{add .X -4}} {{.Y}} l3 3 l5 -6" fill="none" stroke="#ffffff" stroke-width="2"/>{{end}}
{{if .Earn}}<a href="{{.Earn}}"><text x="{{add .X 16}}" y="{{add .Y 5}}" font-size="15" fill="#0b57d0" text-decoration="underline"{{if .Group}} font-weight="bold"{{end}}>{{.Text}}</text></a>
{{else}}<text x="{{add .X 16}}" y="{{add .Y 5}}" font-size="15" fill="#1f1f1f"{{if .Group}} font-weight="bold"{{end}}>{{.Text}}</text>{{end}}
</g>
{{end}}</svg>
{{define "node"}}<li class="{{if .V.Group}}group{{else}}requirement{{end}}"{{if .Progress}} data-status="{{if .V.Done}}done{{else}}todo{{end}}"{{end}}>
{{if .Progress}}<span class="status">{{if .V.Done}}{{t .Lang "pathway.done"}}{{else}}{{t .Lang "pathway.todo"}}{{end}} :</span> {{end}}
{{- if .V.Group}}<strong>{{.GroupText .V}}</strong>
<ul>{{range .V.Children}}{{template "node" ($.With .)}}{{end}}</ul>
{{- else}}{{.V.Name}}{{if .V.Issuer}} — {{.V.Issuer}}{{end}}{{if .V.Partner}} <span class="note">({{t .Lang "pathway.added_by" .V.Partner}})</span>{{end}}
{{- if and .V.Earn (not (and .Progress .V.Done))}} <a href="{{.V.Earn}}" class="earn">{{t .Lang "pathway.where_to_earn"}}</a>{{end}}{{end}}
</li>{{end}}
{{define "text"}}<ul class="pathway-text" id="text-{{.ID}}">{{template "node" .Root}}</ul>{{end}}
`))

// nodeCtx carries one node to the "node" sub-template.
type nodeCtx struct {
	V        *nodeView
	Lang     string
	Progress bool
}

func (c nodeCtx) With(v *nodeView) nodeCtx { return nodeCtx{V: v, Lang: c.Lang, Progress: c.Progress} }

func (c nodeCtx) GroupText(v *nodeView) string { return groupText(c.Lang, v, c.Progress) }

// pictures renders a card's SVG and text version.
func (c *pathwayCard) pictures(lang string) error {
	title := c.Pathway.Name
	desc := locale.T(lang, "pathway.diagram_desc", c.Leaves)
	if c.Progress {
		desc = locale.T(lang, "pathway.progress_desc", c.DoneLeaves, c.Leaves)
		if c.Done {
			desc += " " + locale.T(lang, "pathway.complete")
		}
	} else {
		desc = locale.T(lang, "pathway.diagram_desc", len(pathways.Leaves(c.Pathway.Root)))
	}
	var svg, text bytes.Buffer
	if err := diagramTemplate.Execute(&svg, map[string]any{"ID": c.Pathway.ID, "D": c.Diagram, "Title": title, "Desc": desc}); err != nil {
		return badge.Internalf(err, "draw pathway %s", c.Pathway.Slug)
	}
	root := nodeCtx{V: c.Tree, Lang: lang, Progress: c.Progress}
	if err := diagramTemplate.ExecuteTemplate(&text, "text", map[string]any{"ID": c.Pathway.ID, "Root": root}); err != nil {
		return badge.Internalf(err, "draw pathway %s", c.Pathway.Slug)
	}
	c.SVG, c.Text = template.HTML(svg.String()), template.HTML(text.String())
	return nil
}
