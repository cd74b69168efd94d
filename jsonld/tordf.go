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
	for _, o := range objs {
		if !o.isNode() {
			continue
		}
		if _, _, err := w.node(o, rdfc.Term{}); err != nil {
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

func (w *rdfWriter) fresh() rdfc.Term {
	var l string
	if w.n < len(bnodeLabels) {
		l = bnodeLabels[w.n]
	} else {
		l = "b" + strconv.Itoa(w.n)
	}
	w.n++
	return rdfc.Term{Kind: rdfc.BlankNode, Value: l}
}

// bnodeLabels are the first labels, built once.
var bnodeLabels = func() (ls [64]string) {
	for i := range ls {
		ls[i] = "b" + strconv.Itoa(i)
	}
	return ls
}()

// blank maps a document blank node identifier to one of ours, so labels in
// the output never collide with generated ones.
func (w *rdfWriter) blank(id string) rdfc.Term {
	if w.labels == nil {
		w.labels = map[string]string{}
	}
	if l, ok := w.labels[id]; ok {
		return rdfc.Term{Kind: rdfc.BlankNode, Value: l}
	}
	t := w.fresh()
	w.labels[id] = t.Value
	return t
}

// iri turns an expanded IRI or blank node id into a term; ok is false when
// it is neither a well-formed absolute IRI nor a blank node id.
func (w *rdfWriter) iri(s string) (rdfc.Term, bool) {
	if isBlank(s) {
		return w.blank(s), true
	}
	if wellFormedIRI(s) {
		return rdfc.Term{Kind: rdfc.IRI, Value: s}, true
	}
	return rdfc.Term{}, false
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
// inline barrier and skip the temporary.
func (w *rdfWriter) emit(s, p, o, g rdfc.Term) {
	n := len(w.quads)
	if n == cap(w.quads) {
		w.quads = slices.Grow(w.quads, 1)
	}
	w.quads = w.quads[:n+1]
	q := &w.quads[n]
	setTerm(&q.Subject, &s)
	setTerm(&q.Predicate, &p)
	setTerm(&q.Object, &o)
	setTerm(&q.Graph, &g)
}

// setTerm is *dst = *src as single field stores (see emit).
func setTerm(dst, src *rdfc.Term) {
	dst.Kind = src.Kind
	dst.Value = src.Value
	dst.Datatype = src.Datatype
	dst.Language = src.Language
}

// predicate converts a property IRI; ok is false when triples using it
// must be left out (the values are still walked for their own triples).
func (w *rdfWriter) predicate(iri string) (rdfc.Term, bool, error) {
	if isBlank(iri) {
		if !w.opts.ProduceGeneralizedRDF {
			return rdfc.Term{}, false, w.unsafe("blank node predicate", iri)
		}
		return w.blank(iri), true, nil
	}
	if wellFormedIRI(iri) {
		return rdfc.Term{Kind: rdfc.IRI, Value: iri}, true, nil
	}
	return rdfc.Term{}, false, w.unsafe("predicate", iri)
}

// node emits the triples of a node object in graph g and returns its
// subject term (ok false if its @id is not usable).
func (w *rdfWriter) node(o *object, g rdfc.Term) (rdfc.Term, bool, error) {
	var s rdfc.Term
	ok := true
	if o.has&hNullID != 0 {
		ok = false
	} else if o.has&hID != 0 {
		if s, ok = w.iri(o.id); !ok {
			if err := w.unsafe("subject", o.id); err != nil {
				return s, false, err
			}
		}
	} else {
		s = w.fresh()
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
	if ok {
		first := len(w.quads)
		for _, t := range o.types {
			if o.typesWF {
				w.emit(s, rdfc.Term{Kind: rdfc.IRI, Value: rdfType}, rdfc.Term{Kind: rdfc.IRI, Value: t}, g)
				continue
			}
			tt, tok := w.iri(t)
			if !tok {
				if err := w.unsafe("type", t); err != nil {
					return s, false, err
				}
				continue
			}
			w.emit(s, rdfc.Term{Kind: rdfc.IRI, Value: rdfType}, tt, g)
		}
		w.checkRepeats(first)
	}
	for i := range o.props {
		pr := &o.props[i]
		pt, pok := rdfc.Term{Kind: rdfc.IRI, Value: pr.iri}, true
		if !pr.wf {
			var err error
			if pt, pok, err = w.predicate(pr.iri); err != nil {
				return s, false, err
			}
		}
		var objBuf [4]rdfc.Term
		objs := objBuf[:0]
		for _, v := range pr.vals {
			ot, ook, err := w.object(v, g)
			if err != nil {
				return s, false, err
			}
			if ok && pok && ook {
				objs = append(objs, ot)
			}
		}
		// The objects are emitted after the values' own triples, so that
		// the property's quads are adjacent for checkRepeats.
		first := len(w.quads)
		for _, ot := range objs {
			w.emit(s, pt, ot, g)
		}
		w.checkRepeats(first)
	}
	for i := range o.reverse {
		pr := &o.reverse[i]
		pt, pok, err := w.predicate(pr.iri)
		if err != nil {
			return s, false, err
		}
		for _, v := range pr.vals {
			vs, vok, err := w.node(v, g)
			if err != nil {
				return s, false, err
			}
			if ok && pok && vok {
				w.emit(vs, pt, s, g)
			}
		}
	}
	if o.has&hGraph != 0 {
		if !ok {
			if err := w.unsafe("graph name", o.id); err != nil {
				return s, false, err
			}
		} else {
			for _, n := range o.graph {
				if n.isNode() {
					if _, _, err := w.node(n, s); err != nil {
						return s, false, err
					}
				}
			}
		}
	}
	for _, n := range o.included {
		if _, _, err := w.node(n, g); err != nil {
			return s, false, err
		}
	}
	return s, ok, nil
}

// object is the Object to RDF Conversion algorithm (plus the triples of a
// nested node or list).
func (w *rdfWriter) object(v *object, g rdfc.Term) (rdfc.Term, bool, error) {
	switch {
	case v.isList():
		return w.list(v.list, g)
	case !v.isValue():
		return w.node(v, g)
	}
	dt := ""
	if len(v.types) > 0 {
		dt = v.types[0]
		if dt != "@json" && !v.typesWF && !wellFormedIRI(dt) {
			return rdfc.Term{}, false, w.unsafe("datatype", dt)
		}
	}
	if v.has&hLang != 0 && !wellFormedLang(v.lang) {
		return rdfc.Term{}, false, w.unsafe("language", v.lang)
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
			return rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: i18nNS + strings.ToLower(v.lang) + "_" + v.dir}, true, nil
		case "compound-literal":
			b := w.fresh()
			w.emit(b, rdfc.Term{Kind: rdfc.IRI, Value: rdfValue}, rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: rdfc.XSDString}, g)
			if v.has&hLang != 0 {
				w.emit(b, rdfc.Term{Kind: rdfc.IRI, Value: rdfLanguage}, rdfc.Term{Kind: rdfc.Literal, Value: strings.ToLower(v.lang), Datatype: rdfc.XSDString}, g)
			}
			w.emit(b, rdfc.Term{Kind: rdfc.IRI, Value: rdfDirection}, rdfc.Term{Kind: rdfc.Literal, Value: v.dir, Datatype: rdfc.XSDString}, g)
			return b, true, nil
		default:
			// Without an rdfDirection the direction is lost: unsafe.
			if w.opts.Safe {
				return rdfc.Term{}, false, newErr(CodeSafeMode, "@direction "+strconv.Quote(v.dir)+" of "+strconv.Quote(lex)+" needs an rdfDirection option")
			}
		}
	}
	if v.has&hLang != 0 {
		return rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: rdfc.LangString, Language: v.lang}, true, nil
	}
	if dt == "" {
		dt = rdfc.XSDString
	}
	return rdfc.Term{Kind: rdfc.Literal, Value: lex, Datatype: dt}, true, nil
}

// list is the List Conversion algorithm: a chain of rdf:first/rdf:rest.
func (w *rdfWriter) list(items []*object, g rdfc.Term) (rdfc.Term, bool, error) {
	if len(items) == 0 {
		return rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}, true, nil
	}
	head := w.fresh()
	cur := head
	for i, it := range items {
		ot, ok, err := w.object(it, g)
		if err != nil {
			return head, false, err
		}
		if ok {
			w.emit(cur, rdfc.Term{Kind: rdfc.IRI, Value: rdfFirst}, ot, g)
		}
		next := rdfc.Term{Kind: rdfc.IRI, Value: rdfNil}
		if i < len(items)-1 {
			next = w.fresh()
		}
		w.emit(cur, rdfc.Term{Kind: rdfc.IRI, Value: rdfRest}, next, g)
		cur = next
	}
	return head, true, nil
}
