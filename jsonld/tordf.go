package jsonld

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/sceau/sceau/rdfc"
)

// Vocabulary IRIs used by toRdf.
const (
	rdfNS        = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
	rdfType      = rdfNS + "type"
	rdfFirst     = rdfNS + "first"
	rdfRest      = rdfNS + "rest"
	rdfNil       = rdfNS + "nil"
	rdfValue     = rdfNS + "value"
	rdfLanguage  = rdfNS + "language"
	rdfDirection = rdfNS + "direction"
	rdfJSON      = rdfNS + "JSON"
	xsdNS        = "http://www.w3.org/2001/XMLSchema#"
	xsdBoolean   = xsdNS + "boolean"
	xsdInteger   = xsdNS + "integer"
	xsdDouble    = xsdNS + "double"
	i18nNS       = "https://www.w3.org/ns/i18n#"
)

// rdfWriter deserializes expanded objects to quads. It walks the expanded
// tree directly instead of building the spec's node map first: the
// resulting dataset is the same up to blank node labels and duplicates,
// which are removed at the end, and it costs far fewer allocations.
type rdfWriter struct {
	opts   *Options
	quads  []rdfc.Quad
	labels map[string]string // document blank node label -> ours
	n      int

	// Duplicate quads are rare, and removing them through a map costs a
	// fifth of the whole conversion, so the writer notes whether any can
	// have been produced: a subject described twice, a repeated value, a
	// reverse property or a named graph. Only then does it deduplicate.
	mayDup   bool
	subjects map[string]struct{}
	repeated []string // subjects described more than once
	keep     bool     // Options.KeepDuplicates: none of the above
}

// toRDF expands doc and appends its quads to dst.
func (p *proc) toRDF(dst []rdfc.Quad, doc any, opts *Options) ([]rdfc.Quad, error) {
	switch opts.RDFDirection {
	case "", "i18n-datatype", "compound-literal":
	default:
		return nil, newErr("invalid rdfDirection", opts.RDFDirection)
	}
	objs, err := p.expandDocument(doc, opts)
	if err != nil {
		return nil, err
	}
	start := len(dst)
	w := &rdfWriter{opts: opts, quads: dst, labels: p.labels, subjects: p.subjects, keep: opts.KeepDuplicates}
	var s, g rdfc.Term // g: the default graph
	for _, o := range objs {
		if !o.isNode() {
			continue
		}
		if _, err := w.node(o, &g, &s); err != nil {
			return nil, err
		}
	}
	p.labels, p.subjects = w.labels, w.subjects // kept for reuse
	qs := w.quads[start:]
	switch {
	case w.keep:
	case w.mayDup:
		qs = dedup(qs)
	case len(w.repeated) > 0:
		qs = dedupSubjects(qs, w.repeated)
	}
	return w.quads[:start+len(qs)], nil
}

// dedupSubjects removes duplicate quads whose subject is one of subjects.
// They are few, so they are compared pairwise rather than hashed.
func dedupSubjects(qs []rdfc.Quad, subjects []string) []rdfc.Quad {
	var idxBuf [32]int
	idx := idxBuf[:0]
	for i := range qs {
		if qs[i].Subject.Kind != rdfc.Literal && contains(subjects, qs[i].Subject.Value) {
			idx = append(idx, i)
		}
	}
	if len(idx) > 64 {
		return dedup(qs)
	}
	drop := false
	for a := 1; a < len(idx); a++ {
		for b := 0; b < a; b++ {
			if qs[idx[a]] == qs[idx[b]] {
				qs[idx[a]].Subject.Kind = rdfc.Literal // mark: a literal is never a subject
				drop = true
				break
			}
		}
	}
	if !drop {
		return qs
	}
	// Compact from the first dropped quad on: those before it stay where
	// they are (moving a quad is a typed copy of 224 bytes).
	first := 0
	for qs[first].Subject.Kind != rdfc.Literal {
		first++
	}
	out := qs[:first]
	for i := first + 1; i < len(qs); i++ {
		if qs[i].Subject.Kind != rdfc.Literal {
			out = append(out, qs[i])
		}
	}
	clear(qs[len(out):]) // the buffer may be pooled: keep no strings alive
	return out
}

