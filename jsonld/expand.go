package jsonld

import (
	"slices"
	"strconv"
	"strings"
)

// Bits of object.has: which keyword entries an expanded object holds.
const (
	hID uint16 = 1 << iota
	hType
	hTypeArray // @type was given as an array (invalid on value objects)
	hValue
	hLang
	hDir
	hIndex
	hList
	hSet
	hGraph
	hIncluded
	hReverse
	hNullID // @id was ignored (a keyword-like value)
)

// object is one expanded JSON-LD object: a node, value or list object.
// Expanded arrays hold only objects, so the expanded form is typed rather
// than map[string]any; toRdf walks it without type switches and map
// lookups, and Expand converts it to maps at the end.
type object struct {
	has      uint16
	typesWF  bool // every one of types is known to be a well-formed IRI
	id       string
	types    []string
	value    any // @value (a scalar, or any JSON for @json)
	lang     string
	dir      string
	index    string
	list     []*object // @list or @set items
	graph    []*object
	included []*object
	reverse  []prop
	props    []prop
}

type prop struct {
	iri  string
	vals []*object
	wf   bool // iri is known to be a well-formed IRI
}

func (o *object) isValue() bool { return o.has&hValue != 0 }
func (o *object) isList() bool  { return o.has&hList != 0 }
func (o *object) isNode() bool  { return o.has&(hValue|hList|hSet) == 0 }

// isGraph: a graph object has @graph and at most @id and @index.
func (o *object) isGraph() bool {
	return o.has&hGraph != 0 && o.has&^(hGraph|hID|hIndex) == 0 && len(o.props) == 0
}

// entries counts an object's entries as the algorithm's map would have.
func (o *object) entries() int {
	n := len(o.props)
	for b := o.has &^ (hTypeArray | hNullID); b != 0; b &= b - 1 {
		n++
	}
	return n
}

// newObj returns a zero object carved from the proc's slab (slab.go).
func (p *proc) newObj() *object { return p.objs.one() }

// makeProps returns an empty property list with room for n.
func (p *proc) makeProps(n int) []prop { return p.props.take(n)[:0] }

// sliceOf is r.slice() with one-element slices carved from a slab (their
// capacity is 1, so appending to one never touches its neighbours).
func (p *proc) sliceOf(r expRes) []*object {
	if r.isArr || r.one == nil {
		return r.slice()
	}
	s := p.ptrs.take(1)
	s[0] = r.one
	return s
}

func appendProp(ps []prop, iri string, vals ...*object) []prop {
	for i := range ps {
		if ps[i].iri == iri {
			ps[i].vals = append(ps[i].vals, vals...)
			return ps
		}
	}
	return append(ps, prop{iri: iri, vals: vals})
}

func getProp(ps []prop, iri string) []*object {
	for i := range ps {
		if ps[i].iri == iri {
			return ps[i].vals
		}
	}
	return nil
}

// expRes is what expanding one element gives: nothing, one object or an
// array (the distinction matters for lists of lists).
type expRes struct {
	one   *object
	arr   []*object
	isArr bool
}

func (r expRes) slice() []*object {
	if r.isArr {
		return r.arr
	}
	if r.one != nil {
		return []*object{r.one}
	}
	return nil
}

// nullProp stands for a null active property ("" is a valid key).
const nullProp = "\x00"

// pathSeg is a linked path from the document root, rendered only when a
// safe-mode error names where it happened.
//
// Segments live on the stack of the function that descends: each such
// function declares one segment outside its loops and refills it per entry,
// and nothing keeps a path beyond the call it is passed to (errors render
// it at once). Declaring it inside a loop would make escape analysis move
// it to the heap (a loop variable's address stored in a parameter of the
// recursion counts as outliving it), and so would storing a path anywhere
// but in a child segment.
type pathSeg struct {
	parent *pathSeg
	key    string
	idx    int // -1 for a map key
}

func (s *pathSeg) String() string {
	var parts []string
	for ; s != nil; s = s.parent {
		if s.idx >= 0 {
			parts = append(parts, "["+strconv.Itoa(s.idx)+"]")
		} else {
			parts = append(parts, "/"+s.key)
		}
	}
	slices.Reverse(parts)
	if len(parts) == 0 {
		return "/"
	}
	return strings.Join(parts, "")
}

func safeErr(path *pathSeg, what string) error {
	return newErr(CodeSafeMode, what+" at "+path.String())
}

