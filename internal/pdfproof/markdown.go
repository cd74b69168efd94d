package pdfproof

import (
	"strconv"
	"strings"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
)

// blockKind says how a block of criteria text is typeset.
type blockKind int

const (
	blockPara blockKind = iota
	blockHeading
	blockItem // list item: marker printed in the hanging indent
)

// block is one paragraph of plain text taken from the criteria Markdown.
type block struct {
	kind   blockKind
	marker string // "•", "1.", … for list items
	depth  int    // list nesting, 0 for top level
	text   string
}

// maxCriteriaBytes bounds the Markdown handed to the parser. A page holds a few thousand
// characters at most, so anything beyond is cut before parsing, which also bounds the parser's
// work on hostile input.
const maxCriteriaBytes = 16 << 10

// maxBlocks bounds the number of blocks kept: more could never fit on the page.
const maxBlocks = 200

var mdParser = goldmark.New().Parser()

// markdownBlocks turns a criteria narrative written in Markdown into plain-text blocks:
// headings and paragraphs keep their text, emphasis and code marks go, links keep their
// label, images their alternative text, lists become marked items, raw HTML is dropped.
func markdownBlocks(md string) []block {
	md = clip(md, maxCriteriaBytes)
	src := []byte(md)
	doc := mdParser.Parse(text.NewReader(src))
	var out []block
	collectBlocks(doc, src, 0, &out)
	return out
}

func collectBlocks(n ast.Node, src []byte, depth int, out *[]block) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		if len(*out) >= maxBlocks {
			return
		}
		switch c := c.(type) {
		case *ast.Heading:
			addBlock(out, block{kind: blockHeading, text: inlineText(c, src)})
		case *ast.Paragraph, *ast.TextBlock:
			addBlock(out, block{kind: blockPara, depth: depth, text: inlineText(c, src)})
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			var b strings.Builder
			lines := c.Lines()
			for i := 0; i < lines.Len(); i++ {
				seg := lines.At(i)
				b.Write(seg.Value(src))
			}
			addBlock(out, block{kind: blockPara, depth: depth, text: b.String()})
		case *ast.List:
			num := c.Start
			for item := c.FirstChild(); item != nil && len(*out) < maxBlocks; item = item.NextSibling() {
				marker := "•"
				if c.IsOrdered() {
					marker = strconv.Itoa(num) + "."
					num++
				}
				start := len(*out)
				collectBlocks(item, src, depth+1, out)
				// The first paragraph of the item carries the marker; following ones (and
				// nested lists) hang under it.
				if start < len(*out) && (*out)[start].kind == blockPara {
					(*out)[start].kind = blockItem
					(*out)[start].marker = marker
				} else if start == len(*out) {
					addBlock(out, block{kind: blockItem, marker: marker, depth: depth + 1})
				}
			}
		case *ast.Blockquote:
			collectBlocks(c, src, depth, out)
		case *ast.HTMLBlock, *ast.ThematicBreak:
			// Raw HTML is not shown (the web page drops it too); rules have no text.
		default:
			collectBlocks(c, src, depth, out)
		}
	}
}

func addBlock(out *[]block, b block) {
	if len(*out) >= maxBlocks {
		return
	}
	b.text = strings.Join(strings.Fields(b.text), " ")
	if b.text == "" && b.kind != blockItem {
		return
	}
	*out = append(*out, b)
}

// inlineText concatenates the text of a block's inline children.
func inlineText(n ast.Node, src []byte) string {
	var b strings.Builder
	var walk func(ast.Node)
	walk = func(n ast.Node) {
		for c := n.FirstChild(); c != nil; c = c.NextSibling() {
			switch c := c.(type) {
			case *ast.Text:
				b.Write(c.Segment.Value(src))
				if c.SoftLineBreak() || c.HardLineBreak() {
					b.WriteByte(' ')
				}
			case *ast.String:
				b.Write(c.Value)
			case *ast.AutoLink:
				b.Write(c.Label(src))
			case *ast.RawHTML:
				// dropped, as on the web page
			default:
				walk(c)
			}
		}
	}
	walk(n)
	return b.String()
}