func dedup(qs []rdfc.Quad) []rdfc.Quad {
	if len(qs) < 2 {
		return qs
	}
	seen := make(map[rdfc.Quad]struct{}, len(qs))
	out := qs[:0]
	for _, q := range qs {
		if _, dup := seen[q]; dup {
			continue
		}
		seen[q] = struct{}{}
		out = append(out, q)
	}
	clear(qs[len(out):]) // the buffer may be pooled: keep no strings alive
	return out
}

// Terms are 56 bytes (a kind and three strings). The writer passes them by
// pointer and builds each where it is used (a quad's field, the list of a
// property's objects), instead of returning and passing them by value:
// those copies were most of the writer's own time.

// Constant terms, passed by pointer to emit (never written).
var (
	typeTerm  = rdfc.Term{Kind: rdfc.IRI, Value: rdfType}
	firstTerm = rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}
	restTerm  = rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}
	nilTerm   = rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
	valueTerm = rdfc.Term{Kind: rdfc.IRI, Value: rdfValue}
	langTerm  = rdfc.Term{Kind: rdfc.IRI, Value: rdfLanguage}
	dirTerm   = rdfc.Term{Kind: rdfc.IRI, Value: rdfDirection}
)

// setNode sets every field of *dst (it may hold an earlier term): an IRI
// or blank node named v.
func setNode(dst *rdfc.Term, kind rdfc.TermKind, v string) {
	dst.Kind = kind
	dst.Value = v
	dst.Datatype = ""
	dst.Language = ""
}

// setLiteral sets every field of *dst to a literal.
func setLiteral(dst *rdfc.Term, lex, dt, lang string) {
	dst.Kind = rdfc.Literal
	dst.Value = lex
	dst.Datatype = dt
	dst.Language = lang
}

// fresh sets *dst to a new blank node.
func (w *rdfWriter) fresh(dst *rdfc.Term) {
	var l string
	if w.n < len(bnodeLabels) {
		l = bnodeLabels[w.n]
	} else {
		l = "b" + strconv.Itoa(w.n)
	}
	w.n++
	setNode(dst, rdfc.BlankNode, l)
}

// bnodeLabels are the first labels, built once.
var bnodeLabels = func() (ls [64]string) {
	for i := range ls {
		ls[i] = "b" + strconv.Itoa(i)
	}
	return ls
}()

// blank sets *dst to our blank node for a document blank node identifier,
// so labels in the output never collide with generated ones.
func (w *rdfWriter) blank(dst *rdfc.Term, id string) {
	if w.labels == nil {
		w.labels = map[string]string{}
	}
	if l, ok := w.labels[id]; ok {
		setNode(dst, rdfc.BlankNode, l)
		return
	}
	w.fresh(dst)
	w.labels[id] = dst.Value
}

// iri sets *dst to the term of an expanded IRI or blank node id; it
// reports false (leaving *dst unspecified) when s is neither a well-formed
// absolute IRI nor a blank node id.
func (w *rdfWriter) iri(dst *rdfc.Term, s string) bool {
	if isBlank(s) {
		w.blank(dst, s)
		return true
	}
	if wellFormedIRI(s) {
		setNode(dst, rdfc.IRI, s)
		return true
	}
	return false
}

func (w *rdfWriter) unsafe(what, s string) error {
	if w.opts.Safe {
		return newErr(CodeSafeMode, what+" "+strconv.Quote(s)+" cannot be expressed in RDF")
	}
	return nil
}

// checkRepeats notes a possible duplicate among the quads from first on,
// which share subject, predicate and graph.
func (w *rdfWriter) checkRepeats(first int) {
	qs := w.quads[first:]
	if len(qs) < 2 || w.mayDup || w.keep {
		return
	}
	if len(qs) > 16 {
		w.mayDup = true
		return
	}
	for i := 1; i < len(qs); i++ {
		for j := 0; j < i; j++ {
			if qs[i].Object == qs[j].Object {
				w.mayDup = true
				return
			}
		}
	}
}

// emit appends a quad, written field by field into the buffer: appending
// a whole rdfc.Quad literal builds it on the stack and then copies its 224
// bytes as a typed move, whose write barrier (while the collector marks)
// walks the type's pointer bitmap; single field stores use the compiler's
// inline barrier and skip the temporary. The terms are read, not kept.
func (w *rdfWriter) emit(s, p, o, g *rdfc.Term) {
	n := len(w.quads)
	if n == cap(w.quads) {
		w.quads = slices.Grow(w.quads, 1)
	}
	w.quads = w.quads[:n+1]
	q := &w.quads[n]
	setTerm(&q.Subject, s)
	setTerm(&q.Predicate, p)
	setTerm(&q.Object, o)
	setTerm(&q.Graph, g)
}