// expandDocument runs the Expansion algorithm on a whole document and
// applies the final steps (unwrap a lone @graph, always an array). The
// objects are the proc's: they are valid until p.release().
func (p *proc) expandDocument(doc any, opts *Options) ([]*object, error) {
	switch opts.ProcessingMode {
	case "", ModeJSONLD11:
	case ModeJSONLD10:
		p.mode10 = true
	default:
		return nil, newErr("invalid processing mode", opts.ProcessingMode)
	}
	ctx := rootContext(p.loader, opts.Base, p.mode10)
	if opts.ExpandContext != nil {
		ec := opts.ExpandContext
		if m, ok := ec.(map[string]any); ok {
			if inner, ok := m["@context"]; ok {
				ec = inner
			}
		}
		var err error
		if ctx, err = p.process(ctx, ec, opts.Base, nil, false, true, true); err != nil {
			return nil, err
		}
		if err := p.checkSafe(ctx); err != nil {
			return nil, err
		}
	}
	r, err := p.expand(ctx, nullProp, doc, opts.Base, false, nil)
	if err != nil {
		return nil, err
	}
	if !r.isArr && r.one != nil && r.one.has == hGraph && len(r.one.props) == 0 {
		return r.one.graph, nil
	}
	return nonNil(p.sliceOf(r)), nil
}

// expand is the Expansion algorithm (JSON-LD 1.1 API section 5.1).
func (p *proc) expand(ctx *Context, prop string, elem any, baseURL string, fromMap bool, path *pathSeg) (expRes, error) {
	var pdef *termDef
	if prop != nullProp {
		pdef = ctx.terms[prop]
	}
	return p.expandDef(ctx, prop, pdef, elem, baseURL, fromMap, path)
}

// expandDef is expand when the caller has looked up pdef, the definition
// of prop in ctx, already.
func (p *proc) expandDef(ctx *Context, prop string, pdef *termDef, elem any, baseURL string, fromMap bool, path *pathSeg) (expRes, error) {
	if elem == nil {
		return expRes{}, nil
	}
	if p.depth >= MaxDepth {
		return expRes{}, newErr(CodeLimit, "document nested deeper than "+strconv.Itoa(MaxDepth))
	}
	if err := p.spend(1); err != nil {
		return expRes{}, err
	}
	// p.depth counts the arrays and maps being expanded (a scalar nests
	// nothing). It is decremented before a successful return rather than
	// by a deferred call, which costs more on every element; after an
	// error the count does not matter (the call fails, and getProc resets
	// it).
	switch e := elem.(type) {
	case []any:
		p.depth++
		out := p.ptrs.take(len(e))[:0]
		seg := pathSeg{parent: path}
		for i, item := range e {
			seg.idx = i
			r, err := p.expandDef(ctx, prop, pdef, item, baseURL, fromMap, &seg)
			if err != nil {
				return expRes{}, err
			}
			if r.isArr && pdef != nil && pdef.container&cList != 0 {
				// A list of lists: the inner array becomes a list object.
				r = expRes{one: &object{has: hList, list: r.arr}}
			}
			if r.isArr {
				out = append(out, r.arr...)
			} else if r.one != nil {
				out = append(out, r.one)
			}
		}
		p.depth--
		return expRes{arr: out, isArr: true}, nil
	case map[string]any:
		p.depth++
		r, err := p.expandMap(ctx, prop, pdef, e, baseURL, fromMap, path)
		p.depth--
		return r, err
	}
	if !isScalar(elem) {
		return expRes{}, newErr("invalid input", "unsupported JSON value type at "+path.String())
	}
	if prop == nullProp || prop == "@graph" {
		if p.safe {
			return expRes{}, safeErr(path, "free-floating scalar dropped")
		}
		return expRes{}, nil
	}
	if pdef != nil && pdef.hasCtx {
		var err error
		if ctx, err = p.deriveScoped(ctx, pdef, true, true); err != nil {
			return expRes{}, err
		}
		pdef = ctx.terms[prop]
	}
	o, err := p.expandValue(ctx, pdef, elem, path)
	return expRes{one: o}, err
}

// keyIs expands key as a vocabulary-relative IRI and compares it to a
// keyword, without allocating.
func (p *proc) keyIs(ctx *Context, key, kw string) bool {
	if key == kw {
		return true
	}
	aliases := ctx.kwAliases()
	if aliases == nil {
		if td := ctx.terms[key]; td != nil {
			return td.id == kw
		}
		return false
	}
	for _, a := range aliases {
		if a.term == key {
			return a.kw == kw
		}
	}
	return false
}

