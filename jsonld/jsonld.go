// Package jsonld implements the parts of JSON-LD 1.1 that Data Integrity
// needs: expansion and deserialization to RDF (toRdf). It never fetches:
// contexts come from a DocumentLoader, by default the bundled one.
//
// Input documents are the values encoding/json produces when decoding into
// an `any` (maps, slices, strings, booleans, nil, and float64 or json.Number
// numbers). Inputs are never modified.
//
// Processed contexts are cached per (parent context, context reference), so
// that expanding many documents that share the same contexts processes each
// context once. The cache is keyed on the loader, so loaders used with the
// cache should be comparable values (pointers); DefaultLoader and NewLoader
// return pointers.
package jsonld

import (
	"errors"

	"github.com/sceau/sceau/rdfc"
)

// Processing modes.
const (
	ModeJSONLD10 = "json-ld-1.0"
	ModeJSONLD11 = "json-ld-1.1"
)

// Options control expansion and toRdf. The zero value (or a nil *Options)
// means: no base IRI, the bundled contexts, JSON-LD 1.1, not safe.
type Options struct {
	// Base is the document base IRI used to resolve relative IRIs.
	Base string
	// Loader loads remote contexts; nil means DefaultLoader().
	Loader DocumentLoader
	// Safe makes every silent drop of data an error, as Data Integrity
	// requires: a signature must cover everything the document says.
	Safe bool
	// ProcessingMode is ModeJSONLD11 (default) or ModeJSONLD10.
	ProcessingMode string
	// ExpandContext is a context applied before the document's own.
	ExpandContext any
	// ProduceGeneralizedRDF keeps triples whose predicate is a blank node.
	ProduceGeneralizedRDF bool
	// RDFDirection says how @direction is represented in RDF: "" drops it,
	// "i18n-datatype" or "compound-literal" as in the JSON-LD 1.1 API.
	RDFDirection string
	// KeepDuplicates makes ToRDF and AppendRDF leave repeated quads in
	// their output instead of removing them, for a caller that reads the
	// quads as a set anyway, as rdfc.Canonicalize and AppendCanonical do:
	// finding the repetitions is then wasted work.
	KeepDuplicates bool
}

// Error is a JSON-LD processing error. Code is one of the error codes of the
// JSON-LD 1.1 API (for example "invalid term definition"), or one of this
// package's own codes (CodeSafeMode, CodeLimit).
type Error struct {
	Code string
	Msg  string
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return "jsonld: " + e.Code
	}
	return "jsonld: " + e.Code + ": " + e.Msg
}

// Is lets errors.Is match an *Error by code: errors.Is(err, ErrSafeMode).
func (e *Error) Is(target error) bool {
	var t *Error
	if !errors.As(target, &t) {
		return false
	}
	return t.Code == e.Code && (t.Msg == "" || t.Msg == e.Msg)
}

// Codes of errors that are not JSON-LD API error codes.
const (
	// CodeSafeMode: safe mode found data that would be dropped or could
	// not be turned into RDF.
	CodeSafeMode = "safe mode violation"
	// CodeLimit: the input exceeds a processing limit (depth, work).
	CodeLimit = "processing limit exceeded"
)

// Sentinel errors for errors.Is.
var (
	ErrSafeMode           = &Error{Code: CodeSafeMode}
	ErrLimit              = &Error{Code: CodeLimit}
	ErrLoadingContext     = &Error{Code: "loading remote context failed"}
	ErrProtectedRedefined = &Error{Code: "protected term redefinition"}
)

func newErr(code, msg string) *Error { return &Error{Code: code, Msg: msg} }

// Limits on untrusted input.
const (
	// MaxDepth is the deepest JSON nesting expanded.
	MaxDepth = 64
	// maxRemoteContexts bounds the chain of remote contexts loaded while
	// processing one context (also catches cycles).
	maxRemoteContexts = 32
	// maxWork bounds the total work units (elements expanded, term
	// definitions created, terms copied) of one call.
	maxWork = 4 << 20
)

// Expand expands doc and returns the expanded form, as JSON-like values
// (map[string]any and []any).
func Expand(doc any, opts *Options) ([]any, error) {
	if opts == nil {
		opts = &Options{}
	}
	p := getProc(opts)
	defer p.release()
	objs, err := p.expandDocument(doc, opts)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(objs))
	for i, o := range objs {
		out[i] = o.toJSON()
	}
	return out, nil
}

// ToRDF expands doc and deserializes it to an RDF dataset. Blank nodes are
// labelled b0, b1, … in the order met; duplicate quads are removed.
func ToRDF(doc any, opts *Options) ([]rdfc.Quad, error) {
	if opts == nil {
		opts = &Options{}
	}
	p := getProc(opts)
	defer p.release()
	qs, err := p.toRDF(p.quadScratch(), doc, opts)
	if err != nil {
		return nil, err
	}
	p.quads = qs // the grown buffer goes back to the pool
	return append(make([]rdfc.Quad, 0, len(qs)), qs...), nil
}

// AppendRDF is ToRDF appending the quads to dst, for callers that reuse a
// buffer: it returns the extended slice. Labels of blank nodes start at b0
// whatever dst holds, and only the appended quads are deduplicated.
func AppendRDF(dst []rdfc.Quad, doc any, opts *Options) ([]rdfc.Quad, error) {
	if opts == nil {
		opts = &Options{}
	}
	p := getProc(opts)
	defer p.release()
	return p.toRDF(dst, doc, opts)
}
