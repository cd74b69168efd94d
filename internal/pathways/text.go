package pathways

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/sceau/sceau/internal/badge"
)

// The requirement tree is edited as indented text, one node per line, a
// child indented deeper than its group:
//
//	all Tronc commun
//	  badge cssdm/secourisme
//	  any 2 Options
//	    badge cssdm/robotique
//	    external https://example.org/badges/42 | Littératie numérique | https://example.org/inscription
//
// "all [label]" and "any N [label]" are groups; "badge issuer/badge" names a
// badge definition on this server by its issuer's and its own address;
// "external REF [| name [| where to earn]]" names a badge made elsewhere by
// its achievement id or badge class URL. Blank lines and lines starting
// with # are ignored.

// MaxTextLen bounds the text form of a tree.
const MaxTextLen = 32 << 10

// Resolver turns "issuer/badge" addresses into badge definition ids.
type Resolver func(issuerSlug, badgeSlug string) (string, error)

// LineError is a refusal of the text form, naming the line.
type LineError struct {
	Line int
	Msg  string
}

func (e *LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func lineErr(line int, format string, args ...any) error {
	le := &LineError{Line: line, Msg: fmt.Sprintf(format, args...)}
	return &badge.Error{Kind: badge.Invalid, Code: "pathway.text_invalid", Field: "tree", Message: le.Error(), Err: le}
}

// ParseText reads the text form of a tree and validates it. resolve maps
// badge addresses to ids; its errors are reported with the line.
func ParseText(text string, resolve Resolver) (*Node, error) {
	if len(text) > MaxTextLen {
		return nil, badge.Invalidf("tree", "pathway.tree_too_large", "the requirements are longer than %d characters", MaxTextLen)
	}
	type frame struct {
		indent int
		node   *Node
	}
	var (
		root  *Node
		stack []frame
		count int
	)
	for i, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := i + 1
		trimmed := strings.TrimRightFunc(raw, unicode.IsSpace)
		content := strings.TrimLeftFunc(trimmed, unicode.IsSpace)
		if content == "" || strings.HasPrefix(content, "#") {
			continue
		}
		count++
		if count > MaxNodes {
			return nil, badge.Invalidf("tree", "pathway.too_many_nodes", "a pathway has at most %d requirements and groups", MaxNodes)
		}
		indent := len(trimmed) - len(content)
		n, err := parseLine(content, line, resolve)
		if err != nil {
			return nil, err
		}
		for len(stack) > 0 && stack[len(stack)-1].indent >= indent {
			stack = stack[:len(stack)-1]
		}
		if len(stack) == 0 {
			if root != nil {
				return nil, lineErr(line, "only one group may start at the left margin: indent this line under it")
			}
			if !n.Group() {
				return nil, lineErr(line, "the requirements must start with a group (all, any N)")
			}
			root = n
		} else {
			parent := stack[len(stack)-1].node
			if !parent.Group() {
				return nil, lineErr(line, "a badge cannot hold requirements: indent this line under a group")
			}
			parent.Children = append(parent.Children, n)
		}
		if len(stack) >= MaxDepth {
			return nil, badge.Invalidf("tree", "pathway.too_deep", "groups nest at most %d deep", MaxDepth)
		}
		stack = append(stack, frame{indent, n})
	}
	if root == nil {
		return nil, badge.Invalidf("tree", "pathway.tree_required", "a pathway needs requirements")
	}
	if err := ValidateTree(root); err != nil {
		return nil, err
	}
	return root, nil
}