func (p *proc) expandMap(ctx *Context, prop string, pdef *termDef, elem map[string]any, baseURL string, fromMap bool, path *pathSeg) (expRes, error) {
	o, set, err := p.expandObject(ctx, prop, pdef, elem, baseURL, fromMap, path)
	if set {
		// A set object is replaced by its items (step 17.2).
		return expRes{arr: nonNil(o.list), isArr: true}, err
	}
	return expRes{one: o}, err
}

// entry is one key and value of a map being expanded.
type entry struct {
	key   string
	value any
}

func sortEntries(es []entry) {
	if len(es) > 1 {
		slices.SortFunc(es, func(a, b entry) int { return strings.Compare(a.key, b.key) })
	}
}

// maxStackEntries is how many entries collectEntries keeps in the caller's
// buffer; larger maps allocate.
const maxStackEntries = 16

// collectEntries appends m's entries to buf. Expanding an object looks at
// its entries up to four times (reverting a type-scoped context, finding
// @context and the @type keys, then expanding each entry); iterating a
// Go map is several times dearer than a slice, so it is iterated once.
// The order is the map's (random) order, as iterating it each time was:
// nothing in the result depends on it.
func collectEntries(buf []entry, m map[string]any) []entry {
	for k, v := range m {
		buf = append(buf, entry{k, v})
	}
	return buf
}

// expandObject expands a map; set reports a set object, whose items the
// caller splices.
func (p *proc) expandObject(ctx *Context, prop string, pdef *termDef, elem map[string]any, baseURL string, fromMap bool, path *pathSeg) (o *object, set bool, err error) {
	var buf [maxStackEntries]entry
	ents := collectEntries(buf[:0], elem)
	// Non-propagated (type-scoped) contexts stop at node boundaries.
	if ctx.previous != nil && !fromMap {
		revert := true
		for i := range ents {
			k := ents[i].key
			if p.keyIs(ctx, k, "@value") || (len(ents) == 1 && p.keyIs(ctx, k, "@id")) {
				revert = false
				break
			}
		}
		if revert {
			ctx = ctx.previous
		}
	}
	if pdef != nil && pdef.hasCtx {
		if ctx, err = p.deriveScoped(ctx, pdef, true, true); err != nil {
			return nil, false, err
		}
	}
	for i := range ents {
		if ents[i].key == "@context" {
			if ctx, err = p.process(ctx, ents[i].value, baseURL, nil, false, true, true); err != nil {
				return nil, false, err
			}
			if err := p.checkSafe(ctx); err != nil {
				return nil, false, err
			}
			break
		}
	}
	typeCtx := ctx
	// The @type entries (@type and its aliases), in key order; their
	// values are kept alongside, so they are not looked up again.
	var typesBuf [2]entry
	types := typesBuf[:0]
	for i := range ents {
		if p.keyIs(ctx, ents[i].key, "@type") {
			types = append(types, ents[i])
		}
	}
	sortEntries(types)
	var inputType typeOfInput
	for i, te := range types {
		var terms []string
		switch v := te.value.(type) {
		case string:
			terms = []string{v}
		case []any:
			terms = make([]string, 0, len(v))
			for _, t := range v {
				if s, ok := t.(string); ok {
					terms = append(terms, s)
				}
			}
			slices.Sort(terms)
		}
		for _, t := range terms {
			if td := typeCtx.terms[t]; td != nil && td.hasCtx {
				if ctx, err = p.deriveScoped(ctx, td, false, false); err != nil {
					return nil, false, err
				}
			}
		}
		if i == 0 {
			last := ""
			switch v := te.value.(type) {
			case string:
				last = v
			case []any:
				if len(v) > 0 {
					last, _ = v[len(v)-1].(string)
				}
			}
			inputType = typeOfInput{term: last, ctx: ctx}
		}
	}

	res := p.newObj()
	res.props = p.makeProps(len(elem))
	if err := p.expandEntries(ctx, typeCtx, prop, ents, res, inputType, baseURL, path); err != nil {
		return nil, false, err
	}

	// Step 15: value objects.
	if res.has&hValue != 0 {
		if len(res.props) > 0 || res.has&^(hValue|hType|hTypeArray|hLang|hDir|hIndex) != 0 ||
			(res.has&hType != 0 && res.has&(hLang|hDir) != 0) {
			return nil, false, newErr("invalid value object", "at "+path.String())
		}
		if res.has&hType != 0 && len(res.types) == 1 && res.types[0] == "@json" {
			o, err := p.dropFree(res, prop, path)
			return o, false, err
		}
		if res.value == nil {
			if p.safe {
				return nil, false, safeErr(path, "null @value dropped")
			}
			return nil, false, nil
		}
		if _, isStr := res.value.(string); !isStr && res.has&hLang != 0 {
			return nil, false, newErr("invalid language-tagged value", "at "+path.String())
		}
		if res.has&hType != 0 {
			if res.has&hTypeArray != 0 || len(res.types) != 1 || !wellFormedIRI(res.types[0]) {
				return nil, false, newErr("invalid typed value", "at "+path.String())
			}
		}
		o, err := p.dropFree(res, prop, path)
		return o, false, err
	}
	if res.has&hType != 0 {
		res.has |= hTypeArray
	}
	if res.has&(hSet|hList) != 0 {
		if res.has&hSet != 0 && res.has&hList != 0 || res.has&^(hSet|hList|hIndex) != 0 || len(res.props) > 0 {
			return nil, false, newErr("invalid set or list object", "at "+path.String())
		}
		if res.has&hSet != 0 {
			return res, true, nil
		}
	}
	if res.has == hLang && len(res.props) == 0 {
		if p.safe {
			return nil, false, safeErr(path, "object with only @language dropped")
		}
		return nil, false, nil
	}
	o, err = p.dropFree(res, prop, path)
	return o, false, err
}

