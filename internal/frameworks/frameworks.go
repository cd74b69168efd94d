// Package frameworks reads competency frameworks (a CSV file, or a
// 1EdTech CASE 1.0 package in JSON) into a tree of items with codes, and
// measures how much of a framework a set of aligned badges covers.
//
// The top-level items are the framework's dimensions. Parsers report
// every problem they find, each with the CSV line or the CASE item it
// concerns, and return no framework when there is any: an import is all
// or nothing.
package frameworks

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bounds on untrusted input.
const (
	MaxBytes       = 4 << 20 // a file
	MaxItems       = 5000
	MaxCodeLen     = 100
	MaxNameLen     = 200 // badge.MaxNameLen: an item's name becomes an alignment's name
	MaxDescription = 10000
	MaxURLLen      = 2000
	// MaxProblems bounds the report of a bad file.
	MaxProblems = 100
)

// ErrTooLarge is returned for a file over MaxBytes.
var ErrTooLarge = errors.New("frameworks: file too large")

// Item is one competency, or a dimension when it has no parent.
type Item struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	ParentCode  string `json:"parent,omitempty"`
	Description string `json:"description,omitempty"`
	URL         string `json:"url,omitempty"`
	// Children are set by Build, in file order.
	Children []*Item `json:"-"`
}

// Framework is a tree of items.
type Framework struct {
	// Name, Description and URL come from a CASE CFDocument; a CSV file
	// carries none (the importer names it).
	Name        string
	Description string
	URL         string
	// Items in file order; Roots are those without a parent.
	Items  []*Item
	Roots  []*Item
	byCode map[string]*Item
}

// Reason is what is wrong with a line or an item.
type Reason string

// The reasons a file is refused.
const (
	ReasonEncoding      Reason = "encoding"       // not UTF-8
	ReasonSyntax        Reason = "syntax"         // CSV quoting, or JSON
	ReasonHeader        Reason = "header"         // a column is missing from the header
	ReasonMissingCode   Reason = "missing_code"   // no code
	ReasonMissingName   Reason = "missing_name"   // no name
	ReasonDuplicateCode Reason = "duplicate_code" // code used twice
	ReasonUnknownParent Reason = "unknown_parent" // parent code not in the file
	ReasonCycle         Reason = "cycle"          // an item is its own ancestor
	ReasonTooLong       Reason = "too_long"       // a field over its bound
	ReasonBadURL        Reason = "bad_url"        // not an absolute http(s) URL
	ReasonTooMany       Reason = "too_many"       // over MaxItems
	ReasonEmpty         Reason = "empty"          // no item at all
)

// Problem is one thing wrong: Line for a CSV file (1-based, 0 for the
// whole file), Item (a CASE identifier or an item's code) otherwise.
type Problem struct {
	Line   int
	Item   string
	Reason Reason
	// Detail names the value at fault (a code, a column).
	Detail string
}

func (p Problem) String() string {
	where := "file"
	switch {
	case p.Line > 0:
		where = "line " + strconv.Itoa(p.Line)
	case p.Item != "":
		where = "item " + strconv.Quote(p.Item)
	}
	if p.Detail != "" {
		return fmt.Sprintf("%s: %s (%s)", where, p.Reason, p.Detail)
	}
	return fmt.Sprintf("%s: %s", where, p.Reason)
}

// Errors is every problem of a refused file.
type Errors []Problem

func (e Errors) Error() string {
	parts := make([]string, 0, len(e))
	for _, p := range e {
		parts = append(parts, p.String())
	}
	return "frameworks: " + strings.Join(parts, "; ")
}

// problems collects Problems up to MaxProblems.
type problems struct{ list Errors }

func (ps *problems) add(p Problem) {
	if len(ps.list) < MaxProblems {
		ps.list = append(ps.list, p)
	}
}

func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	return ps.list
}

// located is an item with where it came from, for the problems Build finds.
type located struct {
	item *Item
	line int
	ref  string
}

