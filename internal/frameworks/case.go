package frameworks

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// A CASE 1.0 package (1EdTech Competencies and Academic Standards
// Exchange), as the getCFPackage endpoint answers: one CFDocument, its
// CFItems, and CFAssociations of which isChildOf ones give the tree
// (origin: the child, destination: the parent, the document for a
// top-level item). Other associations are ignored.

type caseNode struct {
	Identifier string `json:"identifier"`
	URI        string `json:"uri"`
	Title      string `json:"title"`
}

type casePackage struct {
	CFDocument *struct {
		Identifier  string `json:"identifier"`
		URI         string `json:"uri"`
		Title       string `json:"title"`
		Description string `json:"description"`
	} `json:"CFDocument"`
	CFItems []struct {
		Identifier           string `json:"identifier"`
		URI                  string `json:"uri"`
		FullStatement        string `json:"fullStatement"`
		AbbreviatedStatement string `json:"abbreviatedStatement"`
		HumanCodingScheme    string `json:"humanCodingScheme"`
		Notes                string `json:"notes"`
	} `json:"CFItems"`
	CFAssociations []struct {
		AssociationType    string    `json:"associationType"`
		OriginNodeURI      *caseNode `json:"originNodeURI"`
		DestinationNodeURI *caseNode `json:"destinationNodeURI"`
	} `json:"CFAssociations"`
}

// maxAssociations bounds the associations read (several per item).
const maxAssociations = 4 * MaxItems

// ParseCASE reads a framework from a CASE JSON package (the object
// itself, or wrapped as {"CFPackage": …}). An item's code is its
// humanCodingScheme, else its identifier; its name its
// abbreviatedStatement, else its fullStatement (shortened to
// MaxNameLen, the full text kept as the description). Problems name the
// item's identifier.
func ParseCASE(data []byte) (*Framework, error) {
	if len(data) > MaxBytes {
		return nil, ErrTooLarge
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	var ps problems
	if !utf8.Valid(data) {
		ps.add(Problem{Reason: ReasonEncoding})
		return nil, ps.err()
	}
	var wrapped struct {
		CFPackage json.RawMessage `json:"CFPackage"`
	}
	if err := json.Unmarshal(data, &wrapped); err != nil {
		ps.add(Problem{Reason: ReasonSyntax, Detail: err.Error()})
		return nil, ps.err()
	}
	if len(wrapped.CFPackage) > 0 {
		data = wrapped.CFPackage
	}
	var pkg casePackage
	if err := json.Unmarshal(data, &pkg); err != nil {
		ps.add(Problem{Reason: ReasonSyntax, Detail: err.Error()})
		return nil, ps.err()
	}
	if pkg.CFDocument == nil {
		ps.add(Problem{Reason: ReasonSyntax, Detail: "no CFDocument"})
		return nil, ps.err()
	}
	if len(pkg.CFItems) > MaxItems {
		ps.add(Problem{Reason: ReasonTooMany, Detail: fmt.Sprint(len(pkg.CFItems))})
		return nil, ps.err()
	}
	if len(pkg.CFAssociations) > maxAssociations {
		ps.add(Problem{Reason: ReasonTooMany, Detail: fmt.Sprint(len(pkg.CFAssociations))})
		return nil, ps.err()
	}
	doc := pkg.CFDocument
	// parent by child identifier: the first isChildOf association wins
	// (CASE allows an item under several parents; the tree takes one).
	parent := map[string]string{}
	for _, a := range pkg.CFAssociations {
		if a.AssociationType != "isChildOf" || a.OriginNodeURI == nil || a.DestinationNodeURI == nil {
			continue
		}
		if _, seen := parent[a.OriginNodeURI.Identifier]; !seen {
			parent[a.OriginNodeURI.Identifier] = a.DestinationNodeURI.Identifier
		}
	}
	codeOf := map[string]string{}
	for _, ci := range pkg.CFItems {
		code := strings.TrimSpace(ci.HumanCodingScheme)
		if code == "" {
			code = ci.Identifier
		}
		if _, dup := codeOf[ci.Identifier]; !dup {
			codeOf[ci.Identifier] = code
		}
	}
	items := make([]located, 0, len(pkg.CFItems))
	for _, ci := range pkg.CFItems {
		ref := ci.Identifier
		at := func(r Reason, d string) Problem { return Problem{Item: ref, Reason: r, Detail: d} }
		if ci.Identifier == "" {
			ps.add(at(ReasonMissingCode, "identifier"))
			continue
		}
		name := strings.TrimSpace(ci.AbbreviatedStatement)
		full := strings.TrimSpace(ci.FullStatement)
		if name == "" {
			name = shorten(full, MaxNameLen)
		}
		it := &Item{Code: codeOf[ci.Identifier], Name: name, Description: full, URL: ci.URI}
		if p, ok := parent[ci.Identifier]; ok && p != doc.Identifier {
			if c, ok := codeOf[p]; ok {
				it.ParentCode = c
			} else {
				ps.add(at(ReasonUnknownParent, p))
			}
		}
		checkFields(it, at, &ps)
		items = append(items, located{item: it, ref: ref})
	}
	f := build(items, &ps)
	if err := ps.err(); err != nil {
		return nil, err
	}
	f.Name, f.Description = shorten(strings.TrimSpace(doc.Title), MaxNameLen), doc.Description
	if httpURL(doc.URI) {
		f.URL = doc.URI
	}
	if f.Name == "" {
		return nil, Errors{{Item: doc.Identifier, Reason: ReasonMissingName}}
	}
	return f, nil
}

// shorten cuts s to at most n runes, ending with an ellipsis when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