// dropFree drops free-floating values, lists and empty or @id-only nodes at
// the top level or directly in @graph (step 19).
func (p *proc) dropFree(res *object, prop string, path *pathSeg) (*object, error) {
	if prop != nullProp && prop != "@graph" {
		return res, nil
	}
	n := res.entries()
	what := ""
	switch {
	case n == 0:
		what = "empty object"
	case res.has&hValue != 0:
		what = "free-floating value"
	case res.has&hList != 0:
		what = "free-floating list"
	case n == 1 && res.has&hID != 0:
		what = "object with only @id"
	default:
		return res, nil
	}
	if p.safe {
		return nil, safeErr(path, what+" dropped")
	}
	return nil, nil
}

// typeOfInput is the input type of an object (step 11): the last value of
// its first @type entry, and the context that expands it. Only a value
// object asks whether it is @json, so it is expanded then: expanding it for
// every typed node would cost each a term lookup for nothing.
type typeOfInput struct {
	term string
	ctx  *Context
}

func (t typeOfInput) isJSON(p *proc) bool {
	if t.term == "" {
		return false
	}
	e, _, _ := p.expandIRI(t.ctx, t.term, false, true, nil)
	return e == "@json"
}

// expandEntries is steps 13 and 14: every entry of an object (ents, and
// the entries of its nested @nest maps) into res.
func (p *proc) expandEntries(ctx, typeCtx *Context, prop string, ents []entry, res *object, inputType typeOfInput, baseURL string, path *pathSeg) error {
	var nests []entry
	seg := pathSeg{parent: path, idx: -1}
	for _, e := range ents {
		key, value := e.key, e.value
		if key == "@context" {
			continue
		}
		seg.key = key
		td := ctx.terms[key]
		if td != nil && td.idWF && !td.nullID {
			// The common case: a term for a well-formed IRI, which is
			// absolute and no keyword, so none of the checks below apply.
			if err := p.expandProperty(ctx, key, td, td.id, value, res, baseURL, &seg); err != nil {
				return err
			}
			continue
		}
		var exp string
		var ok bool
		if td != nil && key != "" && key[0] != '@' && isKeyword(td.id) {
			exp, ok = td.id, true // a keyword alias ("id", "type"), as expandIRI
		} else {
			var err error
			if exp, ok, err = p.expandIRI(ctx, key, false, true, nil); err != nil {
				return err
			}
		}
		if !ok || (strings.IndexByte(exp, ':') < 0 && !isKeyword(exp)) {
			if p.safe {
				return safeErr(&seg, "property "+strconv.Quote(key)+" does not expand to an absolute IRI")
			}
			continue
		}
		if exp[0] == '@' && isKeyword(exp) {
			isNest, err := p.expandKeyword(ctx, typeCtx, prop, exp, key, value, res, inputType, baseURL, &seg)
			if err != nil {
				return err
			}
			if isNest {
				nests = append(nests, e)
			}
			continue
		}
		if err := p.expandProperty(ctx, key, td, exp, value, res, baseURL, &seg); err != nil {
			return err
		}
	}
	sortEntries(nests)
	for _, ne := range nests {
		nk := ne.key
		seg.key = nk
		vals, ok := ne.value.([]any)
		if !ok {
			vals = []any{ne.value}
		}
		for _, nv := range vals {
			nm, ok := nv.(map[string]any)
			if !ok {
				return newErr("invalid @nest value", "at "+seg.String())
			}
			// The nesting term's own scoped context applies inside (as
			// steps 3 and 8 do for a property).
			nestCtx := ctx
			if td := ctx.terms[nk]; td != nil && td.hasCtx {
				var err error
				if nestCtx, err = p.deriveScoped(ctx, td, true, true); err != nil {
					return err
				}
			}
			nents := collectEntries(nil, nm) // @nest is rare: let it allocate
			for _, e := range nents {
				if x, _, _ := p.expandIRI(nestCtx, e.key, false, true, nil); x == "@value" {
					return newErr("invalid @nest value", "nested value object at "+seg.String())
				}
			}
			if err := p.expandEntries(nestCtx, typeCtx, prop, nents, res, inputType, baseURL, &seg); err != nil {
				return err
			}
		}
	}
	return nil
}