// setTerm is *dst = *src as single field stores (see emit).
func setTerm(dst, src *rdfc.Term) {
	dst.Kind = src.Kind
	dst.Value = src.Value
	dst.Datatype = src.Datatype
	dst.Language = src.Language
}

// predicate sets *dst to a property IRI's term; ok is false when triples
// using it must be left out (the values are still walked for their own
// triples).
func (w *rdfWriter) predicate(dst *rdfc.Term, iri string) (bool, error) {
	if isBlank(iri) {
		if !w.opts.ProduceGeneralizedRDF {
			return false, w.unsafe("blank node predicate", iri)
		}
		w.blank(dst, iri)
		return true, nil
	}
	if wellFormedIRI(iri) {
		setNode(dst, rdfc.IRI, iri)
		return true, nil
	}
	return false, w.unsafe("predicate", iri)
}

// node emits the triples of a node object in graph g and sets *s to its
// subject term; ok is false (and *s unspecified) if its @id is not usable.
func (w *rdfWriter) node(o *object, g, s *rdfc.Term) (bool, error) {
	ok := true
	if o.has&hNullID != 0 {
		ok = false
	} else if o.has&hID != 0 {
		if ok = w.iri(s, o.id); !ok {
			if err := w.unsafe("subject", o.id); err != nil {
				return false, err
			}
		}
	} else {
		w.fresh(s)
	}
	if ok && !w.keep && o.has&hID != 0 && len(o.types)+len(o.props)+len(o.reverse) > 0 {
		if w.subjects == nil {
			w.subjects = make(map[string]struct{}, 16)
		}
		if _, seen := w.subjects[s.Value]; seen && !contains(w.repeated, s.Value) {
			// Common in credentials (the issuer also named as creator):
			// only this subject's quads need checking.
			if len(w.repeated) == 8 {
				w.mayDup = true
			}
			w.repeated = append(w.repeated, s.Value)
		}
		w.subjects[s.Value] = struct{}{}
	}
	if len(o.reverse) > 0 || o.has&hGraph != 0 {
		w.mayDup = true
	}
	// Scratch terms for the loops below: a type, a predicate, the subject
	// of a reverse, @graph or @included node.
	var t, pt rdfc.Term
	if ok {
		first := len(w.quads)
		for _, ty := range o.types {
			if o.typesWF {
				setNode(&t, rdfc.IRI, ty)
			} else if !w.iri(&t, ty) {
				if err := w.unsafe("type", ty); err != nil {
					return false, err
				}
				continue
			}
			w.emit(s, &typeTerm, &t, g)
		}
		w.checkRepeats(first)
	}
	// The objects of one property are built in objBuf, each by the call
	// that walks its value: they are emitted after the values' own
	// triples, so that the property's quads are adjacent for checkRepeats.
	var objBuf [4]rdfc.Term
	for i := range o.props {
		pr := &o.props[i]
		pok := true
		if pr.wf {
			setNode(&pt, rdfc.IRI, pr.iri)
		} else {
			var err error
			if pok, err = w.predicate(&pt, pr.iri); err != nil {
				return false, err
			}
		}
		objs := objBuf[:0]
		for _, v := range pr.vals {
			// The slot is not zeroed first: object sets every field of a
			// term it returns, and each pointer store into it costs a
			// write barrier while the collector marks (the compiler
			// cannot tell that objBuf is on the stack).
			if n := len(objs); n < cap(objs) {
				objs = objs[:n+1]
			} else {
				objs = append(objs, rdfc.Term{})
			}
			ook, err := w.object(v, g, &objs[len(objs)-1])
			if err != nil {
				return false, err
			}
			if !ok || !pok || !ook {
				objs = objs[:len(objs)-1]
			}
		}
		first := len(w.quads)
		for j := range objs {
			w.emit(s, &pt, &objs[j], g)
		}
		w.checkRepeats(first)
	}
	for i := range o.reverse {
		pr := &o.reverse[i]
		pok, err := w.predicate(&pt, pr.iri)
		if err != nil {
			return false, err
		}
		for _, v := range pr.vals {
			vok, err := w.node(v, g, &t)
			if err != nil {
				return false, err
			}
			if ok && pok && vok {
				w.emit(&t, &pt, s, g)
			}
		}
	}
	if o.has&hGraph != 0 {
		if !ok {
			if err := w.unsafe("graph name", o.id); err != nil {
				return false, err
			}
		} else {
			for _, n := range o.graph {
				if n.isNode() {
					if _, err := w.node(n, s, &t); err != nil {
						return false, err
					}
				}
			}
		}
	}
	for _, n := range o.included {
		if _, err := w.node(n, g, &t); err != nil {
			return false, err
		}
	}
	return ok, nil
}

