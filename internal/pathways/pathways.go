// Package pathways holds the model of a pathway ("parcours"): a named tree
// of requirements ("all of", "any N of", nested groups) whose leaves are
// badge definitions on this server or badges made elsewhere, identified by
// their achievement id (Open Badges 3.0) or badge class URL (2.0). It
// evaluates a recipient's progress on a tree from the badges they hold,
// and picks the badges a completion rests on. It knows nothing of storage
// or HTTP: the issuing service feeds it what a recipient holds.
package pathways

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sceau/sceau/internal/badge"
	"github.com/sceau/sceau/ob3"
)

// Node kinds.
const (
	KindAll      = "all"      // every child is required
	KindAny      = "any"      // N of the children are required
	KindBadge    = "badge"    // a badge definition on this server
	KindExternal = "external" // a badge made elsewhere, by achievement id or badge class URL
)

// Bounds on a tree: what a page can draw and a person can follow.
const (
	MaxDepth    = 6
	MaxNodes    = 200
	MaxTreeJSON = 64 << 10
	MaxRefLen   = 2000
)

// Node is one requirement or group of requirements.
type Node struct {
	Kind string `json:"kind"`
	// Label names a group ("Options", "Tronc commun"); optional.
	Label string `json:"label,omitempty"`
	// N is how many children an "any" group needs.
	N        int     `json:"n,omitempty"`
	Children []*Node `json:"children,omitempty"`
	// BadgeID is a badge definition's id (KindBadge).
	BadgeID string `json:"badgeId,omitempty"`
	// Ref is the achievement id or badge class URL (KindExternal).
	Ref string `json:"ref,omitempty"`
	// Name is what an external badge is called, for people.
	Name string `json:"name,omitempty"`
	// EarnURL says where to earn an external badge (optional).
	EarnURL string `json:"earnUrl,omitempty"`
	// AddedBy is the issuer that added the leaf: a partner may remove
	// only what it added.
	AddedBy string `json:"addedBy,omitempty"`
}

// Group reports whether the node is a group.
func (n *Node) Group() bool { return n.Kind == KindAll || n.Kind == KindAny }

// Need is how many children a group needs.
func (n *Node) Need() int {
	if n.Kind == KindAll {
		return len(n.Children)
	}
	return n.N
}