// expandKeyword handles one keyword entry (step 13.4). It reports whether
// the entry is an @nest to process afterwards.
func (p *proc) expandKeyword(ctx, typeCtx *Context, prop, kw, key string, value any, res *object, inputType typeOfInput, baseURL string, path *pathSeg) (bool, error) {
	if prop == "@reverse" {
		return false, newErr("invalid reverse property map", "keyword "+kw+" in @reverse at "+path.String())
	}
	bit := keywordBit(kw)
	if bit != 0 && res.has&bit != 0 && kw != "@included" && !(kw == "@type" && !p.mode10) {
		return false, newErr("colliding keywords", kw+" at "+path.String())
	}
	switch kw {
	case "@id":
		s, ok := value.(string)
		if !ok {
			if value == nil {
				if p.safe {
					return false, safeErr(path, "null @id dropped")
				}
				return false, nil
			}
			return false, newErr("invalid @id value", "at "+path.String())
		}
		id, ok, err := p.expandIRI(ctx, s, true, false, nil)
		if err != nil {
			return false, err
		}
		if !ok {
			// A keyword-like @id ("@ignoreMe") is ignored: the node can
			// then not be referred to, nor say anything itself.
			if p.safe {
				return false, safeErr(path, "@id "+strconv.Quote(s)+" dropped")
			}
			res.has |= hID | hNullID
			return false, nil
		}
		if p.safe && !isAbsIRI(id) && !isBlank(id) {
			return false, safeErr(path, "relative @id "+strconv.Quote(s))
		}
		res.id = id
		res.has |= hID
	case "@type":
		var in []any
		isArr := false
		switch v := value.(type) {
		case string:
			in = []any{v}
		case []any:
			in, isArr = v, true
		default:
			return false, newErr("invalid type value", "at "+path.String())
		}
		types := p.strs.take(len(in) + len(res.types))[:0]
		types = append(types, res.types...)
		allWF := res.has&hType == 0 || res.typesWF
		for _, t := range in {
			s, ok := t.(string)
			if !ok {
				return false, newErr("invalid type value", "at "+path.String())
			}
			// The common case: a term for a well-formed IRI, which is what
			// expandIRI would give, and which toRdf then need not check.
			if td := typeCtx.terms[s]; td != nil && td.idWF && !td.nullID {
				types = append(types, td.id)
				continue
			}
			allWF = false
			e, ok, err := p.expandIRI(typeCtx, s, true, true, nil)
			if err != nil {
				return false, err
			}
			if !ok {
				if p.safe {
					return false, safeErr(path, "type "+strconv.Quote(s)+" dropped")
				}
				continue
			}
			if p.safe && !isAbsIRI(e) && !isBlank(e) && !isKeyword(e) {
				return false, safeErr(path, "type "+strconv.Quote(s)+" is a relative IRI")
			}
			types = append(types, e)
		}
		if isArr || res.has&hType != 0 {
			res.has |= hTypeArray
		}
		res.types, res.typesWF = types, allWF
		res.has |= hType
	case "@graph":
		r, err := p.expand(ctx, "@graph", value, baseURL, false, path)
		if err != nil {
			return false, err
		}
		res.graph = r.slice()
		if res.graph == nil {
			res.graph = []*object{}
		}
		res.has |= hGraph
	case "@included":
		if p.mode10 {
			return false, nil
		}
		// Expanded with "@included" as active property rather than null, so
		// that scalars, values and lists are kept and rejected below
		// instead of being dropped as free-floating.
		r, err := p.expand(ctx, "@included", value, baseURL, false, path)
		if err != nil {
			return false, err
		}
		inc := r.slice()
		for _, o := range inc {
			if !o.isNode() {
				return false, newErr("invalid @included value", "at "+path.String())
			}
		}
		res.included = append(res.included, inc...)
		res.has |= hIncluded
	case "@value":
		if inputType.isJSON(p) {
			if p.mode10 {
				return false, newErr("invalid value object value", "@json in json-ld-1.0 mode")
			}
		} else if value != nil && !isScalar(value) {
			return false, newErr("invalid value object value", "at "+path.String())
		}
		res.value = value
		res.has |= hValue
	case "@language":
		s, ok := value.(string)
		if !ok {
			return false, newErr("invalid language-tagged string", "at "+path.String())
		}
		if p.safe && !wellFormedLang(s) {
			return false, safeErr(path, "invalid @language "+strconv.Quote(s))
		}
		res.lang = s
		res.has |= hLang
	case "@direction":
		if p.mode10 {
			return false, nil
		}
		if value != "ltr" && value != "rtl" {
			return false, newErr("invalid base direction", "at "+path.String())
		}
		res.dir = value.(string)
		res.has |= hDir
	case "@index":
		s, ok := value.(string)
		if !ok {
			return false, newErr("invalid @index value", "at "+path.String())
		}
		res.index = s
		res.has |= hIndex
	case "@list":
		if prop == nullProp || prop == "@graph" {
			if p.safe {
				return false, safeErr(path, "free-floating list dropped")
			}
			return false, nil
		}
		r, err := p.expand(ctx, prop, value, baseURL, false, path)
		if err != nil {
			return false, err
		}
		res.list = r.slice()
		if res.list == nil {
			res.list = []*object{}
		}
		res.has |= hList
	case "@set":
		r, err := p.expand(ctx, prop, value, baseURL, false, path)
		if err != nil {
			return false, err
		}
		res.list = r.slice()
		res.has |= hSet
	case "@reverse":
		m, ok := value.(map[string]any)
		if !ok {
			return false, newErr("invalid @reverse value", "at "+path.String())
		}
		r, _, err := p.expandObject(ctx, "@reverse", ctx.terms["@reverse"], m, baseURL, false, path)
		if err != nil {
			return false, err
		}
		if r == nil {
			return false, nil
		}
		// A @reverse inside @reverse is a forward property again.
		for _, rp := range r.reverse {
			res.props = appendProp(res.props, rp.iri, rp.vals...)
		}
		for _, rp := range r.props {
			for _, it := range rp.vals {
				if it.isValue() || it.isList() {
					return false, newErr("invalid reverse property value", "at "+path.String())
				}
			}
			res.reverse = appendProp(res.reverse, rp.iri, rp.vals...)
			res.has |= hReverse
		}
	case "@nest":
		return true, nil
	default:
		// @context is skipped by the caller; other keywords (@base,
		// @vocab…) have no meaning in a node object.
		if p.safe {
			return false, safeErr(path, "keyword "+kw+" dropped")
		}
	}
	return false, nil
}