// object is the Object to RDF Conversion algorithm (plus the triples of a
// nested node or list): it sets *dst to the object's term, or reports
// false.
func (w *rdfWriter) object(v *object, g, dst *rdfc.Term) (bool, error) {
	switch {
	case v.isList():
		return w.list(v.list, g, dst)
	case !v.isValue():
		return w.node(v, g, dst)
	}
	dt := ""
	if len(v.types) > 0 {
		dt = v.types[0]
		if dt != "@json" && !v.typesWF && !wellFormedIRI(dt) {
			return false, w.unsafe("datatype", dt)
		}
	}
	if v.has&hLang != 0 && !wellFormedLang(v.lang) {
		return false, w.unsafe("language", v.lang)
	}
	var lex string
	switch x := v.value.(type) {
	case string:
		lex = x
	case bool:
		if dt == "@json" {
			break
		}
		lex = "false"
		if x {
			lex = "true"
		}
		if dt == "" {
			dt = xsdBoolean
		}
	}
	if dt == "@json" {
		lex, dt = canonicalJSON(v.value), rdfJSON
	} else if f, isNum := toFloat(v.value); isNum {
		if f != math.Trunc(f) || math.Abs(f) >= 1e21 || dt == xsdDouble || math.IsInf(f, 0) || math.IsNaN(f) {
			lex = canonicalDouble(f)
			if dt == "" {
				dt = xsdDouble
			}
		} else {
			lex = canonicalInteger(f)
			if dt == "" {
				dt = xsdInteger
			}
		}
	}
	if v.has&hDir != 0 {
		switch w.opts.RDFDirection {
		case "i18n-datatype":
			setLiteral(dst, lex, i18nNS+strings.ToLower(v.lang)+"_"+v.dir, "")
			return true, nil
		case "compound-literal":
			w.fresh(dst)
			var lit rdfc.Term
			setLiteral(&lit, lex, rdfc.XSDString, "")
			w.emit(dst, &valueTerm, &lit, g)
			if v.has&hLang != 0 {
				setLiteral(&lit, strings.ToLower(v.lang), rdfc.XSDString, "")
				w.emit(dst, &langTerm, &lit, g)
			}
			setLiteral(&lit, v.dir, rdfc.XSDString, "")
			w.emit(dst, &dirTerm, &lit, g)
			return true, nil
		default:
			// Without an rdfDirection the direction is lost: unsafe.
			if w.opts.Safe {
				return false, newErr(CodeSafeMode, "@direction "+strconv.Quote(v.dir)+" of "+strconv.Quote(lex)+" needs an rdfDirection option")
			}
		}
	}
	if v.has&hLang != 0 {
		setLiteral(dst, lex, rdfc.LangString, v.lang)
		return true, nil
	}
	if dt == "" {
		dt = rdfc.XSDString
	}
	setLiteral(dst, lex, dt, "")
	return true, nil
}

// list is the List Conversion algorithm: a chain of rdf:first/rdf:rest
// whose head it sets *dst to.
func (w *rdfWriter) list(items []*object, g, dst *rdfc.Term) (bool, error) {
	if len(items) == 0 {
		setNode(dst, rdfc.IRI, rdfNil)
		return true, nil
	}
	w.fresh(dst)
	// cur and next alternate between two terms after the head.
	var ot rdfc.Term
	var links [2]rdfc.Term
	cur := dst
	for i, it := range items {
		ok, err := w.object(it, g, &ot)
		if err != nil {
			return false, err
		}
		if ok {
			w.emit(cur, &firstTerm, &ot, g)
		}
		next := &nilTerm
		if i < len(items)-1 {
			next = &links[i&1]
			w.fresh(next)
		}
		w.emit(cur, &restTerm, next, g)
		cur = next
	}
	return true, nil
}