// checkFields bounds an item's fields and checks its URL.
func checkFields(it *Item, at func(Reason, string) Problem, ps *problems) {
	if it.Code == "" {
		ps.add(at(ReasonMissingCode, ""))
	}
	if it.Name == "" {
		ps.add(at(ReasonMissingName, ""))
	}
	for _, f := range []struct {
		name, v string
		max     int
	}{{"code", it.Code, MaxCodeLen}, {"parent_code", it.ParentCode, MaxCodeLen}, {"name", it.Name, MaxNameLen},
		{"description", it.Description, MaxDescription}, {"url", it.URL, MaxURLLen}} {
		if utf8.RuneCountInString(f.v) > f.max {
			ps.add(at(ReasonTooLong, f.name))
		}
	}
	if it.URL != "" && !httpURL(it.URL) {
		ps.add(at(ReasonBadURL, it.URL))
	}
}

func httpURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// build links items into a tree, reporting duplicate codes, unknown
// parents and cycles against each item's origin.
func build(items []located, ps *problems) *Framework {
	f := &Framework{byCode: make(map[string]*Item, len(items))}
	origin := make(map[*Item]located, len(items))
	at := func(l located, r Reason, detail string) Problem {
		return Problem{Line: l.line, Item: l.ref, Reason: r, Detail: detail}
	}
	for _, l := range items {
		it := l.item
		f.Items = append(f.Items, it)
		origin[it] = l
		if it.Code == "" {
			continue
		}
		if _, dup := f.byCode[it.Code]; dup {
			ps.add(at(l, ReasonDuplicateCode, it.Code))
			continue
		}
		f.byCode[it.Code] = it
	}
	for _, l := range items {
		it := l.item
		if it.ParentCode == "" {
			f.Roots = append(f.Roots, it)
			continue
		}
		parent, ok := f.byCode[it.ParentCode]
		if !ok {
			ps.add(at(l, ReasonUnknownParent, it.ParentCode))
			continue
		}
		if f.byCode[it.Code] == it {
			parent.Children = append(parent.Children, it)
		}
	}
	// A cycle: following parents from an item comes back to it. Each
	// item is walked once (state 2 once done), so the work is linear;
	// every member of a cycle is reported.
	state := make(map[*Item]int, len(f.Items)) // 1: on the current walk, 2: done
	for _, it := range f.Items {
		var walk []*Item
		pos := map[*Item]int{}
		cur := it
		for cur != nil && state[cur] == 0 {
			state[cur] = 1
			pos[cur] = len(walk)
			walk = append(walk, cur)
			cur = f.byCode[cur.ParentCode] // nil for a root or an unknown parent
		}
		if cur != nil && state[cur] == 1 {
			for _, member := range walk[pos[cur]:] {
				ps.add(at(origin[member], ReasonCycle, member.Code))
			}
		}
		for _, w := range walk {
			state[w] = 2
		}
	}
	if len(ps.list) == 0 && len(f.Items) == 0 {
		ps.add(Problem{Reason: ReasonEmpty})
	}
	return f
}

// Find returns the item with the code, or nil.
func (f *Framework) Find(code string) *Item { return f.byCode[code] }

// Under returns the items of a dimension: its descendants, or the
// dimension itself when it has none.
func Under(dim *Item) []*Item {
	if len(dim.Children) == 0 {
		return []*Item{dim}
	}
	var out []*Item
	var walk func(*Item, int)
	walk = func(it *Item, depth int) {
		if depth > MaxItems {
			return
		}
		for _, c := range it.Children {
			out = append(out, c)
			walk(c, depth+1)
		}
	}
	walk(dim, 0)
	return out
}

// FromItems rebuilds a framework from items as stored (already checked
// when imported).
func FromItems(name, description, uri string, items []*Item) (*Framework, error) {
	ls := make([]located, len(items))
	for i, it := range items {
		it.Children = nil
		ls[i] = located{item: it, ref: it.Code}
	}
	var ps problems
	f := build(ls, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	f.Name, f.Description, f.URL = name, description, uri
	return f, nil
}

// DimensionCoverage is how much of one dimension is covered.
type DimensionCoverage struct {
	Dimension *Item
	Items     []*Item
	Covered   []*Item
}

// Coverage measures, for each dimension, which of its items covered
// says are covered.
func Coverage(f *Framework, covered func(*Item) bool) []DimensionCoverage {
	out := make([]DimensionCoverage, 0, len(f.Roots))
	for _, d := range f.Roots {
		dc := DimensionCoverage{Dimension: d, Items: Under(d)}
		for _, it := range dc.Items {
			if covered(it) {
				dc.Covered = append(dc.Covered, it)
			}
		}
		out = append(out, dc)
	}
	return out
}