func keywordBit(kw string) uint16 {
	switch kw {
	case "@id":
		return hID
	case "@type":
		return hType
	case "@value":
		return hValue
	case "@language":
		return hLang
	case "@direction":
		return hDir
	case "@index":
		return hIndex
	case "@list":
		return hList
	case "@set":
		return hSet
	case "@graph":
		return hGraph
	case "@included":
		return hIncluded
	case "@reverse":
		return hReverse
	}
	return 0
}

// expandProperty handles a non-keyword entry (steps 13.5 to 13.14).
func (p *proc) expandProperty(ctx *Context, key string, td *termDef, exp string, value any, res *object, baseURL string, path *pathSeg) error {
	var container uint8
	if td != nil {
		container = td.container
	}
	var vals []*object
	switch {
	case td != nil && td.typ == "@json":
		vals = []*object{{has: hValue | hType, value: value, types: []string{"@json"}}}
	case container&cLanguage != 0 && isMap(value):
		m := value.(map[string]any)
		dir := ctx.dir
		if td.hasDir {
			dir = td.dir
		}
		keys := sortedKeys(m)
		for _, lang := range keys {
			items, ok := m[lang].([]any)
			if !ok {
				items = []any{m[lang]}
			}
			for _, it := range items {
				if it == nil {
					continue
				}
				s, ok := it.(string)
				if !ok {
					return newErr("invalid language map value", "at "+path.String())
				}
				v := &object{has: hValue, value: s}
				if e, _, _ := p.expandIRI(ctx, lang, false, true, nil); lang != "@none" && e != "@none" {
					if p.safe && !wellFormedLang(lang) {
						return safeErr(path, "invalid language "+strconv.Quote(lang))
					}
					v.lang = lang
					v.has |= hLang
				}
				if dir != "" {
					v.dir = dir
					v.has |= hDir
				}
				vals = append(vals, v)
			}
		}
	case container&(cIndex|cType|cID) != 0 && isMap(value):
		m := value.(map[string]any)
		indexKey := "@index"
		if td.index != "" {
			indexKey = td.index
		}
		seg := pathSeg{parent: path, idx: -1}
		for _, index := range sortedKeys(m) {
			seg.key = index
			mapCtx := ctx
			if container&(cID|cType) != 0 && ctx.previous != nil {
				mapCtx = ctx.previous
			}
			if container&cType != 0 {
				if itd := mapCtx.terms[index]; itd != nil && itd.hasCtx {
					var err error
					if mapCtx, err = p.deriveScoped(mapCtx, itd, false, true); err != nil {
						return err
					}
				}
			}
			expIndex, _, err := p.expandIRI(ctx, index, false, true, nil)
			if err != nil {
				return err
			}
			r, err := p.expand(mapCtx, key, m[index], baseURL, true, &seg)
			if err != nil {
				return err
			}
			for _, item := range r.slice() {
				if container&cGraph != 0 && !item.isGraph() {
					item = &object{has: hGraph, graph: []*object{item}}
				}
				switch {
				case container&cIndex != 0 && indexKey != "@index" && expIndex != "@none":
					re, err := p.expandValue(ctx, ctx.terms[indexKey], index, &seg)
					if err != nil {
						return err
					}
					eik, _, err := p.expandIRI(ctx, indexKey, false, true, nil)
					if err != nil {
						return err
					}
					if item.isValue() {
						return newErr("invalid value object", "property-valued index on a value at "+seg.String())
					}
					old := getProp(item.props, eik)
					nv := make([]*object, 0, 1+len(old))
					nv = append(nv, re)
					nv = append(nv, old...)
					item = item.shallowCopy()
					item.props = setProp(item.props, eik, nv)
				case container&cIndex != 0 && item.has&hIndex == 0 && expIndex != "@none":
					item = item.shallowCopy()
					item.index = index
					item.has |= hIndex
				case container&cID != 0 && item.has&hID == 0 && expIndex != "@none":
					id, ok, err := p.expandIRI(ctx, index, true, false, nil)
					if err != nil {
						return err
					}
					if ok {
						if p.safe && !isAbsIRI(id) && !isBlank(id) {
							return safeErr(&seg, "relative @id "+strconv.Quote(index))
						}
						item = item.shallowCopy()
						item.id = id
						item.has |= hID
					}
				case container&cType != 0 && expIndex != "@none":
					item = item.shallowCopy()
					item.types = append([]string{expIndex}, item.types...)
					item.typesWF = false
					item.has |= hType | hTypeArray
				}
				vals = append(vals, item)
			}
		}
	default:
		r, err := p.expandDef(ctx, key, td, value, baseURL, false, path)
		if err != nil {
			return err
		}
		if !r.isArr && r.one == nil {
			return nil // null: the entry is ignored
		}
		if container&cList != 0 && (r.isArr || !r.one.isList()) {
			vals = []*object{{has: hList, list: nonNil(r.slice())}}
		} else {
			vals = p.sliceOf(r)
		}
	}
	if vals == nil {
		// An empty array is kept in the expanded form (no triples).
		vals = []*object{}
	}
	if container&cGraph != 0 && container&(cID|cIndex) == 0 {
		for i, v := range vals {
			vals[i] = &object{has: hGraph, graph: []*object{v}}
		}
	}
	if td != nil && td.reverse {
		for _, v := range vals {
			if v.isValue() || v.isList() {
				return newErr("invalid reverse property value", "at "+path.String())
			}
		}
		res.reverse = appendProp(res.reverse, exp, vals...)
		res.has |= hReverse
		return nil
	}
	n := len(res.props)
	res.props = appendProp(res.props, exp, vals...)
	if len(res.props) > n && td != nil && td.idWF && td.id == exp {
		res.props[n].wf = true
	}
	return nil
}