// Pathway is a named tree of requirements defined by an issuer, with its
// partners (other issuers who may add requirements) and an optional
// completion badge (one of the owner's badge definitions).
type Pathway struct {
	ID                string
	IssuerID          string
	Slug              string
	Name              string
	Description       string
	Language          string
	Root              *Node
	CompletionBadgeID string
	Partners          []string // issuer ids
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// Validate checks the pathway's fields and its tree.
func (p *Pathway) Validate() error {
	if p.IssuerID == "" {
		return badge.Invalidf("issuer_id", "pathway.issuer_required", "issuer_id is required")
	}
	if !badge.ValidSlug(p.Slug) || len(p.Slug) > badge.MaxSlugLen {
		return badge.Invalidf("slug", "pathway.slug_invalid", "the address must be lower-case letters, digits and dashes")
	}
	if strings.TrimSpace(p.Name) == "" || len([]rune(p.Name)) > badge.MaxNameLen {
		return badge.Invalidf("name", "pathway.name_invalid", "a pathway needs a name of at most %d characters", badge.MaxNameLen)
	}
	if len([]rune(p.Description)) > badge.MaxDescriptionLen {
		return badge.Invalidf("description", "pathway.description_too_long", "the description is longer than %d characters", badge.MaxDescriptionLen)
	}
	if p.Language != "fr" && p.Language != "en" {
		return badge.Invalidf("language", "pathway.language_invalid", "language must be fr or en")
	}
	if p.Root == nil {
		return badge.Invalidf("tree", "pathway.tree_required", "a pathway needs requirements")
	}
	return ValidateTree(p.Root)
}

// ValidateTree checks a requirement tree: the root is a group, groups are
// not empty, "any N" has 1 ≤ N ≤ its children, leaves name what they need,
// and the tree stays within MaxDepth and MaxNodes.
func ValidateTree(root *Node) error {
	if root == nil || !root.Group() {
		return badge.Invalidf("tree", "pathway.root_not_group", "the requirements must start with a group (all of, any N of)")
	}
	count := 0
	return validateNode(root, 1, &count)
}

func validateNode(n *Node, depth int, count *int) error {
	*count++
	if *count > MaxNodes {
		return badge.Invalidf("tree", "pathway.too_many_nodes", "a pathway has at most %d requirements and groups", MaxNodes)
	}
	if depth > MaxDepth {
		return badge.Invalidf("tree", "pathway.too_deep", "groups nest at most %d deep", MaxDepth)
	}
	if len([]rune(n.Label)) > badge.MaxNameLen || len([]rune(n.Name)) > badge.MaxNameLen {
		return badge.Invalidf("tree", "pathway.label_too_long", "a label has at most %d characters", badge.MaxNameLen)
	}
	switch n.Kind {
	case KindAll, KindAny:
		if len(n.Children) == 0 {
			return badge.Invalidf("tree", "pathway.group_empty", "a group needs at least one requirement")
		}
		if n.Kind == KindAny && (n.N < 1 || n.N > len(n.Children)) {
			return badge.Invalidf("tree", "pathway.any_count", "\"any %d of\" needs between 1 and %d (its requirements)", n.N, len(n.Children))
		}
		if n.Kind == KindAll && n.N != 0 {
			return badge.Invalidf("tree", "pathway.all_count", "an \"all of\" group takes no number")
		}
		if n.BadgeID != "" || n.Ref != "" {
			return badge.Invalidf("tree", "pathway.group_with_badge", "a group names no badge")
		}
		for _, c := range n.Children {
			if c == nil {
				return badge.Invalidf("tree", "pathway.node_null", "empty requirement")
			}
			if err := validateNode(c, depth+1, count); err != nil {
				return err
			}
		}
	case KindBadge:
		if !badge.ValidID(n.BadgeID) {
			return badge.Invalidf("tree", "pathway.badge_invalid", "a badge requirement needs a badge definition")
		}
		if len(n.Children) > 0 || n.Ref != "" {
			return badge.Invalidf("tree", "pathway.leaf_with_children", "a badge requirement has no children")
		}
	case KindExternal:
		if n.Ref == "" || len(n.Ref) > MaxRefLen || !ob3.IsURI(n.Ref) {
			return badge.Invalidf("tree", "pathway.ref_invalid", "an external badge is named by its achievement id or badge class URL")
		}
		if n.EarnURL != "" && (len(n.EarnURL) > MaxRefLen || !(strings.HasPrefix(n.EarnURL, "https://") || strings.HasPrefix(n.EarnURL, "http://"))) {
			return badge.Invalidf("tree", "pathway.earn_url_invalid", "where to earn a badge must be a web address")
		}
		if len(n.Children) > 0 || n.BadgeID != "" {
			return badge.Invalidf("tree", "pathway.leaf_with_children", "a badge requirement has no children")
		}
	default:
		return badge.Invalidf("tree", "pathway.kind_invalid", "unknown requirement kind %q", n.Kind)
	}
	return nil
}

// ParseTree reads a tree stored as JSON, bounded in size, and validates it.
func ParseTree(data []byte) (*Node, error) {
	if len(data) > MaxTreeJSON {
		return nil, badge.Invalidf("tree", "pathway.tree_too_large", "the requirements are larger than %d bytes", MaxTreeJSON)
	}
	// Nesting is bounded before decoding, so a hostile document cannot
	// make the decoder recurse deeply.
	depth, max := 0, 0
	inString, escaped := false, false
	for _, c := range data {
		switch {
		case escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case inString:
		case c == '{' || c == '[':
			depth++
			max = maxInt(max, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	if max > 2*MaxDepth+2 {
		return nil, badge.Invalidf("tree", "pathway.too_deep", "groups nest at most %d deep", MaxDepth)
	}
	var n Node
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return nil, badge.Invalidf("tree", "pathway.tree_json", "the requirements are not valid: %v", err)
	}
	if err := ValidateTree(&n); err != nil {
		return nil, err
	}
	return &n, nil
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}

// MarshalTree encodes a tree for storage.
func MarshalTree(root *Node) ([]byte, error) {
	b, err := json.Marshal(root)
	if err != nil {
		return nil, fmt.Errorf("encode pathway tree: %w", err)
	}
	return b, nil
}

// Leaves returns the tree's leaves in document order.
func Leaves(root *Node) []*Node {
	var out []*Node
	var walk func(*Node)
	walk = func(n *Node) {
		if n == nil {
			return
		}
		if !n.Group() {
			out = append(out, n)
			return
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(root)
	return out
}

// Key is how a leaf is looked up among what a recipient holds:
// "badge:" + the badge definition's id, or "ext:" + the reference.
func (n *Node) Key() string {
	switch n.Kind {
	case KindBadge:
		return BadgeKey(n.BadgeID)
	case KindExternal:
		return ExternalKey(n.Ref)
	}
	return ""
}

// BadgeKey is the key of a badge definition on this server.
func BadgeKey(badgeID string) string { return "badge:" + badgeID }

// ExternalKey is the key of an achievement id or badge class URL.
func ExternalKey(ref string) string { return "ext:" + strings.TrimSpace(ref) }

// Held is one verified badge a recipient holds, which a leaf may count.
type Held struct {
	// Kind is "award" (made here) or "import" (from elsewhere).
	Kind string
	// ID is the award's id or the portfolio item's id.
	ID string
	// URL is what the completion credential cites as evidence: the
	// award's URL, or the imported credential's id.
	URL string
	// Name is the badge's name.
	Name string
}

// Result is the evaluation of one node.
type Result struct {
	Node *Node
	Done bool
	// DoneChildren and Need count a group's children.
	DoneChildren int
	Need         int
	// Held is what satisfies a leaf (nil when not done).
	Held *Held
	// Children are the groups' children's results.
	Children []*Result
	// Leaves and DoneLeaves count the leaves under the node.
	Leaves     int
	DoneLeaves int
}

// Evaluate computes progress on the tree from what the recipient holds,
// keyed by Node.Key. Only verified, unrevoked, unexpired badges belong in
// held: choosing them is the caller's job.
func Evaluate(root *Node, held map[string]*Held) *Result {
	return evaluate(root, held)
}

func evaluate(n *Node, held map[string]*Held) *Result {
	r := &Result{Node: n}
	if !n.Group() {
		r.Leaves = 1
		if h, ok := held[n.Key()]; ok {
			r.Done, r.Held, r.DoneLeaves = true, h, 1
		}
		return r
	}
	r.Need = n.Need()
	for _, c := range n.Children {
		cr := evaluate(c, held)
		r.Children = append(r.Children, cr)
		r.Leaves += cr.Leaves
		r.DoneLeaves += cr.DoneLeaves
		if cr.Done {
			r.DoneChildren++
		}
	}
	r.Done = r.DoneChildren >= r.Need
	return r
}

// Basis returns what a completed tree rests on: for "all of", every
// child's basis; for "any N of", the first N completed children's. Each
// held badge appears once. Nil when the tree is not complete.
func (r *Result) Basis() []*Held {
	if !r.Done {
		return nil
	}
	var out []*Held
	seen := map[string]bool{}
	var walk func(*Result)
	walk = func(r *Result) {
		if r.Held != nil {
			if !seen[r.Held.Kind+r.Held.ID] {
				seen[r.Held.Kind+r.Held.ID] = true
				out = append(out, r.Held)
			}
			return
		}
		taken := 0
		for _, c := range r.Children {
			if taken >= r.Need {
				break
			}
			if c.Done {
				walk(c)
				taken++
			}
		}
	}
	walk(r)
	return out
}

// Touches reports whether any leaf of the tree is held: the pathway
// concerns the recipient.
func (r *Result) Touches() bool { return r.DoneLeaves > 0 }