func parseLine(content string, line int, resolve Resolver) (*Node, error) {
	word, rest, _ := strings.Cut(content, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(word) {
	case "all", "tous", "tout":
		return &Node{Kind: KindAll, Label: rest}, nil
	case "any", "parmi":
		num, label, _ := strings.Cut(rest, " ")
		n, err := strconv.Atoi(num)
		if err != nil || n < 1 || n > MaxNodes {
			return nil, lineErr(line, "%q: \"any\" needs how many, as in \"any 2 Options\"", content)
		}
		return &Node{Kind: KindAny, N: n, Label: strings.TrimSpace(label)}, nil
	case "badge":
		iss, b, ok := strings.Cut(rest, "/")
		if !ok || !badge.ValidSlug(iss) || !badge.ValidSlug(b) {
			return nil, lineErr(line, "%q: a badge is named issuer/badge, as in its catalogue address", content)
		}
		if resolve == nil {
			return nil, lineErr(line, "badge %s/%s: not found", iss, b)
		}
		id, err := resolve(iss, b)
		if err != nil {
			return nil, lineErr(line, "badge %s/%s: not found", iss, b)
		}
		return &Node{Kind: KindBadge, BadgeID: id}, nil
	case "external", "externe":
		parts := strings.Split(rest, "|")
		n := &Node{Kind: KindExternal, Ref: strings.TrimSpace(parts[0])}
		if len(parts) > 1 {
			n.Name = strings.TrimSpace(parts[1])
		}
		if len(parts) > 2 {
			n.EarnURL = strings.TrimSpace(parts[2])
		}
		if len(parts) > 3 {
			return nil, lineErr(line, "%q: an external badge has a reference, a name and where to earn it, at most", content)
		}
		if err := validateNode(n, 1, new(int)); err != nil {
			return nil, lineErr(line, "%q: %s", content, badge.ErrorCode(err))
		}
		return n, nil
	}
	return nil, lineErr(line, "%q: a line starts with all, any, badge or external", content)
}

// Namer gives a badge definition's address ("issuer/badge") for the text
// form; ok false writes the id, which ParseText then refuses.
type Namer func(badgeID string) (address string, ok bool)

// FormatText writes the text form of a tree.
func FormatText(root *Node, name Namer) string {
	var b strings.Builder
	var walk func(n *Node, depth int)
	walk = func(n *Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		switch n.Kind {
		case KindAll:
			b.WriteString("all")
			if n.Label != "" {
				b.WriteString(" " + n.Label)
			}
		case KindAny:
			fmt.Fprintf(&b, "any %d", n.N)
			if n.Label != "" {
				b.WriteString(" " + n.Label)
			}
		case KindBadge:
			addr, ok := "", false
			if name != nil {
				addr, ok = name(n.BadgeID)
			}
			if !ok {
				addr = n.BadgeID
			}
			b.WriteString("badge " + addr)
		case KindExternal:
			b.WriteString("external " + n.Ref)
			if n.Name != "" || n.EarnURL != "" {
				b.WriteString(" | " + n.Name)
			}
			if n.EarnURL != "" {
				b.WriteString(" | " + n.EarnURL)
			}
		}
		b.WriteString("\n")
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	if root != nil {
		walk(root, 0)
	}
	return b.String()
}

// CarryAddedBy copies who added each leaf from old to new (matching leaves
// by key); leaves new to the tree are marked as added by by.
func CarryAddedBy(old, updated *Node, by string) {
	prev := map[string]string{}
	for _, l := range Leaves(old) {
		if l.AddedBy != "" {
			prev[l.Key()] = l.AddedBy
		}
	}
	for _, l := range Leaves(updated) {
		if who, ok := prev[l.Key()]; ok {
			l.AddedBy = who
		} else {
			l.AddedBy = by
		}
	}
}

// AddLeaf appends leaf to the group at path (indexes of children from the
// root; empty for the root) and validates the result. The tree is changed
// in place only when the result is valid.
func AddLeaf(root *Node, path []int, leaf *Node) error {
	g, err := At(root, path)
	if err != nil {
		return err
	}
	if !g.Group() {
		return badge.Invalidf("group", "pathway.not_group", "requirements are added to a group")
	}
	g.Children = append(g.Children, leaf)
	if err := ValidateTree(root); err != nil {
		g.Children = g.Children[:len(g.Children)-1]
		return err
	}
	return nil
}

// RemoveAt removes the node at path (not the root), keeping the tree
// valid: a removal that would leave a group empty or an "any N" with fewer
// than N children is refused.
func RemoveAt(root *Node, path []int) (*Node, error) {
	if len(path) == 0 {
		return nil, badge.Invalidf("node", "pathway.remove_root", "the first group cannot be removed")
	}
	parent, err := At(root, path[:len(path)-1])
	if err != nil {
		return nil, err
	}
	i := path[len(path)-1]
	if i < 0 || i >= len(parent.Children) {
		return nil, badge.NotFoundf("pathway.node_not_found", "no requirement there")
	}
	removed := parent.Children[i]
	kept := append(append([]*Node{}, parent.Children[:i]...), parent.Children[i+1:]...)
	old := parent.Children
	parent.Children = kept
	if err := ValidateTree(root); err != nil {
		parent.Children = old
		return nil, err
	}
	return removed, nil
}

// At returns the node at path.
func At(root *Node, path []int) (*Node, error) {
	n := root
	for _, i := range path {
		if n == nil || i < 0 || i >= len(n.Children) {
			return nil, badge.NotFoundf("pathway.node_not_found", "no requirement there")
		}
		n = n.Children[i]
	}
	return n, nil
}

// ParsePath reads a node path written "0.2.1" ("" is the root).
func ParsePath(s string) ([]int, error) {
	if s == "" {
		return nil, nil
	}
	parts := strings.Split(s, ".")
	if len(parts) > MaxDepth {
		return nil, badge.NotFoundf("pathway.node_not_found", "no requirement there")
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n >= MaxNodes {
			return nil, badge.NotFoundf("pathway.node_not_found", "no requirement there")
		}
		out[i] = n
	}
	return out, nil
}