func nonNil(s []*object) []*object {
	if s == nil {
		return []*object{}
	}
	return s
}

func setProp(ps []prop, iri string, vals []*object) []prop {
	out := make([]prop, 0, len(ps)+1)
	found := false
	for _, p := range ps {
		if p.iri == iri {
			out = append(out, prop{iri: iri, vals: vals})
			found = true
		} else {
			out = append(out, p)
		}
	}
	if !found {
		out = append(out, prop{iri: iri, vals: vals})
	}
	return out
}

// shallowCopy lets index maps annotate an item without touching objects
// that may be shared.
func (o *object) shallowCopy() *object {
	c := *o
	return &c
}

func isMap(v any) bool { _, ok := v.(map[string]any); return ok }

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// expandValue is the Value Expansion algorithm.
func (p *proc) expandValue(ctx *Context, td *termDef, v any, path *pathSeg) (*object, error) {
	if td != nil {
		if s, ok := v.(string); ok && (td.typ == "@id" || td.typ == "@vocab") {
			id, ok, err := p.expandIRI(ctx, s, true, td.typ == "@vocab", nil)
			if err != nil {
				return nil, err
			}
			if !ok {
				if p.safe {
					return nil, safeErr(path, "IRI "+strconv.Quote(s)+" dropped")
				}
				return nil, nil
			}
			if p.safe && !isAbsIRI(id) && !isBlank(id) {
				return nil, safeErr(path, "relative @id "+strconv.Quote(s))
			}
			o := p.newObj()
			o.has, o.id = hID, id
			return o, nil
		}
	}
	o := p.newObj()
	o.has, o.value = hValue, v
	if td != nil && td.typ != "" && td.typ != "@id" && td.typ != "@vocab" && td.typ != "@none" {
		o.types, o.typesWF = td.typSlice, td.typWF
		o.has |= hType
		return o, nil
	}
	if _, ok := v.(string); ok {
		lang, hasLang := ctx.lang, ctx.hasLang
		dir := ctx.dir
		if td != nil && td.hasLang {
			lang, hasLang = td.lang, td.lang != ""
		}
		if td != nil && td.hasDir {
			dir = td.dir
		}
		if hasLang {
			if p.safe && !wellFormedLang(lang) {
				return nil, safeErr(path, "invalid language "+strconv.Quote(lang))
			}
			o.lang = lang
			o.has |= hLang
		}
		if dir != "" {
			o.dir = dir
			o.has |= hDir
		}
	}
	return o, nil
}

