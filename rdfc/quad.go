// Package rdfc implements RDF Dataset Canonicalization (RDFC-1.0) and the
// N-Quads serialization it is defined over.
//
// The RDF types here are shared with package jsonld, which produces them
// (toRdf), and package proof, which hashes their canonical form.
package rdfc

// TermKind says what an RDF term is. The zero value is the default graph, so
// a Quad whose Graph is the zero Term lies in the default graph.
type TermKind uint8

const (
	DefaultGraph TermKind = iota
	IRI
	BlankNode
	Literal
)

// Well-known datatype IRIs.
const (
	XSDString        = "http://www.w3.org/2001/XMLSchema#string"
	LangString       = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
	RDFDirLangString = "http://www.w3.org/1999/02/22-rdf-syntax-ns#dirLangString"
)

// Term is an RDF term.
//
// For an IRI, Value is the IRI. For a blank node, Value is its label without
// the "_:" prefix. For a literal, Value is the lexical form, Datatype its
// datatype IRI (empty means xsd:string) and Language its language tag (set only
// when Datatype is rdf:langString or empty).
type Term struct {
	Kind     TermKind
	Value    string
	Datatype string
	Language string
}

// Quad is an RDF quad; Graph is the zero Term for the default graph.
type Quad struct {
	Subject, Predicate, Object, Graph Term
}

// NewIRI returns an IRI term.
func NewIRI(iri string) Term { return Term{Kind: IRI, Value: iri} }

// NewBlankNode returns a blank node term with the given label (no "_:").
func NewBlankNode(label string) Term { return Term{Kind: BlankNode, Value: label} }

// NewLiteral returns a literal; an empty datatype means xsd:string.
func NewLiteral(value, datatype, language string) Term {
	return Term{Kind: Literal, Value: value, Datatype: datatype, Language: language}
}