// toJSON converts an expanded object to the map form of the spec.
func (o *object) toJSON() any {
	m := make(map[string]any, o.entries())
	if o.has&hNullID != 0 {
		m["@id"] = nil
	} else if o.has&hID != 0 {
		m["@id"] = o.id
	}
	if o.has&hType != 0 {
		if o.has&hValue != 0 && len(o.types) == 1 {
			m["@type"] = o.types[0]
		} else {
			ts := make([]any, len(o.types))
			for i, t := range o.types {
				ts[i] = t
			}
			m["@type"] = ts
		}
	}
	if o.has&hValue != 0 {
		m["@value"] = o.value
	}
	if o.has&hLang != 0 {
		m["@language"] = o.lang
	}
	if o.has&hDir != 0 {
		m["@direction"] = o.dir
	}
	if o.has&hIndex != 0 {
		m["@index"] = o.index
	}
	if o.has&hList != 0 {
		m["@list"] = objsJSON(o.list)
	}
	if o.has&hGraph != 0 {
		m["@graph"] = objsJSON(o.graph)
	}
	if o.has&hIncluded != 0 {
		m["@included"] = objsJSON(o.included)
	}
	if o.has&hReverse != 0 {
		r := make(map[string]any, len(o.reverse))
		for _, p := range o.reverse {
			r[p.iri] = objsJSON(p.vals)
		}
		m["@reverse"] = r
	}
	for _, p := range o.props {
		m[p.iri] = objsJSON(p.vals)
	}
	return m
}

func objsJSON(os []*object) []any {
	out := make([]any, len(os))
	for i, o := range os {
		out[i] = o.toJSON()
	}
	return out
}
